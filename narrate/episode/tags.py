"""ID3 tags of the episode MP3 and of each segment's own MP3 (mutagen), table-driven.

Two tables map records to ID3 text frames: :data:`TEXT_FRAMES` the fields of
:class:`narrate.models.EpisodeInfo`, :data:`SEGMENT_FRAMES` those of :class:`SegmentTags`.
Both files also get the cover (``APIC``, front cover), the text read in them (``USLT``,
language ``ara``) and, for an article from the web, its page (``WOAS``). The episode's
chapters follow the ID3v2 Chapter Frame Addendum (one top-level, ordered ``CTOC`` listing
``CHAP`` frames ``ch0``, ``ch1``, ...).

Every tag is written as ID3v2.3 with UTF-16 text, not v2.4 with UTF-8:

- Apple's chapter display has been reported to break on v2.4 chapter titles longer than
  51 characters, and Arabic headings often are;
- Windows before 10 (Explorer, Media Player), many car stereos and older players read
  only v2.3, while everything that reads v2.4 (ffmpeg, AntennaPod, mutagen) reads v2.3;
- UTF-16 with a byte order mark is the only v2.3 encoding that holds Arabic (Latin-1 is
  the other), and it is what those readers expect.

The dates are then v2.3's ``TYER``/``TDAT``/``TIME`` (v2.4's ``TDRC`` does not exist in
v2.3). The picture's description is plain ASCII ("Cover") in Latin-1, the form old
readers handle best. After saving, the frames are put in chapter order in the file
(:func:`_put_chapters_in_order`), because ffmpeg and the players built on it list
``CHAP`` frames in file order and ignore the ``CTOC``.
"""

from __future__ import annotations

import logging
import pathlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Generic, TypeVar

import mutagen.id3
import mutagen.mp3
from mutagen import MutagenError

from narrate import __version__
from narrate.errors import PublishError
from narrate.models import Chapter, EpisodeInfo

log = logging.getLogger(__name__)

# mutagen ships py.typed but leaves its API unannotated: reach it through Any
# once here rather than silencing every call.
_id3: Any = mutagen.id3
_mp3: Any = mutagen.mp3

#: The ``TXXX`` description under which the speech engine is recorded.
ENGINE_DESC: Final = "narrate:engine"
#: ISO 639-2 code written to ``TLAN`` and to the ``COMM`` language field.
LANGUAGE: Final = "ara"
#: Element id of the table of contents; chapter ids are ``ch0``, ``ch1``, ...
TOC_ID: Final = "toc"
#: A ``CTOC`` counts its entries in one byte.
MAX_CHAPTERS: Final = 255
#: ``CHAP`` byte offsets meaning "use the times, not byte positions".
NO_OFFSET: Final = 0xFFFFFFFF
_MAX_TIME_MS: Final = 0xFFFFFFFF  # CHAP times are 32-bit unsigned milliseconds.


#: The picture type of ``APIC`` (3: front cover) and its description.
COVER_TYPE: Final = 3
COVER_DESC: Final = "Cover"


@dataclass(frozen=True)
class SegmentTags:
    """What the tags of one segment's own MP3 say: the segment as track n of N of the episode."""

    #: The segment's heading.
    title: str
    #: 1-based track number, and how many segments the episode has.
    number: int
    total: int
    #: The episode's title (the segments of one episode make one album).
    album: str
    #: The show.
    artist: str
    language: str = LANGUAGE
    #: Aware; None writes no date.
    published: datetime | None = None
    image: bytes | None = None
    image_mime: str = "image/jpeg"
    #: The text read in the segment (``USLT``).
    text: str = ""
    #: Who wrote the article (``TEXT``), when it says.
    author: str = ""
    #: The article's own page (``WOAS``), absolute and ASCII, or "".
    link: str = ""

    @classmethod
    def of(cls, info: EpisodeInfo, number: int, title: str, total: int) -> SegmentTags:
        """The tags of segment ``number`` (of ``total``, headed ``title``) of the episode."""
        texts = info.segment_texts
        return cls(
            title=title,
            number=number,
            total=total,
            album=info.title,
            artist=info.show,
            published=info.published,
            image=info.image,
            image_mime=info.image_mime,
            text=texts[number - 1] if 0 < number <= len(texts) else "",
            author=info.author,
            link=info.link,
        )


