"""An article from the web: its page and its site carried to everything a listener sees.

The description credits the writer beside the site; the feed item links the page; the episode's
and every segment's MP3 carry it as ``WOAS``; the listening page links it; the store keeps it;
and a changed link retags the files without speaking the article again.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import mutagen.id3
import podcastparser  # type: ignore[import-untyped]
import pytest
from bs4 import BeautifulSoup, Tag

from narrate.build import pipeline
from narrate.build.about import credit, describe, episode_info
from narrate.build.pipeline import BuildRequest, build
from narrate.build.rebuild import tags_digest
from narrate.engines import registry
from narrate.episode.artwork import Artwork
from narrate.models import Article, EpisodeAudio, EpisodeInfo, Mp3File, Segment, SegmentMp3
from narrate.progress import Reporter
from narrate.publish.store import load_episodes
from narrate.show import ShowSettings
from tests.unit.engines.test_protocol import DummyEngine

# mutagen is unannotated; one Any handle keeps mypy --strict quiet.
id3: Any = mutagen.id3

SHOW = ShowSettings(title="صحافة الساحل", base_url="http://127.0.0.1:8000/")
SEGMENTS = (
    Segment(None, ("أعلنت هيئة الموانئ صباح اليوم استئناف حركة السفن.",)),
    Segment("أسباب التوقف", ("استبدلت الرافعات القديمة بأخرى حديثة.",)),
)


def article(**changes: Any) -> Article:
    fields: dict[str, Any] = {"title": "الميناء يستأنف العمل", "segments": SEGMENTS}
    fields.update(changes)
    return Article(**fields)


# -- the credit in the description ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"author": "ليلى منصور", "site": "صحيفة الساحل"}, "بقلم ليلى منصور — صحيفة الساحل"),
        ({"site": "صحيفة الساحل"}, "المصدر: صحيفة الساحل"),
        ({"author": "ليلى منصور"}, "بقلم ليلى منصور"),
        # A byline that is the site itself is credited once, as the source.
        ({"author": "صحيفة الساحل", "site": " صحيفة  الساحل"}, "المصدر: صحيفة الساحل"),
        # A page without a name is credited by its host, as its readers write it.
        ({"link": "https://www.sahel-news.example/a?id=1"}, "المصدر: sahel-news.example"),
        ({"link": "https://xn--mgbh0fb.example/a", "author": "ليلى"}, "بقلم ليلى — مثال.example"),
        ({"link": "javascript:alert(1)"}, ""),
        ({}, ""),
    ],
)
def test_the_description_credits_the_writer_beside_the_site(
    changes: dict[str, Any], line: str
) -> None:
    text = describe(article(**changes))
    assert credit(article(**changes)) == line
    assert text.startswith("أعلنت هيئة الموانئ صباح اليوم")
    if line:
        assert text.endswith("\n\n" + line)
        assert text.count(line) == 1
    else:
        assert text.endswith("- أسباب التوقف")


def info_of(source: Article) -> EpisodeInfo:
    artwork = Artwork(Path("cover.jpg"), "image/jpeg", 1400, b"")
    published = datetime(2025, 10, 27, 7, 30, tzinfo=UTC)
    return episode_info("port", source, SHOW, published, "dummy", artwork)


def test_episode_info_carries_the_link_made_ascii_and_the_site() -> None:
    info = info_of(article(link="https://مثال.example/ميناء?id=٤#top", site="صحيفة الساحل"))
    assert info.link == "https://xn--mgbh0fb.example/%D9%85%D9%8A%D9%86%D8%A7%D8%A1?id=%D9%A4"
    assert info.site == "صحيفة الساحل"
    plain = info_of(article())
    assert (plain.link, plain.site) == ("", "")


def test_a_link_that_is_no_web_address_is_left_out_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="narrate.build.about"):
        info = info_of(article(link="/economy/port.html", site="صحيفة الساحل"))
    assert info.link == ""
    assert info.site == "صحيفة الساحل"
    assert "will not link to its article" in caplog.text
    assert len(caplog.records) == 1


def test_a_changed_link_or_site_changes_the_tags_digest() -> None:
    audio = EpisodeAudio(
        file=Mp3File("port.mp3", 10, "x"),
        duration_ms=1000,
        chapters=(),
        segments=(SegmentMp3(1, "أسباب التوقف", Mp3File("01.mp3", 5, "y"), 500),),
    )
    base = info_of(article(link="https://news.example/a", site="صحيفة الساحل"))
    digest = tags_digest(base, audio)
    assert tags_digest(dataclasses.replace(base), audio) == digest
    assert tags_digest(dataclasses.replace(base, link="https://news.example/b"), audio) != digest
    assert tags_digest(dataclasses.replace(base, link=""), audio) != digest
    assert tags_digest(dataclasses.replace(base, site="أخرى"), audio) != digest


# -- a whole build from a saved web page ------------------------------------------------------

CANONICAL = "https://www.sahel-news.example/economy/2025/10/27/port-reopens?id=4512"

# Written for this test: a saved page that names its canonical address, its site and its writer.
PAGE = """\
<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>الميناء يستأنف استقبال السفن | صحيفة الساحل</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="صحيفة الساحل">
<meta property="og:title" content="الميناء يستأنف استقبال السفن بعد أسبوعين">
<meta name="author" content="ليلى منصور">
</head><body><article>
<h1>الميناء يستأنف استقبال السفن بعد أسبوعين</h1>
<p>أعلنت هيئة الموانئ صباح اليوم استئناف حركة السفن في الميناء الشمالي بعد توقف دام
أسبوعين بسبب أعمال الصيانة.</p>
<h2>أسباب التوقف</h2>
<p>قال مدير الهيئة إن الرافعات القديمة استبدلت بأخرى حديثة، وإن العمل سيعود إلى طاقته
الكاملة خلال أيام.</p>
</article></body></html>
"""


@pytest.fixture
def dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ENGINES, "dummy", DummyEngine)


def woas(path: Path) -> list[str]:
    return [frame.url for frame in id3.ID3(path).getall("WOAS")]


def _tag(found: object) -> Tag:
    assert isinstance(found, Tag), found
    return found


@pytest.mark.usefixtures("dummy")
def test_a_saved_web_page_becomes_an_episode_that_links_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "port.html"
    page.write_text(PAGE.format(canonical=CANONICAL), encoding="utf-8")
    out = tmp_path / "out"
    request = BuildRequest(
        article=page,
        output_dir=out,
        show=SHOW,
        engine="dummy",
        cache_dir=tmp_path / "cache",
        slug="port",
    )
    result = build(request, Reporter(quiet=True))

    [stored] = load_episodes(out)
    assert (stored.link, stored.site) == (CANONICAL, "صحيفة الساحل")
    assert stored.description.endswith("\n\nبقلم ليلى منصور — صحيفة الساحل")

    feed = (out / "feed.xml").read_bytes()
    [entry] = feedparser.parse(feed).entries
    assert entry.link == CANONICAL
    [item] = podcastparser.parse(SHOW.feed_url, io.BytesIO(feed))["episodes"]
    assert item["link"] == CANONICAL
    assert "بقلم ليلى منصور — صحيفة الساحل" in item["description"]

    assert woas(result.mp3) == [CANONICAL]
    assert len(result.segments) == 2
    for segment in result.segments:
        assert woas(out / segment.path) == [CANONICAL]
    comment = id3.ID3(result.mp3).getall("COMM")[0].text[0]
    assert comment.endswith("بقلم ليلى منصور — صحيفة الساحل")

    listening = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    source = _tag(listening.select_one("article.episode p.source a"))
    assert source["href"] == CANONICAL
    assert _tag(source.find("bdi")).get_text() == "صحيفة الساحل"

    # The page moves: the next build retags the files in place and speaks nothing again.
    moved = CANONICAL.replace("?id=4512", "-2?id=4512")
    page.write_text(PAGE.format(canonical=moved), encoding="utf-8")

    def no_speaking(*args: object, **kwargs: object) -> None:
        raise AssertionError("the audio was made again for a changed link")

    monkeypatch.setattr(pipeline, "make_audio", no_speaking)
    build(request, Reporter(quiet=True))
    assert woas(result.mp3) == [moved]
    for segment in result.segments:
        assert woas(out / segment.path) == [moved]
    [entry] = feedparser.parse((out / "feed.xml").read_bytes()).entries
    assert entry.link == moved
    [again] = load_episodes(out)
    assert (again.link, again.guid, again.published) == (moved, stored.guid, stored.published)
