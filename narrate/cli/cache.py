"""``narrate cache info`` and ``narrate cache clear``."""

from __future__ import annotations

from pathlib import Path

import click

from narrate.cache import cache_info, clear_cache, resolve_cache_dir
from narrate.cli.options import cache_dir_option


@click.group()
def cache() -> None:
    """The speech cache: what was synthesized once is never paid for again."""


@cache.command(name="info")
@cache_dir_option
def cache_info_command(cache_dir: Path | None) -> None:
    """Where the cache is, how many entries it holds and their size."""
    info = cache_info(cache_dir)
    click.echo(
        f"{info.path}\n{info.entries} entries of speech, {info.texts} prepared texts, "
        f"{info.bytes / 1_000_000:.1f} MB"
    )


@cache.command(name="clear")
@cache_dir_option
def cache_clear_command(cache_dir: Path | None) -> None:
    """Delete every entry of the cache."""
    removed = clear_cache(cache_dir)
    click.echo(f"Removed {removed} entries of speech from {resolve_cache_dir(cache_dir)}")
