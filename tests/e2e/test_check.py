"""``narrate check``: what the store no longer knows is removed, what it knows is verified.

The store is the show: a file in the output folder that no episode lists (left by a remove or a
build that was stopped, or by an older narrate) is removed, one line each, while the producer's
own files stay; a file an episode lists that is missing or changed (deleted, truncated, edited
behind the store's back) is reported, one line each, and the exit status is 1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli import narrate
from tests.e2e.test_faults import check_feed, snapshot

BASE_URL = "https://podcasts.example.org/show/"
ARTICLES = {
    "weather": "نشرة الطقس\n\nأمطار غزيرة متوقعة على الساحل غدا.\n",
    "council": "اجتماع المجلس\n\nناقش المجلس خطة الحدائق.\n\nالميزانية\n\nأقر المجلس الميزانية.\n",
}


@pytest.fixture(scope="module")
def show_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two published episodes, built once for the module."""
    root = tmp_path_factory.mktemp("check")
    for slug, text in ARTICLES.items():
        article = root / f"{slug}.txt"
        article.write_text(text, encoding="utf-8")
        run = narrate(
            "build", article, "-o", root / "out", "--engine", "espeak", "--base-url", BASE_URL,
            "-q", "--cache-dir", root / "cache",
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
    return root / "out"


@pytest.fixture
def out(tmp_path: Path, show_template: Path) -> Path:
    path = tmp_path / "out"
    shutil.copytree(show_template, path, symlinks=True)
    return path


def test_a_clean_show_checks_clean_and_nothing_changes(out: Path) -> None:
    before = snapshot(out)
    run = narrate("check", "-o", out)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["Checked 2 episodes: every file is in place"]
    assert snapshot(out) == before


def test_files_the_store_no_longer_knows_are_removed_and_the_producers_are_kept(
    out: Path, tmp_path: Path
) -> None:
    segment = next((out / "council").glob("01-*.mp3"))
    # What a stopped remove (or an older narrate) leaves: an episode's MP3, folder and record.
    shutil.copy(out / "weather.mp3", out / "old-story.mp3")
    (out / "old-story").mkdir()
    shutil.copy(segment, out / "old-story" / "01-lead.mp3")
    for name in ("chapters.json", "transcript.vtt", "transcript.srt", "transcript.json"):
        shutil.copy(out / "council" / name, out / "old-story" / name)
    shutil.copy(out / ".narrate" / "council.json", out / ".narrate" / "old-story.json")
    shutil.copy(segment, out / "council" / "07-stale.mp3")  # a stale segment of a known episode
    # The producer's own files, and a link narrate never made: all left alone.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.mp3").write_bytes(b"precious")
    (out / "linked.mp3").symlink_to(elsewhere / "precious.mp3")
    (out / "notes.txt").write_text("ملاحظات", encoding="utf-8")
    (out / "trailer.mp3").write_bytes(b"\xff\xfb" + b"\x00" * 400)  # an MP3 narrate did not make
    (out / "jingles").mkdir()
    (out / "jingles" / "01-intro.mp3").write_bytes(segment.read_bytes())
    (out / "jingles" / "README.txt").write_text("my jingles", encoding="utf-8")
    (out / "council" / "notes.txt").write_text("mine", encoding="utf-8")
    # The page as a remove that failed while writing it left it: still listing old-story.
    page = (out / "index.html").read_text(encoding="utf-8")
    (out / "index.html").write_text(page.replace("weather.mp3", "old-story.mp3"), "utf-8")

    run = narrate("check", "-o", out)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    removed = sorted(line for line in run.stdout.splitlines() if line.startswith("Removed "))
    assert removed == [
        "Removed .narrate/old-story.json (no episode in the store)",
        "Removed council/07-stale.mp3 (no episode in the store)",
        "Removed old-story (no episode in the store)",
        "Removed old-story.mp3 (no episode in the store)",
    ], run.stdout
    assert not (out / "old-story.mp3").exists() and not (out / "old-story").exists()
    assert not (out / "council" / "07-stale.mp3").exists()
    for kept in (
        "notes.txt",
        "trailer.mp3",
        "jingles/01-intro.mp3",
        "jingles/README.txt",
        "council/notes.txt",
    ):
        assert (out / kept).is_file(), kept
    assert (out / "linked.mp3").is_symlink()
    assert (elsewhere / "precious.mp3").read_bytes() == b"precious"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "old-story" not in page and "weather.mp3" in page  # the page is the store's again
    assert set(check_feed(out)) == {"weather.mp3", "council.mp3"}
    again = narrate("check", "-o", out)
    assert again.returncode == 0 and "Removed" not in again.stdout, again.stdout


def test_files_the_store_lists_that_are_missing_or_changed_are_reported(out: Path) -> None:
    listed = {e["slug"]: e for e in json.loads(narrate("list", "-o", out, "--json").stdout)}
    segment = listed["council"]["segments"][0]["path"]
    (out / segment).unlink()
    weather = out / "weather.mp3"
    weather.write_bytes(weather.read_bytes()[:1000])  # truncated behind the store's back
    council = out / "council.mp3"
    data = bytearray(council.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed, the size the same
    council.write_bytes(bytes(data))
    (out / "council" / "transcript.vtt").unlink()
    before = snapshot(out)

    run = narrate("check", "-o", out)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    problems = sorted(run.stdout.splitlines())
    assert len(problems) == 4, problems
    assert problems[0].startswith("changed: council.mp3 ") and "(episode council)" in problems[0]
    assert problems[1].startswith("changed: weather.mp3 is 1000 bytes") and "store" in problems[1]
    assert problems[2] == f"missing: {segment} (episode council)"
    assert problems[3] == "missing: council/transcript.vtt (episode council)"
    (error,) = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert run.stderr.rstrip("\n").splitlines()[-1] == error
    assert "4 files" in error and "2 episodes" in error
    assert snapshot(out) == before  # reported, never deleted or rewritten
