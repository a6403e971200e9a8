"""Loudness to the podcast standard: EBU R128 / ITU-R BS.1770 readings from ffmpeg, and gains.

One pass of ffmpeg's ``ebur128`` filter over the episode's PCM logs, every 100 ms, the
momentary loudness (the 400 ms window ending there). Those windows are exactly BS.1770's
gating blocks (400 ms, 75 % overlap), so the integrated loudness of *any* stretch (the
episode, or one segment) comes from the same log without measuring the audio again. True
peaks are not measured here (ebur128's 4x oversampling cost three times the rest of the
meter): every output goes through a look-ahead limiter whose ceiling leaves a decibel for the
resampler and the encoder, and the tests measure the true peak of what comes out. Nothing
of the audio is held in memory: ffmpeg reads the file and narrate reads its log line by line.
"""

from __future__ import annotations

import array
import contextlib
import math
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import AudioError
from narrate.ffmpeg import ffmpeg_exe

#: Integrated loudness targets, LUFS: what Apple and AES TD1004 recommend for podcasts.
TARGET_MONO = -19.0
TARGET_STEREO = -16.0
#: The true peak every output must stay at or under, dBTP.
TRUE_PEAK_CEILING = -1.0
#: The loudness targets narrate accepts: AES TD1004 allows -20 to -16; some shows go to -14.
TARGET_RANGE = (-24.0, -14.0)

#: Seconds between readings, and the length of BS.1770's gating block.
STEP = 0.1
BLOCK = 0.4
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_SILENT = -120.0

_LINE = re.compile(r"\bt:\s*(?P<t>[\d.]+)\s.*?\bM:\s*(?P<m>-?[\d.]+|-?inf|nan)\s")


def _number(text: str) -> float:
    value = float(text)
    return _SILENT if math.isnan(value) or value < _SILENT else value


@dataclass(frozen=True)
class LoudnessLog:
    """ebur128's readings every :data:`STEP` seconds from the start of the audio.

    ``momentary[i]`` is the loudness (LUFS) of the 400 ms ending at ``(i + 1) * STEP``.
    """

    momentary: array.array[float]

    def _blocks(self, start_s: float, end_s: float | None) -> range:
        first = max(round((start_s + BLOCK) / STEP) - 1, round(BLOCK / STEP) - 1)
        last = (
            len(self.momentary) if end_s is None else min(len(self.momentary), round(end_s / STEP))
        )
        return range(first, last)

    def integrated(self, start_s: float = 0.0, end_s: float | None = None) -> float:
        """Gated integrated loudness (BS.1770-4) of ``start_s``..``end_s``, in LUFS.

        -70 when the stretch is silent or shorter than one 400 ms block.

        >>> log = LoudnessLog(array.array("d", [-20.0] * 10))
        >>> round(log.integrated(), 1)
        -20.0
        """
        blocks = [self.momentary[i] for i in self._blocks(start_s, end_s)]
        energies = [10 ** ((m + 0.691) / 10) for m in blocks if m > _ABSOLUTE_GATE]
        if not energies:
            return _ABSOLUTE_GATE
        relative = -0.691 + 10 * math.log10(sum(energies) / len(energies)) + _RELATIVE_GATE
        gated = [10 ** ((m + 0.691) / 10) for m in blocks if m > max(relative, _ABSOLUTE_GATE)]
        return -0.691 + 10 * math.log10(sum(gated) / len(gated))


def _command(
    raw_rate: int | None, source: str, filters: str | None, seconds: float | None = None
) -> list[str]:
    raw = ["-f", "s16le", "-ar", str(raw_rate), "-ac", "1"] if raw_rate else []
    if seconds is not None:
        raw += ["-t", f"{seconds:.3f}"]
    chain = f"aresample=44100,{filters}," if filters else ""
    return [
        ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-loglevel", "info",
        *raw, "-i", source, "-map", "0:a:0",
        "-af", f"{chain}ebur128=framelog=info", "-f", "null", "-",
    ]  # fmt: skip


