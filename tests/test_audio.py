"""Assembly and encoding, with synthetic audio whose lengths are known to the frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode
from pydub import AudioSegment
from pydub.generators import Sine

from narrate import audio
from narrate.audio import Pauses, SegmentAudio
from tests.media import decode, ffprobe, rms_dbfs

RATE = 22050


def tone(ms: int, freq: float = 440.0) -> AudioSegment:
    return Sine(freq, sample_rate=RATE).to_audio_segment(duration=ms).set_sample_width(2)


def test_chapters_start_where_each_heading_is_laid_and_nothing_is_crossfaded() -> None:
    pauses = Pauses()
    intro = [tone(1000), tone(500)]
    segments = [
        SegmentAudio("العنوان", heading=[], paragraphs=[[tone(2000), tone(300)], [tone(700)]]),
        SegmentAudio("سقوط حلب", heading=[tone(800)], paragraphs=[[tone(1500)]]),
        SegmentAudio("حلب.. قبل الحرب", heading=[tone(600)], paragraphs=[[tone(900)], [tone(400)]]),
    ]
    result = audio.assemble(intro, segments, rate=RATE, pauses=pauses)

    chime_ms = len(audio.chime(RATE))
    intro_end = chime_ms + pauses.after_chime + 1500 + pauses.after_intro
    seg1_end = intro_end + 2300 + pauses.between_paragraphs + 700
    seg2_start = seg1_end + pauses.between_segments
    seg2_end = seg2_start + 800 + pauses.after_heading + 1500
    seg3_start = seg2_end + pauses.between_segments
    seg3_end = seg3_start + 600 + pauses.after_heading + 900 + pauses.between_paragraphs + 400
    total = seg3_end + pauses.between_segments

    assert [c.title for c in result.chapters] == ["العنوان", "سقوط حلب", "حلب.. قبل الحرب"]
    assert [c.start_ms for c in result.chapters] == [0, seg2_start, seg3_start]
    assert [c.end_ms for c in result.chapters] == [seg2_start, seg3_start, total]
    assert result.duration_ms == total
    assert result.audio.frame_rate == RATE and result.audio.channels == 1


def test_assembly_joins_once_without_adding_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object) -> None:
        raise AssertionError("assembly must join raw data once, not add AudioSegments")

    monkeypatch.setattr(AudioSegment, "__add__", forbidden)
    monkeypatch.setattr(AudioSegment, "append", forbidden)
    result = audio.assemble([tone(100)], [SegmentAudio("t", [], [[tone(200)] * 50])], rate=RATE)
    assert result.duration_ms > 50 * 200


def test_pieces_at_other_rates_are_converted_not_misread() -> None:
    piece = Sine(440, sample_rate=24000).to_audio_segment(duration=1000).set_sample_width(2)
    result = audio.assemble([], [SegmentAudio("t", [], [[piece]])], rate=RATE)
    expected = len(audio.chime(RATE)) + Pauses().after_chime + Pauses().after_intro + 1000
    assert abs(result.duration_ms - (expected + Pauses().between_segments)) <= 1


def test_chime_is_short_audible_and_fades_out() -> None:
    sound = audio.chime(RATE)
    assert 500 <= len(sound) <= 1000
    assert sound.max_dBFS > -12
    assert sound[-30:].dBFS < sound[:200].dBFS - 20


def test_encode_mp3_is_constant_bitrate_mono_44k(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    source = tone(3000)
    audio.encode_mp3(source, target, kbps=64)

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
        audio.encode_mp3(tone(100), tmp_path / "x.mp3", kbps=65)
