"""The listening page as HTML, read back with a real parser (the browser tests run it for real)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
import os
import re
import shutil
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from narrate.clock import duration
from narrate.errors import PublishError
from narrate.layout import COVER_FILE, COVER_FILES
from narrate.publish.page import arabic_digits, read_transcript, render_page, write_page
from narrate.show import ShowSettings, StoredEpisode
from tests.listening import (
    HOSTILE_TITLE,
    PRODUCER_COVER,
    SEGMENT_TITLES,
    SHOW,
    Output,
    make_output,
)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Output:
    return make_output(tmp_path_factory.mktemp("page") / "output")


@pytest.fixture(scope="module")
def soup(output: Output) -> BeautifulSoup:
    return BeautifulSoup(render_page(output.folder, output.episodes, output.show), "html.parser")


def _copy(output: Output, tmp_path: Path) -> Output:
    """A private copy of the module's output folder, to change."""
    folder = tmp_path / "output"
    shutil.copytree(output.folder, folder, symlinks=True)
    return replace(output, folder=folder)


def _tag(found: object) -> Tag:
    assert isinstance(found, Tag), found
    return found


def clock(ms: int) -> str:
    """A time as the page writes it: narrate's one clock, in Arabic-Indic digits."""
    return arabic_digits(duration(ms))


