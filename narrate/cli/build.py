"""``narrate build`` and ``narrate segments``: an article made into an episode, or shown as the
segments and the exact speech a build would make of it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import click

from narrate.audio.loudness import TARGET_MONO, TARGET_RANGE
from narrate.build.pipeline import CHIME, BuildRequest, build, load_lexicon, speech_plan
from narrate.cli.options import article_options, cache_dir_option, config_option, output_dir_option
from narrate.cli.settings import Settings, resolve_settings, warn_if_local_feed
from narrate.clock import duration
from narrate.config import DEFAULT_BASE_URL, DEFAULT_TITLE
from narrate.engines import ENGINE_NAMES, SPEAKING_ENGINES
from narrate.episode.artwork import COVER_NAME
from narrate.ffmpeg import CBR_KBPS, DEFAULT_KBPS
from narrate.progress import Reporter
from narrate.read.article import read_article
from narrate.read.fetch import is_url
from narrate.slug import make_slug
from narrate.text.script import Script


class ArticleSource(click.ParamType):
    """ARTICLE: a file, ``-`` for standard input, or an ``http(s)://`` address (kept as text: a
    path would fold its ``//``)."""

    name = "article"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path | str:
        if isinstance(value, Path):
            return value
        text = str(value)
        return text if is_url(text) else Path(text)


ARTICLE = ArticleSource()


def _validate_slug(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and make_slug(value) != value:
        raise click.BadParameter(
            f"{value!r} is not a slug; use lowercase ASCII letters, digits and hyphens "
            f"(for example {make_slug(value) or 'my-episode'!r})"
        )
    return value


def _sound(option: str | None, settings: Settings, which: str) -> str:
    """``--intro``/``--outro`` if given, else the file narrate.toml names, else the chime."""
    if option is not None:
        return option
    configured = settings.resolved(f"build.{which}").value
    return str(configured) if configured is not None else CHIME


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


_show_option = click.option(
    "--show",
    "show_title",
    envvar="NARRATE_SHOW",
    help=f"Show name, spoken in the intro and used as artist and album; default the settings "
    f"file's.  [default: {DEFAULT_TITLE}]",
)


@click.command(name="build")
@click.argument("article", type=ARTICLE)
@article_options
@config_option
@output_dir_option("Folder for the MP3s and the feed; default the settings file's, else 'output'.")
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    help="auto: Google TTS when it answers, the offline espeak-ng voice otherwise.  "
    "[default: auto]",
)
@click.option(
    "--voice",
    help="The engine's voice (narrate voices lists them; piper: a voice's .onnx file or the "
    "name of an installed one).  [default: the engine's own]",
)
@_show_option
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
@cache_dir_option
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
    article: Path | str,
    article_format: str | None,
    lexicon: Path | None,
    config_path: Path | None,
    output_dir: Path | None,
    engine: str | None,
    voice: str | None,
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
    """Speak ARTICLE (a file, - for standard input, or a web page's http(s) address) and write
    OUTPUT_DIR/<slug>.mp3, its segment files and OUTPUT_DIR/feed.xml."""
    reporter = Reporter(quiet=quiet)
    if quiet and not click.get_current_context().find_root().params.get("verbose"):
        # Warnings a build recovers from (a retried request, a cache it cannot fill) are
        # progress too: --quiet leaves only the error that ends a build.
        logging.getLogger().setLevel(logging.ERROR)
    settings = resolve_settings()
    result = build(
        BuildRequest(
            article=article,
            output_dir=settings.build.output,
            show=settings.show_settings(image_file=COVER_NAME),
            engine=settings.build.engine,
            engine_source=settings.engine_source(),
            voice=settings.build.voice,
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
            intro=_sound(intro, settings, "intro"),
            outro=_sound(outro, settings, "outro"),
            bed=settings.build.bed,
            artwork=settings.show.artwork,
        ),
        reporter,
    )
    reporter.say(
        f"Wrote {result.mp3} ({duration(result.duration_ms)}, {len(result.chapters)} chapters, "
        f"{result.engine})\nSegments: {len(result.segments)} files in "
        f"{result.mp3.parent / result.slug}\nFeed: {result.feed}"
    )
    warn_if_local_feed(settings, reporter)


@click.command()
@click.argument("article", type=ARTICLE)
@article_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--speech",
    is_flag=True,
    help="Show the exact text each engine will be sent, chunk by chunk.",
)
@click.option(
    "--engine",
    "speech_engine",
    type=click.Choice(("all", *SPEAKING_ENGINES)),
    default="all",
    show_default=True,
    help="With --speech: whose text to show.",
)
@_show_option
@config_option
def segments(
    article: Path | str,
    article_format: str | None,
    lexicon: Path | None,
    as_json: bool,
    speech: bool,
    speech_engine: str,
    show_title: str | None,
    config_path: Path | None,
) -> None:
    """Show how ARTICLE (a file, - or an http(s) address) is split into segments, and with
    --speech what each engine will say."""
    parsed = read_article(article, article_format)
    if speech:
        title = resolve_settings().show_title.value
        engines = SPEAKING_ENGINES if speech_engine == "all" else (speech_engine,)
        plans = speech_plan(parsed, title, engines, load_lexicon(lexicon))
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
