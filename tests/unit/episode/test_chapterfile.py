"""Podcasting 2.0 JSON chapters, parsed back; the atomic writer they share."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from narrate.atomic import write_if_changed
from narrate.episode.chapterfile import chapters_json, write_chapters_json
from narrate.errors import PublishError
from narrate.models import Chapter

CHAPTERS = (
    Chapter("مقدمة", 0, 1500),
    Chapter("ما الذي حدث، ولماذا؟", 1500, 3_250),
    Chapter("الخاتمة", 3_250, 3_723_456),
)
URLS = (None, "https://example.org/ep/02-ma-hadath.mp3", "https://example.org/ep/03-khatima.mp3")
TITLE = "البنك المركزي يرفع الفائدة، فماذا بعد؟"


def test_document_parses_back() -> None:
    text = chapters_json(CHAPTERS, URLS, TITLE)
    document = json.loads(text)
    assert document["version"] == "1.2.0"
    assert document["title"] == TITLE
    assert document["chapters"] == [
        {"startTime": 0.0, "endTime": 1.5, "title": "مقدمة"},
        {"startTime": 1.5, "endTime": 3.25, "title": CHAPTERS[1].title, "url": URLS[1]},
        {"startTime": 3.25, "endTime": 3723.456, "title": "الخاتمة", "url": URLS[2]},
    ]
    assert "\\u" not in text  # Arabic is written as itself
    assert TITLE in text
    assert isinstance(document["chapters"][0]["startTime"], float)


def test_times_keep_millisecond_precision() -> None:
    chapters = [Chapter("أ", 1, 999), Chapter("ب", 999, 10_000_001)]
    got = json.loads(chapters_json(chapters, [None, None], "t"))["chapters"]
    assert [(c["startTime"], c["endTime"]) for c in got] == [(0.001, 0.999), (0.999, 10000.001)]
    assert [round(c["startTime"] * 1000) for c in got] == [1, 999]


def test_chapters_are_ordered_by_start_time_with_their_urls() -> None:
    shuffled = [CHAPTERS[2], CHAPTERS[0], CHAPTERS[1]]
    urls = [URLS[2], URLS[0], URLS[1]]
    got = json.loads(chapters_json(shuffled, urls, TITLE))["chapters"]
    assert [c["title"] for c in got] == [c.title for c in CHAPTERS]
    assert [c.get("url") for c in got] == list(URLS)
    starts = [c["startTime"] for c in got]
    assert starts == sorted(starts)


def test_image_url_goes_on_every_chapter() -> None:
    got = json.loads(chapters_json(CHAPTERS, URLS, TITLE, "https://example.org/cover.jpg"))
    assert {c["img"] for c in got["chapters"]} == {"https://example.org/cover.jpg"}


def test_urls_must_match_chapters() -> None:
    with pytest.raises(ValueError, match="3 chapters but 2 urls"):
        chapters_json(CHAPTERS, URLS[:2], TITLE)


def test_no_chapters() -> None:
    assert json.loads(chapters_json([], [], TITLE)) == {
        "version": "1.2.0",
        "title": TITLE,
        "chapters": [],
    }


def test_write_chapters_json(tmp_path: Path) -> None:
    folder = tmp_path / "output" / "central-bank"
    relative = write_chapters_json(folder, CHAPTERS, URLS, TITLE)
    assert relative == "central-bank/chapters.json"
    written = tmp_path / "output" / relative
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(
        chapters_json(CHAPTERS, URLS, TITLE)
    )
    assert [p.name for p in folder.iterdir()] == ["chapters.json"]  # no temporary left


def test_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "chapters.json"
    assert write_if_changed(target, b"one")
    os.utime(target, (1_000_000, 1_000_000))
    assert not write_if_changed(target, b"one")
    assert target.stat().st_mtime == 1_000_000
    assert write_if_changed(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chapters.json"]


def test_write_failure_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "chapters.json"
    target.write_bytes(b"old")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(PublishError, match=r"cannot write .*chapters\.json: No space left"):
        write_if_changed(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["chapters.json"]  # the temporary is gone


def test_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "central-bank").write_text("not a folder")
    with pytest.raises(PublishError, match=r"cannot write .*central-bank/chapters\.json"):
        write_chapters_json(tmp_path / "central-bank", CHAPTERS, URLS, TITLE)
