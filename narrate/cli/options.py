"""Options several commands share, spelled once: ``--config``, ``-o/--output-dir``, the cache's
folder and how an article is read."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from narrate.config import CONFIG_FILE
from narrate.read.article import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


class AliasedOption(click.Option):
    """An option with old spellings it still accepts but no longer shows in ``--help``."""

    def __init__(
        self, param_decls: Sequence[str], *, hidden_aliases: Sequence[str] = (), **attrs: Any
    ) -> None:
        super().__init__([*param_decls, *hidden_aliases], **attrs)
        self.hidden_aliases = tuple(hidden_aliases)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown = copy.copy(self)
        shown.opts = [opt for opt in self.opts if opt not in self.hidden_aliases]
        return click.Option.get_help_record(shown, ctx)


def output_dir_option(
    help: str = "The output folder; default the settings file's, else 'output'.",
) -> Callable[[F], F]:
    """``-o/--output-dir``, every command's name for the output folder (``--output`` too)."""
    return click.option(
        "-o",
        "--output-dir",
        "output_dir",
        cls=AliasedOption,
        hidden_aliases=("--output",),
        type=click.Path(path_type=Path, file_okay=False),
        help=help,
    )


def config_option(command: F) -> F:
    """``--config``: the settings file to read."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help=f"Show settings; default {CONFIG_FILE} in the current folder when there is one. "
        "Options given here win over the file, the file over the defaults.",
    )(command)


cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="NARRATE_CACHE_DIR",
    help="Folder of the speech cache; default the user's cache folder.",
)


def article_options(command: F) -> F:
    """``--format`` and ``--lexicon``, shared by every command that reads an article."""
    command = click.option(
        "--lexicon",
        type=click.Path(path_type=Path, dir_okay=False),
        help="TOML file of words and how to say them, laid over the built-in lexicon.",
    )(command)
    return click.option(
        "--format",
        "article_format",
        type=click.Choice(FORMATS),
        help="How to read ARTICLE; default from its extension and content.",
    )(command)
