"""A real output folder for the page, server and browser tests: short MP3s made by ffmpeg,
chapters, one MP3 per segment, a Podcasting 2.0 JSON transcript and a cover."""

from __future__ import annotations

import functools
import json
import shutil
import struct
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from narrate.ffmpeg import run_ffmpeg
from narrate.layout import COVER_FILES, Layout
from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.show import ShowSettings, StoredEpisode

#: The cover a producer put there themselves: a PNG, the last name the page looks for.
PRODUCER_COVER = COVER_FILES[-1]
#: A title with everything that must be escaped: markup, an ampersand, quotes and a bidi override.
HOSTILE_TITLE = "أخبار <script>alert(\"x\")</script> & 'اقتباس' \u202eمقلوب"

SHOW = ShowSettings(
    title="نشرة مسموعة",
    base_url="http://127.0.0.1:8000/",
    description="أخبار اليوم، مقروءة بصوت واضح؛ حلقة لكل مقال.",
    author="فريق التحرير",
)


def tone(path: Path, seconds: float, frequency: int) -> int:
    """A mono 64 kbps CBR MP3 of a sine tone; its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-y", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
         "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k", str(path)]
    )  # fmt: skip
    return path.stat().st_size


def png(path: Path, size: int = 64) -> None:
    """A real, plain-coloured RGB PNG (the show's cover)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((20, 90, 140)) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Output:
    folder: Path
    episodes: tuple[StoredEpisode, ...]
    show: ShowSettings = SHOW


SEGMENT_SECONDS = 4
SEGMENT_TITLES = ("المقدمة", "الاقتصاد: الأسعار ترتفع ١٨٪", "الطقس؛ أمطار غزيرة؟")


def _episode(folder: Path, slug: str, title: str, day: int, frequency: int) -> StoredEpisode:
    count = len(SEGMENT_TITLES)
    size = tone(folder / f"{slug}.mp3", SEGMENT_SECONDS * count, frequency)
    segments = []
    chapters = []
    for index, heading in enumerate(SEGMENT_TITLES):
        path = f"{slug}/{index + 1:02d}-part-{index + 1}.mp3"
        part_size = tone(folder / path, SEGMENT_SECONDS, frequency + 110 * (index + 1))
        segments.append(SegmentFile(index + 1, heading, path, part_size, SEGMENT_SECONDS * 1000))
        start = index * SEGMENT_SECONDS * 1000
        chapters.append(Chapter(heading, start, start + SEGMENT_SECONDS * 1000))
    cues = [
        {"startTime": 0.0, "endTime": 2.5, "body": f"{title}."},
        {"startTime": 2.5, "endTime": 4.0, "body": "الجملة الثانية، بعد الافتتاح."},
        {"startTime": 4.0, "endTime": 8.0, "body": "ارتفعت الأسعار 18% في <شهر> واحد & أكثر."},
        {"startTime": 8.0, "endTime": 12.0, "body": "أمطار غزيرة؟ نعم؛ ومتوقعة غدًا."},
    ]
    transcript = folder / slug / "transcript.json"
    transcript.write_text(
        json.dumps({"version": "1.0.0", "segments": cues}, ensure_ascii=False), "utf-8"
    )
    (folder / slug / "transcript.vtt").write_text("WEBVTT\n", "utf-8")
    return StoredEpisode(
        slug=slug,
        guid=f"guid-{slug}",
        title=title,
        description=f"{title}\n\nالأجزاء:\n" + "\n".join(SEGMENT_TITLES),
        published=datetime(2026, 11, day, 8, 30, tzinfo=UTC),
        duration_seconds=SEGMENT_SECONDS * count,
        file_name=f"{slug}.mp3",
        file_size=size,
        engine="espeak",
        chapters=tuple(chapters),
        segments=tuple(segments),
        transcripts=(
            TranscriptFile(f"{slug}/transcript.vtt", "text/vtt"),
            TranscriptFile(f"{slug}/transcript.json", "application/json"),
        ),
    )


@functools.cache
def _template() -> Output:
    """Made once per test process (ffmpeg is the slow part); callers get a copy."""
    folder = Path(tempfile.mkdtemp(prefix="narrate-listening-")) / "output"
    folder.mkdir()
    layout = Layout(folder)
    png(folder / PRODUCER_COVER)
    layout.private.mkdir()
    layout.lock.write_text("private", "utf-8")
    layout.store.write_bytes(b"SQLite format 3\x00private")
    episodes = (
        _episode(folder, "older-news", "نشرة الثلاثاء", 24, 330),
        _episode(folder, "newer-news", HOSTILE_TITLE, 25, 440),
    )
    return Output(folder, episodes)


def make_output(folder: Path) -> Output:
    """In ``folder`` (new): two episodes (the newer with a hostile title), a cover, a private
    ``.narrate/`` and a store file."""
    template = _template()
    shutil.copytree(template.folder, folder)
    return Output(folder, template.episodes)
