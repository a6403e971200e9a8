"""The build, stage by stage: read, choose an engine, script, speak, assemble, encode, tag, publish.

Nothing in ``output/`` is touched until the audio is assembled; the MP3 is written under a
temporary name, tagged, and only then renamed into place, so a failed build leaves the
previous episode and feed as they were.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from narrate import audio
from narrate.article import read_article
from narrate.audio import SegmentShape
from narrate.cache import Cache, open_cache
from narrate.engines import Engine, EngineSettings, choose_engine, engine_text_needs
from narrate.errors import PublishError
from narrate.feed import ShowSettings, StoredEpisode, load_episodes, publish_episode
from narrate.lexicon import Lexicon
from narrate.models import Article, Chapter, EpisodeInfo
from narrate.progress import Reporter
from narrate.rebuild import AudioRecord, file_sha256, fingerprint, has_record, reusable, save_record
from narrate.script import Script, write_script
from narrate.slug import episode_guid, episode_slug
from narrate.speak import speak, warm_up
from narrate.tags import write_tags

log = logging.getLogger(__name__)

#: Where episodes are made before they are renamed into place (hidden in the output folder,
#: on its file system, so the rename is atomic).
PARTIAL_DIR = Path(".narrate") / "partial"

#: How much of the lead goes into the episode description.
DESCRIPTION_LEAD_CHARS = 400


@dataclass(frozen=True)
class BuildRequest:
    """Everything a build needs, validated by the caller."""

    article: Path
    output_dir: Path
    show: ShowSettings
    engine: str = "auto"
    article_format: str | None = None
    lexicon: Path | None = None
    kbps: int = audio.DEFAULT_KBPS
    slug: str | None = None
    published: datetime | None = None
    rate_wpm: int | None = None
    #: gtts: requests in flight at once; None: the engine's default.
    concurrency: int | None = None
    #: Seconds the whole build may take before the online engine gives up; None: no limit.
    deadline: float | None = None
    #: The speech cache's folder; None: $NARRATE_CACHE_DIR or the user's cache folder.
    cache_dir: Path | None = None
    #: Workers for synthesis; None: every core (offline engines) or the engine's concurrency.
    jobs: int | None = None
    #: False: neither read nor write the speech cache, and rebuild the audio even if unchanged.
    use_cache: bool = True


@dataclass(frozen=True)
class BuildResult:
    mp3: Path
    feed: Path
    slug: str
    engine: str
    engine_reason: str
    duration_ms: int
    chapters: tuple[Chapter, ...]


def build(request: BuildRequest, reporter: Reporter) -> BuildResult:
    """Build one episode from ``request.article`` and add it to the show's feed."""
    started = time.monotonic()
    article = read_article(request.article, request.article_format)
    clean_partials(request.output_dir)
    lexicon = load_lexicon(request.lexicon)
    # A damaged store fails now, not after the synthesis.
    earlier = {e.slug: e for e in load_episodes(request.output_dir)}
    slug = request.slug or episode_slug(request.article, article.title)
    settings = EngineSettings(
        rate_wpm=request.rate_wpm,
        concurrency=request.concurrency,
        deadline=started + request.deadline if request.deadline else None,
    )
    choice = choose_engine(request.engine, settings)
    engine = choice.engine
    reporter.say(f"Engine: {engine.name} ({choice.reason})")
    try:
        cache = open_cache(request.cache_dir) if request.use_cache else None
        if not has_record(request.output_dir, slug):
            warm_up(engine, request.jobs)  # worker processes start while the text is prepared

        script = write_script(article, request.show.title, engine.text_needs, lexicon, cache)
        wanted = fingerprint(engine.identity(), script, request.kbps, audio.Pauses())
        record = reusable(request.output_dir, slug, wanted) if request.use_cache else None
        published = (
            request.published
            or article.published
            or (earlier[slug].published if slug in earlier else None)
            or datetime.now(UTC).replace(microsecond=0)
        )

        def info(chapters: tuple[Chapter, ...]) -> EpisodeInfo:
            return EpisodeInfo(
                slug=slug,
                guid=episode_guid(slug),
                title=article.title,
                show=request.show.title,
                description=describe(article),
                published=published,
                engine=engine.describe(),
                chapters=chapters,
            )

        if record is not None:
            reporter.say("Audio unchanged since the last build: nothing to speak or encode")
            mp3 = retag(request.output_dir / f"{slug}.mp3", info(record.chapters))
            duration_ms, chapters = record.duration_ms, record.chapters
        else:
            mp3, duration_ms, chapters = make_episode(
                script,
                engine,
                reporter,
                target=request.output_dir / f"{slug}.mp3",
                kbps=request.kbps,
                info=info,
                cache=cache,
                jobs=request.jobs,
            )
        save_record(
            request.output_dir,
            slug,
            AudioRecord(wanted, mp3.stat().st_size, file_sha256(mp3), duration_ms, chapters),
        )
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()

    feed = publish_episode(
        request.output_dir,
        StoredEpisode(
            slug=slug,
            guid=episode_guid(slug),
            title=article.title,
            description=describe(article),
            published=published,
            duration_seconds=round(duration_ms / 1000),
            file_name=mp3.name,
            file_size=mp3.stat().st_size,
            engine=engine.describe(),
        ),
        request.show,
    )
    return BuildResult(
        mp3=mp3,
        feed=feed,
        slug=slug,
        engine=engine.name,
        engine_reason=choice.reason,
        duration_ms=duration_ms,
        chapters=chapters,
    )


