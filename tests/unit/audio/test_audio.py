"""Assembly and encoding, with synthetic audio whose lengths are known to the frame."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode
from pydub import AudioSegment
from pydub.generators import Sine

from narrate.audio import assemble as audio
from narrate.audio.assemble import Assembler, Pauses, SegmentShape, Sounds, Timeline, frames_to_ms
from narrate.errors import AudioError
from narrate.models import Chapter
from tests.media import decode, ffprobe, rms_dbfs

RATE = 22050


def tone(ms: int, freq: float = 440.0) -> AudioSegment:
    return Sine(freq, sample_rate=RATE).to_audio_segment(duration=ms).set_sample_width(2)


@dataclass(frozen=True)
class SegmentAudio:
    """One segment's speech: chapter title, spoken heading (empty for the lead), paragraphs."""

    chapter_title: str
    heading: Sequence[AudioSegment]
    paragraphs: Sequence[Sequence[AudioSegment]]


@dataclass(frozen=True)
class EpisodeAudio:
    """What :func:`assemble` laid out: the PCM, joined, and its chapters and timeline."""

    audio: AudioSegment
    chapters: tuple[Chapter, ...]
    timeline: Timeline

    @property
    def duration_ms(self) -> int:
        return frames_to_ms(int(self.audio.frame_count()), self.audio.frame_rate)


def assemble(
    intro: Sequence[AudioSegment],
    segments: Sequence[SegmentAudio],
    rate: int,
    pauses: Pauses = audio.DEFAULT_PAUSES,
    sounds: Sounds | None = None,
) -> EpisodeAudio:
    """Drive the build's :class:`Assembler` with known pieces and keep what it writes.

    The pieces have no text here, so every join inside a paragraph gets a sentence's pause.
    """
    pieces: list[bytes] = []
    shapes = [
        SegmentShape(
            s.chapter_title, ("",) * len(s.heading), tuple(("",) * len(p) for p in s.paragraphs)
        )
        for s in segments
    ]
    line = Assembler(("",) * len(intro), shapes, rate, pieces.append, pauses, sounds)
    for piece in intro:
        line.add(piece)
    for segment in segments:
        for piece in segment.heading:
            line.add(piece)
        for paragraph in segment.paragraphs:
            for piece in paragraph:
                line.add(piece)
    timeline = line.timeline()
    joined = AudioSegment(data=b"".join(pieces), sample_width=2, frame_rate=rate, channels=1)
    return EpisodeAudio(audio=joined, chapters=timeline.chapters, timeline=timeline)


def encode_mp3(sound: AudioSegment, destination: Path, kbps: int) -> None:
    """The build's encoder (:func:`audio.encode_range`) over the whole of ``sound``."""
    pcm = destination.with_suffix(".pcm")
    pcm.write_bytes(sound.raw_data)
    audio.encode_range(pcm, sound.frame_rate, (0, int(sound.frame_count())), destination, kbps)


def test_chapters_start_where_each_heading_is_laid_and_nothing_is_crossfaded() -> None:
    pauses = Pauses()
    intro = [tone(1000), tone(500)]
    segments = [
        SegmentAudio("العنوان", heading=[], paragraphs=[[tone(2000), tone(300)], [tone(700)]]),
        SegmentAudio("سقوط حلب", heading=[tone(800)], paragraphs=[[tone(1500)]]),
        SegmentAudio("حلب.. قبل الحرب", heading=[tone(600)], paragraphs=[[tone(900)], [tone(400)]]),
    ]
    result = assemble(intro, segments, rate=RATE, pauses=pauses)

    chime_ms = len(audio.chime(RATE))
    sentence = pauses.between_sentences  # no text here: every join is a sentence's pause
    intro_end = chime_ms + pauses.after_intro_sound + 1000 + sentence + 500 + pauses.after_intro
    seg1_end = intro_end + 2000 + sentence + 300 + pauses.between_paragraphs + 700
    seg2_start = seg1_end + pauses.between_segments
    seg2_end = seg2_start + 800 + pauses.after_heading + 1500
    seg3_start = seg2_end + pauses.between_segments
    seg3_end = seg3_start + 600 + pauses.after_heading + 900 + pauses.between_paragraphs + 400
    total = seg3_end + pauses.before_outro + chime_ms + pauses.after_outro

    assert [c.title for c in result.chapters] == ["العنوان", "سقوط حلب", "حلب.. قبل الحرب"]
    assert [c.start_ms for c in result.chapters] == [0, seg2_start, seg3_start]
    assert [c.end_ms for c in result.chapters] == [seg2_start, seg3_start, total]
    assert result.duration_ms == total
    assert result.audio.frame_rate == RATE and result.audio.channels == 1
    # Each segment's own file: its speech with a little silence either side.
    ms = result.timeline.ms
    spans = [(ms(start), ms(end)) for start, end in result.timeline.segments]
    assert spans[1] == (seg2_start - pauses.segment_lead_in, seg2_end + pauses.segment_tail)
    assert spans[0][0] == intro_end - pauses.segment_lead_in
    # The chunk spans are where each piece of speech lies.
    assert result.timeline.chunks[0] == (
        (chime_ms + pauses.after_intro_sound) * RATE // 1000,
        (chime_ms + pauses.after_intro_sound + 1000) * RATE // 1000,
    )


