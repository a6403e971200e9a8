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

from pydub import AudioSegment

from narrate import audio
from narrate.article import read_article
from narrate.audio import EpisodeAudio, SegmentAudio
from narrate.cache import Cache, open_cache
from narrate.engines import Engine, EngineSettings, choose_engine, engine_text_needs
from narrate.errors import EngineError, PublishError
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
            episode_audio = speak_and_assemble(
                script, engine, reporter, cache=cache, jobs=request.jobs
            )
            mp3 = write_mp3(
                episode_audio, info(episode_audio.chapters), request.output_dir, request.kbps
            )
            duration_ms, chapters = episode_audio.duration_ms, episode_audio.chapters
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


def speak_and_assemble(
    script: Script,
    engine: Engine,
    reporter: Reporter,
    *,
    cache: Cache | None = None,
    jobs: int | None = None,
) -> EpisodeAudio:
    """Speak every chunk (from ``cache`` where it is there), then lay the episode out."""
    chunks = script.chunks()
    spoken, stats = speak(chunks, engine, cache, reporter, jobs)
    reporter.say(f"Speech: {stats.summary()}")
    if len(spoken) != len(chunks):  # pragma: no cover - an engine bug, not user input
        raise EngineError(f"{engine.name} returned {len(spoken)} pieces for {len(chunks)} chunks")

    queue = iter(spoken)

    def take(n: int) -> list[AudioSegment]:
        return [next(queue) for _ in range(n)]

    intro = take(len(script.intro))
    segments = [
        SegmentAudio(
            chapter_title=s.chapter_title,
            heading=take(len(s.heading)),
            paragraphs=[take(len(p)) for p in s.paragraphs],
        )
        for s in script.segments
    ]
    return audio.assemble(intro, segments, rate=engine.sample_rate)


def describe(article: Article) -> str:
    """Episode description: the start of the lead, then the list of segments."""
    first = next((p for s in article.segments for p in s.paragraphs), "")
    if len(first) > DESCRIPTION_LEAD_CHARS:
        first = first[:DESCRIPTION_LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    headings = [s.heading for s in article.segments if s.heading]
    if not headings:
        return first
    return first + "\n\nفي هذه الحلقة:\n" + "\n".join(f"- {h}" for h in headings)


def write_mp3(episode_audio: EpisodeAudio, info: EpisodeInfo, output_dir: Path, kbps: int) -> Path:
    """Encode and tag under a temporary name in ``output_dir``, then rename into place."""

    def make(temp: Path) -> None:
        audio.encode_mp3(episode_audio.audio, temp, kbps)
        write_tags(temp, info)

    return _replace_atomically(output_dir / f"{info.slug}.mp3", make)


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
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=output_dir)
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
