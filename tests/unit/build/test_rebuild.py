"""The rebuild record: what is written beside an episode, and when it is trusted again."""

from __future__ import annotations

import json
import os
from pathlib import Path

from narrate.build.rebuild import Record, reusable, save_record
from narrate.digest import file_sha256
from narrate.layout import Layout
from narrate.models import Chapter, EpisodeAudio, Mp3File, SegmentMp3, TimedSentence
from narrate.publish.publishing import recover


def placed(layout: Layout, slug: str) -> Record:
    """A record of an episode with one segment file, both written in ``layout``."""
    layout.episode_dir(slug).mkdir(parents=True)
    mp3, part = layout.episode_mp3(slug), layout.episode_dir(slug) / "01-lead.mp3"
    mp3.write_bytes(b"episode")
    part.write_bytes(b"segment")
    audio = EpisodeAudio(
        file=Mp3File(mp3.name, 7, file_sha256(mp3)),
        duration_ms=1500,
        chapters=(Chapter("مقدمة", 0, 1500),),
        segments=(SegmentMp3(1, "مقدمة", Mp3File(part.name, 7, file_sha256(part)), 1400),),
        sentences=(TimedSentence(100, 1400, "جملة."),),
    )
    return Record("f" * 64, audio, "t" * 64)


def test_a_record_reads_back_as_written_while_its_files_are_unchanged(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    record = placed(layout, "story")
    save_record(layout, "story", record)
    raw = json.loads(layout.record("story").read_text("utf-8"))
    assert list(raw) == [
        "fingerprint", "size", "sha256", "duration_ms", "chapters", "segments", "sentences", "tags",
    ]  # fmt: skip
    assert reusable(layout, "story", record.fingerprint) == record
    assert reusable(layout, "story", "0" * 64) is None  # the audio would come out different
    (layout.episode_dir("story") / "01-lead.mp3").write_bytes(b"changed")
    assert reusable(layout, "story", record.fingerprint) is None


def test_what_a_killed_build_left_is_removed_and_a_running_ones_kept(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    layout.partial.mkdir(parents=True)
    dead = layout.partial / "story.999999999.abc.tmp"  # no such process
    dead.mkdir()
    (dead / "episode.mp3").write_bytes(b"half")
    alive = layout.partial / f"story.mp3.{os.getpid()}.abc.tmp"
    alive.write_bytes(b"still being made")
    recover(tmp_path)
    assert not dead.exists()
    assert alive.exists()
