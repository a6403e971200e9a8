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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydub import AudioSegment

from narrate import audio
from narrate.article import read_article
from narrate.audio import EpisodeAudio, SegmentAudio
from narrate.engines import Engine, choose_engine, engine_text_needs
from narrate.errors import EngineError, PublishError
from narrate.feed import ShowSettings, StoredEpisode, load_episodes, publish_episode
from narrate.lexicon import Lexicon
from narrate.models import Article, Chapter, EpisodeInfo
from narrate.progress import Reporter
from narrate.script import Script, write_script
from narrate.slug import episode_guid, episode_slug
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
    article = read_article(request.article, request.article_format)
    lexicon = load_lexicon(request.lexicon)
    load_episodes(request.output_dir)  # a damaged store fails now, not after the synthesis
    slug = request.slug or episode_slug(request.article, article.title)
    choice = choose_engine(request.engine, rate_wpm=request.rate_wpm)
    reporter.say(f"Engine: {choice.engine.name} ({choice.reason})")

    script = write_script(article, request.show.title, choice.engine.text_needs, lexicon)
    episode_audio = speak_and_assemble(script, choice.engine, reporter)

    info = EpisodeInfo(
        slug=slug,
        guid=episode_guid(slug),
        title=article.title,
        show=request.show.title,
        description=describe(article),
        published=request.published
        or article.published
        or datetime.now(UTC).replace(microsecond=0),
        engine=choice.engine.describe(),
        chapters=episode_audio.chapters,
    )
    mp3 = write_mp3(episode_audio, info, request.output_dir, request.kbps)
    feed = publish_episode(
        request.output_dir,
        StoredEpisode(
            slug=slug,
            guid=info.guid,
            title=info.title,
            description=info.description,
            published=info.published,
            duration_seconds=round(episode_audio.duration_ms / 1000),
            file_name=mp3.name,
            file_size=mp3.stat().st_size,
            engine=info.engine,
        ),
        request.show,
    )
    return BuildResult(
        mp3=mp3,
        feed=feed,
        slug=slug,
        engine=choice.engine.name,
        engine_reason=choice.reason,
        duration_ms=episode_audio.duration_ms,
        chapters=episode_audio.chapters,
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


def speak_and_assemble(script: Script, engine: Engine, reporter: Reporter) -> EpisodeAudio:
    """Synthesize every chunk once, in order, then lay the episode out."""
    chunks = script.chunks()
    spoken: list[AudioSegment] = []
    with reporter.progress(chunks, len(chunks), "Speaking") as bar:
        for chunk in bar:
            spoken.append(engine.synthesize(chunk))
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
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{info.slug}.", suffix=".mp3.tmp", dir=output_dir)
        os.close(fd)
    except OSError as exc:
        raise PublishError(f"cannot write to {output_dir}: {exc.strerror}") from exc
    temp = Path(temp_name)
    target = output_dir / f"{info.slug}.mp3"
    try:
        audio.encode_mp3(episode_audio.audio, temp, kbps)
        write_tags(temp, info)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a published episode is served to everyone
        os.replace(temp, target)
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    log.info("wrote %s", target)
    return target
