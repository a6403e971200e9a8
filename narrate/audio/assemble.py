"""Assembly: the spoken pieces, a chime and pauses, joined once, then encoded to MP3.

Chapter times are counted in PCM frames while the pieces are laid out, never measured
from the encoded file: MP3 frames and encoder padding would shift them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydub import AudioSegment

from narrate.audio.loudness import analyze_pcm
from narrate.errors import AudioError
from narrate.ffmpeg import CBR_KBPS, DEFAULT_KBPS, OUTPUT_SAMPLE_RATE, run_ffmpeg, start_ffmpeg
from narrate.models import Chapter


@dataclass(frozen=True)
class Pauses:
    """Silences between the parts of an episode, in milliseconds.

    Every chunk of speech is trimmed of the silence the engine put around it, so these
    are the pauses the listener hears, whatever the engine. A heading is set apart by a
    pause on both sides: ``between_segments`` before it, ``after_heading`` after it, each
    longer than the pause between paragraphs (a heading once had only a sentence's pause
    after it, and ran into its first paragraph).
    """

    after_intro_sound: int = 350
    after_intro: int = 900
    after_heading: int = 1000
    between_sentences: int = 420
    between_clauses: int = 220
    within_clause: int = 60
    between_paragraphs: int = 700
    between_segments: int = 1300
    before_outro: int = 700
    after_outro: int = 300
    #: Silence kept before a segment's first word and after its last in its own file.
    segment_lead_in: int = 250
    segment_tail: int = 900

    def after_chunk(self, text: str) -> int:
        """The pause after a chunk that does not end its paragraph, by the mark it ends with.

        >>> Pauses().after_chunk("انتهى الاجتماع.") == Pauses().between_sentences
        True
        >>> Pauses().after_chunk("في دمشق،") == Pauses().between_clauses
        True
        """
        last = text.rstrip()[-1:]
        if not last or last in _SENTENCE_END:
            return self.between_sentences
        if last in _CLAUSE_END:
            return self.between_clauses
        return self.within_clause


DEFAULT_PAUSES = Pauses()
_SENTENCE_END = frozenset(".!?؟…")
_CLAUSE_END = frozenset("،؛,;:")


@dataclass(frozen=True)
class Bed:
    """How a music bed plays around the spoken intro: in, ducked under the voice, out."""

    lead_ms: int = 2000
    duck_ms: int = 400
    tail_ms: int = 1500
    fade_ms: int = 1500
    #: Loudness of the bed relative to the voice, in LU: full, and ducked under speech.
    full_lu: float = -8.0
    ducked_lu: float = -24.0


@dataclass(frozen=True)
class Sounds:
    """The episode's intro and outro sounds and music bed, as mono 16-bit PCM at the episode's rate.

    ``None`` leaves the part out. Levels are matched to the voice when the episode is laid out.
    """

    intro: bytes | None
    outro: bytes | None
    bed: bytes | None = None
    bed_shape: Bed = Bed()
    #: Loudness of the intro and outro relative to the voice, in LU (the chime sits below it).
    intro_lu: float = 0.0
    outro_lu: float = 0.0

    @classmethod
    def default(cls, rate: int) -> Sounds:
        """The generated chime at both ends, a little under the voice."""
        ring = chime(rate).raw_data
        return cls(intro=ring, outro=ring, intro_lu=-4.0, outro_lu=-4.0)


#: The longest intro, outro or music bed narrate reads, in seconds.
MAX_SOUND_SECONDS = 300


def load_sound(path: Path, rate: int, what: str) -> bytes:
    """A producer's sound file (any format ffmpeg reads) as mono 16-bit PCM at ``rate``."""
    if not path.is_file():
        raise AudioError(f"the {what} file {path} does not exist")
    try:
        pcm = run_ffmpeg(
            ["-i", str(path), "-map", "0:a:0", "-t", str(MAX_SOUND_SECONDS),
             "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(rate), "pipe:1"]
        )  # fmt: skip
    except AudioError as exc:
        raise AudioError(f"cannot read the {what} file {path}: {exc}") from exc
    if not pcm:
        raise AudioError(f"the {what} file {path} has no sound in it")
    return pcm


@dataclass(frozen=True)
class Timeline:
    """Where everything landed in the laid-out episode, in frames at ``rate``."""

    rate: int
    frames: int
    chapters: tuple[Chapter, ...]
    #: Start and end frame of each chunk's speech, in speaking order.
    chunks: tuple[tuple[int, int], ...]
    #: The frames of each segment's speech, with a little silence around it.
    segments: tuple[tuple[int, int], ...]
    #: The frame each chapter starts at (the first is 0: the intro belongs to it).
    chapter_starts: tuple[int, ...] = ()
    #: The frame the outro sound starts at; None without one.
    outro: int | None = None
    #: How many frames of silence were cut from the start of each chunk's audio (an engine's
    #: word timings count from the uncut audio).
    leads: tuple[int, ...] = ()

    @property
    def duration_ms(self) -> int:
        return frames_to_ms(self.frames, self.rate)

    def ms(self, frame: int) -> int:
        return frames_to_ms(frame, self.rate)


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
    i = np.arange(n)
    t = i / rate
    local = np.where(i < half, i, i - half) / rate
    freq = np.where(i < half, 659.25, 987.77)  # E5 then B5
    remaining = (half - np.where(i < half, i, i - half)) / rate
    # 12 ms attack, exponential decay, and a 60 ms release so no note ends in a click.
    envelope = (
        np.minimum(1.0, local / 0.012) * np.exp(-local * 7.0) * np.minimum(1.0, remaining / 0.06)
    )
    value = 0.35 * envelope * (np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t))
    samples = (np.clip(value, -1.0, 1.0) * 32767).astype("<i2")
    return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)


