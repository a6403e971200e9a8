"""Frozen records passed from one pipeline stage to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Segment:
    """One headed part of an article. The lead (text before the first heading) has no heading."""

    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """An article as read from its source, cleaned of page junk and split into segments."""

    title: str
    segments: tuple[Segment, ...]
    author: str | None = None
    #: When the article says it was published (aware); the episode date unless ``--date`` is given.
    published: datetime | None = None
    #: The article's own address on the web (the page's canonical URL), when it has one.
    link: str | None = None
    #: The publication's name (the site), credited beside the author.
    site: str | None = None

    def to_json(self) -> dict[str, object]:
        """The segment plan as printed by ``narrate segments --json``.

        ``link`` and ``site`` appear only when the article has them.
        """
        plan: dict[str, object] = {
            "title": self.title,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
        }
        if self.link is not None:
            plan["link"] = self.link
        if self.site is not None:
            plan["site"] = self.site
        plan["segments"] = [
            {"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in self.segments
        ]
        return plan


@dataclass(frozen=True)
class Chapter:
    """A chapter of the episode, in milliseconds from the start of the decoded audio."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class EpisodeInfo:
    """What is said about one episode, whatever its audio: in its tags, feed item and files.

    Made once, before the audio; only ``chapters`` waits for it (the audio's own).
    """

    slug: str
    guid: str
    title: str
    show: str
    description: str
    published: datetime
    engine: str
    chapters: tuple[Chapter, ...] = field(default=())
    #: The cover (front cover, APIC), as the file's bytes, and its MIME type.
    image: bytes | None = None
    image_mime: str = "image/jpeg"
    #: The full text read in the episode (USLT), in reading order.
    transcript: str = ""
    #: Who wrote the article, when it says (``TEXT``, the text's writer).
    author: str = ""
    #: The text read in each segment, in order (each segment file's ``USLT``).
    segment_texts: tuple[str, ...] = ()
    #: The article's own page, absolute and ASCII (``WOAS``, the feed item's ``<link>``), or "".
    link: str = ""
    #: The publication the article comes from, credited in the description, or "".
    site: str = ""


@dataclass(frozen=True)
class Mp3File:
    """One MP3 narrate made: its file name, and once it is finished (tagged) its size and
    SHA-256 (0 and "" before)."""

    name: str
    size: int = 0
    sha256: str = ""


@dataclass(frozen=True)
class SegmentMp3:
    """One segment's own MP3 (track ``number`` of the episode), and how long it plays."""

    number: int
    title: str
    file: Mp3File
    duration_ms: int


@dataclass(frozen=True)
class EpisodeAudio:
    """What the episode's audio came to: its MP3, each segment's, and their timing.

    ``chapters``, ``sentences`` and ``duration_ms`` are times in the episode MP3 as players
    decode it. The files are named, not placed: in the working folder while they are made,
    then ``<slug>.mp3`` and ``<slug>/<segment>.mp3`` in the output folder.
    """

    file: Mp3File
    duration_ms: int
    chapters: tuple[Chapter, ...]
    segments: tuple[SegmentMp3, ...] = ()
    sentences: tuple[TimedSentence, ...] = ()


@dataclass(frozen=True)
class SegmentFile:
    """One segment's own MP3, for listeners who play a single segment."""

    #: 1-based, the track number n of N.
    number: int
    title: str
    #: Relative to the output folder, POSIX and ASCII: ``<episode-slug>/01-<segment-slug>.mp3``.
    path: str
    size: int
    duration_ms: int


@dataclass(frozen=True)
class TranscriptFile:
    """A transcript of the episode in one format."""

    #: Relative to the output folder: ``<episode-slug>/transcript.vtt`` (or .srt, .json).
    path: str
    #: ``text/vtt``, ``application/x-subrip`` or ``application/json``.
    mime: str


@dataclass(frozen=True)
class TextNeeds:
    """What an engine needs of its text: the longest chunk it takes, and whether to diacritize."""

    max_chars: int
    diacritics: bool


@dataclass(frozen=True)
class TimedSentence:
    """One sentence as displayed, and when it is spoken (ms from the start of the audio)."""

    start_ms: int
    end_ms: int
    text: str
    #: Each word as the engine said it (the spoken form: numbers in words) and when, in the
    #: episode's time, when the engine tells (edge-tts); else empty.
    words: tuple[WordTiming, ...] = ()


@dataclass(frozen=True)
class WordTiming:
    """One word of a spoken chunk and when it is said (ms from the start of the chunk's audio)."""

    word: str
    start_ms: int
    end_ms: int
