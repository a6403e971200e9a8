"""Making the audio: speak, lay out to a PCM file, measure loudness, encode episode and segments.

The laid-out episode goes to a raw PCM file in a private working folder, never whole into
memory, while ffmpeg measures it on another core (EBU R128, every 100 ms). A few excerpts are
encoded for real through the gain and the peak limiter and measured again, so what the
limiter and the MP3 encoder take is made up; then the episode and each segment are encoded
from that file, each brought to the loudness target on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narrate import audio, loudness
from narrate.audio import Pauses, SegmentShape, Sounds, Timeline
from narrate.cache import Cache
from narrate.engines import Engine
from narrate.loudness import Adjustment, LoudnessLog, LoudnessMeter
from narrate.progress import Reporter
from narrate.script import Script
from narrate.slug import make_slug
from narrate.speak import speak
from narrate.transcript import TimedSentence

log = logging.getLogger(__name__)

#: Longest part of a segment's title kept in its file name.
SEGMENT_SLUG_CHARS = 40


@dataclass(frozen=True)
class SegmentAudioFile:
    """One encoded segment file in the working folder."""

    number: int
    title: str
    name: str
    path: Path
    duration_ms: int


@dataclass(frozen=True)
class Produced:
    """The episode's audio, made in ``folder``: the MP3, each segment's MP3, and their timing."""

    episode: Path
    timeline: Timeline
    segments: tuple[SegmentAudioFile, ...]
    sentences: tuple[TimedSentence, ...]


def segment_file_name(number: int, title: str) -> str:
    """``NN-<slug>.mp3``: numbered so the files sort in order, ASCII for URLs.

    >>> segment_file_name(3, "حلب.. قبل الحرب")
    '03-hlb-qbl-lhrb.mp3'
    >>> segment_file_name(12, "؟؟")
    '12-segment.mp3'
    """
    slug = make_slug(title)[:SEGMENT_SLUG_CHARS].strip("-") or "segment"
    return f"{number:02d}-{slug}.mp3"


def timed_sentences(script: Script, timeline: Timeline) -> tuple[TimedSentence, ...]:
    """Each sentence of the script with the time its first chunk starts and its last ends."""
    out = []
    for sentence in script.sentences:
        start = timeline.chunks[sentence.first][0]
        end = timeline.chunks[sentence.first + sentence.count - 1][1]
        out.append(TimedSentence(timeline.ms(start), timeline.ms(end), sentence.text))
    return tuple(out)


def _seconds(frames: tuple[int, int], rate: int) -> tuple[float, float]:
    return frames[0] / rate, frames[1] / rate


#: The gain is checked on a few stretches of the episode, this many seconds each, encoded for
#: real; rounds of that, and how close is close enough (LU).
_EXCERPT_SECONDS = 20
_EXCERPTS = 3
_FIT_ROUNDS = 3
_FIT_TOLERANCE = 0.1


def _excerpt(pcm: Path, rate: int, frames: int, destination: Path) -> int:
    """Copy a few stretches (start, middle, end) of ``pcm`` to ``destination``; its frames."""
    span = _EXCERPT_SECONDS * rate
    last = max(0, frames - span)
    starts = sorted({last * k // max(1, _EXCERPTS - 1) for k in range(_EXCERPTS)})
    written = 0
    with pcm.open("rb") as source, destination.open("wb") as out:
        for start in starts:
            source.seek(2 * start)
            written += out.write(source.read(2 * min(span, frames - start)))
    return written // 2


def fit_loudness(
    raw: LoudnessLog,
    pcm: Path,
    rate: int,
    frames: int,
    target: float,
    ranges: Sequence[tuple[int, int]],
    kbps: int,
    folder: Path,
) -> tuple[Adjustment, list[Adjustment]]:
    """The adjustments that bring the whole file, and each of ``ranges`` alone, to ``target``.

    ``raw`` is the file's own loudness log: it gives each stretch's gain to the target. Two
    things then take a little loudness away, and both are measured rather than assumed: the
    limiter that keeps true peaks under the ceiling, and the MP3 encoder (LAME takes about
    half a LU from espeak-ng's voice at every bitrate). A few stretches of the episode are
    encoded for real through the gain and limiter and measured again, and the gain raised by
    what was lost until they land within 0.1 LU; every stretch gets the same correction.
    """
    episode = loudness.adjustment(raw, target)
    if raw.integrated() <= -70.0:
        return episode, [episode for _ in ranges]
    sample, encoded = folder / "excerpt.pcm", folder / "excerpt.mp3"
    try:
        size = _excerpt(pcm, rate, frames, sample)
        expected = loudness.analyze(sample, rate).integrated()
        correction = 0.0
        for _ in range(_FIT_ROUNDS):
            trial = episode.plus(correction)
            audio.encode_range(sample, rate, (0, size), encoded, kbps, trial.filters())
            shortfall = expected + trial.gain_db - loudness.analyze(encoded).integrated()
            done = abs(correction - shortfall) < _FIT_TOLERANCE
            correction = shortfall
            if done:
                break
    finally:
        sample.unlink(missing_ok=True)
        encoded.unlink(missing_ok=True)
    segments = []
    for frames_range in ranges:
        start, end = _seconds(frames_range, rate)
        own = loudness.adjustment(raw, target, start, end)
        if raw.integrated(start, end) <= -70.0:
            own = episode  # shorter than one 400 ms block: nothing to measure, the episode's gain
        segments.append(Adjustment(own.gain_db + correction, episode.limit_db or own.limit_db))
    return episode.plus(correction), segments


def produce(
    script: Script,
    engine: Engine,
    reporter: Reporter,
    folder: Path,
    *,
    kbps: int,
    target: float,
    sounds: Sounds | None = None,
    pauses: Pauses = audio.DEFAULT_PAUSES,
    cache: Cache | None = None,
    jobs: int | None = None,
) -> Produced:
    """Speak ``script`` and make ``folder/episode.mp3`` and one MP3 per segment in ``folder``."""
    shapes = [SegmentShape(s.chapter_title, s.heading, s.paragraphs) for s in script.segments]
    rate = engine.sample_rate
    pcm = folder / "episode.pcm"
    # The loudness is measured as the episode is laid out, on another core.
    meter = LoudnessMeter(None, rate)
    try:
        with pcm.open("wb") as out:

            def write(data: bytes) -> None:
                out.write(data)
                meter.write(data)

            line = audio.Assembler(script.intro, shapes, rate, write, pauses, sounds)
            _, stats = speak(script.chunks(), engine, cache, reporter, jobs, sink=line.add)
            timeline = line.timeline()
        raw = meter.finish()
    except BaseException:
        meter.kill()
        raise
    reporter.say(f"Speech: {stats.summary()}")

    episode_adjust, segment_adjusts = fit_loudness(
        raw, pcm, rate, timeline.frames, target, timeline.segments, kbps, folder
    )
    episode = folder / "episode.mp3"
    names = [
        segment_file_name(index + 1, s.chapter_title) for index, s in enumerate(script.segments)
    ]
    # Two encoders at once: the episode on one core, the segments one after another on the other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        whole = pool.submit(
            audio.encode_range,
            pcm, rate, (0, timeline.frames), episode, kbps, episode_adjust.filters(),
        )  # fmt: skip

        def encode_segments() -> None:
            for name, frames, adjust in zip(names, timeline.segments, segment_adjusts, strict=True):
                audio.encode_range(pcm, rate, frames, folder / name, kbps, adjust.filters())

        parts = pool.submit(encode_segments)
        whole.result()
        parts.result()
    segments = tuple(
        SegmentAudioFile(
            number=index + 1,
            title=part.chapter_title,
            name=name,
            path=folder / name,
            duration_ms=timeline.ms(frames[1] - frames[0]),
        )
        for index, (part, name, frames) in enumerate(
            zip(script.segments, names, timeline.segments, strict=True)
        )
    )
    pcm.unlink()
    reporter.say(
        f"Loudness: {target:g} LUFS, true peak at most {loudness.TRUE_PEAK_CEILING:g} dBTP "
        f"(gain {episode_adjust.gain_db:+.1f} dB"
        + (", limited" if episode_adjust.limit_db is not None else "")
        + ")"
    )
    return Produced(
        episode=episode,
        timeline=timeline,
        segments=segments,
        sentences=timed_sentences(script, timeline),
    )
