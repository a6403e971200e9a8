"""The article's writer, when the article names one, is credited in the episode's files and feed."""

from __future__ import annotations

from pathlib import Path

import feedparser
from mutagen.id3 import ID3

from narrate.build.pipeline import describe
from narrate.read.article import read_article
from tests.cli import narrate
from tests.paths import DATA

ARTICLES = DATA / "articles"


def test_the_byline_reaches_the_tags_and_the_feed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = narrate(
        "build", ARTICLES / "news-site-article.html", "--engine", "espeak",
        "-o", out, "--cache-dir", tmp_path / "cache", "-q",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (episode,) = out.glob("*.mp3")
    assert str(ID3(episode)["TEXT"]) == "ليلى الحسيني"
    segments = sorted(out.glob(f"{episode.stem}/*.mp3"))
    assert segments and all(str(ID3(s)["TEXT"]) == "ليلى الحسيني" for s in segments)
    feed = feedparser.parse(str(out / "feed.xml"))
    assert "بقلم ليلى الحسيني" in feed.entries[0].summary


def test_no_byline_no_credit() -> None:
    article = read_article(ARTICLES / "hard-wrapped.txt")
    assert article.author is None
    assert "بقلم" not in describe(article)


def test_the_byline_ends_the_description() -> None:
    article = read_article(ARTICLES / "cp1256-breadcrumb-byline.txt")
    assert describe(article).endswith("\n\nبقلم عمر الشامي")
