"""The article reader: decoding, page-junk removal, title and headed segments."""

from __future__ import annotations

import doctest
import io
import json
import os
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

import narrate.read.article
import narrate.read.blocks
import narrate.read.cleaning
import narrate.read.decoding
import narrate.read.html
import narrate.read.markdown
import narrate.read.metadata
import narrate.read.plain
from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.read.article import (
    FORMATS,
    MAX_ARTICLE_BYTES,
    STDIN,
    detect_format,
    parse_article,
    parse_text,
    read_article,
)
from tests.paths import DATA, EXPECTED_PLAN, REPO

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    HAVE_HYPOTHESIS = False
else:
    HAVE_HYPOTHESIS = True

EXAMPLE_TEXT = REPO / "examples" / "damascus-to-moscow.txt"
EXAMPLE_EXPECTED = EXPECTED_PLAN
GOLDEN_DIR = DATA / "articles"
GOLDEN_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
GOLDEN = sorted(p for p in GOLDEN_DIR.iterdir() if p.suffix in GOLDEN_SUFFIXES)
#: NARRATE_UPDATE_GOLDEN=1 rewrites the expected JSON from the reader's output: review the diff.
UPDATE_GOLDEN = os.environ.get("NARRATE_UPDATE_GOLDEN") == "1"

SHORT_ARABIC = """\
ارتفاع أسعار القمح

ارتفعت أسعار القمح هذا الأسبوع بنسبة كبيرة، بعد تراجع توقعات الحصاد.

أسباب الارتفاع

وقال محللون إن موجة الجفاف قلّصت المعروض، فيما زاد الطلب.
"""