def _episode_articles(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("main article.episode")


def test_write_page_replaces_index_html_atomically(output: Output, tmp_path: Path) -> None:
    out = _copy(output, tmp_path)
    (out.folder / "index.html").write_text("old page", "utf-8")
    path = write_page(out.folder, out.episodes, out.show)
    assert path == out.folder / "index.html"
    assert path.read_text("utf-8") == render_page(out.folder, out.episodes, out.show)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # readable by a web server
    assert not [p for p in os.listdir(out.folder) if p.endswith(".tmp")]


def test_write_page_failure_leaves_the_old_page_and_no_temporary_file(
    output: Output, tmp_path: Path
) -> None:
    out = _copy(output, tmp_path)
    (out.folder / "index.html").mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(PublishError, match=r"^cannot write .*index\.html: "):
        write_page(out.folder, out.episodes, out.show)
    assert (out.folder / "index.html").is_dir()
    assert not [p for p in os.listdir(out.folder) if p.endswith(".tmp")]


def test_the_document_is_right_to_left_arabic_with_feed_and_cover(soup: BeautifulSoup) -> None:
    root = _tag(soup.find("html"))
    assert (root["lang"], root["dir"]) == ("ar", "rtl")
    assert _tag(soup.find("title")).get_text() == SHOW.title
    alternate = _tag(soup.find("link", rel="alternate"))
    assert (alternate["type"], alternate["href"]) == ("application/rss+xml", "feed.xml")
    assert _tag(soup.select_one("header h1")).get_text() == SHOW.title
    cover = _tag(soup.select_one("header img.cover"))
    assert cover["src"] == PRODUCER_COVER == "cover.png"
    assert cover["alt"] == f"غلاف {SHOW.title}"
    assert SHOW.description in _tag(soup.find("header")).get_text()
    assert _tag(soup.select_one('header a[href="feed.xml"]')).get_text().strip()


def test_no_cover_no_image(tmp_path: Path) -> None:
    page = BeautifulSoup(render_page(tmp_path, [], SHOW), "html.parser")
    assert page.find("img") is None
    assert "لا حلقات بعد" in _tag(page.find("main")).get_text()


def test_the_cover_is_the_first_of_the_layouts_names(tmp_path: Path) -> None:
    """narrate writes cover.jpg; a producer's .jpeg or .png is shown when it is the only one."""
    assert COVER_FILES[0] == COVER_FILE == "cover.jpg"
    for name in reversed(COVER_FILES):
        (tmp_path / name).write_bytes(b"image")
        page = BeautifulSoup(render_page(tmp_path, [], SHOW), "html.parser")
        assert _tag(page.select_one("header img.cover"))["src"] == name
        assert _tag(page.select_one('link[rel="icon"]'))["href"] == name


def test_landmarks_skip_link_and_one_heading_hierarchy(soup: BeautifulSoup) -> None:
    body = _tag(soup.find("body"))
    skip = _tag(body.find("a"))
    assert skip["href"] == "#main" and _tag(soup.find(id="main")).name == "main"
    assert [t.name for t in body.find_all(["header", "main", "footer"], recursive=False)] == [
        "header",
        "main",
        "footer",
    ]
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    live = _tag(soup.find(id="now-playing"))
    assert live["aria-live"] == "polite" and live.find_parent("main") is not None


def test_episodes_newest_first_with_date_duration_and_player(
    output: Output, soup: BeautifulSoup
) -> None:
    articles = _episode_articles(soup)
    newest, older = sorted(output.episodes, key=lambda e: e.published, reverse=True)
    assert [a["id"] for a in articles] == [newest.slug, older.slug]
    meta = _tag(articles[1].select_one(".meta")).get_text()
    assert "٢٤ نوفمبر ٢٠٢٦" in meta and clock(older.duration_seconds * 1000) in meta
    player = _tag(articles[1].select_one("audio.episode-player"))
    assert player["src"] == older.file_name
    assert player["preload"] == "none" and player.has_attr("controls")
    assert older.title in player["aria-label"]


def test_chapters_link_to_their_time_and_seek_the_episode_player(
    output: Output, soup: BeautifulSoup
) -> None:
    for article, episode in zip(_episode_articles(soup), _newest(output), strict=True):
        player_id = _tag(article.select_one("audio.episode-player"))["id"]
        links = article.select("section.chapters a.seek")
        assert len(links) == len(episode.chapters)
        for link, chapter in zip(links, episode.chapters, strict=True):
            seconds = chapter.start_ms / 1000
            assert link["href"] == f"{episode.file_name}#t={seconds:g}"
            assert float(link["data-start"]) == seconds
            assert link["data-player"] == player_id
            text = link.get_text()
            assert text.startswith(clock(chapter.start_ms)) and chapter.title in text
            assert chapter.title in link["data-announce"]


def test_every_segment_has_its_own_labelled_player(output: Output, soup: BeautifulSoup) -> None:
    for article, episode in zip(_episode_articles(soup), _newest(output), strict=True):
        players = article.select("section.segments audio")
        assert [p["src"] for p in players] == [s.path for s in episode.segments]
        for player, title in zip(players, SEGMENT_TITLES, strict=True):
            assert title in player["aria-label"] and player["preload"] == "none"
            assert _tag(player.find("a"))["href"] == player["src"]  # without <audio> support


def test_transcript_is_in_a_details_element_with_seeking_cues(
    output: Output, soup: BeautifulSoup
) -> None:
    article = _episode_articles(soup)[0]
    details = _tag(article.find("details"))
    assert _tag(details.find("summary")).get_text() == "النص الكامل"
    cues = details.select("p.cue")
    assert [float(_tag(c.find("a"))["data-start"]) for c in cues] == [0, 2.5, 4, 8]
    # The text's own numbers in the page's one form of digits (Arabic-Indic by default).
    assert "ارتفعت الأسعار ١٨% في <شهر> واحد & أكثر." in cues[2].get_text()
    files = {a["href"]: a["type"] for a in details.select("p.files a")}
    assert files == {
        "newer-news/transcript.vtt": "text/vtt",
        "newer-news/transcript.json": "application/json",
    }


def test_hostile_titles_are_text_and_bidi_overrides_are_dropped(
    output: Output, soup: BeautifulSoup
) -> None:
    page = render_page(output.folder, output.episodes, output.show)
    assert "\u202e" not in page and "<script>alert" not in page
    assert len(soup.find_all("script")) == 1
    shown = HOSTILE_TITLE.replace("\u202e", "")
    assert _tag(soup.select_one("article h2")).get_text() == shown
    assert shown in _tag(soup.select_one("article audio"))["aria-label"]


def test_no_external_resource_and_only_relative_urls(soup: BeautifulSoup) -> None:
    for element in soup.find_all(["a", "link", "img", "audio", "script", "source"]):
        for attribute in ("href", "src"):
            if element.has_attr(attribute):
                parts = urlsplit(element[attribute])
                assert not parts.scheme and not parts.netloc, element
                assert not element[attribute].startswith("/"), element
    assert not soup.find("script", src=True) and not soup.find("link", rel="stylesheet")


def test_every_control_has_a_name_and_ids_are_unique(soup: BeautifulSoup) -> None:
    for audio in soup.find_all("audio"):
        assert audio.get("aria-label", "").strip()
    for link in soup.find_all("a"):
        assert link.get_text().strip()
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for tag in soup.find_all(attrs={"aria-labelledby": True}):
        assert soup.find(id=tag["aria-labelledby"]) is not None


def test_content_security_policy_allows_exactly_the_inline_style_and_script(
    soup: BeautifulSoup,
) -> None:
    policy = _tag(soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"}))["content"]
    for name in ("style", "script"):
        source = _tag(soup.find(name)).string
        assert source
        digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()
        assert f"{name}-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy


def test_reduced_motion_and_visible_focus_are_in_the_style(soup: BeautifulSoup) -> None:
    style = _tag(soup.find("style")).get_text()
    assert "@media (prefers-reduced-motion: reduce)" in style
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", style)


def test_a_broken_or_missing_transcript_leaves_the_page_without_it(
    output: Output, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = _copy(output, tmp_path)
    episode = out.episodes[0]
    (out.folder / episode.slug / "transcript.json").write_text("{not json", "utf-8")
    with caplog.at_level(logging.WARNING, logger="narrate.publish.page"):
        assert read_transcript(out.folder, episode) == []
    assert "left off the page" in caplog.text
    (out.folder / episode.slug / "transcript.json").unlink()
    assert read_transcript(out.folder, episode) == []
    page = BeautifulSoup(render_page(out.folder, out.episodes, out.show), "html.parser")
    assert not page.select(f"article#{episode.slug} p.cue")


def _newest(output: Output) -> list[StoredEpisode]:
    return sorted(output.episodes, key=lambda e: e.published, reverse=True)


def test_show_language_is_the_page_language(tmp_path: Path) -> None:
    show = ShowSettings(title="برنامج", base_url="http://127.0.0.1:8000/", language="ar-EG")
    page = BeautifulSoup(render_page(tmp_path, [], show), "html.parser")
    assert _tag(page.find("html"))["lang"] == "ar-EG"


# -- the article's page ------------------------------------------------------------------

ARTICLE_URL = "https://www.sahel-news.example/economy/2025/10/27/port.html?id=4512&src=rss"


def _web_episodes() -> list[StoredEpisode]:
    def one(slug: str, day: int, **changes: Any) -> StoredEpisode:
        return StoredEpisode(
            slug=slug,
            guid=f"urn:narrate:{slug}",
            title=f"الميناء يستأنف العمل «{slug}»",
            description="أعلنت هيئة الموانئ استئناف الحركة.\n\nبقلم ليلى منصور — صحيفة الساحل",
            published=datetime(2025, 10, day, 7, 30, tzinfo=UTC),
            duration_seconds=412,
            file_name=f"{slug}.mp3",
            file_size=3_301_000,
            engine="espeak-ng 1.52",
            **changes,
        )

    return [
        one("named", 27, link=ARTICLE_URL, site="صحيفة الساحل"),
        one("unnamed", 26, link="https://www.weather.example.org/ar/1187"),
        one("from-file", 25),
    ]


def test_an_episode_links_its_original_article(tmp_path: Path) -> None:
    show = ShowSettings(title="صحافة", base_url="https://podcast.example.net/")
    page = BeautifulSoup(render_page(tmp_path, _web_episodes(), show), "html.parser")
    named, unnamed, from_file = _episode_articles(page)

    source = _tag(named.select_one("p.source"))
    assert source.get_text() == "المصدر: صحيفة الساحل، المقال الأصلي «الميناء يستأنف العمل «named»»"
    link = _tag(source.find("a"))
    assert link["href"] == ARTICLE_URL  # the & escaped in the HTML, read back whole
    assert set(link["rel"]) == {"external", "noopener", "noreferrer"}
    # The visible name first (WCAG 2.5.3), isolated from the Arabic around it; then, for
    # screen readers only, which article it opens.
    assert _tag(link.find("bdi")).get_text() == "صحيفة الساحل"
    assert link.get_text().startswith("صحيفة الساحل")
    assert "vh" in _tag(link.find("span"))["class"]
    # After the description, before the player.
    assert source.find_previous_sibling("div", class_="description") is not None
    assert source.find_next_sibling("audio") is not None

    # A site without a name is named by its host; an episode from a file links nowhere.
    assert _tag(unnamed.select_one("p.source bdi")).get_text() == "weather.example.org"
    assert from_file.select_one("p.source") is None


def test_the_article_links_are_the_only_absolute_urls(tmp_path: Path) -> None:
    show = ShowSettings(title="صحافة", base_url="https://podcast.example.net/")
    page = BeautifulSoup(render_page(tmp_path, _web_episodes(), show), "html.parser")
    absolute = []
    for element in page.find_all(["a", "link", "img", "audio", "script", "source"]):
        for attribute in ("href", "src"):
            if element.has_attr(attribute) and urlsplit(str(element[attribute])).scheme:
                absolute.append(element)
    assert [e["href"] for e in absolute] == [ARTICLE_URL, "https://www.weather.example.org/ar/1187"]
    assert all(e.name == "a" and e.find_parent("p", class_="source") for e in absolute)


def test_a_hostile_site_name_is_text(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script> "صحيفة" \u202eمقلوب'
    episode = replace(_web_episodes()[0], site=hostile)
    html = render_page(tmp_path, [episode], ShowSettings(title="ص", base_url="https://a.example/"))
    assert "<script>alert" not in html and "\u202e" not in html
    page = BeautifulSoup(html, "html.parser")
    assert _tag(page.select_one("p.source bdi")).get_text() == hostile.replace("\u202e", "")


# -- one form of digits per page ---------------------------------------------------------------

WESTERN = re.compile("[0-9]")
ARABIC_INDIC = re.compile("[٠-٩۰-۹]")


def _shown_text(page: BeautifulSoup) -> list[str]:
    """Every text the page shows or reads out (text nodes and labels), but for its code and the
    Latin name of the tool in the footer."""
    texts = [
        str(t)
        for t in page.find_all(string=True)
        if t.parent is not None
        and t.parent.name not in ("script", "style")
        and not t.find_parent(attrs={"lang": "en"})
    ]
    for attribute in ("aria-label", "alt", "data-announce", "title", "content"):
        texts += [str(tag[attribute]) for tag in page.find_all(attrs={attribute: True})]
    return [t for t in texts if not t.startswith(("default-src", "width=device-width", "narrate "))]


@pytest.mark.parametrize(
    ("digits", "wrong"), [("arabic-indic", WESTERN), ("western", ARABIC_INDIC)]
)
def test_every_number_on_the_page_is_in_the_shows_one_form_of_digits(
    output: Output, digits: str, wrong: re.Pattern[str]
) -> None:
    show = replace(output.show, digits=digits)
    page = BeautifulSoup(render_page(output.folder, output.episodes, show), "html.parser")
    mixed = [t for t in _shown_text(page) if wrong.search(t)]
    assert mixed == []
    # The list numbers the browser draws (chapters, segments) follow the same choice.
    assert _tag(page.find("html"))["data-digits"] == digits
    style = _tag(page.find("style")).get_text()
    marker = "arabic-indic" if digits == "arabic-indic" else "decimal"
    assert re.search(rf'\[data-digits="{digits}"\] ol \{{[^}}]*list-style-type: {marker}', style), (
        style
    )


def test_western_digits_write_dates_durations_and_the_texts_numbers_so(output: Output) -> None:
    show = replace(output.show, digits="western")
    page = BeautifulSoup(render_page(output.folder, output.episodes, show), "html.parser")
    older = _episode_articles(page)[1]
    meta = _tag(older.select_one(".meta")).get_text()
    assert "24 نوفمبر 2026" in meta and duration(12_000) in meta
    assert "الأسعار ترتفع 18٪" in older.get_text()  # the chapter title's own ١٨٪
    cues = older.select("p.cue")
    assert "ارتفعت الأسعار 18% في <شهر> واحد & أكثر." in cues[2].get_text()
    # Latin words keep their digits whatever the form: a model name is not a number.
    episode = replace(output.episodes[0], title="إطلاق GPT-4 وطائرة F-16 في 2024 بنسبة 3.5")
    for digits, expected in (
        ("western", "إطلاق GPT-4 وطائرة F-16 في 2024 بنسبة 3.5"),
        ("arabic-indic", "إطلاق GPT-4 وطائرة F-16 في ٢٠٢٤ بنسبة ٣٫٥"),
    ):
        show = replace(output.show, digits=digits)
        html = render_page(output.folder, [episode], show)
        title = _tag(BeautifulSoup(html, "html.parser").select_one("article h2")).get_text()
        assert title == expected
