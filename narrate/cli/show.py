"""The show's commands: ``init``, ``list``, ``remove``, ``feed`` and ``check``, for the
``narrate`` group.

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

from narrate.build.check import check_show
from narrate.cli.options import F, config_option, output_dir_option
from narrate.cli.settings import Settings, resolve_settings
from narrate.clock import duration
from narrate.config import CONFIG_FILE, DEFAULT_TITLE, FIELDS, Config, write_config
from narrate.engines import ENGINE_NAMES
from narrate.episode.artwork import load_artwork
from narrate.errors import ArtworkError
from narrate.ffmpeg import CBR_KBPS
from narrate.publish.publishing import find_artwork, regenerate, remove_episode
from narrate.publish.store import EpisodeStore
from narrate.show import APPLE_CATEGORIES, DIGIT_FORMS, ShowSettings, StoredEpisode


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


@click.command(name="check")
@_folder_options
def check_command(output_dir: Path | None, config_path: Path | None) -> None:
    """Make the output folder what the store says: finish a publish that was stopped, remove the
    files no episode lists, and report each file an episode lists that is missing or changed
    (exit status 1)."""
    settings = resolve_settings()
    folder = _existing(settings.output_dir.value)
    checked = check_show(folder)
    if checked.finished:
        click.echo("Finished a publish that was stopped after its commit")
    for path in checked.removed:
        click.echo(f"Removed {path} (no episode in the store)")
    for line in checked.problems:
        click.echo(line)
    count = len(checked.problems)
    if count:
        files = f"{count} file{'' if count == 1 else 's'}"
        broken = len(checked.broken)
        episodes = f"{broken} episode{'' if broken == 1 else 's'}"
        raise click.ClickException(
            f"{files} of {episodes} missing or changed; build those episodes again, or "
            "`narrate remove` them"
        )
    if checked.rewritten and not (checked.finished or checked.removed):
        click.echo(f"Rewrote {folder / 'feed.xml'} and the page from the store")
    episodes = f"{checked.episodes} episode{'' if checked.episodes == 1 else 's'}"
    click.echo(f"Checked {episodes}: every file is in place")


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


def check_cover(value: object) -> None:
    """The cover check ``build`` makes (:func:`narrate.episode.artwork.load_artwork`), so that
    ``init`` writes no cover a build would refuse; raises its ArtworkError.

    A path that is no file is left to the settings' own check, which says so.
    """
    if value is None or not Path(str(value)).is_file():
        return
    load_artwork(Path(str(value)), Path.cwd(), DEFAULT_TITLE)  # reads and converts, writes nothing


def _checker(dotted: str) -> Callable[[str], object]:
    table, _, key = dotted.partition(".")
    check = FIELDS[table, key]

    def value_proc(text: str) -> object:
        if text == "":
            return None
        try:
            value = check(text, Path.cwd())
            if dotted == "show.artwork":
                check_cover(value)
            return value
        except ArtworkError as exc:  # a ValueError too: first
            raise click.UsageError(str(exc)) from None
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
@click.option(
    "--digits",
    type=click.Choice(DIGIT_FORMS),
    help="How the listening page writes numbers: arabic-indic (٠١٢٣) or western (0123).  "
    "[default: arabic-indic]",
)
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
    check_cover(values.get("show.artwork"))
    path = write_config(config_path, values, force=force)
    click.echo(f"Wrote {path}")


#: The commands, for ``cli.add_command``.
COMMANDS = (init_command, list_command, remove_command, feed_command, check_command)
