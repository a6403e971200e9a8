"""The show's commands: ``init``, ``list``, ``remove`` and ``feed``, for the ``narrate`` group.

Each parses its options, calls one library function and prints the result; errors
are :class:`NarrateError`s, which the group turns into one ``Error: ...`` line.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from narrate.cli.options import F, config_option, output_dir_option
from narrate.cli.settings import Settings, resolve_settings
from narrate.clock import duration
from narrate.config import CONFIG_FILE, FIELDS, Config, write_config
from narrate.engines import ENGINE_NAMES
from narrate.ffmpeg import CBR_KBPS
from narrate.publish.publishing import find_artwork, regenerate, remove_episode
from narrate.publish.store import EpisodeStore
from narrate.show import APPLE_CATEGORIES, ShowSettings, StoredEpisode


def _show(output: Path, settings: Settings) -> ShowSettings:
    """The file's show settings; without a file, the last publish's, else the defaults."""
    artwork = find_artwork(output)
    if settings.path is None:
        with EpisodeStore(output) as store:
            stored = store.show()
        if stored is not None:
            return stored
    return settings.show_settings(image_file=artwork)


def _existing(output: Path) -> Path:
    if not output.is_dir():
        raise click.ClickException(f"the output folder {output} does not exist")
    return output


def _folder_options(command: F) -> F:
    return output_dir_option()(config_option(command))


def episode_json(episode: StoredEpisode) -> dict[str, object]:
    data = dataclasses.asdict(episode)
    data["published"] = episode.published.isoformat()
    return data


@click.command(name="list")
@_folder_options
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def list_command(output_dir: Path | None, config_path: Path | None, as_json: bool) -> None:
    """List the published episodes, newest first: slug, date, duration, title."""
    folder = resolve_settings().output_dir.value
    with EpisodeStore(folder) as store:
        episodes = store.list()
    if as_json:
        payload = [episode_json(e) for e in episodes]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not episodes:
        click.echo(f"No episodes in {folder}")
        return
    width = max(len(e.slug) for e in episodes)
    times = [duration(e.duration_seconds * 1000) for e in episodes]
    time_width = max(len(t) for t in times)
    for episode, time in zip(episodes, times, strict=True):
        click.echo(
            f"{episode.slug:<{width}}  {episode.published:%Y-%m-%d}  "
            f"{time:>{time_width}}  {episode.title}"
        )


@click.command(name="remove")
@click.argument("slug")
@_folder_options
def remove_command(slug: str, output_dir: Path | None, config_path: Path | None) -> None:
    """Remove episode SLUG: its files go, the feed and the page are rebuilt."""
    settings = resolve_settings()
    folder = _existing(settings.output_dir.value)
    removed = remove_episode(folder, slug, _show(folder, settings))
    if removed is None:
        raise click.ClickException(f"no episode {slug!r} in {folder}; `narrate list` shows them")
    click.echo(f"Removed {slug} ({removed.title}) and its files; rebuilt {folder / 'feed.xml'}")


@click.command(name="feed")
@_folder_options
def feed_command(output_dir: Path | None, config_path: Path | None) -> None:
    """Regenerate the feed and the page from the episode store."""
    settings = resolve_settings()
    folder = _existing(settings.output_dir.value)
    path = regenerate(folder, _show(folder, settings))
    with EpisodeStore(folder) as store:
        count = len(store.list())
    click.echo(f"Wrote {path} ({count} episode{'' if count == 1 else 's'})")


# -- init ---------------------------------------------------------------------

#: What ``init`` asks for when run at a terminal, in order, with the question.
PROMPTS: dict[str, str] = {
    "show.title": "Show title",
    "show.description": "Description",
    "show.author": "Author",
    "show.owner_name": "Owner's name (for directories)",
    "show.owner_email": "Owner's e-mail (for directories)",
    "show.category": "Apple Podcasts category",
    "show.subcategory": "Subcategory",
    "show.explicit": "Explicit content?",
    "show.base_url": "Public URL of the output folder (empty: narrate serve)",
    "show.artwork": "Artwork file (JPEG or PNG; empty: none)",
}


def _checker(dotted: str) -> Callable[[str], object]:
    table, _, key = dotted.partition(".")
    check = FIELDS[table, key]

    def value_proc(text: str) -> object:
        if text == "":
            return None
        try:
            return check(text, Path.cwd())
        except ValueError as exc:
            raise click.UsageError(f"{key} {exc}") from None

    return value_proc


def _ask(values: dict[str, object]) -> None:
    defaults = Config()
    for dotted, question in PROMPTS.items():
        if values.get(dotted) is not None:
            continue
        table, _, key = dotted.partition(".")
        default = getattr(getattr(defaults, table), key)
        if isinstance(default, bool):
            values[dotted] = click.confirm(question, default=default)
            continue
        if key == "category":
            question += f" ({', '.join(APPLE_CATEGORIES)})"
        if key == "subcategory":
            subs = APPLE_CATEGORIES.get(str(values.get("show.category") or "News"), ())
            if not subs:
                continue
            question += f" ({', '.join(subs)}; empty: none)"
        shown = "" if key == "base_url" or default is None else str(default)
        values[dotted] = click.prompt(
            question, default=shown, show_default=bool(shown), value_proc=_checker(dotted)
        )


@click.command(name="init")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(CONFIG_FILE),
    show_default=True,
    help="The file to write.",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for the values not given as options; default when input is a terminal.",
)
@click.option("--title", help="The show's name.")
@click.option("--description", help="What the show is about.")
@click.option("--author", help="Who makes it, as podcast apps show it.")
@click.option("--owner-name", help="The owner, for podcast directories.")
@click.option("--owner-email", help="The owner's e-mail, for podcast directories.")
@click.option("--language", help="The feed's language.  [default: ar]")
@click.option("--category", help="Apple Podcasts category.  [default: News]")
@click.option("--subcategory", help="Apple Podcasts subcategory.")
@click.option("--explicit/--no-explicit", default=None, help="Explicit content.")
@click.option("--base-url", help="Public URL of the output folder.")
@click.option("--link", help="The show's website.")
@click.option("--artwork", type=click.Path(path_type=Path, dir_okay=False), help="Artwork file.")
@click.option("--locked/--no-locked", default=None, help="Ask platforms not to import the feed.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), help="Speech engine.")
@click.option("--bitrate", type=click.Choice([str(k) for k in CBR_KBPS]), help="MP3 kbps.")
@click.option("--loudness", type=float, help="Target loudness in LUFS.  [default: -19]")
@click.option("--intro", type=click.Path(path_type=Path, dir_okay=False), help="Intro sound.")
@click.option("--outro", type=click.Path(path_type=Path, dir_okay=False), help="Outro sound.")
@click.option("--bed", type=click.Path(path_type=Path, dir_okay=False), help="Music bed.")
@output_dir_option("Output folder.")
def init_command(config_path: Path, force: bool, interactive: bool | None, **options: Any) -> None:
    """Write narrate.toml: asks at a terminal, or takes every value as options (for scripts)."""
    values: dict[str, object] = {}
    for name, value in options.items():
        key = "output" if name == "output_dir" else name
        table = "build" if ("build", key) in FIELDS else "show"
        values[f"{table}.{key}"] = value
    if interactive is None:
        interactive = sys.stdin.isatty()
    if config_path.exists() and not force:
        raise click.ClickException(f"{config_path} already exists; use --force to replace it")
    if interactive:
        _ask(values)
    path = write_config(config_path, values, force=force)
    click.echo(f"Wrote {path}")


#: The commands, for ``cli.add_command``.
COMMANDS = (init_command, list_command, remove_command, feed_command)