def load_lexicon(path: Path | None) -> Lexicon:
    """The built-in lexicon, with a producer's file laid over it when one is given."""
    lexicon = Lexicon.default()
    return lexicon.merged(Lexicon.load(path)) if path is not None else lexicon


def speech_plan(
    article: Article, show_title: str, engines: Sequence[str], lexicon: Lexicon
) -> dict[str, Script]:
    """The exact chunks each named engine would be sent for ``article``."""
    return {
        name: write_script(article, show_title, engine_text_needs(name), lexicon)
        for name in engines
    }


def make_episode(
    script: Script,
    engine: Engine,
    reporter: Reporter,
    *,
    target: Path,
    kbps: int,
    info: Callable[[tuple[Chapter, ...]], EpisodeInfo],
    cache: Cache | None = None,
    jobs: int | None = None,
) -> tuple[Path, int, tuple[Chapter, ...]]:
    """Speak, lay out, encode and tag the episode into ``target``; its duration and chapters.

    The audio streams: each chunk goes to the encoder as soon as it and those before it are
    spoken, so ffmpeg encodes on one core while the engine speaks on the others, and the
    episode is never held in memory whole. The MP3 is made under a temporary name and
    renamed into place only once it is complete and tagged.
    """
    shapes = [
        SegmentShape(s.chapter_title, len(s.heading), tuple(len(p) for p in s.paragraphs))
        for s in script.segments
    ]
    laid_out: list[tuple[int, tuple[Chapter, ...]]] = []

    def make(temp: Path) -> None:
        with audio.Mp3Encoder(temp, engine.sample_rate, kbps) as encoder:
            line = audio.Assembler(len(script.intro), shapes, engine.sample_rate, encoder.write)
            _, stats = speak(script.chunks(), engine, cache, reporter, jobs, sink=line.add)
            reporter.say(f"Speech: {stats.summary()}")
            chapters = line.finish()
        write_tags(temp, info(chapters))
        laid_out.append((line.ms, chapters))

    mp3 = _replace_atomically(target, make)
    duration_ms, chapters = laid_out[0]
    return mp3, duration_ms, chapters


def describe(article: Article) -> str:
    """Episode description: the start of the lead, then the list of segments."""
    first = next((p for s in article.segments for p in s.paragraphs), "")
    if len(first) > DESCRIPTION_LEAD_CHARS:
        first = first[:DESCRIPTION_LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    headings = [s.heading for s in article.segments if s.heading]
    if not headings:
        return first
    return first + "\n\nفي هذه الحلقة:\n" + "\n".join(f"- {h}" for h in headings)


def clean_partials(output_dir: Path) -> None:
    """Remove what builds that were killed left half-made (their process is gone)."""
    for leftover in (output_dir / PARTIAL_DIR).glob("*.tmp"):
        try:
            pid = int(leftover.name.split(".")[-3])
            os.kill(pid, 0)  # still running: its file is still being made
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                leftover.unlink()
                log.info("removed %s, left by a build that was stopped", leftover)
        except (ValueError, IndexError, PermissionError):
            continue


def retag(mp3: Path, info: EpisodeInfo) -> Path:
    """Bring ``mp3``'s tags up to date through a tagged copy; an unchanged file is not touched."""
    current = mp3.read_bytes()

    def make(temp: Path) -> None:
        temp.write_bytes(current)
        write_tags(temp, info)

    return _replace_atomically(mp3, make, unless_equal=current)


def _replace_atomically(
    target: Path, make: Callable[[Path], None], unless_equal: bytes | None = None
) -> Path:
    """Let ``make`` write a temporary file beside ``target``, then rename it over ``target``."""
    output_dir = target.parent
    partial = output_dir / PARTIAL_DIR
    try:
        partial.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            prefix=f"{target.stem}.{os.getpid()}.", suffix=".tmp", dir=partial
        )
        os.close(fd)
    except OSError as exc:
        raise PublishError(f"cannot write to {output_dir}: {exc.strerror}") from exc
    temp = Path(temp_name)
    try:
        make(temp)
        if unless_equal is not None and temp.read_bytes() == unless_equal:
            return target
        os.chmod(temp, 0o644)  # mkstemp makes it private; a published episode is served to everyone
        os.replace(temp, target)
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    log.info("wrote %s", target)
    return target
