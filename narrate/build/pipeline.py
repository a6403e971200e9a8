"""The build, stage by stage: read, choose an engine, script, speak, assemble, encode, tag, publish.

Nothing in ``output/`` is touched until the audio is assembled; the MP3 is written under a
temporary name, tagged, and only then renamed into place, so a failed build leaves the
previous episode and feed as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from narrate import __version__
from narrate.audio import assemble as audio
from narrate.audio import loudness
from narrate.audio.produce import produce
from narrate.audio.speak import warm_up
from narrate.build.rebuild import (
    AudioRecord,
    FileRecord,
    SegmentRecord,
    SentenceRecord,
    file_sha256,
    fingerprint,
    has_record,
    reusable,
    save_record,
)
from narrate.cache import Cache, open_cache
from narrate.engines import Engine, EngineSettings, choose_engine, engine_text_needs
from narrate.episode.artwork import Artwork, load_artwork, publish_artwork
from narrate.episode.chapterfile import write_chapters_json
from narrate.episode.tags import SegmentTags, write_segment_tags, write_tags
from narrate.episode.transcript import make_cues, write_transcripts
from narrate.errors import ArticleError, PublishError
from narrate.ffmpeg import DEFAULT_KBPS
from narrate.models import (
    Article,
    Chapter,
    EpisodeInfo,
    Segment,
    SegmentFile,
    TranscriptFile,
)
from narrate.progress import Reporter
from narrate.publish.store import load_episodes, publish
from narrate.read.article import has_arabic, read_article
from narrate.show import ShowSettings, StoredEpisode
from narrate.slug import episode_guid, episode_slug
from narrate.text.lexicon import Lexicon
from narrate.text.script import Script, write_script

log = logging.getLogger(__name__)

#: Where episodes are made before they are renamed into place (hidden in the output folder,
#: on its file system, so the rename is atomic).
PARTIAL_DIR = Path(".narrate") / "partial"

#: How much of the lead goes into the episode description.
DESCRIPTION_LEAD_CHARS = 400


CHIME = "chime"
NO_SOUND = "none"


@dataclass(frozen=True)
class BuildRequest:
    """Everything a build needs, validated by the caller."""

    article: Path
    output_dir: Path
    show: ShowSettings
    engine: str = "auto"
    article_format: str | None = None
    lexicon: Path | None = None
    kbps: int = DEFAULT_KBPS
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
    #: Integrated loudness of the episode and of each segment file, LUFS.
    loudness: float = loudness.TARGET_MONO
    #: "chime" (generated), "none", or a sound file for the start and the end.
    intro: str = CHIME
    outro: str = CHIME
    #: A music bed under the spoken intro (ducked under the voice), or None.
    bed: Path | None = None
    #: The show's cover image; None: one is generated from the show's title.
    artwork: Path | None = None


@dataclass(frozen=True)
class BuildResult:
    mp3: Path
    feed: Path
    slug: str
    engine: str
    engine_reason: str
    duration_ms: int
    chapters: tuple[Chapter, ...]
    segments: tuple[SegmentFile, ...] = ()


def build(request: BuildRequest, reporter: Reporter) -> BuildResult:
    """Build one episode from ``request.article`` and add it to the show's feed."""
    started = time.monotonic()
    article = read_article(request.article, request.article_format)
    if not has_arabic(article):
        # A system file, a log, an English page: nothing to publish as an Arabic episode.
        raise ArticleError(
            f"article {request.article} has no Arabic text; narrate speaks Arabic articles"
        )
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
    # Checked now, written with the episode: a failed build leaves the show's cover alone.
    artwork = load_artwork(request.artwork, request.output_dir, request.show.title)
    choice = choose_engine(request.engine, settings)
    engine = choice.engine
    reporter.say(f"Engine: {engine.name} ({choice.reason})")
    try:
        sounds = load_sounds(request, engine.sample_rate)
        cache = open_cache(request.cache_dir) if request.use_cache else None
        if not has_record(request.output_dir, slug):
            warm_up(engine, request.jobs)  # worker processes start while the text is prepared

        script = write_script(article, request.show.title, engine.text_needs, lexicon, cache)
        extra: dict[str, object] = {
            "loudness": request.loudness,
            "sounds": sounds_digest(sounds),
            "layout": LAYOUT_VERSION,
        }
        wanted = fingerprint(engine.identity(), script, request.kbps, audio.DEFAULT_PAUSES, extra)
        record = reusable(request.output_dir, slug, wanted) if request.use_cache else None
        published = (
            request.published
            or article.published
            or (earlier[slug].published if slug in earlier else None)
            or datetime.now(UTC).replace(microsecond=0)
        )
        episode = Episode(
            slug=slug,
            article=article,
            show=request.show,
            published=published,
            engine=engine.describe(),
            artwork=artwork,
        )
        if record is not None:
            reporter.say("Audio unchanged since the last build: nothing to speak or encode")
            if record.tags != tags_digest(episode, record):
                record = refresh(request.output_dir, episode, record, wanted)
        else:
            record = make_episode(
                script,
                engine,
                reporter,
                episode=episode,
                output_dir=request.output_dir,
                fingerprint=wanted,
                kbps=request.kbps,
                target=request.loudness,
                sounds=sounds,
                cache=cache,
                jobs=request.jobs,
            )
        record = dataclasses.replace(record, tags=tags_digest(episode, record))
        save_record(request.output_dir, slug, record)
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()

    mp3 = request.output_dir / f"{slug}.mp3"
    segments = segment_files(slug, record)
    publish_artwork(artwork)
    chapters_file, transcripts = write_companions(request.output_dir, episode, record)
    feed = publish(
        request.output_dir,
        StoredEpisode(
            slug=slug,
            guid=episode_guid(slug),
            title=article.title,
            description=describe(article),
            published=published,
            duration_seconds=round(record.duration_ms / 1000),
            file_name=mp3.name,
            file_size=mp3.stat().st_size,
            engine=engine.describe(),
            chapters=record.chapters,
            segments=segments,
            chapters_file=chapters_file,
            transcripts=tuple(transcripts),
        ),
        request.show,
    )
    return BuildResult(
        mp3=mp3,
        feed=feed,
        slug=slug,
        engine=engine.name,
        engine_reason=choice.reason,
        duration_ms=record.duration_ms,
        chapters=record.chapters,
        segments=segments,
    )


