"""Assembly: the spoken pieces, a chime and pauses, joined once, then encoded to MP3.

Chapter times are counted in PCM frames while the pieces are laid out, never measured
from the encoded file: MP3 frames and encoder padding would shift them.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment

from narrate.errors import AudioError
from narrate.ffmpeg import run_ffmpeg, start_ffmpeg
from narrate.models import Chapter

#: Output format of every episode: what podcast apps and Apple expect of spoken word.
OUTPUT_SAMPLE_RATE = 44_100
#: Constant bitrates libmp3lame accepts for 44.1 kHz mono MPEG-1 Layer III.
CBR_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
DEFAULT_KBPS = 64


@dataclass(frozen=True)
class Pauses:
    """Silences between the parts of an episode, in milliseconds."""

    after_chime: int = 350
    after_intro: int = 900
    after_heading: int = 450
    between_paragraphs: int = 650
    between_segments: int = 1300


@dataclass(frozen=True)
class SegmentAudio:
    """One segment's speech: chapter title, spoken heading (empty for the lead), paragraphs.

    Each paragraph is the list of its chunks' audio, in order.
    """

    chapter_title: str
    heading: Sequence[AudioSegment]
    paragraphs: Sequence[Sequence[AudioSegment]]


@dataclass(frozen=True)
class EpisodeAudio:
    """The assembled episode: mono 16-bit PCM at ``audio.frame_rate``, and its chapters."""

    audio: AudioSegment
    chapters: tuple[Chapter, ...]

    @property
    def duration_ms(self) -> int:
        return frames_to_ms(int(self.audio.frame_count()), self.audio.frame_rate)


def frames_to_ms(frames: int, rate: int) -> int:
    """Whole milliseconds for a frame count, rounded to nearest.

    >>> frames_to_ms(22050, 22050)
    1000
    >>> frames_to_ms(1, 44100)
    0
    """
    return (frames * 1000 + rate // 2) // rate


def chime(rate: int, duration_ms: int = 700) -> AudioSegment:
    """A soft two-note chime (a rising fifth), generated rather than bundled."""
    n = rate * duration_ms // 1000
    half = n // 2
    samples = bytearray()
    for i in range(n):
        t = i / rate
        local = (i if i < half else i - half) / rate
        freq = 659.25 if i < half else 987.77  # E5 then B5
        remaining = (half - (i if i < half else i - half)) / rate
        # 12 ms attack, exponential decay, and a 60 ms release so no note ends in a click.
        envelope = min(1.0, local / 0.012) * math.exp(-local * 7.0) * min(1.0, remaining / 0.06)
        value = (
            0.35
            * envelope
            * (math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t))
        )
        samples += struct.pack("<h", int(max(-1.0, min(1.0, value)) * 32767))
    return AudioSegment(data=bytes(samples), sample_width=2, frame_rate=rate, channels=1)


@dataclass(frozen=True)
class SegmentShape:
    """How many chunks a segment's heading and each of its paragraphs have."""

    chapter_title: str
    heading: int
    paragraphs: tuple[int, ...]


def _layout(
    intro: int, segments: Sequence[SegmentShape], pauses: Pauses
) -> Iterator[tuple[str, int | str]]:
    """The running order: ("chime", 0), ("pause", ms), ("chunk", 0), ("chapter", title)."""
    yield "chime", 0
    yield "pause", pauses.after_chime
    for _ in range(intro):
        yield "chunk", 0
    yield "pause", pauses.after_intro
    for index, segment in enumerate(segments):
        if index:
            yield "pause", pauses.between_segments
        yield "chapter", segment.chapter_title
        if segment.heading:
            for _ in range(segment.heading):
                yield "chunk", 0
            yield "pause", pauses.after_heading
        for p_index, chunks in enumerate(segment.paragraphs):
            if p_index:
                yield "pause", pauses.between_paragraphs
            for _ in range(chunks):
                yield "chunk", 0
    yield "pause", pauses.between_segments


