"""An episode's identity: two articles never share an episode, an edited one keeps its own.

An episode is its article: the article's canonical link, else its file (resolved). A different
article whose slug is taken gets the next free slug (``-2``, ``-3`` …, said in one line), or
the one ``--slug`` names; an edited article replaces its own episode, keeping its slug, its
guid and its first date, even when its title now makes another slug. Judged as a producer
would: the exit status, stderr, the files, and the feed read by feedparser and podcastparser.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from pathlib import Path

import feedparser
import podcastparser

from tests.cli import Run, narrate

BASE_URL = "https://podcasts.example.org/show/"

DAY1 = """اجتماع المجلس البلدي

ناقش المجلس البلدي خطة تطوير الحدائق العامة في المدينة.
"""
DAY1_EDITED = DAY1 + "\nوقرر المجلس زيادة عدد الأشجار في الشوارع الرئيسية.\n"
DAY2 = """# نشرة الطقس

أمطار غزيرة متوقعة على الساحل غدا، ورياح قوية في المساء.
"""
DAY3 = "أسعار الأسواق\n\nارتفعت أسعار الخضار في الأسواق المحلية.\n"


def build(article: Path, out: Path, *args: str | Path) -> Run:
    return narrate(
        "build", article, "-o", out, "--engine", "espeak", "--base-url", BASE_URL,
        "--cache-dir", out.parent / "cache", *args,
    )  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def items(out: Path) -> dict[str, dict[str, object]]:
    """The feed's episodes by enclosure file name, read by podcastparser (feedparser agrees)."""
    data = (out / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    episodes = podcastparser.parse(BASE_URL + "feed.xml", io.BytesIO(data))["episodes"]
    assert [e.id for e in parsed.entries] == [e["guid"] for e in episodes]
    found = {str(e["enclosures"][0]["url"]).rsplit("/", 1)[-1]: e for e in episodes}
    for name, episode in found.items():
        assert (out / name).stat().st_size == episode["enclosures"][0]["file_size"], name
    return found


def listed(out: Path) -> dict[str, dict[str, object]]:
    run = narrate("list", "-o", out, "--json")
    assert run.returncode == 0, run.stderr
    return {str(e["slug"]): e for e in json.loads(run.stdout)}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_article_under_a_taken_slug_is_a_new_episode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    day1 = write(tmp_path / "day1" / "article.txt", DAY1)
    first = build(day1, out, "--date", "2026-11-01")
    assert first.returncode == 0, first.stderr
    mp3 = out / "article.mp3"
    before = (sha(mp3), items(out)["article.mp3"])

    day2 = write(tmp_path / "day2" / "article.md", DAY2)
    second = build(day2, out, "--date", "2026-11-02")
    assert second.returncode == 0, second.stderr
    notes = [line for line in second.stderr.splitlines() if "taken" in line]
    assert len(notes) == 1 and "'article'" in notes[0] and "'article-2'" in notes[0], notes
    assert "Traceback" not in second.stderr
    # The first episode is as it was; the second is beside it, with its own guid and date.
    assert (sha(mp3), items(out)["article.mp3"]) == before
    feed = items(out)
    assert set(feed) == {"article.mp3", "article-2.mp3"}
    assert feed["article-2.mp3"]["title"] == "نشرة الطقس"
    guids = {name: str(e["guid"]) for name, e in feed.items()}
    assert guids["article.mp3"] != guids["article-2.mp3"]
    assert uuid.UUID(guids["article-2.mp3"]).version == 4  # random, stored: not the slug's
    assert feed["article-2.mp3"]["published"] > feed["article.mp3"]["published"]
    assert sorted(listed(out)) == ["article", "article-2"]

    # A third article under the same name: the next free slug.
    day3 = write(tmp_path / "day3" / "article.txt", DAY3)
    third = build(day3, out, "-q")
    assert third.returncode == 0, third.stderr
    assert set(items(out)) == {"article.mp3", "article-2.mp3", "article-3.mp3"}


def test_an_edited_article_replaces_its_own_episode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    day1 = write(tmp_path / "day1" / "article.txt", DAY1)
    day2 = write(tmp_path / "day2" / "article.md", DAY2)
    for article, date in ((day1, "2026-11-01"), (day2, "2026-11-02")):
        run = build(article, out, "--date", date, "-q")
        assert run.returncode == 0, run.stderr
    before = items(out)

    write(day2, DAY2 + "\nوتنخفض درجات الحرارة في الليل.\n")  # day 2's story, edited
    again = build(day2, out, "--date", "2026-11-05")
    assert again.returncode == 0, again.stderr
    assert "is taken" not in again.stderr
    after = items(out)
    assert set(after) == {"article.mp3", "article-2.mp3"}
    assert after["article-2.mp3"]["guid"] == before["article-2.mp3"]["guid"]
    assert after["article-2.mp3"]["published"] == before["article-2.mp3"]["published"]
    assert after["article-2.mp3"]["total_time"] > before["article-2.mp3"]["total_time"]
    assert after["article.mp3"] == before["article.mp3"]

    write(day1, DAY1_EDITED)  # and day 1's
    assert build(day1, out, "-q").returncode == 0
    final = items(out)
    assert final["article.mp3"]["guid"] == before["article.mp3"]["guid"]
    assert final["article.mp3"]["total_time"] > before["article.mp3"]["total_time"]
    assert set(final) == {"article.mp3", "article-2.mp3"}


def test_slug_chooses_and_never_takes_another_articles_slug(tmp_path: Path) -> None:
    out = tmp_path / "out"
    day1 = write(tmp_path / "day1" / "article.txt", DAY1)
    assert build(day1, out, "-q").returncode == 0
    before = {p.name: sha(p) for p in out.rglob("*") if p.is_file()}

    day2 = write(tmp_path / "day2" / "article.md", DAY2)
    taken = build(day2, out, "--slug", "article")
    assert taken.returncode == 1, taken.stderr
    errors = [line for line in taken.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "'article'" in errors[0] and "--slug" in errors[0], taken.stderr
    assert "Traceback" not in taken.stderr
    assert {p.name: sha(p) for p in out.rglob("*") if p.is_file()} == before

    chosen = build(day2, out, "--slug", "weather", "-q")
    assert chosen.returncode == 0, chosen.stderr
    assert set(items(out)) == {"article.mp3", "weather.mp3"}
    # Published as "weather", day 2's article stays "weather": another --slug would duplicate it.
    moved = build(day2, out, "--slug", "weather-news")
    assert moved.returncode == 1 and "'weather'" in moved.stderr, moved.stderr
    assert build(day2, out, "-q").returncode == 0  # without --slug: its own episode again
    assert set(items(out)) == {"article.mp3", "weather.mp3"}


def test_a_published_article_keeps_its_slug_when_its_title_changes(tmp_path: Path) -> None:
    """A file name that is no words (Arabic): the slug comes from the title, which is edited."""
    out = tmp_path / "out"
    article = write(tmp_path / "مقال.txt", DAY1)
    assert build(article, out, "-q").returncode == 0
    (slug,) = listed(out)
    guid = items(out)[f"{slug}.mp3"]["guid"]

    write(article, DAY1.replace("اجتماع المجلس البلدي", "المجلس البلدي يقر خطة الحدائق"))
    retitled = build(article, out)
    assert retitled.returncode == 0, retitled.stderr
    assert list(listed(out)) == [slug]
    feed = items(out)
    assert list(feed) == [f"{slug}.mp3"]
    assert feed[f"{slug}.mp3"]["guid"] == guid
    assert feed[f"{slug}.mp3"]["title"] == "المجلس البلدي يقر خطة الحدائق"
