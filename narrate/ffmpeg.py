"""The ffmpeg binary narrate uses, and the few calls it makes to it.

narrate never depends on a system ffmpeg: the ``imageio-ffmpeg`` wheel ships a
static build with libmp3lame. ``NARRATE_FFMPEG`` points at another binary.
Every call passes an argument list, never a shell string.
"""

from __future__ import annotations

import functools
import os
import subprocess

from narrate.errors import AudioError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to run."""
    override = os.environ.get("NARRATE_FFMPEG")
    if override:
        return override
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise AudioError("ffmpeg not found: reinstall narrate (it needs imageio-ffmpeg)") from exc
    path: str = imageio_ffmpeg.get_ffmpeg_exe()
    return path


def run_ffmpeg(args: list[str], stdin: bytes | None = None) -> bytes:
    """Run ffmpeg with ``args`` and return its standard output; raise AudioError on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        last = detail[-1] if detail else f"exit status {proc.returncode}"
        raise AudioError(f"ffmpeg failed: {last}")
    return proc.stdout


def decode_to_pcm(data: bytes, sample_rate: int, input_format: str | None = None) -> bytes:
    """Decode compressed audio (e.g. MP3) to mono signed 16-bit little-endian PCM.

    Name ``input_format`` when it is known: ffmpeg cannot guess the format of a very short input.
    """
    forced = ["-f", input_format] if input_format else []
    return run_ffmpeg(
        [*forced, "-i", "pipe:0", "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1",
         "-ar", str(sample_rate), "pipe:1"],
        stdin=data,
    )  # fmt: skip
