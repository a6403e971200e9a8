"""Assembly: the spoken pieces, a chime and pauses, joined once, then encoded to MP3.

Chapter times are counted in PCM frames while the pieces are laid out, never measured
from the encoded file: MP3 frames and encoder padding would shift them.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment

from narrate.ffmpeg import run_ffmpeg
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


class _Timeline:
    """Raw PCM pieces and a running frame count; joined once at the end (never repeated ``+``)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.pieces: list[bytes] = []
        self.frames = 0

    def add(self, segment: AudioSegment) -> None:
        if (segment.frame_rate, segment.channels, segment.sample_width) != (self.rate, 1, 2):
            segment = segment.set_channels(1).set_sample_width(2).set_frame_rate(self.rate)
        data: bytes = segment.raw_data
        self.pieces.append(data)
        self.frames += len(data) // 2

    def pause(self, ms: int) -> None:
        frames = self.rate * ms // 1000
        self.pieces.append(bytes(2 * frames))
        self.frames += frames

    @property
    def ms(self) -> int:
        return frames_to_ms(self.frames, self.rate)

    def join(self) -> AudioSegment:
        return AudioSegment(
            data=b"".join(self.pieces), sample_width=2, frame_rate=self.rate, channels=1
        )


def assemble(
    intro: Sequence[AudioSegment],
    segments: Sequence[SegmentAudio],
    rate: int,
    pauses: Pauses = Pauses(),
) -> EpisodeAudio:
    """Lay out chime, spoken intro and segments; chapters start where each segment's heading starts.

    The first chapter starts at 0 so that the chime and intro belong to it; every chapter ends where
    the next begins and the last ends with the audio.
    """
    line = _Timeline(rate)
    line.add(chime(rate))
    line.pause(pauses.after_chime)
    for piece in intro:
        line.add(piece)
    line.pause(pauses.after_intro)

    starts: list[tuple[str, int]] = []
    for index, segment in enumerate(segments):
        if index:
            line.pause(pauses.between_segments)
        starts.append((segment.chapter_title, 0 if index == 0 else line.ms))
        if segment.heading:
            for piece in segment.heading:
                line.add(piece)
            line.pause(pauses.after_heading)
        for p_index, paragraph in enumerate(segment.paragraphs):
            if p_index:
                line.pause(pauses.between_paragraphs)
            for piece in paragraph:
                line.add(piece)
    line.pause(pauses.between_segments)

    total = line.ms
    chapters = tuple(
        Chapter(title=title, start_ms=start, end_ms=end)
        for (title, start), end in zip(starts, [s for _, s in starts[1:]] + [total], strict=True)
    )
    return EpisodeAudio(audio=line.join(), chapters=chapters)


def encode_mp3(audio: AudioSegment, destination: Path, kbps: int = DEFAULT_KBPS) -> None:
    """Encode to constant-bitrate mono 44.1 kHz MP3 at ``destination`` (overwritten).

    The PCM goes to ffmpeg through a pipe, so no temporary WAV copy of the episode is made;
    ffmpeg's resampler (better than pydub's linear one) brings it to 44.1 kHz.
    """
    if kbps not in CBR_KBPS:
        raise ValueError(f"bitrate {kbps} kbps is not one of {', '.join(map(str, CBR_KBPS))}")
    run_ffmpeg(
        [
            "-f", "s16le", "-ar", str(audio.frame_rate), "-ac", "1", "-i", "pipe:0",
            "-ac", "1", "-ar", str(OUTPUT_SAMPLE_RATE),
            "-codec:a", "libmp3lame", "-b:a", f"{kbps}k",
            "-id3v2_version", "0", "-write_id3v1", "0",
            "-f", "mp3", "-y", str(destination),
        ],
        stdin=audio.raw_data,
    )  # fmt: skip