class LoudnessMeter:
    """ffmpeg's ebur128 reading PCM as it is written (on another core) or a file.

    Its log is read on a thread as ffmpeg prints it, so neither side ever waits on a full pipe.
    """

    def __init__(
        self,
        source: Path | None,
        rate: int | None = None,
        filters: str | None = None,
        seconds: float | None = None,
    ) -> None:
        cmd = _command(rate, "pipe:0" if source is None else str(source), filters, seconds)
        if source is None:
            cmd.remove("-nostdin")
        self._what = "the audio" if source is None else str(source)
        self.momentary: array.array[float] = array.array("d")
        self._watch_lock = threading.Lock()
        self._watcher: Callable[[int], object] | None = None
        self._tail: list[str] = []
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if source is None else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise AudioError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}") from exc
        self._reader = threading.Thread(target=self._read, name="ebur128", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stderr is not None
        for raw_line in self._proc.stderr:
            line = raw_line.decode("utf-8", "replace")
            found = _LINE.search(line)
            if found:
                with self._watch_lock:
                    self.momentary.append(_number(found["m"]))
                    if self._watcher is not None:
                        self._watcher(len(self.momentary))
            else:
                self._tail = [*self._tail[-4:], line.strip()]

    def watch(self, watcher: Callable[[int], object]) -> None:
        """Tell ``watcher`` how many readings (one per :data:`STEP` of audio) ffmpeg has made:
        now, then after each new one (on the thread reading ffmpeg's log)."""
        with self._watch_lock:
            self._watcher = watcher
            watcher(len(self.momentary))

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
        except (BrokenPipeError, ValueError) as exc:
            raise AudioError("ffmpeg stopped measuring the loudness") from exc

    def finish(self) -> LoudnessLog:
        """Wait for ffmpeg and return its log; raise AudioError if it failed."""
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        code = self._proc.wait()
        self._reader.join()
        if self._proc.stderr is not None:
            self._proc.stderr.close()
        if code != 0:
            detail = next((line for line in reversed(self._tail) if line), f"exit {code}")
            raise AudioError(f"ffmpeg could not measure the loudness of {self._what}: {detail}")
        return LoudnessLog(self.momentary)

    def kill(self) -> None:
        """Stop ffmpeg (the build failed elsewhere): nothing is raised."""
        self._proc.kill()
        with contextlib.suppress(OSError, ValueError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        self._proc.wait()
        self._reader.join()


def analyze(
    source: Path, rate: int | None = None, filters: str | None = None, seconds: float | None = None
) -> LoudnessLog:
    """Run ffmpeg's ebur128 over ``source``: raw mono s16le PCM at ``rate``, or any media file;
    only its first ``seconds`` if given.

    ``filters`` run first (after resampling to 44.1 kHz, as when encoding): measuring what a
    gain and limiter will make of the audio.
    """
    return LoudnessMeter(source, rate, filters, seconds).finish()


def analyze_pcm(pcm: bytes, rate: int) -> LoudnessLog:
    """:func:`analyze` for PCM in memory (a short clip), through a temporary file."""
    fd, name = tempfile.mkstemp(suffix=".pcm")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pcm)
        return analyze(Path(name), rate)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


@dataclass(frozen=True)
class Adjustment:
    """How to bring one stretch of audio to the target: a gain, and a peak limiter."""

    gain_db: float
    #: The sample-peak ceiling (dBFS) for ffmpeg's limiter; None: no limiter (silence).
    limit_db: float | None

    def plus(self, db: float) -> Adjustment:
        """The same with ``db`` more gain."""
        return Adjustment(self.gain_db + db, self.limit_db)

    def filters(self) -> str:
        """The ffmpeg audio filter chain (after resampling to the output rate)."""
        chain = [f"volume={self.gain_db:.2f}dB"]
        if self.limit_db is not None:
            limit = 10 ** (self.limit_db / 20)
            # latency=1: the limiter's look-ahead is compensated, so no sample moves in time.
            chain.append(f"alimiter=limit={limit:.4f}:attack=5:release=50:level=0:latency=1")
        return ",".join(chain)


#: Headroom left under the ceiling for the MP3 encoder's overshoot and the resampler.
_HEADROOM = 1.0


def adjustment(
    log: LoudnessLog,
    target: float,
    start_s: float = 0.0,
    end_s: float | None = None,
    ceiling: float = TRUE_PEAK_CEILING,
) -> Adjustment:
    """The gain to ``target`` LUFS for ``start_s``..``end_s``, limited to ``ceiling`` dBTP.

    The limiter is always there: it leaves every sample under it untouched, and catches the
    peaks of speech that a gain of a few decibels pushes over.
    """
    measured = log.integrated(start_s, end_s)
    if measured <= _ABSOLUTE_GATE:
        return Adjustment(0.0, None)
    return Adjustment(target - measured, ceiling - _HEADROOM)