_Record = TypeVar("_Record", EpisodeInfo, SegmentTags)


def _date(published: datetime | None, pattern: str) -> str:
    # ID3 dates carry no zone, so write UTC: it names one instant whatever
    # zone the publisher was in.
    return f"{published.astimezone(UTC):{pattern}}" if published is not None else ""


@dataclass(frozen=True)
class TextFrame(Generic[_Record]):
    """One row of a mapping: frame id, how to get its text, the frame's other fields."""

    frame_id: str
    value: Callable[[_Record], str]
    fields: Mapping[str, str] = field(default_factory=dict)


#: EpisodeInfo -> ID3v2.3 frames. The date is v2.3's TYER (yyyy) + TDAT (DDMM) +
#: TIME (HHMM), which players and ffmpeg merge into one date; v2.4's TDRC/TDRL
#: are not v2.3 frames and mutagen drops them when converting to v2.3.
TEXT_FRAMES: Final[tuple[TextFrame[EpisodeInfo], ...]] = (
    TextFrame("TIT2", lambda i: i.title),
    TextFrame("TPE1", lambda i: i.show),
    TextFrame("TALB", lambda i: i.show),
    TextFrame("TCON", lambda i: "Podcast"),
    TextFrame("TLAN", lambda i: LANGUAGE),
    TextFrame("TYER", lambda i: _date(i.published, "%Y")),
    TextFrame("TDAT", lambda i: _date(i.published, "%d%m")),
    TextFrame("TIME", lambda i: _date(i.published, "%H%M")),
    TextFrame("COMM", lambda i: i.description, {"lang": LANGUAGE, "desc": ""}),
    # iTunes' podcast description frame; not in the v2.3 spec, but what Apple writes.
    TextFrame("TDES", lambda i: i.description),
    TextFrame("TXXX", lambda i: i.engine, {"desc": ENGINE_DESC}),
    # The article's writer: v2.3's "lyricist/text writer", the frame for whoever wrote the words.
    TextFrame("TEXT", lambda i: i.author),
    TextFrame("TSSE", lambda i: f"narrate {__version__}"),
)

#: SegmentTags -> ID3v2.3 frames: the segment is track n/N of the album named after the episode.
SEGMENT_FRAMES: Final[tuple[TextFrame[SegmentTags], ...]] = (
    TextFrame("TIT2", lambda t: t.title),
    TextFrame("TRCK", lambda t: f"{t.number}/{t.total}"),
    TextFrame("TALB", lambda t: t.album),
    TextFrame("TPE1", lambda t: t.artist),
    TextFrame("TCON", lambda t: "Podcast"),
    TextFrame("TLAN", lambda t: t.language),
    TextFrame("TYER", lambda t: _date(t.published, "%Y")),
    TextFrame("TDAT", lambda t: _date(t.published, "%d%m")),
    TextFrame("TIME", lambda t: _date(t.published, "%H%M")),
    TextFrame("TEXT", lambda t: t.author),
    TextFrame("TSSE", lambda t: f"narrate {__version__}"),
)


def made_by_narrate(mp3_path: pathlib.Path) -> bool:
    """Whether ``mp3_path`` is an MP3 narrate tagged: its ``TSSE`` frame names narrate (every
    episode and segment file has it). False for any other file, or one that cannot be read."""
    try:
        tags = _id3.ID3(mp3_path)
    except (MutagenError, OSError):
        return False
    return any(str(text).startswith("narrate ") for f in tags.getall("TSSE") for text in f.text)


