"""``narrate build`` of the example with piper: the real command, a real voice, piper's Arabic path.

The voice is the packaged English one with a config that says Arabic (tests/piper_voice.py), so
every step an Arabic piper voice takes runs: piper's tashkeel, espeak-ng's Arabic phonemes, the
model in worker processes. The example is built once for the whole module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
import webvtt
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from tests.cli import Run, narrate
from tests.conftest import BASE_URL, DATE
from tests.media import ffprobe
from tests.paths import EXPECTED_PLAN
from tests.piper_voice import arabic_voice, needs_piper

pytestmark = needs_piper

SLUG = "damascus-to-moscow"


@dataclass(frozen=True)
class PiperBuild:
    run: Run
    output: Path
    mp3: Path


@pytest.fixture(scope="module")
def piper_build(tmp_path_factory: pytest.TempPathFactory, example_article: Path) -> PiperBuild:
    root = tmp_path_factory.mktemp("piper-build")
    voice = arabic_voice(root / "voices")
    output = root / "output"
    run = narrate(
        "build", example_article, "--engine", "piper", "--voice", voice,
        "--output-dir", output, "--base-url", BASE_URL, "--date", DATE,
        env={"NARRATE_CACHE_DIR": str(root / "cache"), "NARRATE_DATA_DIR": str(root / "data")},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return PiperBuild(run, output, output / f"{SLUG}.mp3")


def test_the_build_says_it_speaks_with_piper(piper_build: PiperBuild) -> None:
    lines = piper_build.run.stderr.splitlines()
    assert "Engine: piper (chosen with --engine piper)" in lines
    assert "Traceback" not in piper_build.run.stderr


def test_the_episode_is_a_tagged_mp3_with_a_chapter_per_segment(piper_build: PiperBuild) -> None:
    expected = json.loads(EXPECTED_PLAN.read_text("utf-8"))["segments"]
    mp3 = MP3(piper_build.mp3)
    assert (mp3.info.channels, mp3.info.sample_rate) == (1, 44100)
    # ~820 words read by an English voice from Arabic phonemes: slow, but speech throughout.
    assert 4 * 60 < mp3.info.length < 20 * 60
    tags = ID3(piper_build.mp3)
    (engine,) = [frame for frame in tags.getall("TXXX") if frame.desc == "narrate:engine"]
    assert str(engine) == "piper 1.8.0 (voice joe-ar, espeak ar)"
    (toc,) = tags.getall("CTOC")
    chapters = {frame.element_id: frame for frame in tags.getall("CHAP")}
    assert toc.child_element_ids == [f"ch{i}" for i in range(len(expected))]
    assert sorted(chapters) == sorted(toc.child_element_ids)
    starts = [chapters[i].start_time for i in toc.child_element_ids]
    assert starts == sorted(starts) and starts[0] == 0
    titles = [c["tags"]["title"] for c in ffprobe(piper_build.mp3)["chapters"]]
    assert titles == [s["heading"] or "المقدمة" for s in expected]


def test_each_segment_has_its_file_and_the_transcripts_follow_the_speech(
    piper_build: PiperBuild,
) -> None:
    folder = piper_build.output / SLUG
    segments = sorted(folder.glob("*.mp3"))
    expected = json.loads(EXPECTED_PLAN.read_text("utf-8"))["segments"]
    assert len(segments) == len(expected)
    for path in segments:
        assert MP3(path).info.length > 5
    cues = webvtt.read(str(folder / "transcript.vtt"))
    assert len(cues) >= 40
    total = MP3(piper_build.mp3).info.length * 1000
    last_end = cues[-1].end_in_seconds * 1000
    assert total - 15_000 < last_end <= total
    assert (folder / "transcript.srt").read_text("utf-8").count(" --> ") == len(cues)
    assert len(json.loads((folder / "transcript.json").read_text("utf-8"))["segments"]) == len(cues)


def test_the_feed_has_the_episode(piper_build: PiperBuild) -> None:
    feed = feedparser.parse((piper_build.output / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"{BASE_URL}{SLUG}.mp3"
    assert int(enclosure.length) == piper_build.mp3.stat().st_size