def _raises(path: Path) -> str:
    """The message read_article raises for ``path``; it must be one line."""
    with pytest.raises(ArticleError) as info:
        read_article(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def _png_bytes() -> bytes:
    """A real, valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _headings(article: Article) -> list[str | None]:
    return [segment.heading for segment in article.segments]


def _all_text(article: Article) -> list[str]:
    return [
        article.title,
        *(s.heading for s in article.segments if s.heading),
        *(p for s in article.segments for p in s.paragraphs),
    ]


# --- The reference article ----------------------------------------------------------------------


def test_reference_article_matches_its_expected_segmentation() -> None:
    expected = json.loads(EXAMPLE_EXPECTED.read_text(encoding="utf-8"))
    article = parse_text(EXAMPLE_TEXT.read_text(encoding="utf-8"))

    assert article.title == expected["title"].strip()
    assert _headings(article) == [
        s["heading"].strip() if s["heading"] is not None else None for s in expected["segments"]
    ]
    for segment, want in zip(article.segments, expected["segments"], strict=True):
        for phrase in want["contains"]:
            assert any(phrase in p for p in segment.paragraphs), (segment.heading, phrase)
    for text in _all_text(article):
        for junk in expected["must_not_appear"]:
            assert junk not in text


def test_reference_article_reads_the_same_from_disk() -> None:
    assert read_article(EXAMPLE_TEXT) == parse_text(EXAMPLE_TEXT.read_text(encoding="utf-8"))


def test_reference_article_paragraphs_are_whole_blocks() -> None:
    article = read_article(EXAMPLE_TEXT)
    assert [len(s.paragraphs) for s in article.segments] == [1, 2, 1, 3, 1, 1, 2, 1, 1, 1]
    # The double-printed caption goes entirely: neither copy survives, not even in the lead.
    assert all("هروب بشار الاسد" not in text for text in _all_text(article))
    assert article.segments[6].paragraphs[0].endswith("غادرها بصمت .")


# --- Golden articles ----------------------------------------------------------------------------


def _starts_with(path: Path, prefix: bytes) -> bool:
    return path.read_bytes().startswith(prefix)


def test_there_are_golden_articles_in_every_format_and_encoding() -> None:
    assert len({p.stem for p in GOLDEN}) == len(GOLDEN), "golden stems must be unique"
    for source in GOLDEN:
        assert source.with_suffix(".json").is_file(), f"{source.name} has no expected .json"
    formats = [detect_format(p.name, "") for p in GOLDEN]
    assert formats.count("text") >= 8
    assert formats.count("markdown") >= 3
    assert formats.count("html") >= 3
    # The encodings are real, not just named: a UTF-16 BOM, a UTF-8 BOM, bytes that are not UTF-8.
    assert any(_starts_with(p, b"\xff\xfe") for p in GOLDEN)
    assert any(_starts_with(p, b"\xef\xbb\xbf") for p in GOLDEN)
    legacy = [p for p in GOLDEN if p.stem.startswith("cp1256")]
    assert len(legacy) >= 2
    for path in legacy:
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    assert any(b"\r\n" in p.read_bytes() for p in GOLDEN)


@pytest.mark.parametrize("source", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_article(source: Path) -> None:
    expected_path = source.with_suffix(".json")
    got = read_article(source).to_json()
    if UPDATE_GOLDEN:
        expected_path.write_text(
            json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def test_golden_articles_carry_no_page_junk() -> None:
    junk = [
        "عاجل",
        "اقرأ أيضا",
        "تم نسخ الرابط",
        "الرئيسية »",
        "إعلان",
        "فيسبوك",
        "جميع الحقوق",
        "ذات صلة",
        "التعليقات",
        "صورة من موقع",
        "صورة جوية",
        "طباعة",
        "أرسل لصديق",
        "قراءة 4",
        "قراءة 6",
        "بقلم",
        "كتب:",
        "كتبت -",
        "الأكثر قراءة",
        "اشترك",
        "كلمات مفتاحية",
        "googletag",
        "production",
        "http",
        "<",
        "&nbsp;",
        "\u00a0",
    ]
    for source in GOLDEN:
        article = read_article(source)
        for text in _all_text(article):
            for phrase in junk:
                assert phrase not in text, (source.name, phrase, text)


# --- Segmentation rules -------------------------------------------------------------------------


def test_article_without_headings_is_one_lead_segment() -> None:
    article = parse_text(
        "عنوان الخبر\n\nالفقرة الأولى من الخبر، وهي طويلة بما يكفي.\n\n"
        "والفقرة الثانية تكمل الخبر.\n"
    )
    assert article == Article(
        "عنوان الخبر",
        (
            Segment(
                None, ("الفقرة الأولى من الخبر، وهي طويلة بما يكفي.", "والفقرة الثانية تكمل الخبر.")
            ),
        ),
    )


def test_lead_is_omitted_when_a_heading_comes_first() -> None:
    article = parse_text("العنوان\n\nالخلفية\n\nبدأت القصة قبل عام.\n")
    assert article.segments == (Segment("الخلفية", ("بدأت القصة قبل عام.",)),)


def test_duplicate_headings_stay_distinct_segments() -> None:
    text = "العنوان\n\nتحديث\n\nوصل الوفد صباحاً.\n\nتحديث\n\nغادر الوفد مساءً.\n"
    assert parse_text(text).segments == (
        Segment("تحديث", ("وصل الوفد صباحاً.",)),
        Segment("تحديث", ("غادر الوفد مساءً.",)),
    )


def test_question_heading_may_end_with_a_question_mark() -> None:
    text = "العنوان\n\nمقدمة الخبر.\n\nماذا بعد سقوط المدينة؟\n\nلا أحد يعرف الجواب بعد.\n"
    assert _headings(parse_text(text)) == [None, "ماذا بعد سقوط المدينة؟"]


def test_heading_may_contain_a_colon_but_not_end_with_one() -> None:
    text = (
        "العنوان\n\nأولاً: الخلفية التاريخية\n\nبدأت القصة قبل عام.\n\n"
        "وقال الوزير في بيانه:\n\nإن الحكومة ستعلن قرارها غداً.\n"
    )
    article = parse_text(text)
    assert _headings(article) == ["أولاً: الخلفية التاريخية"]
    assert article.segments[0].paragraphs == (
        "بدأت القصة قبل عام.",
        "وقال الوزير في بيانه:",
        "إن الحكومة ستعلن قرارها غداً.",
    )


@pytest.mark.parametrize("heading", ["1. المقدمة", "١- المقدمة", "٣) المقدمة", "2 - المقدمة"])
def test_numbered_headings_count(heading: str) -> None:
    article = parse_text(f"العنوان\n\n{heading}\n\nنص الفقرة الأولى هنا.\n")
    assert _headings(article) == [heading]


def test_double_dot_inside_a_line_is_not_sentence_final() -> None:
    article = parse_text("العنوان\n\nحلب.. قبل الحرب\n\nكانت حلب مدينة مزدهرة.\n")
    assert _headings(article) == ["حلب.. قبل الحرب"]


@pytest.mark.parametrize(
    "line", ["انتهى الاجتماع.", "يا له من يوم!", "وأضاف المتحدث،", "ثم قال؛", "والقائمة تطول…"]
)
def test_short_line_ending_a_sentence_is_not_a_heading(line: str) -> None:
    article = parse_text(f"العنوان\n\n{line}\n\nنص الفقرة الأولى هنا.\n")
    assert _headings(article) == [None]
    assert article.segments[0].paragraphs == (line, "نص الفقرة الأولى هنا.")


def test_long_line_is_not_a_heading() -> None:
    long_line = " ".join(["كلمة"] * 13)
    article = parse_text(f"العنوان\n\n{long_line}\n\nنص الفقرة الأولى هنا.\n")
    assert _headings(article) == [None]


def test_heading_before_another_heading_is_a_paragraph() -> None:
    text = "العنوان\n\nمقدمة.\n\nالقسم الأول\n\nالقسم الفرعي\n\nنص القسم.\n"
    assert parse_text(text).segments == (
        Segment(None, ("مقدمة.", "القسم الأول")),
        Segment("القسم الفرعي", ("نص القسم.",)),
    )


def test_short_line_at_the_end_is_a_paragraph() -> None:
    text = "العنوان\n\nالقسم\n\nنص القسم.\n\nانتهى البث المباشر\n"
    assert parse_text(text).segments == (Segment("القسم", ("نص القسم.", "انتهى البث المباشر")),)


def test_heading_as_first_line_of_its_block() -> None:
    text = "العنوان\n\nالقسم الأول\nنص القسم الأول يأتي مباشرة تحت العنوان دون سطر فارغ بينهما.\n"
    assert parse_text(text).segments == (
        Segment("القسم الأول", ("نص القسم الأول يأتي مباشرة تحت العنوان دون سطر فارغ بينهما.",)),
    )


def test_hard_wrapped_lines_are_joined_not_taken_for_headings() -> None:
    text = (
        "العنوان\n\n"
        "هذه فقرة ملفوفة يدوياً بعرض ثابت\n"
        "كما في رسائل البريد القديمة، وكل سطر\n"
        "فيها قصير ولا ينتهي بعلامة ترقيم.\n"
    )
    assert parse_text(text).segments == (
        Segment(
            None,
            (
                "هذه فقرة ملفوفة يدوياً بعرض ثابت كما في رسائل البريد القديمة، وكل سطر"
                " فيها قصير ولا ينتهي بعلامة ترقيم.",
            ),
        ),
    )


# --- Title --------------------------------------------------------------------------------------


def test_title_is_the_first_short_line_and_leaves_the_body() -> None:
    article = parse_text("عاجل\n\nالعنوان الرئيسي للخبر\n\nنص الخبر.\n")
    assert article.title == "العنوان الرئيسي للخبر"
    assert article.segments == (Segment(None, ("نص الخبر.",)),)


def test_title_from_the_first_sentence_is_not_spoken_again() -> None:
    # No headline: the first sentence is the title, said in the intro; the lead goes on after it
    # (it used to be cut in the intro and then read whole).
    first = (
        "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية المتضررة من الجفاف "
        "الذي ضرب البلاد."
    )
    article = parse_text(
        f"{first} وتشمل الخطة قروضاً ميسرة.\n\nالتفاصيل\n\nتبدأ الخطة الشهر المقبل.\n"
    )
    assert article.title == first.rstrip(".")
    assert article.segments[0] == Segment(None, ("وتشمل الخطة قروضاً ميسرة.",))
    assert sum(first.rstrip(".") in text for text in _all_text(article)) == 1


def test_a_first_sentence_too_long_for_a_title_is_cut_and_stays() -> None:
    first = " ".join(["كلمة"] * 45) + "."
    article = parse_text(f"{first} وجملة ثانية.\n")
    assert article.title == " ".join(["كلمة"] * 12) + "…"
    assert article.segments == (Segment(None, (f"{first} وجملة ثانية.",)),)


def test_title_from_a_short_first_sentence_is_not_cut() -> None:
    article = parse_text("سقطت المدينة. وانسحب الجيش منها بعد معارك استمرت أسابيع.\n")
    assert article.title == "سقطت المدينة"
    assert article.segments == (Segment(None, ("وانسحب الجيش منها بعد معارك استمرت أسابيع.",)),)


def test_article_that_is_only_a_title_keeps_it_as_its_text() -> None:
    assert parse_text("خبر قصير جدا\n") == Article(
        "خبر قصير جدا", (Segment(None, ("خبر قصير جدا",)),)
    )


# --- Page junk and normalisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        "عاجل",
        "عاجل جداً",
        "خاص",
        "حصري",
        "« Breaking »",
        "BREAKING NEWS",
        "تم نسخ الرابط",
        "نسخ الرابط",
        "شارك",
        "مشاركة",
        "شارك على فيسبوك",
        "شارك على تويتر:",
        "Link copied!",
        "* * *",
        "---",
    ],
)
def test_junk_lines_are_removed(junk: str) -> None:
    text = f"{junk}\n\nالعنوان\n\nالقسم\n{junk}\n\nنص القسم.\n\n{junk}\n"
    article = parse_text(text)
    assert article == Article("العنوان", (Segment("القسم", ("نص القسم.",)),))


def test_junk_words_inside_a_longer_line_stay() -> None:
    text = "العنوان\n\nعاجل: الحكومة تستقيل.\n\nشارك آلاف المتظاهرين في المسيرة.\n"
    assert parse_text(text).segments == (
        Segment(None, ("عاجل: الحكومة تستقيل.", "شارك آلاف المتظاهرين في المسيرة.")),
    )


@pytest.mark.parametrize(
    "line",
    [
        "اقرأ أيضا: الحكومة تستقيل",
        "اقرأ أيضاً: الحكومة تستقيل بعد أسبوع من الاحتجاجات",
        "إقرأ أيضا الحكومة تستقيل",
        "اقرأ أيضًا",
        "Read also: the government resigns",
    ],
)
def test_read_also_lines_are_removed(line: str) -> None:
    text = f"العنوان\n\nالفقرة الأولى.\n{line}\nالفقرة الثانية.\n"
    assert parse_text(text).segments == (Segment(None, ("الفقرة الأولى.", "الفقرة الثانية.")),)


def test_a_line_merely_starting_with_a_read_also_word_stays() -> None:
    text = "العنوان\n\nاقرأ أيضاتنا كلها.\n"
    assert parse_text(text).segments == (Segment(None, ("اقرأ أيضاتنا كلها.",)),)


def test_caption_printed_twice_is_dropped_entirely() -> None:
    text = (
        "العنوان\n\nصورة: المتظاهرون في الساحة\nصورة: المتظاهرون في الساحة\n\n"
        "خرج المتظاهرون إلى الساحة.\n\nتعليق الصورة\n\nتعليق الصورة\n\nتعليق الصورة\n\nثم تفرقوا.\n"
    )
    assert parse_text(text).segments == (
        Segment(None, ("خرج المتظاهرون إلى الساحة.", "ثم تفرقوا.")),
    )


def test_spaces_and_invisible_characters_are_normalised() -> None:
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    bidi = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
    text = (
        f"\ufeff{bidi}العنوان\u00a0الرئيسي \n\u00a0\n"
        f"\u202fسقوط{invisible}\u00a0\u00a0حلب\u2007\n \t \n"
        f"في{bidi} يوم  الجمعة،\u00a0\u202fكان {invisible}التواصل مستمراً.\u00a0\n"
    )
    assert parse_text(text) == Article(
        "العنوان الرئيسي",
        (Segment("سقوط حلب", ("في يوم الجمعة، كان التواصل مستمراً.",)),),
    )


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028"])
def test_any_line_ending_segments_alike(newline: str) -> None:
    assert parse_text(SHORT_ARABIC.replace("\n", newline)) == parse_text(SHORT_ARABIC)


def test_one_paragraph_per_line_web_copy_without_blank_lines() -> None:
    text = (
        "العنوان\nالفقرة الأولى طويلة بما يكفي لتكون فقرة كاملة من الخبر المنشور.\n"
        "القسم\nالفقرة الثانية طويلة بما يكفي لتكون فقرة كاملة من الخبر المنشور.\n"
        "الفقرة الثالثة.\n"
    )
    assert parse_text(text).segments == (
        Segment(None, ("الفقرة الأولى طويلة بما يكفي لتكون فقرة كاملة من الخبر المنشور.",)),
        Segment(
            "القسم",
            (
                "الفقرة الثانية طويلة بما يكفي لتكون فقرة كاملة من الخبر المنشور.",
                "الفقرة الثالثة.",
            ),
        ),
    )


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\u00a0\u200f\n\ufeff", "عاجل\n\nشارك\n* * *\n"])
def test_text_with_nothing_to_speak_is_an_error(text: str) -> None:
    with pytest.raises(ArticleError, match=r"^the article has no text to speak"):
        parse_text(text)


# --- Reading files: encodings -------------------------------------------------------------------

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "utf-16-le-bom": lambda text: ("\ufeff" + text).encode("utf-16-le"),
    "utf-16-be-bom": lambda text: ("\ufeff" + text).encode("utf-16-be"),
    "utf-32-bom": lambda text: text.encode("utf-32"),
    "windows-1256": lambda text: text.encode("cp1256"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda text: text.replace("\n", "\r").encode("utf-8"),
    "utf-16-bom-crlf": lambda text: text.replace("\n", "\r\n").encode("utf-16"),
    "windows-1256-crlf": lambda text: text.replace("\n", "\r\n").encode("cp1256"),
}


@pytest.mark.parametrize(
    "source", [EXAMPLE_TEXT, GOLDEN_DIR / "no-headings.txt"], ids=["example", "small"]
)
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encodings_and_line_endings_give_the_same_article(
    tmp_path: Path, source: Path, encoding: str
) -> None:
    text = source.read_text(encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(text.encode("utf-8"))
    other = tmp_path / f"{encoding}.txt"
    other.write_bytes(ENCODINGS[encoding](text))
    assert other.read_bytes() != plain.read_bytes()
    assert read_article(other) == read_article(plain)


# --- Reading files: errors ----------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert _raises(path) == f"article not found: {path}"


def test_path_through_a_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("نص", encoding="utf-8")
    path = tmp_path / "file.txt" / "inner.txt"
    assert _raises(path) == f"article not found: {path}"


def test_directory(tmp_path: Path) -> None:
    assert _raises(tmp_path) == f"article {tmp_path} is a directory, not a file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(SHORT_ARABIC, encoding="utf-8")
    path.chmod(0)
    try:
        assert _raises(path) == f"cannot read article {path}: permission denied"
    finally:
        path.chmod(0o600)


def test_unreadable_file_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(SHORT_ARABIC, encoding="utf-8")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert _raises(path) == f"cannot read article {path}: permission denied"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert _raises(path) == f"article {path} is empty"


@pytest.mark.parametrize(
    "content",
    [b"   \n\n\t\r\n", "\u00a0\u202f\n\u200f\u200b\n".encode(), "\ufeff \n".encode("utf-16")],
    ids=["spaces", "invisible", "utf-16"],
)
def test_whitespace_only_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    assert _raises(path) == f"article {path} contains only whitespace"


def test_png_is_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(_png_bytes())
    assert _raises(path) == f"article {path} is a binary file (a PNG image), not text"


@pytest.mark.parametrize(
    "content",
    [
        "سقوط حلب\x00\x00\x00".encode(),
        bytes(range(256)) * 4,
        b"\x01\x02\x03\x04\x05\x06 text \x07\x08\x0e\x0f\x10",
        SHORT_ARABIC.encode("utf-16-le"),  # UTF-16 without a byte-order mark
        "\ufeff\x00\x01\x02\x03\x04\x05\x06\x07".encode("utf-16"),
    ],
    ids=["nul", "all-bytes", "controls", "utf-16-no-bom", "utf-16-controls"],
)
def test_binary_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(content)
    assert _raises(path) == f"article {path} is a binary file, not text"


def test_latin_text_is_not_taken_for_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "french.txt"
    path.write_bytes("Le café est fermé.\n".encode("latin-1"))
    assert _raises(path) == (
        f"article {path} is not UTF-8 text (byte 0xE9 at offset 6): save it as UTF-8"
    )


def test_damaged_utf8_is_not_taken_for_windows_1256(tmp_path: Path) -> None:
    data = SHORT_ARABIC.encode("utf-8")
    damaged = data[:40] + b"\xff" + data[40:]
    path = tmp_path / "damaged.txt"
    path.write_bytes(damaged)
    assert _raises(path) == (
        f"article {path} is not UTF-8 text (byte 0xFF at offset 40): save it as UTF-8"
    )


def test_invalid_utf16_after_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "broken16.txt"
    path.write_bytes(b"\xff\xfe" + "نص".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    assert _raises(path) == (
        f"article {path} starts with a UTF-16 byte-order mark but is not valid UTF-16 text"
    )


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: NUL bytes, never read
    assert _raises(path) == f"article {path} is too large (over 5 MB)"


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    filler = "وقال شهود عيان إن الحركة في شوارع المدينة عادت إلى طبيعتها بعد ظهر اليوم. " * 5
    text = "عنوان المقال الطويل\n\n" + "".join(
        f"الفقرة {i}: {filler}\n\n" for i in range(MAX_ARTICLE_BYTES // len(filler.encode()))
    )
    data = text.encode()[:MAX_ARTICLE_BYTES]
    data = data[: data.rindex(b"\n") + 1]
    data += b" " * (MAX_ARTICLE_BYTES - len(data))
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    article = read_article(path)
    assert article.title == "عنوان المقال الطويل"
    paragraphs = article.segments[0].paragraphs
    assert paragraphs[0] == f"الفقرة 0: {filler.strip()}"
    assert paragraphs[-1] == f"الفقرة {len(paragraphs) - 1}: {filler.strip()}"
    assert len(paragraphs) > 3000


def test_file_of_page_junk_only(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_text("عاجل\n\nتم نسخ الرابط\n", encoding="utf-8")
    assert _raises(path) == f"article {path} has no text to speak once page junk is removed"


# --- Standard input -----------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def _stdin_error(fmt: str | None = None) -> str:
    with pytest.raises(ArticleError) as info:
        read_article(STDIN, fmt)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_stdin_reads_the_same_article_as_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, EXAMPLE_TEXT.read_bytes())
    assert read_article(Path("-")) == read_article(EXAMPLE_TEXT)


@pytest.mark.parametrize(
    "golden", ["news-site-article.html", "front-matter-report.md", "cp1256-old-portal.html"]
)
def test_stdin_format_and_encoding_come_from_the_content(
    monkeypatch: pytest.MonkeyPatch, golden: str
) -> None:
    path = GOLDEN_DIR / golden
    _stdin(monkeypatch, path.read_bytes())
    assert read_article(STDIN) == read_article(path)


def test_stdin_windows_1256_text(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, SHORT_ARABIC.encode("cp1256"))
    assert read_article(STDIN) == parse_text(SHORT_ARABIC)


def test_stdin_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"")
    assert _stdin_error() == "standard input is empty"


def test_stdin_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"a" * (MAX_ARTICLE_BYTES + 1))
    assert _stdin_error() == "standard input is too large (over 5 MB)"


def test_stdin_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, _png_bytes())
    assert _stdin_error() == "standard input is a binary file (a PNG image), not text"


def test_stdin_not_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "Le café est fermé.\n".encode("latin-1"))
    assert _stdin_error() == (
        "standard input is not UTF-8 text (byte 0xE9 at offset 6): save it as UTF-8"
    )


def test_stdin_only_junk(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "<html><body><nav>الرئيسية</nav><p>عاجل</p></body></html>".encode())
    assert _stdin_error() == "standard input has no text to speak once page junk is removed"


def test_stdin_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert _stdin_error() == "standard input is not available"


# --- Formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.txt", "# عنوان\n\nنص.", "text"),  # the extension says text
        ("a.TXT", "العنوان", "text"),
        ("a.md", "<p>x</p>" * 9, "markdown"),
        ("a.markdown", "", "markdown"),
        ("a.html", "العنوان", "html"),
        ("a.htm", "", "html"),
        ("saved.txt", "\n  <!DOCTYPE html>\n<html>", "html"),  # a page saved as .txt
        ("", "<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>", "html"),
        ("", "<!-- saved -->\n<html>", "html"),
        ("", "<div><p>نص</p><p>نص</p><br></div>", "html"),
        ("", "نص فيه <b>كلمة</b> واحدة", "text"),  # one tag is not a page
        ("notes", "---\ntitle: نص\n---\nنص", "markdown"),
        ("", "مقدمة\n\n## القسم\n\nنص.", "markdown"),
        ("", "العنوان\n=======\n\nنص.", "markdown"),
        ("", "الفقرة الأولى.\n---\nالفقرة الثانية.", "text"),  # a divider, not a heading
        ("", "العنوان\n\n#وسم ليس عنواناً\n", "text"),
        ("", "العنوان\n\nنص.", "text"),
    ],
)
def test_detect_format(name: str, head: str, expected: str) -> None:
    assert detect_format(name, head) == expected


def test_formats_are_the_three() -> None:
    assert FORMATS == ("text", "markdown", "html")


MARKDOWN_AS_TXT = "# سقوط حلب\n\nمقدمة الخبر.\n\n## **الخلفية**\n\nبدأت القصة قبل عام.\n"


def test_format_override_reads_a_txt_file_as_markdown(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(MARKDOWN_AS_TXT, encoding="utf-8")
    assert read_article(path, "markdown") == Article(
        "سقوط حلب",
        (Segment(None, ("مقدمة الخبر.",)), Segment("الخلفية", ("بدأت القصة قبل عام.",))),
    )
    # Without the override the extension wins, and the markup is read as text.
    assert read_article(path).title == "# سقوط حلب"


def test_format_override_reads_a_page_as_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>عنوان</p>\n\n<p>نص الخبر.</p>\n", encoding="utf-8")
    assert read_article(path).title == "عنوان"
    assert read_article(path, "text").title == "<p>عنوان</p>"


def test_unknown_format_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as info:
        read_article(tmp_path / "missing.txt", "pdf")
    assert str(info.value) == "unknown article format 'pdf': choose one of text, markdown, html"


@pytest.mark.parametrize("fmt", FORMATS)
def test_parse_article_in_each_format(fmt: str) -> None:
    sources = {
        "text": "سقوط حلب\n\nمقدمة الخبر.\n",
        "markdown": "# سقوط حلب\n\nمقدمة الخبر.\n",
        "html": "<h1>سقوط حلب</h1><p>مقدمة الخبر.</p>",
    }
    assert parse_article(sources[fmt], fmt) == Article(
        "سقوط حلب", (Segment(None, ("مقدمة الخبر.",)),)
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_parse_article_with_nothing_to_speak(fmt: str) -> None:
    with pytest.raises(ArticleError, match=r"^the article has no text to speak"):
        parse_article("عاجل\n\n", fmt)


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_size_limit_holds_for_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huge{suffix}"
    path.write_bytes(b"<p>" + b"a" * MAX_ARTICLE_BYTES + b"</p>")
    assert _raises(path) == f"article {path} is too large (over 5 MB)"


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_binary_is_refused_in_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"photo{suffix}"
    path.write_bytes(_png_bytes())
    assert _raises(path) == f"article {path} is a binary file (a PNG image), not text"


# --- Doctests and properties --------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        narrate.read.article,
        narrate.read.blocks,
        narrate.read.cleaning,
        narrate.read.decoding,
        narrate.read.markdown,
        narrate.read.metadata,
        narrate.read.plain,
    ],
    ids=lambda m: m.__name__,
)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted >= 1
    assert result.failed == 0


# Property tests run when hypothesis is installed (it is in the test extras); otherwise one
# visible skip says so instead of the whole module vanishing.
if not HAVE_HYPOTHESIS:

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_properties_need_hypothesis() -> None:
        pass

else:
    _LINES = st.sampled_from(
        [
            "",
            " ",
            "عاجل",
            "تم نسخ الرابط",
            "اقرأ أيضاً: خبر آخر",
            "سقوط حلب",
            "حلب.. قبل الحرب",
            "هل انتهت الحرب؟",
            "1. المقدمة",
            "كانت حلب نموذجًا للتعايش بين مختلف الطوائف والمكونات الاجتماعية.",
            "\u00a0",
            "\u200f",
            "..",
            "؟",
        ]
    )
    _TEXTS = st.one_of(st.text(), st.lists(st.one_of(_LINES, st.text(max_size=30))).map("\n".join))

    def _check_article(article: Article) -> None:
        assert article.title and "\n" not in article.title
        assert article.segments
        assert all(s.heading is not None for s in article.segments[1:])
        for text in _all_text(article):
            assert text == " ".join(text.split())
            assert not set(text) & set("\u00a0\u200b\u200f\u202b\ufeff")
        assert all(s.paragraphs and all(s.paragraphs) for s in article.segments)

    @settings(max_examples=300, deadline=None)
    @given(_TEXTS)
    def test_parse_text_raises_only_article_error(text: str) -> None:
        try:
            article = parse_text(text)
        except ArticleError:
            return
        _check_article(article)

    _HTML_PIECES = st.sampled_from(
        [
            "<p>",
            "</p>",
            "<h1>",
            "</h1>",
            "<h2>",
            "<h3 hidden>",
            "<br>",
            "<b>",
            "</strong>",
            "<article>",
            "<main>",
            "<nav>",
            "<form>",
            "<div class='ad related share'>",
            "<li>",
            "<table><tr><td>",
            "<script>",
            "</script>",
            "<script type='application/ld+json'>",
            '{"@graph": [{"@type": "NewsArticle", "datePublished": 5, "author": [null]}]}',
            "<style>",
            "<!--",
            "-->",
            "<![CDATA[",
            "<!DOCTYPE html>",
            "<?php ?>",
            "&amp;",
            "&#0;",
            "&#99999999;",
            "&nbsp;",
            "<meta charset='windows-1256'>",
            "<meta charset='rot13'>",
            "<meta http-equiv='Content-Type' content='text/html; charset=unicode_escape'>",
            "<meta charset=utf-16>",
            "\u00e9\u00e8",
            "<meta name='author' content='By '>",
            "<meta property='article:published_time' content='2024-13-45'>",
            "<time datetime='30 نوفمبر 2024'>",
            "<title>عنوان | موقع</title>",
            "<",
            ">",
            "سقوط حلب",
            "كانت حلب نموذجًا للتعايش.",
            "بقلم: سارة",
            "الأحد 1 ديسمبر 2024 - 10:30",
        ]
    )
    _MARKDOWN_PIECES = st.sampled_from(
        [
            "\n",
            "\n\n",
            "---\n",
            "+++\n",
            "title: عنوان\n",
            "date: 2024-02-30\n",
            "author:\n",
            "  - \n",
            "# ",
            "## ",
            "#### ",
            "===\n",
            "**",
            "*",
            "_",
            "[رابط](http://x)",
            "![صورة](a.png)",
            "> ",
            "- ",
            "1. ",
            "```\n",
            "    code\n",
            "|أ|ب|\n|-|-|\n",
            "<div class=ad>",
            "سقوط حلب",
            "كانت حلب نموذجًا للتعايش.",
            "بقلم: سارة\n",
            "30 نوفمبر 2024\n",
        ]
    )
    _HTML = st.lists(st.one_of(_HTML_PIECES, st.text(max_size=10)), max_size=40).map("".join)
    _MARKDOWN = st.lists(st.one_of(_MARKDOWN_PIECES, st.text(max_size=10)), max_size=40).map(
        "".join
    )
    _ANY_TEXT = st.one_of(_TEXTS, _HTML, _MARKDOWN)

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(FORMATS), _ANY_TEXT)
    def test_parse_article_raises_only_article_error(fmt: str, text: str) -> None:
        try:
            article = parse_article(text, fmt)
        except ArticleError:
            return
        _check_article(article)

    @settings(max_examples=200, deadline=None)
    @given(
        st.sampled_from([None, *FORMATS]),
        st.sampled_from([".txt", ".md", ".html", ""]),
        st.one_of(
            st.binary(max_size=600),
            _ANY_TEXT.map(lambda t: t.encode("utf-8")),
            _ANY_TEXT.map(lambda t: t.encode("utf-16")),
            _ANY_TEXT.map(lambda t: t.encode("cp1256", errors="ignore")),
        ),
    )
    def test_read_article_raises_only_article_error(
        tmp_path_factory: pytest.TempPathFactory, fmt: str | None, suffix: str, data: bytes
    ) -> None:
        path = tmp_path_factory.getbasetemp() / f"property-article{suffix}"
        path.write_bytes(data)
        try:
            article = read_article(path, fmt)
        except ArticleError as error:
            assert str(path) in str(error) and "\n" not in str(error)
            return
        _check_article(article)