def write_tags(mp3_path: pathlib.Path, info: EpisodeInfo) -> None:
    """Replace every ID3 frame of ``mp3_path`` with the episode's tags and chapters.

    Whatever tag the file had (ffmpeg's, an earlier run's, or none) is discarded,
    so tagging twice gives the same frames. Any ID3v1 tag is removed: it cannot
    hold Arabic. The cover (``info.image``) and the full text (``info.transcript``)
    are written when given. Raises :class:`PublishError` if the file is not a
    readable MP3, has no time zone on ``published``, or has more than 255 or
    malformed chapters.
    """
    _check_episode(mp3_path, info)
    frames = [
        *_text_frames(TEXT_FRAMES, info),
        *_link_frames(mp3_path, info.link),
        _id3.PCST(value=1),
        *_media_frames(info.image, info.image_mime, info.transcript),
        *_chapter_frames(info.chapters),
    ]
    _save(mp3_path, frames, [f"ch{n}" for n in range(len(info.chapters))])
    log.info("tagged %s (%d chapters)", mp3_path, len(info.chapters))


def write_segment_tags(mp3_path: pathlib.Path, tags: SegmentTags) -> None:
    """Replace every ID3 frame of a segment's MP3 with ``tags`` (ID3v2.3, UTF-16, no ID3v1).

    Raises :class:`PublishError` if the file is not a readable MP3, the track number is
    not within 1..total, or ``published`` has no time zone.
    """
    if not 1 <= tags.number <= tags.total:
        raise PublishError(f"cannot tag {mp3_path}: track {tags.number} of {tags.total}")
    if tags.published is not None and tags.published.utcoffset() is None:
        raise PublishError(f"cannot tag {mp3_path}: the publication time has no time zone")
    frames = [
        *_text_frames(SEGMENT_FRAMES, tags),
        *_link_frames(mp3_path, tags.link),
        *_media_frames(tags.image, tags.image_mime, tags.text),
    ]
    _save(mp3_path, frames, [])
    log.info("tagged %s (track %d/%d)", mp3_path, tags.number, tags.total)


def _save(mp3_path: pathlib.Path, frames: Iterable[Any], chapter_ids: list[str]) -> None:
    """Replace the tag of ``mp3_path`` with ``frames`` as ID3v2.3, chapters in file order."""
    _load_mp3(mp3_path)
    tags = _id3.ID3()
    for frame in frames:
        tags.add(frame)
    tags.update_to_v23()
    try:
        tags.save(mp3_path, v1=0, v2_version=3)
        _put_chapters_in_order(mp3_path, chapter_ids)
    except MutagenError as exc:
        raise PublishError(f"cannot write tags to {mp3_path}: {_reason(exc)}") from exc
    except OSError as exc:
        raise PublishError(f"cannot write tags to {mp3_path}: {exc.strerror}") from exc


def _put_chapters_in_order(mp3_path: pathlib.Path, chapter_ids: list[str]) -> None:
    """Rewrite the tag's frames so the CTOC and then CHAP ``ch0``, ``ch1``, ... come last, in order.

    mutagen sorts frames by size, so CHAP frames land in title-length order; ffmpeg and the
    players built on it ignore the CTOC and list chapters in file order. Only frames are
    permuted in place: the tag keeps its size, its padding and every byte of every frame.
    """
    if not chapter_ids:
        return
    rank = {cid.encode("latin-1"): n for n, cid in enumerate(chapter_ids)}
    with mp3_path.open("r+b") as handle:
        header = handle.read(10)
        if header[:4] != b"ID3\x03" or header[5] != 0:  # v2.3 with no unsync or extended header
            raise PublishError(f"cannot order the chapters of {mp3_path}: unexpected ID3 header")
        size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(header[6:10]))  # synchsafe
        body = handle.read(size)
        frames: list[bytes] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos] != 0:
            end = pos + 10 + int.from_bytes(body[pos + 4 : pos + 8], "big")
            frames.append(body[pos:end])
            pos = end
        others = [f for f in frames if f[:4] not in (b"CTOC", b"CHAP")]
        tocs = [f for f in frames if f[:4] == b"CTOC"]
        chaps = sorted(
            (f for f in frames if f[:4] == b"CHAP"),
            key=lambda f: rank.get(f[10 : f.index(b"\x00", 10)], len(rank)),
        )
        ordered = b"".join([*others, *tocs, *chaps])
        if len(ordered) != pos:
            raise PublishError(f"cannot order the chapters of {mp3_path}: malformed ID3 frames")
        handle.seek(10)
        handle.write(ordered)