class Assembler:
    """Lays the episode out as its chunks arrive, in speaking order, passing PCM to ``write``.

    Nothing is joined or kept: each piece goes straight on (to the encoder, in a build), and
    chapter starts are counted in frames on the way. The first chapter starts at 0 so that the
    chime and intro belong to it; every chapter ends where the next begins.
    """

    def __init__(
        self,
        intro: int,
        segments: Sequence[SegmentShape],
        rate: int,
        write: Callable[[bytes], object],
        pauses: Pauses = Pauses(),
    ) -> None:
        self.rate = rate
        self.frames = 0
        self._write = write
        self._starts: list[tuple[str, int]] = []
        self._events = _layout(intro, segments, pauses)
        self._waiting = False
        self._run()

    @property
    def ms(self) -> int:
        return frames_to_ms(self.frames, self.rate)

    def add(self, piece: AudioSegment) -> None:
        """The next chunk's audio, converted to mono 16-bit at the episode's rate if need be."""
        if not self._waiting:
            raise ValueError("more pieces of audio than the episode has chunks")
        if (piece.frame_rate, piece.channels, piece.sample_width) != (self.rate, 1, 2):
            piece = piece.set_channels(1).set_sample_width(2).set_frame_rate(self.rate)
        self._put(piece.raw_data)
        self._run()

    def finish(self) -> tuple[Chapter, ...]:
        """The chapters, once every chunk has been added."""
        if self._waiting:
            raise ValueError("fewer pieces of audio than the episode has chunks")
        total = self.ms
        ends = [start for _, start in self._starts[1:]] + [total]
        return tuple(
            Chapter(title=title, start_ms=start, end_ms=end)
            for (title, start), end in zip(self._starts, ends, strict=True)
        )

    def _put(self, data: bytes) -> None:
        self._write(data)
        self.frames += len(data) // 2

    def _run(self) -> None:
        """Lay out pauses, the chime and chapter marks up to the next chunk (or the end)."""
        self._waiting = False
        for kind, value in self._events:
            if kind == "chunk":
                self._waiting = True
                return
            if kind == "pause":
                self._put(bytes(2 * (self.rate * int(value) // 1000)))
            elif kind == "chime":
                self._put(chime(self.rate).raw_data)
            else:
                self._starts.append((str(value), self.ms if self._starts else 0))


def assemble(
    intro: Sequence[AudioSegment],
    segments: Sequence[SegmentAudio],
    rate: int,
    pauses: Pauses = Pauses(),
) -> EpisodeAudio:
    """The whole episode in memory, laid out by :class:`Assembler` and joined once."""
    pieces: list[bytes] = []
    shapes = [
        SegmentShape(s.chapter_title, len(s.heading), tuple(len(p) for p in s.paragraphs))
        for s in segments
    ]
    line = Assembler(len(intro), shapes, rate, pieces.append, pauses)
    for piece in intro:
        line.add(piece)
    for segment in segments:
        for piece in segment.heading:
            line.add(piece)
        for paragraph in segment.paragraphs:
            for piece in paragraph:
                line.add(piece)
    chapters = line.finish()
    joined = AudioSegment(data=b"".join(pieces), sample_width=2, frame_rate=rate, channels=1)
    return EpisodeAudio(audio=joined, chapters=chapters)


class Mp3Encoder:
    """An ffmpeg encoding PCM to CBR mono 44.1 kHz MP3 as it is written, on another core.

    Use as a context manager: leaving it normally waits for the encoder and raises
    :class:`AudioError` if it failed; leaving it with an exception kills the encoder.
    """

    def __init__(self, destination: Path, rate: int, kbps: int = DEFAULT_KBPS) -> None:
        self._process = start_ffmpeg(_encode_args(destination, rate, kbps))

    def write(self, data: bytes) -> None:
        try:
            self._process.write(data)
        except AudioError:
            self._process.finish()  # raises with ffmpeg's own reason
            raise

    def __enter__(self) -> Mp3Encoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self._process.finish()
        else:
            self._process.kill()


def _encode_args(destination: Path, rate: int, kbps: int) -> list[str]:
    if kbps not in CBR_KBPS:
        raise ValueError(f"bitrate {kbps} kbps is not one of {', '.join(map(str, CBR_KBPS))}")
    return [
        "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-ac", "1", "-ar", str(OUTPUT_SAMPLE_RATE),
        "-codec:a", "libmp3lame", "-b:a", f"{kbps}k",
        "-id3v2_version", "0", "-write_id3v1", "0",
        "-f", "mp3", "-y", str(destination),
    ]  # fmt: skip


def encode_mp3(audio: AudioSegment, destination: Path, kbps: int = DEFAULT_KBPS) -> None:
    """Encode to constant-bitrate mono 44.1 kHz MP3 at ``destination`` (overwritten).

    The PCM goes to ffmpeg through a pipe, so no temporary WAV copy of the episode is made;
    ffmpeg's resampler (better than pydub's linear one) brings it to 44.1 kHz.
    """
    run_ffmpeg(_encode_args(destination, audio.frame_rate, kbps), stdin=audio.raw_data)