def test_pauses_inside_a_paragraph_follow_the_mark_each_chunk_ends_with() -> None:
    pauses = Pauses()
    texts = ("انتهى الاجتماع.", "في دمشق،", "وفي حلب", "انتهى")
    shape = audio.SegmentShape("t", (), (texts,))
    pieces: list[bytes] = []
    line = audio.Assembler(
        ("مقدمة.",), [shape], RATE, pieces.append, pauses, audio.Sounds(intro=None, outro=None)
    )
    for _ in range(5):
        line.add(tone(100))
    chunks = line.timeline().chunks
    gaps = [(b[0] - a[1]) * 1000 // RATE for a, b in itertools.pairwise(chunks[1:])]
    assert gaps == [pauses.between_sentences, pauses.between_clauses, pauses.within_clause]


def test_the_silence_an_engine_leaves_around_speech_is_trimmed() -> None:
    speech = tone(500)
    padded = AudioSegment.silent(300, RATE) + speech + AudioSegment.silent(400, RATE)
    trimmed = audio.trim_silence(padded.raw_data, RATE)
    ms = len(trimmed) // 2 * 1000 // RATE
    assert 500 <= ms <= 500 + 10 + 40 + 10  # the kept margins, and a window's rounding
    assert audio.trim_silence(bytes(2000), RATE) == bytes(2000)  # all silence: left alone


def test_assembly_joins_once_without_adding_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object) -> None:
        raise AssertionError("assembly must join raw data once, not add AudioSegments")

    monkeypatch.setattr(AudioSegment, "__add__", forbidden)
    monkeypatch.setattr(AudioSegment, "append", forbidden)
    result = assemble([tone(100)], [SegmentAudio("t", [], [[tone(200)] * 50])], rate=RATE)
    assert result.duration_ms > 50 * 200


def test_pieces_at_other_rates_are_converted_not_misread() -> None:
    piece = Sine(440, sample_rate=24000).to_audio_segment(duration=1000).set_sample_width(2)
    result = assemble(
        [],
        [SegmentAudio("t", [], [[piece]])],
        rate=RATE,
        sounds=audio.Sounds(intro=None, outro=None),
    )
    pauses = Pauses()
    expected = pauses.after_intro + 1000 + pauses.between_segments
    assert abs(result.duration_ms - expected) <= 1


def test_a_music_bed_ducks_under_the_spoken_intro_and_fades_out() -> None:
    bed = Sine(220, sample_rate=RATE).to_audio_segment(duration=3000).set_sample_width(2)
    sounds = audio.Sounds(intro=None, outro=None, bed=bed.raw_data)
    voice = Sine(880, sample_rate=RATE).to_audio_segment(duration=2000).set_sample_width(2)
    result = assemble([voice], [SegmentAudio("t", [], [[tone(300)]])], RATE, sounds=sounds)
    shape = sounds.bed_shape
    samples = array("h", result.audio.raw_data)
    per_ms = RATE // 1000 if RATE % 1000 == 0 else RATE / 1000

    def level(start_ms: int, end_ms: int) -> float:
        return rms_dbfs(samples, round(start_ms * per_ms), round(end_ms * per_ms))

    def bed_level(start_ms: int, end_ms: int) -> float:
        # The bed alone, under the voice: filter out the 880 Hz voice by subtracting it.
        mixed = result.audio[start_ms:end_ms]
        alone = voice[start_ms - shape.lead_ms : end_ms - shape.lead_ms]
        residue = array("h", mixed.raw_data)
        spoken = array("h", alone.raw_data)
        diff = array("h", (a - b for a, b in zip(residue, spoken, strict=False)))
        return rms_dbfs(diff, 0, len(diff))

    full = level(200, shape.lead_ms - shape.duck_ms - 100)
    ducked = bed_level(shape.lead_ms + 300, shape.lead_ms + 1700)
    assert full > -40  # the bed plays before the voice
    assert ducked < full - 12  # and is well down under it
    # The voice starts when the bed has ducked, and the chunk span says so.
    assert result.timeline.chunks[0][0] == shape.lead_ms * RATE // 1000
    # After the voice the bed comes back up, then fades to nothing before the first segment.
    after = shape.lead_ms + 2000
    assert level(after + shape.duck_ms + 100, after + shape.tail_ms) > ducked + 10
    fade_end = after + shape.tail_ms + shape.fade_ms
    assert level(fade_end - 60, fade_end) < full - 20


def test_sound_files_are_decoded_or_refused_in_one_line(tmp_path: Path) -> None:
    wav = tmp_path / "jingle.wav"
    Sine(440, sample_rate=48000).to_audio_segment(duration=500).export(wav, format="wav")
    pcm = audio.load_sound(wav, RATE, "intro")
    assert abs(len(pcm) // 2 - RATE // 2) <= 2
    with pytest.raises(AudioError, match=r"the intro file .* does not exist"):
        audio.load_sound(tmp_path / "missing.mp3", RATE, "intro")
    junk = tmp_path / "notes.mp3"
    junk.write_text("not audio", encoding="utf-8")
    with pytest.raises(AudioError, match="cannot read the outro file"):
        audio.load_sound(junk, RATE, "outro")


def test_chime_is_short_audible_and_fades_out() -> None:
    sound = audio.chime(RATE)
    assert 500 <= len(sound) <= 1000
    assert sound.max_dBFS > -12
    assert sound[-30:].dBFS < sound[:200].dBFS - 20


def test_encode_mp3_is_constant_bitrate_mono_44k(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    source = tone(3000)
    encode_mp3(source, target, kbps=64)

    info = MP3(target).info
    assert info.bitrate_mode == BitrateMode.CBR
    assert (info.channels, info.sample_rate) == (1, 44100)
    assert abs(info.bitrate - 64000) < 100  # mutagen derives it from the Info header
    stream = ffprobe(target)["streams"][0]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "44100")
    assert abs(float(ffprobe(target)["format"]["duration"]) - 3.0) < 0.06
    samples = decode(target, rate=8000)
    assert rms_dbfs(samples, 4000, 20000) > -10


def test_encode_rejects_a_bitrate_lame_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bitrate 65 kbps"):
        encode_mp3(tone(100), tmp_path / "x.mp3", kbps=65)