def _text_frames(table: tuple[TextFrame[_Record], ...], record: _Record) -> Iterable[Any]:
    for row in table:
        text = row.value(record)
        if text:
            yield _id3.Frames[row.frame_id](encoding=_id3.Encoding.UTF16, text=[text], **row.fields)


def _link_frames(mp3_path: pathlib.Path, link: str) -> Iterable[Any]:
    """The article's page as ``WOAS`` ("official audio source webpage"), when there is one.

    A URL frame holds Latin-1 with no encoding byte; the link is already made ASCII.
    """
    if not link:
        return
    if not link.isascii() or any(c.isspace() for c in link):
        raise PublishError(f"cannot tag {mp3_path}: the link {link!r} is not an ASCII URL")
    yield _id3.WOAS(url=link)


def _media_frames(image: bytes | None, mime: str, text: str) -> Iterable[Any]:
    """The front cover (``APIC``) and the text read (``USLT``), each when there is one."""
    if image:
        yield _id3.APIC(
            encoding=_id3.Encoding.LATIN1,
            mime=mime,
            type=COVER_TYPE,
            desc=COVER_DESC,
            data=image,
        )
    if text:
        yield _id3.USLT(encoding=_id3.Encoding.UTF16, lang=LANGUAGE, desc="", text=text)


def _chapter_frames(chapters: tuple[Chapter, ...]) -> Iterable[Any]:
    if not chapters:
        return
    ids = [f"ch{n}" for n in range(len(chapters))]
    yield _id3.CTOC(
        element_id=TOC_ID,
        flags=_id3.CTOCFlags.TOP_LEVEL | _id3.CTOCFlags.ORDERED,
        child_element_ids=ids,
        sub_frames=[],
    )
    for element_id, chapter in zip(ids, chapters, strict=True):
        yield _id3.CHAP(
            element_id=element_id,
            start_time=chapter.start_ms,
            end_time=chapter.end_ms,
            start_offset=NO_OFFSET,
            end_offset=NO_OFFSET,
            sub_frames=[_id3.TIT2(encoding=_id3.Encoding.UTF16, text=[chapter.title])],
        )


def _check_episode(mp3_path: pathlib.Path, info: EpisodeInfo) -> None:
    if info.published.utcoffset() is None:
        raise PublishError(f"cannot tag {mp3_path}: the publication time has no time zone")
    if len(info.chapters) > MAX_CHAPTERS:
        raise PublishError(
            f"cannot tag {mp3_path}: {len(info.chapters)} chapters, "
            f"but an MP3 holds at most {MAX_CHAPTERS}"
        )
    previous_start = 0
    for n, chapter in enumerate(info.chapters, start=1):
        if not 0 <= chapter.start_ms <= chapter.end_ms <= _MAX_TIME_MS:
            raise PublishError(
                f"cannot tag {mp3_path}: chapter {n} runs from {chapter.start_ms} ms "
                f"to {chapter.end_ms} ms"
            )
        if chapter.start_ms < previous_start:
            raise PublishError(f"cannot tag {mp3_path}: chapter {n} starts before chapter {n - 1}")
        previous_start = chapter.start_ms


def _load_mp3(mp3_path: pathlib.Path) -> Any:
    # Loading as MP3, not just as ID3, is what rejects a file without MPEG audio:
    # mutagen would happily write an ID3 tag in front of any file.
    try:
        return _mp3.MP3(mp3_path)
    except MutagenError as exc:
        os_error = _os_error(exc)
        if os_error is not None:
            raise PublishError(f"cannot read {mp3_path}: {os_error}") from exc
        raise PublishError(f"{mp3_path} is not an MP3 file ({exc})") from exc


def _os_error(exc: MutagenError) -> str | None:
    # mutagen wraps OS errors in MutagenError; give the OS's own words.
    cause = exc.__context__
    if isinstance(cause, OSError):
        return cause.strerror or str(cause)
    return None


def _reason(exc: MutagenError) -> str:
    return _os_error(exc) or str(exc) or type(exc).__name__
