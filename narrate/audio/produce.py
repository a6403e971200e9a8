"""Making the audio: speak, lay out to a PCM file, measure loudness, encode episode and segments.

The laid-out episode goes to a raw PCM file in a private working folder, never whole into
memory, while ffmpeg measures it on another core (EBU R128, every 100 ms). A few excerpts are
encoded for real through the gain and the peak limiter and measured again, so what the
limiter and the MP3 encoder take is made up; then the episode and each segment are encoded
from that file, each brought to the loudness target on its own.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narrate.audio import assemble as audio
from narrate.audio import loudness, mp3join
from narrate.audio.assemble import Pauses, SegmentShape, Sounds, Timeline
from narrate.audio.loudness import Adjustment, LoudnessLog, LoudnessMeter
from narrate.audio.speak import available_cpus, speak
from narrate.cache import Cache
from narrate.engines import Engine
from narrate.ffmpeg import OUTPUT_SAMPLE_RATE
from narrate.models import (
    Chapter,
    EpisodeAudio,
    Mp3File,
    SegmentMp3,
    TimedSentence,
    WordTiming,
)
from narrate.progress import Reporter, SilentReporter
from narrate.slug import make_slug
from narrate.text.script import Script

log = logging.getLogger(__name__)

#: Longest part of a segment's title kept in its file name.
SEGMENT_SLUG_CHARS = 40


@dataclass(frozen=True)
class Produced:
    """The episode's audio (its files in ``folder``, not yet tagged), and ``timeline``, the
    layout of the speech before encoding."""

    audio: EpisodeAudio
    folder: Path
    timeline: Timeline

    def files(self) -> list[Path]:
        """The episode's MP3, then each segment's, in the working folder."""
        names = [self.audio.file.name, *(part.file.name for part in self.audio.segments)]
        return [self.folder / name for name in names]


@dataclass(frozen=True)
class Piece:
    """A stretch of the laid-out episode encoded on its own: frames, file, adjustment."""

    frames: tuple[int, int]
    path: Path
    adjust: Adjustment


def segment_spans(timeline: Timeline) -> list[tuple[int, int]]:
    """The frames of each segment's own file: from a little before its first word to where the
    next segment's file starts (the last: to the outro sound, or the end).

    The files tile the episode after the intro, so the episode is made of them.
    """
    end = timeline.outro if timeline.outro is not None else timeline.frames
    spans: list[tuple[int, int]] = []
    for start, stop in reversed(timeline.segments):
        if stop <= start:  # a segment with nothing to say: an empty file where the next begins
            start = end
        spans.append((start, end))
        end = start
    return spans[::-1]


class Placement:
    """Where a frame of the laid-out episode is heard in the joined MP3, in milliseconds."""

    def __init__(self, pieces: Sequence[Piece], joined: mp3join.Joined, rate: int) -> None:
        self._firsts = [piece.frames[0] for piece in pieces]
        self._starts = joined.starts
        self._rate = rate
        self.duration_ms = round(joined.samples * 1000 / OUTPUT_SAMPLE_RATE)

    def ms(self, frame: int) -> int:
        index = max(0, bisect.bisect_right(self._firsts, frame) - 1)
        sample = self._starts[index] + (frame - self._firsts[index]) * (
            OUTPUT_SAMPLE_RATE / self._rate
        )
        return min(self.duration_ms, round(sample * 1000 / OUTPUT_SAMPLE_RATE))


def segment_file_name(number: int, title: str) -> str:
    """``NN-<slug>.mp3``: numbered so the files sort in order, ASCII for URLs.

    >>> segment_file_name(3, "حلب.. قبل الحرب")
    '03-hlb-qbl-lhrb.mp3'
    >>> segment_file_name(12, "؟؟")
    '12-segment.mp3'
    """
    slug = make_slug(title)[:SEGMENT_SLUG_CHARS].strip("-") or "segment"
    return f"{number:02d}-{slug}.mp3"


def timed_sentences(
    script: Script,
    timeline: Timeline,
    ms: Callable[[int], int] | None = None,
    words: Sequence[tuple[WordTiming, ...]] = (),
) -> tuple[TimedSentence, ...]:
    """Each sentence of the script with the time its first chunk starts and its last ends
    (``ms``: a frame's time; the layout's own by default), and with ``words`` (each chunk's
    word timings, from its engine) the time of each word its chunks say."""
    to_ms = ms or timeline.ms
    out = []
    for sentence in script.sentences:
        start = timeline.chunks[sentence.first][0]
        end = timeline.chunks[sentence.first + sentence.count - 1][1]
        said = tuple(
            timed
            for index in range(sentence.first, sentence.first + sentence.count)
            if index < len(words)
            for timed in _placed(words[index], timeline, index, to_ms)
        )
        out.append(TimedSentence(to_ms(start), to_ms(end), sentence.text, said))
    return tuple(out)


def _placed(
    said: Sequence[WordTiming], timeline: Timeline, index: int, to_ms: Callable[[int], int]
) -> Iterator[WordTiming]:
    """Chunk ``index``'s word timings (ms into the engine's audio) placed in the episode: less
    the silence trimmed off the chunk's start, and kept within the chunk's speech."""
    start, end = timeline.chunks[index]
    lead = timeline.leads[index] if index < len(timeline.leads) else 0
    rate = timeline.rate

    def frame(at_ms: int) -> int:
        return min(max(start + at_ms * rate // 1000 - lead, start), end)

    for word in said:
        yield WordTiming(word.word, to_ms(frame(word.start_ms)), to_ms(frame(word.end_ms)))


def _seconds(frames: tuple[int, int], rate: int) -> tuple[float, float]:
    return frames[0] / rate, frames[1] / rate


#: How close to the target the encoded audio must land (LU), and how many times the whole
#: episode may be encoded again to get there.
_FIT_TOLERANCE = 0.1
_FIT_ROUNDS = 3
#: Where the encoder's correction starts: what LAME and the limiter usually take from speech
#: (measured: about 0.5 LU from espeak-ng's voice, at every bitrate), so that the first
#: encode is usually the last.
_LIKELY_LOSS = 0.5
#: Seconds of the longest encoded piece measured to learn what the encoder took.
_PROBE_SECONDS = 60


def gains(
    raw: LoudnessLog, target: float, ranges: Sequence[tuple[int, int]], rate: int, correction: float
) -> tuple[Adjustment, list[Adjustment]]:
    """The adjustments that bring the whole episode, and each of ``ranges`` alone, to ``target``
    once the encoder has taken ``correction`` LU.

    ``raw`` is the episode's own loudness log, so every stretch's gain comes from it.
    """
    episode = loudness.adjustment(raw, target)
    if raw.integrated() <= -70.0:
        return episode, [episode for _ in ranges]
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
            said: list[tuple[WordTiming, ...]] = []
            stats = speak(script.chunks(), engine, cache, reporter, jobs, sink=line.add, words=said)
            timeline = line.timeline()
        reporter.say(f"Speech: {stats.summary()}")
        raw = measured(meter, timeline.frames / rate, reporter)
    except BaseException:
        meter.kill()
        raise

    names = [
        segment_file_name(index + 1, s.chapter_title) for index, s in enumerate(script.segments)
    ]
    spans = segment_spans(timeline)
    with_bed = sounds is not None and sounds.bed is not None
    correction = _LIKELY_LOSS
    for round_ in range(_FIT_ROUNDS):
        episode_adjust, segment_adjusts = gains(raw, target, timeline.segments, rate, correction)
        files = [
            Piece(span, folder / name, adjust)
            for span, name, adjust in zip(spans, names, segment_adjusts, strict=True)
        ]
        pieces = episode_pieces(timeline, files, episode_adjust, folder, joined_intro=with_bed)
        label = "Encoding again" if round_ else "Encoding"
        loss = encode_pieces(pcm, rate, kbps, pieces, files, raw, jobs, reporter, label)
        if loss is None or abs(loss - correction) < _FIT_TOLERANCE:
            break
        log.info("the encoder took %.2f LU, not %.2f: encoding again", loss, correction)
        correction = loss
    episode = folder / "episode.mp3"
    joined = mp3join.join([piece.path for piece in pieces], episode)
    audio.check_encoded(episode, joined.samples / OUTPUT_SAMPLE_RATE, kbps)
    for piece in pieces:
        if piece not in files:
            piece.path.unlink()
    place = Placement(pieces, joined, rate)
    segments = tuple(
        SegmentMp3(
            number=index + 1,
            title=part.chapter_title,
            file=Mp3File(file.path.name),
            duration_ms=timeline.ms(file.frames[1] - file.frames[0]),
        )
        for index, (part, file) in enumerate(zip(script.segments, files, strict=True))
    )
    starts = timeline.chapter_starts
    chapters = tuple(
        Chapter(
            chapter.title, place.ms(start), place.ms(end) if end is not None else place.duration_ms
        )
        for chapter, start, end in zip(timeline.chapters, starts, [*starts[1:], None], strict=True)
    )
    pcm.unlink()
    reporter.say(
        f"Loudness: {target:g} LUFS, true peak at most {loudness.TRUE_PEAK_CEILING:g} dBTP "
        f"(gain {episode_adjust.gain_db:+.1f} dB"
        + (", limited" if episode_adjust.limit_db is not None else "")
        + ")"
    )
    made = EpisodeAudio(
        file=Mp3File(episode.name),
        duration_ms=place.duration_ms,
        chapters=chapters,
        segments=segments,
        sentences=timed_sentences(script, timeline, place.ms, said),
    )
    return Produced(made, folder, timeline)


def measured(meter: LoudnessMeter, seconds: float, reporter: Reporter) -> LoudnessLog:
    """The meter's log once it has read the whole episode: a bar over its readings (one per
    100 ms of audio), most of them made already while the episode was spoken."""
    total = max(1, int(seconds / loudness.STEP))
    with reporter.task("Loudness", total, done=min(len(meter.momentary), total)) as task:
        meter.watch(task.advance_to)
        return meter.finish()


def episode_pieces(
    timeline: Timeline,
    files: Sequence[Piece],
    episode: Adjustment,
    folder: Path,
    *,
    joined_intro: bool = False,
) -> list[Piece]:
    """The stretches the episode MP3 is joined from, in order: the intro, each segment's own
    file, the outro sound; the intro and outro at the episode's gain.

    With ``joined_intro`` (a music bed, which may still be fading out as the lead begins) the
    intro and the lead are one piece, so no join falls in the music, and the lead's own file
    is encoded apart.
    """
    first = 1 if joined_intro else 0
    if len(files) > first:
        end_of_intro = files[first].frames[0]  # where the first file of its own begins
    else:  # no later segment (or none at all): the intro runs to the end of the speech
        end_of_intro = files[0].frames[1] if files else timeline.frames
    pieces = [Piece((0, end_of_intro), folder / "intro.part.mp3", episode)]
    pieces += [file for file in files[first:] if file.frames[1] > file.frames[0]]
    end = pieces[-1].frames[1]
    if end < timeline.frames:
        pieces.append(Piece((end, timeline.frames), folder / "outro.part.mp3", episode))
    return [piece for piece in pieces if piece.frames[1] > piece.frames[0]]


def encode_pieces(
    pcm: Path,
    rate: int,
    kbps: int,
    pieces: Sequence[Piece],
    files: Sequence[Piece],
    raw: LoudnessLog,
    jobs: int | None,
    reporter: Reporter | None = None,
    label: str = "Encoding",
) -> float | None:
    """Encode ``pieces`` and the ``files`` not among them, longest first, on every core; return
    what the encoder and limiter took from the longest piece (LU), or None if it is silent.

    The longest piece is measured while the rest are still being encoded: its loudness before
    encoding is in ``raw``, so the difference is the encoder's (as measured, not assumed).
    ``reporter`` shows a bar (``label``) over the frames encoded and measured.
    """
    work = sorted(
        [*pieces, *(file for file in files if file not in pieces)],
        key=lambda piece: piece.frames[0] - piece.frames[1],
    )
    longest = work[0]
    # A minute of it is plenty to measure and costs a third of the cores' time the
    # whole piece would, while they are still encoding.
    start, end = longest.frames
    probe = (start, min(end, start + _PROBE_SECONDS * rate))
    total = sum(piece.frames[1] - piece.frames[0] for piece in work) + probe[1] - probe[0]
    workers = max(1, min(len(work), jobs or available_cpus()))
    with (
        (reporter or SilentReporter()).task(label, total) as task,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):

        def encode(piece: Piece) -> None:
            filters = piece.adjust.filters()
            audio.encode_range(pcm, rate, piece.frames, piece.path, kbps, filters, task.advance)

        encodes = [pool.submit(encode, piece) for piece in work]
        encodes[0].result()
        before = raw.integrated(*_seconds(probe, rate))
        after = loudness.analyze(longest.path, seconds=_PROBE_SECONDS).integrated()
        task.advance(probe[1] - probe[0])
        for done in encodes:
            done.result()
    if before <= -70.0 or after <= -70.0:
        return None
    return before + longest.adjust.gain_db - after