#: Bump when the way an episode is laid out or its files are made changes.
LAYOUT_VERSION = 3


@dataclass(frozen=True)
class Episode:
    """What is said about the episode being built, whatever its audio."""

    slug: str
    article: Article
    show: ShowSettings
    published: datetime
    engine: str
    artwork: Artwork

    def info(self, chapters: tuple[Chapter, ...]) -> EpisodeInfo:
        return EpisodeInfo(
            slug=self.slug,
            guid=episode_guid(self.slug),
            title=self.article.title,
            show=self.show.title,
            description=describe(self.article),
            published=self.published,
            engine=self.engine,
            chapters=chapters,
            image=self.artwork.data,
            image_mime=self.artwork.mime,
            transcript=full_text(self.article),
            author=self.article.author or "",
        )

    def segment_tags(self, number: int, title: str, total: int) -> SegmentTags:
        return SegmentTags(
            title=title,
            number=number,
            total=total,
            album=self.article.title,
            artist=self.show.title,
            published=self.published,
            image=self.artwork.data,
            image_mime=self.artwork.mime,
            text=segment_text(self.article.segments[number - 1], self.article.title),
            author=self.article.author or "",
        )


def tags_digest(episode: Episode, record: AudioRecord) -> str:
    """A digest of every tag the episode's files carry (the images by their SHA-256)."""
    info = episode.info(record.chapters)
    parts: list[object] = [
        __version__,
        dataclasses.replace(info, image=None),
        hashlib.sha256(info.image or b"").hexdigest(),
    ]
    total = len(record.segments)
    for part in record.segments:
        tags = episode.segment_tags(part.number, part.title, total)
        parts.append(dataclasses.replace(tags, image=None))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def full_text(article: Article) -> str:
    """The article as read in the episode: title, then each heading and its paragraphs."""
    parts = [article.title]
    parts += [segment_text(s, None) for s in article.segments]
    return "\n\n".join(parts)


