"""Command line: parse options, call the library, turn its errors into one ``Error: ...`` line."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from narrate import __version__
from narrate.audio.loudness import TARGET_MONO, TARGET_RANGE
from narrate.build.pipeline import CHIME, BuildRequest, build, load_lexicon, speech_plan
from narrate.cache import cache_info, clear_cache, resolve_cache_dir
from narrate.cli.show import COMMANDS as SHOW_COMMANDS
from narrate.config import DEFAULT_BASE_URL, DEFAULT_TITLE, Config, find_config, load_config
from narrate.engines import ENGINE_NAMES, SPEAKING_ENGINES
from narrate.engines.registry import engine_statuses
from narrate.episode.artwork import COVER_NAME
from narrate.errors import ConfigError, NarrateError
from narrate.ffmpeg import CBR_KBPS, DEFAULT_KBPS
from narrate.progress import Reporter
from narrate.publish.serve import serve_command
from narrate.read.article import FORMATS, read_article
from narrate.slug import make_slug
from narrate.text.script import Script

DEFAULT_SHOW_TITLE = DEFAULT_TITLE


class Interrupted(click.ClickException):
    """Ctrl-C: one line, and the shell's exit status for SIGINT (128 + 2)."""

    exit_code = 130


class _Group(click.Group):
    """Catches library errors once: one line and exit 1, a traceback only with ``--verbose``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrateError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            # Nothing half-made is published; a build run again reuses the speech kept so far.
            raise Interrupted("interrupted; run the same command again to carry on") from None
        except (
            click.exceptions.ClickException,
            click.exceptions.Exit,
            click.exceptions.Abort,
            BrokenPipeError,  # the reader went away (``| head``): Click ends quietly
        ):
            raise
        except Exception as exc:
            if ctx.find_root().params.get("verbose"):
                raise
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the details)"
            ) from exc


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="narrate")
@click.option("-v", "--verbose", is_flag=True, help="Log each step, and show tracebacks of bugs.")
def cli(verbose: bool) -> None:
    """Turn an Arabic news article into a podcast episode."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _validate_slug(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and make_slug(value) != value:
        raise click.BadParameter(
            f"{value!r} is not a slug; use lowercase ASCII letters, digits and hyphens "
            f"(for example {make_slug(value) or 'my-episode'!r})"
        )
    return value


def _sound(option: str | None, configured: Path | None) -> str:
    """``--intro``/``--outro`` if given, else the file narrate.toml names, else the chime."""
    if option is not None:
        return option
    return str(configured) if configured is not None else CHIME


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _article_options(command: Callable[..., None]) -> Callable[..., None]:
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


_cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="NARRATE_CACHE_DIR",
    help="Folder of the speech cache; default the user's cache folder.",
)


