"""Rebuilds, the speech cache and the engine list, as a producer meets them on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from mutagen.id3 import ID3

from tests.cli import narrate
from tests.fake_google import FakeGoogle

ARTICLE = """تقرير الطقس

تشهد البلاد اليوم طقسا معتدلا في معظم المناطق، مع رياح خفيفة.

توقعات الغد

ترتفع درجات الحرارة غدا قليلا، وتبقى السماء صافية في الجنوب.
"""


def test_no_op_rebuild_speaks_nothing_and_leaves_the_mp3_alone(tmp_path: Path) -> None:
    article = tmp_path / "weather.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    common = ["build", article, "-o", out, "--cache-dir", cache, "--engine", "espeak"]

    first = narrate(*common)
    assert first.returncode == 0, first.stderr
    assert "Speech: synthesized" in first.stderr
    mp3 = out / "weather.mp3"
    before = (mp3.read_bytes(), mp3.stat().st_mtime_ns)

    again = narrate(*common)
    assert again.returncode == 0, again.stderr
    assert "Audio unchanged since the last build" in again.stderr
    assert "Speech:" not in again.stderr
    assert (mp3.read_bytes(), mp3.stat().st_mtime_ns) == before

    # A new show name changes the spoken intro: the audio is made again, from the cache
    # but for the intro.
    renamed = narrate(*common, "--show", "نشرة الطقس")
    assert renamed.returncode == 0, renamed.stderr
    assert "Speech: synthesized 1 of" in renamed.stderr

    # --no-cache rebuilds everything and touches no cache.
    entries = sorted(p.name for p in cache.rglob("*") if p.is_file())
    fresh = narrate(*common, "--no-cache")
    assert fresh.returncode == 0, fresh.stderr
    assert "(0 from cache)" in fresh.stderr
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == entries


def test_a_tag_only_change_retags_without_speaking(tmp_path: Path) -> None:
    article = tmp_path / "weather.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    common = ["build", article, "-o", out, "--cache-dir", cache, "--engine", "espeak"]
    assert narrate(*common, "--date", "2026-01-01").returncode == 0
    redated = narrate(*common, "--date", "2026-02-02")
    assert redated.returncode == 0, redated.stderr
    assert "Audio unchanged" in redated.stderr
    tags = ID3(out / "weather.mp3", translate=False)
    assert str(tags["TDAT"]) == "0202"


def test_cache_info_and_clear(tmp_path: Path) -> None:
    article = tmp_path / "weather.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cache = tmp_path / "cache"
    assert (
        narrate("build", article, "-o", tmp_path / "o", "--cache-dir", cache, "-q").returncode == 0
    )

    info = narrate("cache", "info", "--cache-dir", cache)
    assert info.returncode == 0
    path_line, count_line = info.stdout.splitlines()
    assert path_line == str(cache)
    entries = int(count_line.split()[0])
    assert entries > 3

    cleared = narrate("cache", "clear", "--cache-dir", cache)
    assert cleared.returncode == 0
    assert cleared.stdout.startswith(f"Removed {entries} entries of speech")
    after = narrate("cache", "info", "--cache-dir", cache).stdout.splitlines()[1]
    assert after.startswith("0 entries of speech, 0 prepared texts")


def test_engines_lists_each_engine_and_why_not(tmp_path: Path) -> None:
    run = narrate("engines", "--json")
    assert run.returncode == 0, run.stderr
    listed = {e["name"]: e for e in json.loads(run.stdout)}
    assert set(listed) == {"gtts", "edge", "piper", "espeak", "mbrola"}
    assert listed["espeak"]["usable"] is True and "ar" in listed["espeak"]["voices"]
    assert listed["gtts"]["usable"] is False  # the tests point gTTS at a closed port
    assert listed["gtts"]["reason"]

    with FakeGoogle() as google:
        run = narrate("engines", env={"NARRATE_GTTS_ENDPOINT": google.endpoint})
    assert run.returncode == 0
    assert run.stdout.splitlines()[0].startswith("gtts    yes")

    offline = narrate("engines", "--offline", "--json")
    assert json.loads(offline.stdout)[0]["reason"].startswith("not checked")


def test_gtts_deadline_ends_the_build_with_one_line(tmp_path: Path) -> None:
    article = tmp_path / "weather.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with FakeGoogle(latency=30) as google:
        run = narrate(
            "build", article, "-o", tmp_path / "o", "--engine", "gtts", "--deadline", "2",
            env={"NARRATE_GTTS_ENDPOINT": google.endpoint},
        )  # fmt: skip
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()[1:]
    assert line.startswith("Error: ") and "deadline" in line
    assert not (tmp_path / "o" / "weather.mp3").exists()
