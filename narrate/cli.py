"""Command line: parse options, call the library, turn its errors into one ``Error: ...`` line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from narrate import __version__
from narrate.article import FORMATS, read_article
from narrate.audio import CBR_KBPS, DEFAULT_KBPS
from narrate.cache import cache_info, clear_cache, resolve_cache_dir
from narrate.engines import ENGINE_NAMES, SPEAKING_ENGINES
from narrate.engines.registry import engine_statuses
from narrate.errors import NarrateError
from narrate.feed import FeedValueError, ShowSettings
from narrate.pipeline import BuildRequest, build, load_lexicon, speech_plan
from narrate.progress import Reporter
from narrate.script import Script
from narrate.slug import make_slug

DEFAULT_SHOW_TITLE = "نشرة مسموعة"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


class _Group(click.Group):
    """Catches library errors once: one line and exit 1, a traceback only with ``--verbose``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrateError as exc:
            raise click.ClickException(str(exc)) from exc
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
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
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder for the MP3s and the feed.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="auto",
    show_default=True,
    help="auto: Google TTS when it answers, the offline espeak-ng voice otherwise.",
)
@click.option(
    "--show",
    "show_title",
    default=DEFAULT_SHOW_TITLE,
    show_default=True,
    envvar="NARRATE_SHOW",
    help="Show name, spoken in the intro and used as artist and album.",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    envvar="NARRATE_BASE_URL",
    help="Public URL of the output folder; enclosure URLs are built from it.",
)
@click.option(
    "--bitrate",
    type=click.Choice([str(k) for k in CBR_KBPS]),
    default=str(DEFAULT_KBPS),
    show_default=True,
    help="Constant MP3 bitrate in kbps.",
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build_command(
    article: Path,
    article_format: str | None,
    lexicon: Path | None,
    output_dir: Path,
    engine: str,
    show_title: str,
    base_url: str,
    bitrate: str,
    slug: str | None,
    published: datetime | None,
    rate_wpm: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    jobs: int | None,
    concurrency: int | None,
    deadline: float | None,
    quiet: bool,
) -> None:
    """Speak ARTICLE and write OUTPUT_DIR/<slug>.mp3 and OUTPUT_DIR/feed.xml."""
    reporter = Reporter(quiet=quiet)
    try:
        show = ShowSettings(title=show_title, base_url=base_url)
    except FeedValueError as exc:
        raise click.UsageError(str(exc)) from exc
    result = build(
        BuildRequest(
            article=article,
            output_dir=output_dir,
            show=show,
            engine=engine,
            article_format=article_format,
            lexicon=lexicon,
            kbps=int(bitrate),
            slug=slug,
            published=_aware(published),
            rate_wpm=rate_wpm,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            jobs=jobs,
            concurrency=concurrency,
            deadline=deadline,
        ),
        reporter,
    )
    minutes, seconds = divmod(round(result.duration_ms / 1000), 60)
    reporter.say(
        f"Wrote {result.mp3} ({minutes}:{seconds:02d}, {len(result.chapters)} chapters, "
        f"{result.engine})\nFeed: {result.feed}"
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


def main() -> None:
    cli(prog_name="narrate")
