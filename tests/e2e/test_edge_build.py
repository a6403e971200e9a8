"""``narrate build --engine edge`` in a real ``narrate`` process, against a fake Microsoft Edge.

The real edge-tts client in the build speaks the real websocket protocol to the fake on
127.0.0.1 (``NARRATE_EDGE_ENDPOINT``), which answers each chunk with espeak-ng's speech of its
words in Microsoft's MP3 format and a word boundary for each. The build's files are read back:
the episode's tags and chapters (mutagen), a file per segment, the transcripts and the feed.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import feedparser
import webvtt
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from narrate.engines.edge import ENDPOINT_ENV
from tests.cli import narrate
from tests.conftest import BASE_URL, DATE
from tests.fake_edge import FakeEdge, speech
from tests.paths import EXAMPLE, EXPECTED_PLAN

VOICE = "ar-SA-HamedNeural"


def json_ms(timestamp: str) -> int:
    """``00:01:02.345`` in milliseconds."""
    hours, minutes, seconds = timestamp.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def test_an_edge_build_makes_a_whole_episode(tmp_path: Path) -> None:
    output = tmp_path / "out"
    with FakeEdge() as edge:
        run = narrate(
            "build", EXAMPLE, "--engine", "edge", "--voice", VOICE, "--output-dir", output,
            "--base-url", BASE_URL, "--date", DATE, "--cache-dir", tmp_path / "cache",
            env={ENDPOINT_ENV: edge.endpoint},
        )  # fmt: skip
        exchanges = edge.exchanges
    assert run.returncode == 0, run.stderr
    assert "Engine: edge (chosen with --engine edge)" in run.stderr.splitlines(), run.stderr
    assert "Traceback" not in run.stderr

    # Every chunk went to the fake, once, in the voice asked for, at most 500 characters long.
    texts = [e.text or "" for e in exchanges]
    assert exchanges and all(e.status == 101 for e in exchanges)
    assert {e.voice for e in exchanges} == {VOICE}
    assert all(0 < len(text) <= 500 for text in texts)
    assert len(set(texts)) == len(texts)
    spoken = " ".join(texts)
    for phrase in ("من دمشق إلى موسكو", "في يوم الجمعة"):
        assert phrase in spoken

    # The episode: tagged with the engine and voice, one chapter per segment.
    mp3 = output / "damascus-to-moscow.mp3"
    tags = ID3(mp3)
    (engine,) = [f for f in tags.getall("TXXX") if "engine" in f.desc.lower()]
    assert "edge-tts" in str(engine) and VOICE in str(engine)
    expected = json.loads(EXPECTED_PLAN.read_text("utf-8"))
    segments = len(expected["segments"])
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == [f"ch{i}" for i in range(segments)]
    chapters = sorted(tags.getall("CHAP"), key=lambda chap: chap.start_time)
    assert len(chapters) == segments
    assert chapters[0].start_time == 0
    assert all(a.end_time <= b.start_time for a, b in itertools.pairwise(chapters))
    length_ms = MP3(mp3).info.length * 1000
    assert abs(chapters[-1].end_time - length_ms) < 100

    # A file per segment, the transcripts, and the feed's item.
    folder = output / "damascus-to-moscow"
    assert len(sorted(folder.glob("*.mp3"))) == segments
    cues = webvtt.read(str(folder / "transcript.vtt"))
    assert cues and all(cue.text.strip() for cue in cues)
    assert (folder / "transcript.srt").read_text("utf-8").count(" --> ") == len(cues)
    # The transcripts are timed by the fake's word boundaries: the JSON one word by word, each
    # lasting as long as the fake said that word (a share of the sentence by characters would
    # not), and every cue starting when a word starts.
    words = json.loads((folder / "transcript.json").read_text("utf-8"))["segments"]
    assert len(words) > 3 * len(cues)
    said = [w.end_ms - w.start_ms for text in texts for w in speech(text).words]
    lasted = [round(1000 * (w["endTime"] - w["startTime"])) for w in words]
    close = sum(any(abs(ms - real) <= 3 for real in said) for ms in lasted)
    assert close >= 0.9 * len(lasted), (close, len(lasted))
    starts = {round(1000 * w["startTime"]) for w in words}
    cue_starts = [json_ms(cue.start) for cue in cues]
    # A sentence's first cue starts with its audio, kept from 10 ms before its first sound; a
    # long sentence's later cues start exactly when their first word does.
    gaps = [min(abs(ms - s) for s in starts) for ms in cue_starts]
    assert all(gap <= 15 for gap in gaps), gaps
    assert sum(gap <= 1 for gap in gaps) >= 10, gaps
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    (item,) = feed.entries
    assert item.enclosures[0].href.endswith("damascus-to-moscow.mp3")
    assert item.title.startswith("من دمشق إلى موسكو")
