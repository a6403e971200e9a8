"""Joining MP3 pieces encoded apart: real LAME encodes, decoded by a real ffmpeg and ffprobe."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3, BitrateMode

from narrate.audio import assemble as audio
from narrate.audio import mp3join
from narrate.errors import AudioError
from narrate.ffmpeg import OUTPUT_SAMPLE_RATE, run_ffmpeg
from tests.media import ffprobe
from tests.paths import DATA

RATE = 22050
OUT = OUTPUT_SAMPLE_RATE
#: Clicks a few samples wide at these frames of a 9 s PCM, cut into three pieces at CUTS.
CLICKS = (RATE, 3 * RATE + 123, 4 * RATE + 777, 5 * RATE + 5, 8 * RATE)
CUTS = (0, 2 * RATE + 1000, 6 * RATE + 17, 9 * RATE)


def decode_all(path: Path) -> np.ndarray:
    """Every sample ffmpeg decodes at 44.1 kHz (it trims the Info header's delays)."""
    pcm = run_ffmpeg(["-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(OUT), "-"])
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float64)


@pytest.fixture(scope="module", params=[64, 32], ids=["64k", "32k"])
def pieces(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> list[Path]:
    """Three pieces at 64 kbps, or at 32 kbps, where ffmpeg's header frame is a 56 kbps one."""
    folder = tmp_path_factory.mktemp("pieces")
    samples = np.zeros(CUTS[-1], dtype=np.int16)
    for click in CLICKS:
        samples[click : click + 3] = 20000
    pcm = folder / "all.pcm"
    pcm.write_bytes(samples.tobytes())
    paths = []
    for index, frames in enumerate(itertools.pairwise(CUTS)):
        path = folder / f"piece{index}.mp3"
        audio.encode_range(pcm, RATE, frames, path, request.param, "volume=0dB")
        paths.append(path)
    return paths


def test_each_click_is_heard_where_join_says(pieces: list[Path], tmp_path: Path) -> None:
    joined = mp3join.join(pieces, tmp_path / "joined.mp3")
    decoded = decode_all(tmp_path / "joined.mp3")
    assert len(decoded) == joined.samples
    for click in CLICKS:
        index = max(i for i in range(len(pieces)) if CUTS[i] <= click)
        expected = joined.starts[index] + (click - CUTS[index]) * OUT // RATE
        window = np.abs(decoded[expected - 2000 : expected + 2000])
        heard = expected - 2000 + int(np.argmax(window))
        assert abs(heard - expected) <= 4, (click, heard, expected)
    # Each join keeps the next piece's encoder delay and the last one's padding: a few tens
    # of milliseconds of silence, never less than nothing.
    for before, after, start, end in zip(
        CUTS, CUTS[1:], joined.starts, joined.starts[1:], strict=False
    ):
        assert (
            0 <= (end - start) - (after - before) * OUT // RATE < 2 * mp3join.FRAME_SAMPLES + 1200
        )


def test_the_joined_header_is_the_whole_files(pieces: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "joined.mp3"
    mp3join.join(pieces, target)
    info = mp3join.read_info(target)  # its sizes and CRCs checked on the way
    assert info.frames == sum(mp3join.read_info(p).frames for p in pieces)
    assert info.music_crc == mp3join.crc16(target.read_bytes()[len(info.raw) :])
    header = bytearray(info.raw)
    at = info.tag_at + 154
    stored = int.from_bytes(header[at : at + 2], "big")
    header[at : at + 2] = b"\0\0"
    assert stored == mp3join.crc16(bytes(header[:190]).ljust(190, b"\0"))
    assert (info.delay, info.padding) == (
        mp3join.read_info(pieces[0]).delay,
        mp3join.read_info(pieces[-1]).padding,
    )
    mp3 = MP3(target)
    assert mp3.info.bitrate_mode == BitrateMode.CBR

    def kbps(path: Path) -> float:
        audio_bytes = path.stat().st_size - len(mp3join.read_info(path).raw)
        return (
            8 * audio_bytes / (mp3join.read_info(path).frames * mp3join.FRAME_SAMPLES / OUT) / 1000
        )

    assert kbps(target) == pytest.approx(kbps(pieces[0]), rel=0.01)
    assert (mp3.info.sample_rate, mp3.info.channels) == (OUT, 1)
    probed = float(ffprobe(target)["format"]["duration"])
    # ffprobe takes the length from the Info header's frame count, as it does for any LAME file.
    assert probed == pytest.approx(info.frames * mp3join.FRAME_SAMPLES / OUT, abs=0.001)


def test_a_piece_that_is_not_what_it_says_is_refused(pieces: list[Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(pieces[1].read_bytes()[:-500])
    with pytest.raises(AudioError, match="not the"):
        mp3join.join([pieces[0], cut], tmp_path / "joined.mp3")
    not_mp3 = tmp_path / "not.mp3"
    not_mp3.write_bytes(b"ID3\x03\x00" + bytes(300))
    with pytest.raises(AudioError, match="not an MPEG-1 Layer III"):
        mp3join.join([not_mp3], tmp_path / "joined.mp3")


def test_crc_combine_agrees_with_the_crc_of_the_whole() -> None:
    rng = np.random.default_rng(7)
    first, second = rng.bytes(5000), rng.bytes(12345)
    combined = mp3join.crc16_combine(mp3join.crc16(first), mp3join.crc16(second), len(second))
    assert combined == mp3join.crc16(first + second)


@pytest.mark.parametrize("kbps", [32, 320])
def test_a_build_at_the_lowest_and_highest_bitrate(tmp_path: Path, kbps: int) -> None:
    """At 32 kbps ffmpeg writes each piece's header in a bigger frame than its audio; at 320
    every frame is big. Either way the episode joins, and plays as long as its pieces say."""
    from mutagen.mp3 import MP3 as Mp3File

    from tests.cli import narrate

    article = DATA / "articles" / "hard-wrapped.txt"
    out = tmp_path / "out"
    run = narrate(
        "build", article, "--engine", "espeak", "-o", out, "--cache-dir", tmp_path / "c",
        "--bitrate", str(kbps), "-q",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (episode,) = out.glob("*.mp3")
    assert Mp3File(episode).info.bitrate_mode == BitrateMode.CBR
    decoded = len(decode_all(episode)) / OUT
    segments = sum(len(decode_all(p)) for p in out.glob(f"{episode.stem}/*.mp3")) / OUT
    assert segments < decoded < segments + 10  # the segments, plus the intro and the outro
