"""trafilatura as the first pass of the HTML reader, and the page's structured metadata.

The pages under tests/data/pages/ are written for these tests; each reproduces the structure of
a kind of real news page (a 2013 portal with an English edition menu, a JSON-LD article, a page
with only OpenGraph).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from narrate.models import Article
from narrate.read.article import read_article
from narrate.read.blocks import Block
from narrate.read.extract import extract_blocks
from narrate.read.html import parse_html, read_page
from narrate.read.structured import read_structured, split_site_name

PAGES = Path(__file__).parents[2] / "data" / "pages"
LEAD = (
    "<p>بدأ المزارعون في قرى الوادي قطاف الزيتون قبل موعده المعتاد بأسبوعين بعد نضج الثمار.</p>"
    "<p>ويقدر اتحاد المزارعين أن يتراجع الإنتاج هذا العام بنحو الخمس مقارنة بالموسم الماضي.</p>"
)


def _spoken(article: Article) -> str:
    parts = [article.title]
    for segment in article.segments:
        parts += [segment.heading or "", *segment.paragraphs]
    return "\n".join(parts)


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# --- Whole pages --------------------------------------------------------------------------------


def test_edition_menu_portal_reads_the_headline_and_no_site_furniture() -> None:
    article = read_article(PAGES / "edition-menu-2013.html")
    assert article.title == "إعادة فتح الميناء القديم بعد عامين من الترميم"
    assert article.site == "CNN"
    assert article.published == datetime(2013, 10, 14, 11, 20, tzinfo=UTC)
    assert [s.heading for s in article.segments] == [None, "المنارة تضيء من جديد"]
    spoken = _spoken(article)
    for junk in (
        "U.S.",
        "INTERNATIONAL",
        "MÉXICO",
        "سياسة التعليقات",
        "نرحب بتعليقاتكم",
        "الأكثر قراءة",
        "أسعار الذهب",
        "Cable News",
        "Terms",
        "آخر تحديث",
    ):
        assert junk not in spoken, junk
    assert spoken.count("أعادت السلطات المحلية") == 1


def test_json_ld_page_gives_every_field_and_only_the_story() -> None:
    article = read_article(PAGES / "jsonld-news.html")
    assert article.title == "مزارعو الوادي يبدؤون موسم قطاف الزيتون مبكرا"
    assert article.author == "ريم العبدالله"  # the Organization is the publisher, not an author
    assert article.published == datetime(2025, 10, 19, 7, 30, tzinfo=timezone(timedelta(hours=3)))
    assert article.link == "https://wadi.example/news/olive-harvest-2025"
    assert article.site == "صحيفة الوادي"
    assert [s.heading for s in article.segments] == [
        None,
        "معاصر تعمل ليلا ونهارا: أسعار الزيت",
    ] or [s.heading for s in article.segments] == [None, "معاصر تعمل ليلا ونهارا", "أسعار الزيت"]
    spoken = _spoken(article)
    for junk in (
        "محليات",
        "فيسبوك",
        "انسخ الرابط",
        "تصوير",
        "مزارع يجمع",
        "اقرأ أيضا",
        "أسعار القمح",
        "الوسوم",
        "زراعة",
        "جميع الحقوق",
        "الرئيسية",
    ):
        assert junk not in spoken, junk


def test_opengraph_only_page_in_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes((PAGES / "opengraph-only.html").read_text(encoding="utf-8").encode("cp1256"))
    article = read_article(path)
    assert article.title == "افتتاح مكتبة عامة جديدة في الحي الشرقي"
    assert article.site == "بوابة الخليج"
    assert article.link == "https://khaleej.example/culture/new-library"
    assert article.author is None  # a profile URL is no name
    assert article.published == datetime(2025, 2, 3, 16, 45, tzinfo=timezone(timedelta(hours=4)))
    assert len(article.segments[0].paragraphs) == 3
    assert "تابعونا" not in _spoken(article)


# --- The extractor pass -------------------------------------------------------------------------


def test_extractor_keeps_headings_and_their_levels() -> None:
    extraction = extract_blocks(
        _page(
            f"<article><h1>العنوان</h1>{LEAD}<h2>القسم الأول</h2>{LEAD}<h3>فرع</h3>{LEAD}</article>"
        )
    )
    assert extraction is not None
    headings = [b for b in extraction.blocks if b.is_heading]
    assert headings == [Block("العنوان", 1), Block("القسم الأول", 2), Block("فرع", 3)]


def test_extractor_drops_hidden_struck_and_figure_text() -> None:
    extraction = extract_blocks(
        _page(
            f"<article>{LEAD}<p hidden>نص مخفي لا يقرأ.</p>"
            "<figure><img src='a.jpg'><figcaption>تعليق على الصورة.</figcaption></figure>"
            "<p>قتل <del>عشرة</del> اثنا عشر شخصا في الحادث.</p></article>"
        )
    )
    assert extraction is not None
    texts = [b.text for b in extraction.blocks]
    assert "قتل اثنا عشر شخصا في الحادث." in texts
    assert not any("مخفي" in t or "تعليق على" in t or "عشرة" in t for t in texts)


def test_extractor_keeps_the_words_of_a_time_in_a_sentence() -> None:
    extraction = extract_blocks(
        _page(
            f"<article>{LEAD}<p>وفي <time datetime='2024-11-29'>يوم الجمعة</time>"
            " بدأ الهجوم.</p></article>"
        )
    )
    assert extraction is not None
    assert "وفي يوم الجمعة بدأ الهجوم." in [b.text for b in extraction.blocks]


def test_a_read_also_marker_goes_with_the_headline_it_links_to() -> None:
    article = parse_html(
        _page(
            f"<article><h1>العنوان</h1>{LEAD}<p>اقرأ أيضا:</p>"
            "<p><a href='/other'>الحكومة تعلن خطة جديدة للنقل العام</a></p>"
            "<p>وتابع المزارعون عملهم رغم الحر الشديد.</p></article>"
        )
    )
    spoken = _spoken(article)
    assert "خطة جديدة للنقل" not in spoken
    assert "وتابع المزارعون عملهم رغم الحر الشديد." in spoken


def test_a_list_of_links_is_not_read() -> None:
    article = parse_html(
        _page(
            f"<article><h1>العنوان</h1>{LEAD}"
            "<ul><li><a href='/1'>خبر مرتبط أول عن الطقس</a></li>"
            "<li><a href='/2'>خبر مرتبط ثان عن الرياضة</a></li></ul>"
            "<p>واختتم الاتحاد بيانه بالدعوة إلى دعم المزارعين.</p></article>"
        )
    )
    assert "خبر مرتبط" not in _spoken(article)


def test_a_page_trafilatura_cannot_read_falls_back_to_todays_reader() -> None:
    # Old portals put the story in table cells with <br>; trafilatura returns one run of text.
    article = parse_html(
        _page(
            "<table><tr><td><b>العنوان</b><br>السطر الأول من الخبر.<br><br>"
            "السطر الثاني.</td></tr></table>"
        )
    )
    assert article.segments[0].paragraphs == ("السطر الأول من الخبر.", "السطر الثاني.")


# --- Structured metadata ------------------------------------------------------------------------


def test_canonical_link_is_resolved_against_the_page_address() -> None:
    soup = BeautifulSoup(_page("", "<link rel='canonical' href='/news/1'>"), "html.parser")
    assert read_structured(soup, "https://site.example/a?b=1").link == "https://site.example/news/1"
    assert read_structured(soup).link is None  # relative, and nothing to resolve it against


def test_link_falls_back_to_og_url_then_json_ld() -> None:
    og = "<meta property='og:url' content='https://site.example/og'>"
    ld = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
        '"mainEntityOfPage": "https://site.example/ld"}</script>'
    )
    assert read_structured(BeautifulSoup(_page("", og + ld), "html.parser")).link == (
        "https://site.example/og"
    )
    assert read_structured(BeautifulSoup(_page("", ld), "html.parser")).link == (
        "https://site.example/ld"
    )


def test_url_is_the_link_when_the_page_declares_none() -> None:
    page = _page(f"<article><h1>العنوان</h1>{LEAD}</article>")
    assert parse_html(page, "https://site.example/x").link == "https://site.example/x"
    assert parse_html(page).link is None


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("سقوط حلب بعد حصار طويل | موقع الأخبار", None, "سقوط حلب بعد حصار طويل"),
        ("موقع الأخبار - سقوط حلب الكبير", None, "سقوط حلب الكبير"),
        ("CNN - Talks resume in Cairo", "CNN", "Talks resume in Cairo"),
        ("اليوم السابع | الحكومة تعلن الموازنة", "اليوم السابع", "الحكومة تعلن الموازنة"),
        ("عنوان بلا اسم موقع", None, "عنوان بلا اسم موقع"),
    ],
)
def test_page_title_loses_the_site_name(title: str, site: str | None, expected: str) -> None:
    assert split_site_name(title, site) == expected


def test_a_declared_headline_keeps_a_dash_that_is_its_own() -> None:
    assert split_site_name("غزة - استئناف المفاوضات", guess=False) == "غزة - استئناف المفاوضات"


def test_an_h1_that_is_the_site_name_is_not_the_title() -> None:
    page = _page(
        f"<div class='logo'><h1>الخليج اليوم</h1></div><div>{LEAD}</div>",
        "<meta property='og:site_name' content='الخليج اليوم'>"
        "<meta property='og:title' content='مزارعو الوادي يبدؤون القطاف'>",
    )
    assert parse_html(page).title == "مزارعو الوادي يبدؤون القطاف"


def test_read_page_exposes_both_readings() -> None:
    reading = read_page(_page(f"<article><h1>العنوان</h1>{LEAD}</article>"))
    assert reading.found.title == "العنوان"
    assert reading.extraction is not None
    assert read_page(_page(LEAD), extract=False).extraction is None