def segment_text(segment: Segment, fallback_title: str | None) -> str:
    lines = [segment.heading] if segment.heading else []
    if not lines and fallback_title:
        lines = [fallback_title]
    return "\n\n".join([*lines, *segment.paragraphs])


def load_sounds(request: BuildRequest, rate: int) -> audio.Sounds:
    """The intro and outro sounds and the music bed the request asks for, at ``rate``."""
    default = audio.Sounds.default(rate)

    def sound(choice: str, what: str, chime: bytes | None) -> tuple[bytes | None, float]:
        if choice == CHIME:
            return chime, -4.0
        if choice == NO_SOUND:
            return None, 0.0
        return audio.load_sound(Path(choice), rate, what), 0.0

    intro, intro_lu = sound(request.intro, "intro", default.intro)
    outro, outro_lu = sound(request.outro, "outro", default.outro)
    bed = audio.load_sound(request.bed, rate, "music bed") if request.bed else None
    return audio.Sounds(intro, outro, bed, intro_lu=intro_lu, outro_lu=outro_lu)


def sounds_digest(sounds: audio.Sounds) -> dict[str, object]:
    """What of the sounds decides the audio: each one's SHA-256, levels and the bed's shape."""

    def digest(pcm: bytes | None) -> str | None:
        return hashlib.sha256(pcm).hexdigest() if pcm is not None else None

    return {
        "intro": digest(sounds.intro),
        "outro": digest(sounds.outro),
        "bed": digest(sounds.bed),
        "levels": [sounds.intro_lu, sounds.outro_lu],
        "bed_shape": dataclasses.asdict(sounds.bed_shape),
    }


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
    episode: Episode,
    output_dir: Path,
    fingerprint: str,
    kbps: int,
    target: float,
    sounds: audio.Sounds | None = None,
    cache: Cache | None = None,
    jobs: int | None = None,
) -> AudioRecord:
    """Speak, lay out, encode and tag the episode and its segment files, then put them in place.

    Everything is made in a private working folder (``output/.narrate/partial``, on the
    output's file system); each finished file is then renamed into place, the segments
    first and the episode last, so no reader ever sees half a file.
    """
    staging = _staging_dir(output_dir, episode.slug)
    try:
        made = produce(
            script, engine, reporter, staging,
            kbps=kbps, target=target, sounds=sounds, cache=cache, jobs=jobs,
        )  # fmt: skip
        chapters = made.chapters
        write_tags(made.episode, episode.info(chapters))
        total = len(made.segments)
        for part in made.segments:
            write_segment_tags(part.path, episode.segment_tags(part.number, part.title, total))
        segments = tuple(
            SegmentRecord(part.number, part.title, _file_record(part.path, part.name),
                          part.duration_ms)
            for part in made.segments
        )  # fmt: skip
        main = _file_record(made.episode, f"{episode.slug}.mp3")
        _move_into_place(
            output_dir,
            episode.slug,
            [(part.path, part.name) for part in made.segments],
            made.episode,
        )
    except OSError as exc:
        raise PublishError(f"cannot write the episode to {output_dir}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return AudioRecord(
        fingerprint=fingerprint,
        size=main.size,
        sha256=main.sha256,
        duration_ms=made.duration_ms,
        chapters=chapters,
        segments=segments,
        sentences=tuple(SentenceRecord(t.start_ms, t.end_ms, t.text) for t in made.sentences),
    )


def _file_record(path: Path, name: str) -> FileRecord:
    return FileRecord(name, path.stat().st_size, file_sha256(path))


def _staging_dir(output_dir: Path, slug: str) -> Path:
    partial = output_dir / PARTIAL_DIR
    try:
        partial.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{slug}.{os.getpid()}.", suffix=".tmp", dir=partial))
    except OSError as exc:
        raise PublishError(f"cannot write to {output_dir}: {exc.strerror}") from exc


