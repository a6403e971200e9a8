"""The ffmpeg binary narrate uses, and the few calls it makes to it.

narrate never depends on a system ffmpeg: the ``imageio-ffmpeg`` wheel ships a
static build with libmp3lame. ``NARRATE_FFMPEG`` points at another binary.
Every call passes an argument list, never a shell string.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import tempfile

from narrate.errors import AudioError

#: Output format of every episode: what podcast apps and Apple expect of spoken word.
OUTPUT_SAMPLE_RATE = 44_100
#: Constant bitrates libmp3lame accepts for 44.1 kHz mono MPEG-1 Layer III.
CBR_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
DEFAULT_KBPS = 64


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


class FfmpegProcess:
    """A running ffmpeg fed through its standard input; see :func:`start_ffmpeg`."""

    def __init__(self, cmd: list[str]) -> None:
        # Errors go to a file, not a pipe: a chatty ffmpeg must never block on a full pipe
        # while narrate is blocked writing to its input.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish() or kill()
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
            )
        except OSError as exc:
            self._errors.close()
            raise AudioError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}") from exc

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
        except (BrokenPipeError, ValueError) as exc:
            raise AudioError("ffmpeg stopped reading its input") from exc

    def finish(self) -> None:
        """Close the input, wait for ffmpeg, and raise AudioError if it failed."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        code = self._proc.wait()
        self._errors.seek(0)
        detail = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        self._errors.close()
        if code != 0:
            raise AudioError(f"ffmpeg failed: {detail[-1] if detail else f'exit status {code}'}")

    def kill(self) -> None:
        self._proc.kill()
        with contextlib.suppress(BrokenPipeError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        self._proc.wait()
        self._errors.close()


def start_ffmpeg(args: list[str]) -> FfmpegProcess:
    """Start ffmpeg with ``args``, reading from its standard input as it is written."""
    return FfmpegProcess([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *args])


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