#: Trimming: 5 ms windows; speech starts at the first window within 40 dB of the loudest.
_TRIM_WINDOW_MS = 5
_TRIM_RANGE_DB = 40.0
_TRIM_FLOOR = 24  # about -63 dBFS: below this a window is silence whatever the peak
_KEEP_BEFORE_MS = 10
_KEEP_AFTER_MS = 40


def trim_silence(pcm: bytes, rate: int) -> bytes:
    """``pcm`` (mono s16le) without the silence before its first sound and after its last.

    A few milliseconds are kept on each side so no attack or decay is cut. All silence
    is returned as it was (nothing to trim to).
    """
    start, end = trim_bounds(pcm, rate)
    return pcm[2 * start : 2 * end]


def trim_bounds(pcm: bytes, rate: int) -> tuple[int, int]:
    """The first and the end frame of what :func:`trim_silence` keeps of ``pcm``."""
    samples = np.frombuffer(pcm, dtype="<i2")
    window = max(1, rate * _TRIM_WINDOW_MS // 1000)
    count = len(samples) // window
    if count == 0:
        return 0, len(samples)
    frames = samples[: count * window].astype(np.float64).reshape(count, window)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    threshold = max(float(rms.max()) * 10 ** (-_TRIM_RANGE_DB / 20), _TRIM_FLOOR)
    loud = np.flatnonzero(rms > threshold)
    if len(loud) == 0:
        return 0, len(samples)
    start = max(0, int(loud[0]) * window - rate * _KEEP_BEFORE_MS // 1000)
    end = min(len(samples), (int(loud[-1]) + 1) * window + rate * _KEEP_AFTER_MS // 1000)
    return start, end


def _gain(pcm: bytes, db: float) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * 10 ** (db / 20)
    result: bytes = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    return result


def _loudness(pcm: bytes, rate: int) -> float:
    return analyze_pcm(pcm, rate).integrated()


def _fit_bed(bed: bytes, frames: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``bed`` looped or cut to ``frames`` samples, as floats."""
    source = np.frombuffer(bed, dtype="<i2").astype(np.float64)
    if len(source) == 0:
        return np.zeros(frames)
    repeats = -(-frames // len(source))
    return np.tile(source, repeats)[:frames]


def _duck(
    speech: bytes, bed: bytes, rate: int, shape: Bed, full_db: float, ducked_db: float
) -> bytes:
    """The spoken intro over the bed: bed in at full level, down under the voice, up and out."""
    ms = rate / 1000
    lead, duck = int(shape.lead_ms * ms), int(shape.duck_ms * ms)
    tail, fade = int(shape.tail_ms * ms), int(shape.fade_ms * ms)
    voice = np.frombuffer(speech, dtype="<i2").astype(np.float64)
    total = lead + len(voice) + tail + fade
    full, low = 10 ** (full_db / 20), 10 ** (ducked_db / 20)
    envelope = np.full(total, low)
    envelope[: lead - duck] = full
    envelope[lead - duck : lead] = np.linspace(full, low, duck)
    after = lead + len(voice)
    envelope[after : after + duck] = np.linspace(low, full, duck)
    envelope[after + duck : after + tail] = full
    envelope[after + tail :] = np.linspace(full, 0.0, total - after - tail)
    mixed = _fit_bed(bed, total) * envelope
    mixed[lead:after] += voice
    result: bytes = np.clip(mixed, -32768, 32767).astype("<i2").tobytes()
    return result


@dataclass(frozen=True)
class SegmentShape:
    """A segment's chunk texts (each pause depends on how a chunk ends): heading, paragraphs."""

    chapter_title: str
    heading: tuple[str, ...]
    paragraphs: tuple[tuple[str, ...], ...]


def _layout(
    intro: Sequence[str], segments: Sequence[SegmentShape], pauses: Pauses
) -> Iterator[tuple[str, int | str]]:
    """The running order, as events: ("intro-start"|"intro-end"|"outro", 0), ("pause", ms),
    ("chunk", 0), ("chapter", title), ("segment-start"|"segment-end", index)."""
    yield "intro-start", 0
    for position in range(len(intro)):
        if position:
            yield "pause", pauses.after_chunk(intro[position - 1])
        yield "chunk", 0
    yield "intro-end", 0
    for index, segment in enumerate(segments):
        if index:
            yield "pause", pauses.between_segments
        yield "chapter", segment.chapter_title
        yield "segment-start", index
        if segment.heading:
            for position in range(len(segment.heading)):
                if position:
                    yield "pause", pauses.after_chunk(segment.heading[position - 1])
                yield "chunk", 0
            yield "pause", pauses.after_heading
        for p_index, chunks in enumerate(segment.paragraphs):
            if p_index:
                yield "pause", pauses.between_paragraphs
            for position in range(len(chunks)):
                if position:
                    yield "pause", pauses.after_chunk(chunks[position - 1])
                yield "chunk", 0
        yield "segment-end", index
    yield "outro", 0


class Assembler:
    """Lays the episode out as its chunks arrive, in speaking order, passing PCM to ``write``.

    Each chunk is trimmed of the engine's own silence and followed by narrate's pauses, so
    a chunk's first frame is the moment its first word starts. Nothing is joined or kept
    except the intro (intro sound, spoken intro, music bed: a few seconds, mixed once the
    voice's loudness is known); chapter starts and chunk spans are counted in frames on the
    way. The first chapter starts at 0 so that the intro belongs to it; every other chapter
    starts at the first frame of its spoken heading, and ends where the next begins.
    """

    def __init__(
        self,
        intro: Sequence[str],
        segments: Sequence[SegmentShape],
        rate: int,
        write: Callable[[bytes], object],
        pauses: Pauses = Pauses(),
        sounds: Sounds | None = None,
    ) -> None:
        self.rate = rate
        self.frames = 0
        self.pauses = pauses
        self.sounds = sounds if sounds is not None else Sounds.default(rate)
        self._write = write
        self._held: list[bytes] | None = None
        self._held_frames = 0
        self._speech_level: float | None = None
        self._starts: list[tuple[str, int]] = []
        self._chunks: list[tuple[int, int]] = []
        self._leads: list[int] = []
        self._segment_chunks: list[list[int]] = [[] for _ in segments]
        self._segment: int | None = None
        self._outro: int | None = None
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
        first, end = trim_bounds(piece.raw_data, self.rate)
        speech = piece.raw_data[2 * first : 2 * end]
        self._leads.append(first)
        start = self._position()
        self._put(speech)
        self._chunks.append((start, self._position()))
        if self._segment is not None:
            self._segment_chunks[self._segment].append(len(self._chunks) - 1)
        self._run()

    def finish(self) -> tuple[Chapter, ...]:
        """The chapters, once every chunk has been added."""
        return self.timeline().chapters

    def timeline(self) -> Timeline:
        if self._waiting or self._held is not None:
            raise ValueError("fewer pieces of audio than the episode has chunks")
        starts = [start for _, start in self._starts]
        ends = [*starts[1:], self.frames]
        chapters = tuple(
            Chapter(title, frames_to_ms(start, self.rate), frames_to_ms(end, self.rate))
            for (title, start), end in zip(self._starts, ends, strict=True)
        )
        return Timeline(
            rate=self.rate,
            frames=self.frames,
            chapters=chapters,
            chunks=tuple(self._chunks),
            leads=tuple(self._leads),
            segments=tuple(self._segment_span(i) for i in range(len(self._segment_chunks))),
            chapter_starts=tuple(starts),
            outro=self._outro,
        )

    def _segment_span(self, index: int) -> tuple[int, int]:
        members = self._segment_chunks[index]
        if not members:
            return (0, 0)
        per_ms = self.rate / 1000
        first, last = self._chunks[members[0]][0], self._chunks[members[-1]][1]
        start = max(0, first - round(self.pauses.segment_lead_in * per_ms))
        end = min(self.frames, last + round(self.pauses.segment_tail * per_ms))
        return start, end

    def _position(self) -> int:
        return self.frames + self._held_frames

    def _put(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(data)
            self._held_frames += len(data) // 2
        else:
            self._write(data)
            self.frames += len(data) // 2

    def _silence(self, ms: int) -> None:
        self._put(bytes(2 * (self.rate * ms // 1000)))

    def _start_intro(self) -> None:
        self._held, self._held_frames = [], 0

    def _end_intro(self) -> None:
        """Mix and write the held intro: its sound, the spoken intro over the bed, a pause."""
        assert self._held is not None
        speech = b"".join(self._held)
        self._held, self._held_frames = None, 0
        shift = 0  # frames added in front of the spoken intro
        sounds = self.sounds
        level = _loudness(speech, self.rate) if speech else -70.0
        self._speech_level = level if level > -70.0 else None
        if sounds.intro is not None:
            self._put(self._matched(sounds.intro, sounds.intro_lu))
            self._silence(self.pauses.after_intro_sound)
            shift = self.frames
        if sounds.bed is not None and speech:
            reference = self._speech_level if self._speech_level is not None else -20.0
            bed_level = _loudness(sounds.bed, self.rate)
            offset = reference - bed_level if bed_level > -70.0 else 0.0
            shape = sounds.bed_shape
            mixed = _duck(
                speech, sounds.bed, self.rate, shape,
                offset + shape.full_lu, offset + shape.ducked_lu,
            )  # fmt: skip
            shift += self.rate * shape.lead_ms // 1000
            self._put(mixed)
        else:
            self._put(speech)
            self._silence(self.pauses.after_intro)
        if shift:
            self._chunks = [(start + shift, end + shift) for start, end in self._chunks]

    def _matched(self, pcm: bytes, relative_lu: float) -> bytes:
        """``pcm`` at the voice's loudness plus ``relative_lu`` (unchanged if either is unknown)."""
        if self._speech_level is None:
            return pcm
        level = _loudness(pcm, self.rate)
        if level <= -70.0:
            return pcm
        return _gain(pcm, self._speech_level + relative_lu - level)

    def _run(self) -> None:
        """Lay out pauses, sounds and chapter marks up to the next chunk (or the end)."""
        self._waiting = False
        for kind, value in self._events:
            if kind == "chunk":
                self._waiting = True
                return
            if kind == "pause":
                self._silence(int(value))
            elif kind == "intro-start":
                self._start_intro()
            elif kind == "intro-end":
                self._end_intro()
            elif kind == "segment-start":
                self._segment = int(value)
            elif kind == "segment-end":
                self._segment = None
            elif kind == "outro":
                self._silence(self.pauses.between_segments if self.sounds.outro is None
                              else self.pauses.before_outro)  # fmt: skip
                if self.sounds.outro is not None:
                    self._outro = self._position()
                    self._put(self._matched(self.sounds.outro, self.sounds.outro_lu))
                    self._silence(self.pauses.after_outro)
            else:
                self._starts.append((str(value), self._position() if self._starts else 0))


class Mp3Encoder:
    """An ffmpeg encoding PCM to CBR mono 44.1 kHz MP3 as it is written, on another core.

    Use as a context manager: leaving it normally waits for the encoder and raises
    :class:`AudioError` if it failed; leaving it with an exception kills the encoder.
    """

    def __init__(
        self, destination: Path, rate: int, kbps: int = DEFAULT_KBPS, filters: str | None = None
    ) -> None:
        self._process = start_ffmpeg(_encode_args(destination, rate, kbps, filters))

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


def _encode_args(destination: Path, rate: int, kbps: int, filters: str | None = None) -> list[str]:
    if kbps not in CBR_KBPS:
        raise ValueError(f"bitrate {kbps} kbps is not one of {', '.join(map(str, CBR_KBPS))}")
    # Resample first, so a limiter works on the samples the encoder gets.
    chain = f"aresample={OUTPUT_SAMPLE_RATE}" + (f",{filters}" if filters else "")
    return [
        "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-af", chain, "-ac", "1", "-ar", str(OUTPUT_SAMPLE_RATE),
        "-codec:a", "libmp3lame", "-b:a", f"{kbps}k",
        "-id3v2_version", "0", "-write_id3v1", "0",
        "-f", "mp3", "-y", str(destination),
    ]  # fmt: skip


#: Bytes read from the PCM file at a time when encoding a stretch of it.
_READ_BLOCK = 1 << 20


def encode_range(
    pcm_file: Path,
    rate: int,
    frames: tuple[int, int],
    destination: Path,
    kbps: int = DEFAULT_KBPS,
    filters: str | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> None:
    """Encode frames ``start``..``end`` of a mono s16le PCM file to MP3, a block at a time.

    The file is read in 1 MiB blocks and piped to ffmpeg, so memory stays flat however long
    the episode is; ``filters`` (gain, limiter) run after resampling to 44.1 kHz.
    ``on_progress`` is told the frames of each block handed to the encoder.
    """
    start, end = frames
    remaining = 2 * (end - start)
    with Mp3Encoder(destination, rate, kbps, filters) as encoder, pcm_file.open("rb") as source:
        source.seek(2 * start)
        while remaining > 0:
            block = source.read(min(_READ_BLOCK, remaining))
            if not block:
                break
            encoder.write(block)
            remaining -= len(block)
            if on_progress is not None:
                on_progress(len(block) // 2)
    check_encoded(destination, (end - start) / rate, kbps)


def check_encoded(path: Path, seconds: float, kbps: int) -> None:
    """Raise AudioError unless ``path`` holds about ``seconds`` of ``kbps`` CBR audio.

    An encoder that ends "successfully" but writes short (a full disk it did not notice, a
    wrapper that cut it) must never be tagged and published as the whole episode.
    """
    expected = seconds * kbps * 125
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"the encoder left no MP3 ({exc.strerror})") from exc
    if size < 0.97 * expected - 4096:
        raise AudioError(
            f"the encoder wrote {size} bytes for {seconds:.1f} s of audio at {kbps} kbps "
            f"(about {expected:.0f} expected): the MP3 is incomplete"
        )