def _move_into_place(
    output_dir: Path, slug: str, segments: Sequence[tuple[Path, str]], episode: Path
) -> None:
    """Rename the segment files into ``output/<slug>/`` (dropping ones no longer made), then
    the episode to ``output/<slug>.mp3``."""
    folder = output_dir / slug
    folder.mkdir(exist_ok=True)
    for path, name in segments:
        os.chmod(path, 0o644)  # published files are served to everyone
        os.replace(path, folder / name)
    keep = {name for _, name in segments}
    for stale in folder.glob("*.mp3"):
        if stale.name not in keep:
            stale.unlink()
    os.chmod(episode, 0o644)
    os.replace(episode, output_dir / f"{slug}.mp3")
    log.info("wrote %s and %d segment files", output_dir / f"{slug}.mp3", len(segments))


def refresh(output_dir: Path, episode: Episode, record: AudioRecord, wanted: str) -> AudioRecord:
    """Bring the tags of an episode whose audio is unchanged up to date; its new record."""
    chapters = record.chapters
    mp3 = retag_file(
        output_dir / f"{episode.slug}.mp3", lambda p: write_tags(p, episode.info(chapters))
    )
    segments = []
    total = len(record.segments)
    for part in record.segments:
        tags = episode.segment_tags(part.number, part.title, total)
        path = retag_file(
            output_dir / episode.slug / part.file.name,
            lambda p, tags=tags: write_segment_tags(p, tags),  # type: ignore[misc]
        )
        segments.append(dataclasses.replace(part, file=_file_record(path, part.file.name)))
    main = _file_record(mp3, mp3.name)
    return dataclasses.replace(
        record, fingerprint=wanted, size=main.size, sha256=main.sha256, segments=tuple(segments)
    )


def segment_files(slug: str, record: AudioRecord) -> tuple[SegmentFile, ...]:
    return tuple(
        SegmentFile(
            number=part.number,
            title=part.title,
            path=f"{slug}/{part.file.name}",
            size=part.file.size,
            duration_ms=part.duration_ms,
        )
        for part in record.segments
    )


def write_companions(
    output_dir: Path, episode: Episode, record: AudioRecord
) -> tuple[str, list[TranscriptFile]]:
    """The episode's chapters JSON (each chapter linked to its segment file) and transcripts."""
    folder = output_dir / episode.slug
    base = episode.show.base_url
    urls: list[str | None] = [
        base + quote(f"{episode.slug}/{part.file.name}") for part in record.segments
    ]
    if len(urls) != len(record.chapters):
        urls = [None] * len(record.chapters)
    chapters_file = write_chapters_json(
        folder,
        record.chapters,
        urls,
        episode.article.title,
        base + quote(episode.artwork.path.name),
    )
    transcripts = write_transcripts(make_cues(record.sentences), folder)
    return chapters_file, transcripts


def describe(article: Article) -> str:
    """Episode description: the start of the lead, the list of segments, the writer's byline."""
    first = next((p for s in article.segments for p in s.paragraphs), "")
    if len(first) > DESCRIPTION_LEAD_CHARS:
        first = first[:DESCRIPTION_LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    parts = [first]
    headings = [s.heading for s in article.segments if s.heading]
    if headings:
        parts.append("في هذه الحلقة:\n" + "\n".join(f"- {h}" for h in headings))
    if article.author:
        parts.append(f"بقلم {article.author}")
    return "\n\n".join(part for part in parts if part)


def clean_partials(output_dir: Path) -> None:
    """Remove what builds that were killed left half-made (their process is gone)."""
    for leftover in (output_dir / PARTIAL_DIR).glob("*.tmp"):
        try:
            pid = int(leftover.name.split(".")[-3])
            os.kill(pid, 0)  # still running: its file is still being made
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
                log.info("removed %s, left by a build that was stopped", leftover)
        except (ValueError, IndexError, PermissionError):
            continue


def retag_file(mp3: Path, tag: Callable[[Path], None]) -> Path:
    """Bring ``mp3``'s tags up to date through a tagged copy; an unchanged file is not touched."""
    current = mp3.read_bytes()

    def make(temp: Path) -> None:
        temp.write_bytes(current)
        tag(temp)

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
