"""The Markdown reader: CommonMark structure, front matter, and what is not spoken."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.read.article import read_article
from narrate.read.markdown import parse_markdown, read_front_matter


def test_headings_emphasis_links_and_images() -> None:
    article = parse_markdown(
        "# سقوط *حلب*\n\n"
        'قالت **المصادر** إن [القوات](https://example.com/x "عنوان") دخلت المدينة. '
        "![صورة الدخول](entry.jpg)\n\n"
        "## الخلفية\n\nبدأت `المعركة` قبل أسبوع.\n\n"
        "### التفاصيل\n\nنص التفاصيل.\n\n#### عنوان صغير\n\nنص بعده.\n"
    )
    assert article == Article(
        "سقوط حلب",
        (
            Segment(None, ("قالت المصادر إن القوات دخلت المدينة.",)),
            Segment("الخلفية", ("بدأت المعركة قبل أسبوع.",)),
            Segment("التفاصيل", ("نص التفاصيل.", "عنوان صغير", "نص بعده.")),
        ),
    )


def test_every_list_item_is_a_paragraph() -> None:
    article = parse_markdown(
        "# العنوان\n\nالقائمة:\n\n- الأول\n- **الثاني**\n  - فرعي\n\n1. أولاً\n2) ثانياً\n"
    )
    assert article.segments == (
        Segment(None, ("القائمة:", "الأول", "الثاني", "فرعي", "أولاً", "ثانياً")),
    )


def test_block_quotes_are_paragraphs_and_code_html_and_rules_go() -> None:
    article = parse_markdown(
        "# العنوان\n\n> قال الوزير:\n>\n> «سنعيد البناء».\n\n"
        "```\nprint('لا يقرأ')\n```\n\n    كود مزاح\n\n"
        '<div class="ad">إعلان</div>\n\n---\n\nالنهاية.\n'
    )
    assert article.segments == (Segment(None, ("قال الوزير:", "«سنعيد البناء».", "النهاية.")),)


def test_bold_only_paragraph_is_a_heading_but_not_a_bold_sentence() -> None:
    article = parse_markdown(
        "# العنوان\n\nمقدمة.\n\n**الخلفية**\n\nنص.\n\n**جملة عريضة كاملة.**\n\nنص آخر.\n"
    )
    assert article.segments == (
        Segment(None, ("مقدمة.",)),
        Segment("الخلفية", ("نص.", "جملة عريضة كاملة.", "نص آخر.")),
    )


def test_table_rows_are_paragraphs() -> None:
    article = parse_markdown("# العنوان\n\n| المدينة | السكان |\n|---|---|\n| حلب | مليونان |\n")
    assert article.segments == (Segment(None, ("المدينة، السكان", "حلب، مليونان")),)


def test_struck_through_text_is_a_correction_and_goes() -> None:
    article = parse_markdown(
        "# ~~سقوط~~ تحرير حلب\n\n"
        "قالت المصادر إن ~~عشرة~~ عشرين شخصا قتلوا ~~أمس~~ **~~الأحد~~** في القصف.\n\n"
        "~~فقرة سحبت كلها.~~\n\n"
        "- ~~بند سحب~~\n- بند ~~قديم\nعلى سطرين~~ مصحح\n\n"
        "| المدينة | ~~الضحايا~~ |\n|---|---|\n| حلب | عشرون |\n\n"
        # One "~" is not strikethrough, nor is an unclosed "~~": the text is kept.
        "نص بعلامة ~واحدة~ وأخرى ~~ مفتوحة.\n"
    )
    assert article == Article(
        "تحرير حلب",
        (
            Segment(
                None,
                (
                    "قالت المصادر إن عشرين شخصا قتلوا في القصف.",
                    "بند مصحح",
                    "المدينة",
                    "حلب، عشرون",
                    "نص بعلامة ~واحدة~ وأخرى ~~ مفتوحة.",
                ),
            ),
        ),
    )


def test_setext_headings() -> None:
    article = parse_markdown("العنوان\n=======\n\nمقدمة.\n\nالقسم\n-----\n\nنص.\n")
    assert article == Article("العنوان", (Segment(None, ("مقدمة.",)), Segment("القسم", ("نص.",))))


def test_consecutive_headings_join_and_trailing_ones_are_spoken() -> None:
    article = parse_markdown("# العنوان\n\n## الجزء الأول\n\n### البداية\n\nنص.\n\n## الخاتمة\n")
    assert article.segments == (Segment("الجزء الأول: البداية", ("نص.", "الخاتمة")),)


def test_duplicate_headings_stay_distinct() -> None:
    article = parse_markdown("# العنوان\n\n## تحديث\n\nأول.\n\n## تحديث\n\nثان.\n")
    assert article.segments == (Segment("تحديث", ("أول.",)), Segment("تحديث", ("ثان.",)))


def test_title_without_a_leading_h1() -> None:
    assert parse_markdown("## الخلفية\n\nنص.\n").title == "الخلفية"
    assert parse_markdown("عنوان قصير\n\nنص الخبر.\n") == Article(
        "عنوان قصير", (Segment(None, ("نص الخبر.",)),)
    )
    derived = parse_markdown("سقطت المدينة. وانسحب الجيش.\n")
    # The derived title is said once, in the intro: the lead goes on from the next sentence.
    assert derived == Article("سقطت المدينة", (Segment(None, ("وانسحب الجيش.",)),))
    alone = parse_markdown("سقطت المدينة.\n")
    assert alone == Article("سقطت المدينة", (Segment(None, ("سقطت المدينة.",)),))


def test_page_junk_bylines_and_dates_leave_the_body() -> None:
    article = parse_markdown(
        "# العنوان\n\nعاجل\n\nبقلم: سارة الخطيب\n\n30 نوفمبر 2024\n\n"
        "الرئيسية » أخبار » سياسة\n\nنص الخبر.\n\nاقرأ أيضاً: [خبر آخر](/x)\n\nتم نسخ الرابط\n"
    )
    assert article == Article(
        "العنوان",
        (Segment(None, ("نص الخبر.",)),),
        author="سارة الخطيب",
        published=datetime(2024, 11, 30, tzinfo=UTC),
    )


# --- Front matter -------------------------------------------------------------------------------


def test_yaml_front_matter() -> None:
    article = parse_markdown(
        '---\ntitle: "سقوط حلب"\nauthor: سارة الخطيب\ndate: 2024-11-30T10:00:00+02:00\n'
        "tags: [سوريا]\n---\n\nنص الخبر.\n"
    )
    assert article.title == "سقوط حلب"
    assert article.author == "سارة الخطيب"
    assert article.published is not None
    assert article.published.isoformat() == "2024-11-30T10:00:00+02:00"
    assert article.segments == (Segment(None, ("نص الخبر.",)),)


def test_a_leading_h1_wins_over_the_front_matter_title_and_is_not_repeated() -> None:
    text = "---\ntitle: عنوان الملف\n---\n# العنوان الظاهر\n\nنص.\n"
    assert parse_markdown(text).title == "العنوان الظاهر"
    repeated = "---\ntitle: العنوان\n---\n\nالعنوان\n\nنص.\n"
    assert parse_markdown(repeated) == Article("العنوان", (Segment(None, ("نص.",)),))


@pytest.mark.parametrize(
    ("front", "author"),
    [
        ("---\nauthors:\n  - سارة\n  - علي\n---\n", "سارة"),
        ('---\nauthors: ["سارة", علي]\n---\n', "سارة"),
        ('+++\ntitle = "العنوان"\nauthor = "سارة"\n+++\n', "سارة"),
        ("---\nwriter: 'سارة'\n...\n", "سارة"),
    ],
)
def test_front_matter_author_forms(front: str, author: str) -> None:
    metadata, body = read_front_matter(front + "نص.")
    assert metadata.author == author
    assert body == "نص."


def test_bad_front_matter_values_are_ignored() -> None:
    metadata, _ = read_front_matter("---\ndate: قريباً\ntitle:\n---\nنص.")
    assert (metadata.title, metadata.published) == (None, None)


def test_a_rule_that_is_not_front_matter_stays_markdown() -> None:
    article = parse_markdown("---\n\n# العنوان\n\nنص.\n")
    assert article == Article("العنوان", (Segment(None, ("نص.",)),))


def test_crlf_and_bom_markdown_file(tmp_path: Path) -> None:
    text = "---\ntitle: العنوان\n---\n\n## القسم\n\nنص القسم.\n"
    path = tmp_path / "a.md"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    assert read_article(path) == parse_markdown(text)


def test_markdown_with_nothing_to_speak(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("```\ncode\n```\n\n![صورة](a.png)\n\n---\n", encoding="utf-8")
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert str(info.value) == f"article {path} has no text to speak once page junk is removed"