@cli.command(name="build")
@click.argument("article", type=click.Path(path_type=Path, allow_dash=True))
@_article_options
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Show settings (narrate.toml); default ./narrate.toml when there is one. "
    "Options given here win over the file, the file over the defaults.",
)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the MP3s and the feed.  [default: output]",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    help="auto: Google TTS when it answers, the offline espeak-ng voice otherwise.  "
    "[default: auto]",
)
@click.option(
    "--show",
    "show_title",
    envvar="NARRATE_SHOW",
    help=f"Show name, spoken in the intro and used as artist and album.  "
    f"[default: {DEFAULT_TITLE}]",
)
@click.option(
    "--base-url",
    envvar="NARRATE_BASE_URL",
    help=f"Public URL of the output folder; enclosure URLs are built from it.  "
    f"[default: {DEFAULT_BASE_URL}, where narrate serve listens]",
)
@click.option(
    "--bitrate",
    type=click.Choice([str(k) for k in CBR_KBPS]),
    help=f"Constant MP3 bitrate in kbps.  [default: {DEFAULT_KBPS}]",
)
@click.option(
    "--slug",
    callback=_validate_slug,
    help="File name for the episode (ASCII); default from the article's file name or title.",
)
@click.option(
    "--date",
    "published",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Publication date (UTC unless an offset is given); default now.",
)
@click.option(
    "--rate",
    "rate_wpm",
    type=click.IntRange(80, 450),
    help="Speaking rate in words per minute (offline voice).",
)
@_cache_dir_option
@click.option(
    "--no-cache", is_flag=True, help="Neither use nor fill the speech cache; rebuild all audio."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Syntheses at once; default every core (offline voices) or --concurrency (gtts).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    help="gtts: requests to Google in flight at once (default 4).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1, max_open=False),
    help="gtts: give up when the build has taken this many seconds.",
)
@click.option(
    "--loudness",
    type=click.FloatRange(*TARGET_RANGE),
    help="Integrated loudness of the episode and of each segment file, LUFS "
    "(-19 is the podcast standard for mono; true peaks stay at or under -1 dBTP).  "
    f"[default: {TARGET_MONO:g}]",
)
@click.option(
    "--intro",
    metavar="chime|none|FILE",
    help="Sound before the spoken intro: the generated chime, none, or a sound file.  "
    "[default: chime]",
)
@click.option(
    "--outro",
    metavar="chime|none|FILE",
    help="Sound at the end of the episode: the generated chime, none, or a sound file.  "
    "[default: chime]",
)
@click.option(
    "--bed",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Music bed under the spoken intro, ducked under the voice (any format ffmpeg reads).",
)
@click.option(
    "--artwork",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The show's cover: a square JPEG or PNG of 1400-3000 px; default one is generated.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build_command(
    article: Path,
    article_format: str | None,
    lexicon: Path | None,
    config_path: Path | None,
    output_dir: Path | None,
    engine: str | None,
    show_title: str | None,
    base_url: str | None,
    bitrate: str | None,
    slug: str | None,
    published: datetime | None,
    rate_wpm: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    jobs: int | None,
    concurrency: int | None,
    deadline: float | None,
    loudness: float | None,
    intro: str | None,
    outro: str | None,
    bed: Path | None,
    artwork: Path | None,
    quiet: bool,
) -> None:
    """Speak ARTICLE and write OUTPUT_DIR/<slug>.mp3, its segment files and OUTPUT_DIR/feed.xml."""
    reporter = Reporter(quiet=quiet)
    if quiet and not click.get_current_context().find_root().params.get("verbose"):
        # Warnings a build recovers from (a retried request, a cache it cannot fill) are
        # progress too: --quiet leaves only the error that ends a build.
        logging.getLogger().setLevel(logging.ERROR)
    path = config_path or find_config(Path.cwd())
    config = load_config(path, ENGINE_NAMES) if path else Config()
    try:
        settings = config.merged(
            {
                "show.title": show_title,
                "show.base_url": base_url,
                "show.artwork": artwork,
                "build.engine": engine,
                "build.bitrate": int(bitrate) if bitrate else None,
                "build.loudness": loudness,
                "build.bed": bed,
                "build.output": output_dir,
            }
        )
    except ConfigError as exc:  # an option's value: a usage error, as Click's own checks are
        raise click.UsageError(str(exc)) from exc
    show = settings.show_settings(image_file=COVER_NAME)
    result = build(
        BuildRequest(
            article=article,
            output_dir=settings.build.output,
            show=show,
            engine=settings.build.engine,
            article_format=article_format,
            lexicon=lexicon,
            kbps=settings.build.bitrate,
            slug=slug,
            published=_aware(published),
            rate_wpm=rate_wpm,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            jobs=jobs,
            concurrency=concurrency,
            deadline=deadline,
            loudness=settings.build.loudness,
            intro=_sound(intro, settings.build.intro),
            outro=_sound(outro, settings.build.outro),
            bed=settings.build.bed,
            artwork=settings.show.artwork,
        ),
        reporter,
    )
    minutes, seconds = divmod(round(result.duration_ms / 1000), 60)
    reporter.say(
        f"Wrote {result.mp3} ({minutes}:{seconds:02d}, {len(result.chapters)} chapters, "
        f"{result.engine})\nSegments: {len(result.segments)} files in "
        f"{result.mp3.parent / result.slug}\nFeed: {result.feed}"
    )


