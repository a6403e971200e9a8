"""The HTML reader: the article body only, its headings, metadata, the page's declared charset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.read.article import read_article
from narrate.read.blocks import Block
from narrate.read.html import parse_html, read_page

BODY = "<p>نص الخبر الأول.</p><p>نص الخبر الثاني.</p>"


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def _texts(article: Article) -> list[str]:
    return [
        article.title,
        *(s.heading for s in article.segments if s.heading),
        *(p for s in article.segments for p in s.paragraphs),
    ]


# --- The body -----------------------------------------------------------------------------------


def test_headings_paragraphs_and_list_items() -> None:
    article = parse_html(
        _page(
            "<h1>العنوان</h1><p>المقدمة.</p><h2>القسم الأول</h2><p>نص القسم.</p>"
            "<ul><li>البند الأول؛</li><li>البند <em>الثاني</em>.</li></ul>"
            "<h3>فرعي</h3><p>نص فرعي.</p><h4>عنوان صغير</h4><p>بعده نص.</p>"
        )
    )
    assert article == Article(
        "العنوان",
        (
            Segment(None, ("المقدمة.",)),
            Segment("القسم الأول", ("نص القسم.", "البند الأول؛", "البند الثاني.")),
            Segment("فرعي", ("نص فرعي.", "عنوان صغير", "بعده نص.")),
        ),
    )


def test_article_element_is_preferred_to_the_rest_of_the_page() -> None:
    article = parse_html(
        _page(
            "<div class='top'><p>نص خارج المقال يجب ألا يقرأ.</p></div>"
            "<main><p>نص في العمود الرئيسي خارج المقال.</p>"
            f"<article><h1>العنوان</h1>{BODY}</article></main>"
        )
    )
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


def test_the_largest_article_wins_over_teaser_cards() -> None:
    article = parse_html(
        _page(
            "<article><h2>خبر قصير آخر</h2><p>ملخص.</p></article>"
            f"<article><h1>العنوان</h1>{BODY}</article>"
            "<article><h2>خبر ثالث</h2><p>ملخص آخر.</p></article>"
        )
    )
    assert article.title == "العنوان"
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


def test_main_is_used_when_there_is_no_article() -> None:
    article = parse_html(
        _page(
            f"<div><p>قائمة جانبية طويلة لا علاقة لها.</p></div><main><h1>العنوان</h1>{BODY}</main>"
        )
    )
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


@pytest.mark.parametrize(
    "junk",
    [
        "<nav><a href='/'>الرئيسية</a> <a href='/x'>أخبار</a></nav>",
        "<footer><p>عن الموقع.</p></footer>",
        "<aside><p>الأكثر قراءة اليوم.</p></aside>",
        "<form><p>ابحث في الموقع.</p><input name='q'></form>",
        "<script>var x = 'نص برمجي';</script>",
        "<style>p { color: red }</style>",
        "<noscript><p>فعّل جافاسكربت.</p></noscript>",
        "<template><p>قالب.</p></template>",
        "<svg><text>رسم</text></svg>",
        "<iframe src='https://example.com/embed'>إطار</iframe>",
        "<figure><img src='a.jpg'><figcaption>تعليق الصورة.</figcaption></figure>",
        "<p hidden>نص مخفي.</p>",
        "<div aria-hidden='true'>أيقونة.</div>",
        "<div style='display:none'>نص مخفي بالنمط.</div>",
        "<div class='ad-container'><p>إعلان ممول.</p></div>",
        "<div id='ads'><p>مساحة إعلانية.</p></div>",
        "<div class='adsbygoogle'>جوجل.</div>",
        "<section class='related-news'><p>خبر ذو صلة.</p></section>",
        "<div class='share-buttons'><a>انشر الخبر.</a></div>",
        "<div class='social-links'><a>صفحتنا.</a></div>",
        "<div class='newsletter-signup'><p>اشترك بنشرتنا.</p></div>",
        "<section id='comments'><p>تعليق قارئ.</p></section>",
        "<div class='mostRead most-read'><p>الأكثر قراءة.</p></div>",
        "<div class='OUTBRAIN'><p>محتوى مقترح.</p></div>",
        "<div class='taboola-feed'><p>محتوى مقترح.</p></div>",
        "<div class='tags'><a>وسم</a></div>",
        "<!-- تعليق في الشفرة -->",
        "<p>اقرأ أيضاً: <a href='/x'>خبر آخر</a></p>",
        "<p>عاجل</p>",
    ],
)
def test_page_furniture_is_dropped(junk: str) -> None:
    page = _page(f"<article><h1>العنوان</h1>{junk}{BODY}{junk}</article>")
    article = parse_html(page)
    assert article == Article("العنوان", (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),))


def test_class_words_match_whole_words_only() -> None:
    # "header", "thread", "download", "shadow" contain junk words only as substrings.
    article = parse_html(
        _page(
            "<article><h1>العنوان</h1><div class='thread-body shadow download'>"
            f"{BODY}</div></article>"
        )
    )
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


def test_a_wrapper_holding_most_of_the_text_is_kept_whatever_its_name() -> None:
    # ASP.NET wraps the whole page in a form; some themes call the main column a sidebar.
    article = parse_html(
        _page(
            "<form id='aspnetForm'><div class='layout-sidebar'><h1>العنوان</h1>"
            f"{BODY}<div class='share'><p>شارك الآن.</p></div></div></form>"
        )
    )
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


def test_entities_are_decoded() -> None:
    article = parse_html(
        _page(
            "<h1>أ &amp; ب</h1>"
            "<p>قال&nbsp;إن &quot;الوضع&quot; &#1605;&#x0633;&#1578;&#1602;&#1585;.</p>"
        )
    )
    assert article == Article("أ & ب", (Segment(None, ('قال إن "الوضع" مستقر.',)),))


def test_br_separates_paragraphs_in_old_pages() -> None:
    article = parse_html(
        _page("<td><b>العنوان</b><br>السطر الأول من الخبر.<br><br>السطر الثاني.<br></td>")
    )
    assert article.segments == (Segment(None, ("السطر الأول من الخبر.", "السطر الثاني.")),)


def test_a_bold_only_short_paragraph_is_a_heading() -> None:
    page = _page(
        "<h1>العنوان</h1><p>المقدمة.</p><p><strong>الخلفية</strong></p><p>نص.</p>"
        "<p><b>جملة عريضة كاملة.</b></p><ul><li><strong>بند عريض</strong></li></ul>"
    )
    # trafilatura drops a one-item list at the end of so short a page; today's reader keeps it,
    # and neither takes a bold list item for a heading.
    assert read_page(page, extract=False).blocks == (
        Block("المقدمة."),
        Block("الخلفية", 3),
        Block("نص."),
        Block("جملة عريضة كاملة."),
        Block("بند عريض"),
    )
    assert parse_html(page).segments == (
        Segment(None, ("المقدمة.",)),
        Segment("الخلفية", ("نص.", "جملة عريضة كاملة.")),
    )


def test_headings_without_text_between_them_are_joined() -> None:
    article = parse_html(
        _page("<h1>العنوان</h1><h2>الجزء الأول</h2><h3>البداية</h3><p>نص.</p><h2>خاتمة</h2>")
    )
    assert article.segments == (Segment("الجزء الأول: البداية", ("نص.", "خاتمة")),)


# --- Title and metadata -------------------------------------------------------------------------


def test_title_falls_back_to_og_title_then_the_page_title() -> None:
    head = "<title>سقوط حلب | موقع الأخبار</title><meta property='og:title' content='عنوان og'>"
    assert parse_html(_page(BODY, head)).title == "عنوان og"
    assert parse_html(_page(BODY, "<title>موقع الأخبار - سقوط حلب الكبير</title>")).title == (
        "سقوط حلب الكبير"
    )


def test_a_logo_h1_in_the_site_header_is_not_the_title() -> None:
    page = _page(
        f"<header><h1>اسم الموقع</h1></header><main>{BODY}</main>",
        "<meta property='og:title' content='العنوان الحقيقي'>",
    )
    assert parse_html(page).title == "العنوان الحقيقي"


def test_h1_outside_the_article_is_the_title() -> None:
    article = parse_html(_page(f"<div class='top'><h1>العنوان</h1></div><article>{BODY}</article>"))
    assert article.title == "العنوان"


def test_title_repeated_as_the_first_block_is_dropped() -> None:
    article = parse_html(_page(f"<p><b>سقوط حلب</b></p>{BODY}", "<title>سقوط حلب</title>"))
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


def test_meta_author_and_published_time() -> None:
    head = (
        "<meta name='author' content='سارة الخطيب'>"
        "<meta property='article:published_time' content='2024-11-30T18:05:00+03:00'>"
    )
    article = parse_html(_page(f"<h1>العنوان</h1>{BODY}", head))
    assert article.author == "سارة الخطيب"
    assert article.published == datetime(2024, 11, 30, 18, 5, tzinfo=timezone(timedelta(hours=3)))


def test_a_url_in_article_author_is_not_a_name() -> None:
    head = "<meta property='article:author' content='https://facebook.com/someone'>"
    assert parse_html(_page(f"<h1>العنوان</h1>{BODY}", head)).author is None


def test_json_ld_metadata_and_bad_json_is_ignored() -> None:
    head = (
        "<script type='application/ld+json'>{not json</script>"
        "<script type='application/ld+json'>"
        '{"@graph": [{"@type": "WebPage", "datePublished": "2020-01-01"},'
        ' {"@type": ["NewsArticle"], "headline": "العنوان من JSON",'
        ' "datePublished": "2024-11-30T10:00:00Z",'
        ' "author": [{"@type": "Person", "name": "سارة"}, "علي"]}]}'
        "</script>"
    )
    article = parse_html(_page(BODY, head))
    assert article.title == "العنوان من JSON"
    assert article.author == "سارة، علي"
    assert article.published == datetime(2024, 11, 30, 10, 0, tzinfo=UTC)


def test_time_element_and_byline_element_are_read_and_removed() -> None:
    article = parse_html(
        _page(
            "<article><h1>العنوان</h1><div class='byline'>بقلم <a rel='author'>علي حسن</a></div>"
            "<time datetime='2024-12-01T10:30:00+02:00'>الأحد 1 ديسمبر</time>"
            f"{BODY}<p>وفي <time datetime='2024-11-29'>يوم الجمعة</time> بدأ الهجوم.</p></article>"
        )
    )
    assert article.author == "علي حسن"
    assert article.published == datetime(2024, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    # A <time> inside a sentence stays in it.
    assert article.segments[0].paragraphs[-1] == "وفي يوم الجمعة بدأ الهجوم."
    assert all("علي حسن" not in text and "1 ديسمبر" not in text for text in _texts(article))


def test_byline_paragraphs_are_read_like_plain_text() -> None:
    article = parse_html(_page(f"<h1>العنوان</h1><p>كتب: محمود علي</p><p>30 نوفمبر 2024</p>{BODY}"))
    assert (article.author, article.published) == (
        "محمود علي",
        datetime(2024, 11, 30, tzinfo=UTC),
    )
    assert article.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)


# --- Decoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "declaration",
    [
        '<meta charset="windows-1256">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        "<META HTTP-EQUIV=content-type CONTENT='text/html;charset=WINDOWS-1256'>",
        '<meta charset="iso-8859-6">',
    ],
)
def test_declared_charset_is_honoured(tmp_path: Path, declaration: str) -> None:
    page = _page(f"<h1>سقوط حلب</h1>{BODY}", declaration)
    codec = "iso8859-6" if "8859-6" in declaration else "cp1256"
    path = tmp_path / "page.html"
    path.write_bytes(page.encode(codec))
    assert read_article(path) == parse_html(page)


def test_declared_charset_yields_to_valid_utf8(tmp_path: Path) -> None:
    # A page saved as UTF-8 often keeps its old declaration.
    page = _page(f"<h1>سقوط حلب</h1>{BODY}", '<meta charset="windows-1256">')
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("utf-8"))
    assert read_article(path).title == "سقوط حلب"


def test_windows_1256_page_without_a_declaration(tmp_path: Path) -> None:
    page = _page(
        "<script>var config = {analytics: true, tracking: 'enabled', layout: 'wide'};</script>"
        f"<h1>سقوط حلب</h1>{BODY}"
    )
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1256"))
    assert read_article(path) == parse_html(page)


def test_declared_latin1_page_is_read_as_windows_1252(tmp_path: Path) -> None:
    page = _page("<h1>Café “central”</h1><p>Un été à Beyrouth.</p>", '<meta charset="iso-8859-1">')
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1252"))
    assert read_article(path).title == "Café “central”"


@pytest.mark.parametrize("charset", ["rot13", "base64", "undefined", "unicode_escape", "klingon"])
def test_a_declared_codec_that_is_no_web_encoding_is_ignored(tmp_path: Path, charset: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(f'<meta charset="{charset}"><p>Un été.</p>'.encode("latin-1"))
    with pytest.raises(ArticleError, match=r"is not UTF-8 text \(byte 0xE9"):
        read_article(path)


def test_page_with_only_furniture_has_nothing_to_speak(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(
        _page("<nav><a>الرئيسية</a></nav><footer><p>جميع الحقوق محفوظة</p></footer>"),
        encoding="utf-8",
    )
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert str(info.value) == f"article {path} has no text to speak once page junk is removed"


def test_deeply_nested_page_is_read() -> None:
    depth = 20_000
    page = "<div>" * depth + "<p>العنوان</p><p>نص.</p>" + "</div>" * depth
    assert parse_html(page) == Article("العنوان", (Segment(None, ("نص.",)),))


def test_single_paragraph_page_keeps_its_paragraph_under_a_derived_title() -> None:
    # The derived title is said once: the paragraph goes on from its second sentence.
    assert parse_html("<p>سقطت المدينة. وانسحب الجيش.</p>") == Article(
        "سقطت المدينة", (Segment(None, ("وانسحب الجيش.",)),)
    )
    assert parse_html("<p>سقطت المدينة.</p>") == Article(
        "سقطت المدينة", (Segment(None, ("سقطت المدينة.",)),)
    )


def test_site_header_goes_but_an_article_header_keeps_its_standfirst() -> None:
    standfirst = "<p>ملخص الخبر في سطرين.</p>"
    site = parse_html(_page(f"<header>{standfirst}</header><h1>العنوان</h1>{BODY}"))
    assert site.segments == (Segment(None, ("نص الخبر الأول.", "نص الخبر الثاني.")),)
    article = parse_html(_page(f"<article><header><h1>العنوان</h1>{standfirst}</header>{BODY}"))
    assert article.segments == (
        Segment(None, ("ملخص الخبر في سطرين.", "نص الخبر الأول.", "نص الخبر الثاني.")),
    )


def test_header_class_is_junk_only_on_a_whole_page() -> None:
    standfirst = "<p>ملخص الخبر في سطرين.</p>"
    site = parse_html(_page(f"<div id='header'>{standfirst}</div><h1>العنوان</h1>{BODY}"))
    assert "ملخص الخبر في سطرين." not in site.segments[0].paragraphs
    article = parse_html(
        _page(
            f"<article><h1>العنوان</h1><div class='article-header'>{standfirst}</div>"
            f"{BODY}</article>"
        )
    )
    assert article.segments[0].paragraphs[0] == "ملخص الخبر في سطرين."


def test_struck_out_text_is_a_correction_and_is_not_read() -> None:
    article = parse_html(
        _page(
            "<h1>العنوان</h1><p>قتل <del>عشرة</del> <ins>اثنا عشر</ins> شخصا.</p>"
            "<p>الحصيلة <s>الأولية</s> النهائية.</p><p><strike>خبر سحب بالكامل.</strike></p>"
            "<p>نص باق.</p>"
        )
    )
    assert article == Article(
        "العنوان", (Segment(None, ("قتل اثنا عشر شخصا.", "الحصيلة النهائية.", "نص باق.")),)
    )


def test_interview_marks_before_questions_and_answers_are_not_kept() -> None:
    article = parse_html(
        _page(
            "<h1>حوار مع الباحثة</h1><p>قالت الباحثة إن المشروع يحتاج إلى سنوات.</p>"
            "<h3>*ما الذي تغير منذ البداية؟</h3><p>- تغير كل شيء تقريبا في طريقة العمل.</p>"
            "<p>-3% فقط من الميزانية ذهب إلى التدريب.</p>"
        )
    )
    [_lead, answer] = article.segments
    assert answer.heading == "ما الذي تغير منذ البداية؟"
    assert answer.paragraphs == (
        "تغير كل شيء تقريبا في طريقة العمل.",
        "-3% فقط من الميزانية ذهب إلى التدريب.",
    )


def test_an_author_given_with_its_byline_word_is_the_name_alone() -> None:
    article = parse_html(
        _page(
            "<article><h1>ارتفاع أسعار القمح عالميا بسبب موجة الجفاف</h1>"
            "<div class='byline'>بقلم: نادية الحسن</div>"
            "<p>ارتفعت أسعار القمح في الأسواق العالمية خلال الأسبوع الماضي بعد موجة جفاف طويلة"
            " ضربت مناطق الإنتاج الرئيسية في عدة دول من العالم.</p>"
            "<p>وقال محللون إن الأسعار قد تواصل الارتفاع إذا استمر الجفاف حتى نهاية العام.</p>"
            "</article>"
        )
    )
    assert article.author == "نادية الحسن"
    assert not any("بقلم" in p for s in article.segments for p in s.paragraphs)
