"""Bylines, publication dates, breadcrumbs and other page junk, as read from plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from narrate.models import Article, Segment
from narrate.read.cleaning import fold, is_breadcrumb, is_junk_line
from narrate.read.metadata import (
    MONTHS,
    clean_author,
    parse_author_line,
    parse_date_line,
    parse_machine_date,
    parse_metadata_line,
)
from narrate.read.plain import parse_text

PLUS3 = timezone(timedelta(hours=3))


def _when(line: str) -> datetime | None:
    found = parse_date_line(line)
    assert found is not None, line
    return found.when


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024/11/30", datetime(2024, 11, 30, tzinfo=UTC)),
        ("2024-11-30", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30/11/2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30.11.2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("٢٠٢٤/١١/٣٠", datetime(2024, 11, 30, tzinfo=UTC)),
        ("۳۰ نوفمبر ۲۰۲۴", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30 نوفمبر 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30 نوفمبر، 2024م", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30 تشرين الثاني 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("30 تشرين الثاني/نوفمبر 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("5 أيار 2022", datetime(2022, 5, 5, tzinfo=UTC)),
        ("5 ايار 2022", datetime(2022, 5, 5, tzinfo=UTC)),
        ("12 جانفي 2023", datetime(2023, 1, 12, tzinfo=UTC)),
        ("الأحد 1 ديسمبر 2024 - 10:30", datetime(2024, 12, 1, 10, 30, tzinfo=UTC)),
        ("الأحد، 1 ديسمبر 2024 الساعة 10:30 مساءً", datetime(2024, 12, 1, 22, 30, tzinfo=UTC)),
        ("السبت 7 ديسمبر 2024 - 12:05 ص", datetime(2024, 12, 7, 0, 5, tzinfo=UTC)),
        ("نشر في: 30 نوفمبر 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("تاريخ النشر 2024/11/30 - 18:05 +03:00", datetime(2024, 11, 30, 18, 5, tzinfo=PLUS3)),
        ("30/11/2024 18:05 GMT+3", datetime(2024, 11, 30, 18, 5, tzinfo=PLUS3)),
        ("30/11/2024 18:05 بتوقيت مكة المكرمة", datetime(2024, 11, 30, 15, 5, tzinfo=UTC)),
        ("30/11/2024 18:05 بتوقيت غرينتش", datetime(2024, 11, 30, 18, 5, tzinfo=UTC)),
        ("2024-11-30T18:05:00+03:00", datetime(2024, 11, 30, 18, 5, tzinfo=PLUS3)),
        ("2024-11-30T18:05Z", datetime(2024, 11, 30, 18, 5, tzinfo=UTC)),
        ("November 30, 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("Published: Sat 30 Nov 2024 at 6:05 pm", datetime(2024, 11, 30, 18, 5, tzinfo=UTC)),
        (
            "السبت 30 نوفمبر 2024 | 28 جمادى الأولى 1446 هـ",
            datetime(2024, 11, 30, tzinfo=UTC),
        ),
    ],
)
def test_date_lines(line: str, expected: datetime) -> None:
    when = _when(line)
    assert when == expected
    assert when is not None and when.tzinfo is not None


def test_a_date_without_a_zone_is_utc() -> None:
    assert _when("30 نوفمبر 2024 - 10:30") == datetime(2024, 11, 30, 10, 30, tzinfo=UTC)


def test_every_month_name_in_the_table_is_read() -> None:
    for number, names in MONTHS.items():
        for name in names:
            assert _when(f"15 {name} 2024") == datetime(2024, number, 15, tzinfo=UTC), name


def test_levantine_and_egyptian_names_agree() -> None:
    levantine = [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ]
    egyptian = [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ]
    for month, (east, west) in enumerate(zip(levantine, egyptian, strict=True), start=1):
        assert (
            _when(f"3 {east} 2025")
            == _when(f"3 {west} 2025")
            == datetime(2025, month, 3, tzinfo=UTC)
        )


def test_updated_dates_are_marked() -> None:
    found = parse_date_line("آخر تحديث: 2 ديسمبر 2024")
    assert found is not None and found.updated


def test_a_hijri_date_alone_is_a_date_line_without_a_date() -> None:
    found = parse_date_line("28 جمادى الأولى 1446 هـ")
    assert found is not None and found.when is None


@pytest.mark.parametrize(
    "line",
    [
        "في 30 نوفمبر 2024 سقطت حلب",
        "30 نوفمبر",
        "2024",
        "31/02/2024",
        "30/13/2024",
        "30 نوفمبر 1066",
        "الأحد",
        "قبل 3 ساعات",
        "10:30",
    ],
)
def test_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-30T18:05:00+03:00", datetime(2024, 11, 30, 18, 5, tzinfo=PLUS3)),
        ("2024-11-30T15:05:00.000Z", datetime(2024, 11, 30, 15, 5, tzinfo=UTC)),
        ("2024-11-30 15:05:00", datetime(2024, 11, 30, 15, 5, tzinfo=UTC)),
        ("Sat, 30 Nov 2024 15:05:00 +0000", datetime(2024, 11, 30, 15, 5, tzinfo=UTC)),
        ("30 نوفمبر 2024", datetime(2024, 11, 30, tzinfo=UTC)),
        ("", None),
        ("not a date", None),
        ("0001-01-01", None),
    ],
)
def test_machine_dates(value: str, expected: datetime | None) -> None:
    assert parse_machine_date(value) == expected


# --- Authors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("بقلم: فلان الفلاني", "فلان الفلاني"),
        ("بقلم فلان الفلاني", "فلان الفلاني"),
        ("بِقلم: فلان", "فلان"),
        ("كتب: محمود علي", "محمود علي"),
        ("كتب - محمود علي", "محمود علي"),
        ("كتبت: هبة منصور", "هبة منصور"),
        ("إعداد: فريق التحرير", "فريق التحرير"),
        ("By Jane Doe", "Jane Doe"),
        ("by Jane Doe, Reuters", "Jane Doe"),
        ("Written by Jane Doe", "Jane Doe"),
        ("بقلم: سارة الخطيب، مراسلة الشؤون الاقتصادية", "سارة الخطيب"),
    ],
)
def test_author_lines(line: str, author: str) -> None:
    assert parse_author_line(line) == author


@pytest.mark.parametrize(
    "line",
    [
        "كتب الرئيس رسالة إلى نظيره",  # "كتب" starts a sentence: it needs a colon or dash
        "by the river",
        "بقلم: ",
        "بقلم: كاتب كتب هذا المقال في الساعة الثالثة من صباح يوم الأحد الماضي",
        "بقلم: 2024",
        "Byzantine art",
    ],
)
def test_not_author_lines(line: str) -> None:
    assert parse_author_line(line) is None


def test_clean_author_refuses_sentences() -> None:
    assert clean_author("من هو؟") is None
    assert clean_author("علي حسن - القاهرة") == "علي حسن"
    assert clean_author("علي حسن | القاهرة") is None  # a bar separates items, not name parts


def test_combined_byline_and_date() -> None:
    found = parse_metadata_line("بقلم: سارة الخطيب | 30 نوفمبر 2024 - 10:30")
    assert found is not None
    author, dates = found
    assert author == "سارة الخطيب"
    assert [d.when for d in dates] == [datetime(2024, 11, 30, 10, 30, tzinfo=UTC)]
    assert parse_metadata_line("بقلم: سارة | وقال الوزير إن الوضع مستقر") is None


# --- Metadata in plain-text articles ------------------------------------------------------------


def test_text_article_metadata_lines_leave_the_body() -> None:
    text = (
        "الرئيسية » أخبار » سياسة\n\nعاجل\n\nالعنوان الرئيسي\n\nبقلم: سارة الخطيب\n"
        "الأحد 1 ديسمبر 2024 - 10:30\nآخر تحديث: 2 ديسمبر 2024\n\nنص الخبر.\n"
    )
    assert parse_text(text) == Article(
        "العنوان الرئيسي",
        (Segment(None, ("نص الخبر.",)),),
        author="سارة الخطيب",
        published=datetime(2024, 12, 1, 10, 30, tzinfo=UTC),
    )


def test_an_update_date_is_used_when_there_is_no_publication_date() -> None:
    article = parse_text("العنوان\n\nآخر تحديث: 2 ديسمبر 2024\n\nنص الخبر.\n")
    assert article.published == datetime(2024, 12, 2, tzinfo=UTC)


def test_metadata_lines_deep_in_the_body_stay() -> None:
    body = "".join(f"الفقرة رقم {i} من الخبر.\n\n" for i in range(12))
    article = parse_text(f"العنوان\n\n{body}بقلم: سارة الخطيب\n")
    assert article.author is None
    assert article.segments[0].paragraphs[-1] == "بقلم: سارة الخطيب"


def test_a_dated_sentence_is_body_text() -> None:
    article = parse_text("العنوان\n\nفي 30 نوفمبر 2024 سقطت حلب.\n")
    assert article.published is None
    assert article.segments == (Segment(None, ("في 30 نوفمبر 2024 سقطت حلب.",)),)


# --- Breadcrumbs and junk -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "الرئيسية » أخبار » سياسة",
        "الرئيسية > أخبار > سياسة",
        "الرئيسية / أخبار / سياسة",
        "الرئيسية › أخبار",
        "أخبار » العالم العربي » سوريا",
        "أخبار › سياسة › انتخابات 2024",
        "Home > News > World",
        "الرئيسية | اقتصاد",
    ],
)
def test_breadcrumbs(line: str) -> None:
    assert is_breadcrumb(line)
    assert is_junk_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "حلب / دمشق",
        "2024/11/30",
        "الأسعار > التوقعات",  # two crumbs need a "home" first
        "قال الوزير إن النمو » التوقعات » التقديرات السابقة بفارق كبير جدا هذا العام في كل قطاع",
        "1/2",
    ],
)
def test_not_breadcrumbs(line: str) -> None:
    assert not is_breadcrumb(line)


@pytest.mark.parametrize(
    "line",
    [
        "قراءة 3 دقائق",
        "3 دقائق قراءة",
        "وقت القراءة: 5 دقائق",
        "4 min read",
        "طباعة | أرسل لصديق",
        "فيسبوك • تويتر • واتساب",
        "جميع الحقوق محفوظة © 2025",
        "مواضيع ذات صلة",
    ],
)
def test_more_junk_lines(line: str) -> None:
    assert is_junk_line(line)


@pytest.mark.parametrize(
    "line",
    ["قرأت الكتاب في 3 دقائق.", "فيسبوك تحظر حسابات وهمية", "طباعة الكتب تتراجع"],
)
def test_lines_that_only_mention_junk_words_stay(line: str) -> None:
    assert not is_junk_line(line)


def test_fold_ignores_alef_forms_and_diacritics() -> None:
    assert fold("أَيَّار") == fold("ايار")