@cli.command()
@click.argument("article", type=click.Path(path_type=Path, allow_dash=True))
@_article_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--speech",
    is_flag=True,
    help="Show the exact text each engine will be sent, chunk by chunk.",
)
@click.option(
    "--engine",
    type=click.Choice(("all", *SPEAKING_ENGINES)),
    default="all",
    show_default=True,
    help="With --speech: whose text to show.",
)
@click.option("--show", "show_title", default=DEFAULT_SHOW_TITLE, envvar="NARRATE_SHOW")
def segments(
    article: Path,
    article_format: str | None,
    lexicon: Path | None,
    as_json: bool,
    speech: bool,
    engine: str,
    show_title: str,
) -> None:
    """Show how ARTICLE is split into segments, and with --speech what each engine will say."""
    parsed = read_article(article, article_format)
    if speech:
        engines = SPEAKING_ENGINES if engine == "all" else (engine,)
        plans = speech_plan(parsed, show_title, engines, load_lexicon(lexicon))
        if as_json:
            payload = {name: script.to_json() for name, script in plans.items()}
            click.echo(json.dumps({"engines": payload}, ensure_ascii=False, indent=2))
        else:
            click.echo(render_speech(plans), nl=False)
        return
    if as_json:
        click.echo(json.dumps(parsed.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(parsed.title)
    for number, segment in enumerate(parsed.segments, start=1):
        click.echo(f"\n{number}. {segment.heading or '(المقدمة)'}")
        for paragraph in segment.paragraphs:
            click.echo(f"   {paragraph}")


def render_speech(plans: dict[str, Script]) -> str:
    """The speech plan as a producer reads it: per engine, per segment, each chunk on its line."""
    lines: list[str] = []
    for name, script in plans.items():
        lines.append(f"== {name}")
        lines.append("[intro]")
        lines.extend(f"  | {chunk}" for chunk in script.intro)
        for number, segment in enumerate(script.segments, start=1):
            lines.append(f"[{number}] {segment.chapter_title}")
            lines.extend(f"  # {chunk}" for chunk in segment.heading)
            for paragraph in segment.paragraphs:
                lines.extend(f"  | {chunk}" for chunk in paragraph)
                lines.append("")
        lines.append("")
    return "\n".join(lines)


@cli.group()
def cache() -> None:
    """The speech cache: what was synthesized once is never paid for again."""


@cache.command(name="info")
@_cache_dir_option
def cache_info_command(cache_dir: Path | None) -> None:
    """Where the cache is, how many entries it holds and their size."""
    info = cache_info(cache_dir)
    click.echo(
        f"{info.path}\n{info.entries} entries of speech, {info.texts} prepared texts, "
        f"{info.bytes / 1_000_000:.1f} MB"
    )


@cache.command(name="clear")
@_cache_dir_option
def cache_clear_command(cache_dir: Path | None) -> None:
    """Delete every entry of the cache."""
    removed = clear_cache(cache_dir)
    click.echo(f"Removed {removed} entries of speech from {resolve_cache_dir(cache_dir)}")


@cli.command()
@click.option("--offline", is_flag=True, help="Do not ask Google whether it answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def engines(offline: bool, as_json: bool) -> None:
    """List each engine, whether it can speak here, its voices, and why not."""
    statuses = engine_statuses(check_network=not offline)
    if as_json:
        payload = [status.to_json() for status in statuses]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for status in statuses:
        mark = "yes" if status.usable else "no "
        voices = ", ".join(status.voices) or "-"
        click.echo(f"{status.name:<7} {mark}  voices: {voices}  {status.detail}")
        if status.reason:
            click.echo(f"{'':<7}      why not: {status.reason}")


cli.add_command(serve_command)
for _command in SHOW_COMMANDS:
    cli.add_command(_command)


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM (``timeout``, a service manager): stop now, cleaning up as for an error."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="narrate")
