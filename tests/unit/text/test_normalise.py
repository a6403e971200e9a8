"""Text preparation for speaking: normalisation and chunking."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate import charset
from narrate.text.lexicon import Lexicon
from narrate.text.normalise import (
    INVISIBLE_CHARS,
    NO_SPACE_BEFORE,
    REMOVED_CHARS,
    SPACE_CHARS,
    arabic_punctuation,
    collapse_whitespace,
    normalize,
    prepare,
    read_addresses,
    read_symbols,
    remove_markup,
    speech_chunks,
    split_chunks,
    split_clauses,
    split_sentences,
    split_words,
)
from tests.paths import EXAMPLE

# A 300-character Arabic paragraph with no punctuation at all.
UNPUNCTUATED = " ".join(
    ["وسرعان", "ما", "تحولت", "الاحتجاجات", "من", "مطالب", "إصلاحية", "إلى", "مواجهات", "مفتوحة"]
    * 6
)[:301].rsplit(" ", 1)[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الجمعة\u00a0الماضية", "الجمعة الماضية"),
        ("الجمعة\u202fالماضية", "الجمعة الماضية"),
        ("الجمعة\u2009\u2009الماضية", "الجمعة الماضية"),
        ("دم\u200bشق", "دمشق"),
        ("دم\u200c\u200dشق\ufeff", "دمشق"),
        ("\u202bحلب\u202c \u2067حماة\u2069\u200f", "حلب حماة"),
        ("\u061cحمص\u200e", "حمص"),
        ("قــــــال الرئيـس", "قال الرئيس"),
        ("أ   ب\t\tج", "أ ب ج"),
        ("  بداية ونهاية  ", "بداية ونهاية"),
        ("سطر\r\nسطر", "سطر\nسطر"),
        ("فقرة أولى.\n\n\n   \nفقرة ثانية.", "فقرة أولى.\nفقرة ثانية."),
        ("رائع!!!", "رائع!"),
        ("لماذا؟؟؟", "لماذا؟"),
        ("حقا؟!", "حقا؟"),
        ("wow?!?!", "wow?"),
        ("حمص،، حماة", "حمص، حماة"),
        ("حمص، ، حماة", "حمص، حماة"),
        ("أولا؛؛ ثانيا", "أولا؛ ثانيا"),
        ("one,, two;; three", "one, two; three"),
        ("ثم.....", "ثم…"),
        ("ثم…", "ثم…"),
        ("ثم……", "ثم…"),
        ("من دمشق إلى موسكو.. لأول مرة", "من دمشق إلى موسكو… لأول مرة"),
        ("حلب..قبل", "حلب… قبل"),
        ("قال ، ثم سأل ؟", "قال، ثم سأل؟"),
        ("انتهى .", "انتهى."),
        ("كلمة ! ! !", "كلمة!"),
        ("قال،ثم؛بعد؟نعم", "قال، ثم؛ بعد؟ نعم"),
        ("نسبة 3.5 من 1,000 عند 08:30", "نسبة 3.5 من 1,000 عند 08:30"),
        ("", ""),
        (" \u00a0\u200b ", ""),
        # Control characters and the invisible marks of the shared table.
        ("دم\x1cشق\x07", "دمشق"),
        ("حل\u180eب\u2063", "حلب"),
        # Latin marks between Arabic words become Arabic marks.
        ("لماذا?", "لماذا؟"),
        ("لماذا? قال", "لماذا؟ قال"),
        ("حمص, حماة", "حمص، حماة"),
        ("حمص ,حماة", "حمص، حماة"),
        ("أولا; ثانيا", "أولا؛ ثانيا"),
        ("قال «نعم»? ثم", 'قال "نعم"؟ ثم'),
        ("هل قالَ? نعم", "هل قالَ؟ نعم"),
        ("لماذا?!", "لماذا؟"),
        ("حلب?\nدمشق", "حلب؟\nدمشق"),
        # ... but not beside Latin words or digits.
        ("Aleppo, حلب", "Aleppo, حلب"),
        ("حلب, Aleppo", "حلب, Aleppo"),
        ("why? لماذا", "why? لماذا"),
        ("بلغ 1,000 شخص", "بلغ 1,000 شخص"),
        ("العدد 5, ثم", "العدد 5, ثم"),
        # Quotes of every kind become the plain ones.
        ("قال «نعم» و“لا” و„ربما“", 'قال "نعم" و"لا" و"ربما"'),
        ("‘كلمة’ و‹أخرى›", "'كلمة' و'أخرى'"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # "&" between Arabic words is the conjunction, written onto the next word.
        ("انهيار سد & إجلاء السكان", "انهيار سد وإجلاء السكان"),
        ("انهيار سد &إجلاء السكان", "انهيار سد وإجلاء السكان"),
        ("انهيار سد&إجلاء", "انهيار سد وإجلاء"),
        ("& إجلاء السكان", "وإجلاء السكان"),
        ("سد && جسر", "سد وجسر"),
        ("الإنقاذ & 5 فرق", "الإنقاذ و5 فرق"),
        ("شركة & AT&T", "شركة وAT&T"),
        ("انهيار سد &", "انهيار سد"),
        ("انهيار سد &.", "انهيار سد."),
        # ... but a Latin name keeps its own "&", for the engine and the lexicon.
        ("شركة AT&T وبرنامج Q&A", "شركة AT&T وبرنامج Q&A"),
        ("شركة Johnson & Johnson", "شركة Johnson & Johnson"),
        # Web addresses: the host, read with دوت; scheme, www., path and query go.
        ("زوروا https://www.example.com/news/2024?id=5&x=1#top", "زوروا example دوت com"),
        ("على http://news.un.org/ar/story.", "على news دوت un دوت org."),
        ("زوروا WWW.Example.COM اليوم", "زوروا Example دوت COM اليوم"),
        ("موقع www.moh.gov.sa:443/ar، ثم", "موقع moh دوت gov دوت sa، ثم"),
        ("https://ar.wikipedia.org/wiki/حلب_(مدينة).", "ar دوت wikipedia دوت org."),
        ('رابط "https://x.org/a_b"', 'رابط "x دوت org"'),
        # A bare domain is read the same way when it ends as a domain does.
        ("على موقع example.com ثم", "على موقع example دوت com ثم"),
        ("موقع Aljazeera.net.", "موقع Aljazeera دوت net."),
        ("رابط bit.ly/3xYz", "رابط bit دوت ly"),
        ("مكتبة Node.js", "مكتبة Node دوت js"),
        # ... and abbreviations, file names and decimals are not domains.
        (
            "قالت U.S. و U.N. أي e.g. ملف report.pdf بلغ 3.5bn",
            "قالت U.S. و U.N. أي e.g. ملف report.pdf بلغ 3.5bn",
        ),
        # E-mail addresses: آت for "@".
        ("راسلوا info@example.com.", "راسلوا info آت example دوت com."),
        (
            "راسلوا ahmed.ali@news.example.org اليوم",
            "راسلوا ahmed دوت ali آت news دوت example دوت org اليوم",
        ),
        # An address in brackets is an aside: it goes, brackets and all.
        ("نشرت الوزارة البيان (https://moh.gov/a) أمس.", "نشرت الوزارة البيان أمس."),
        ("نشرت البيان (https://moh.gov/a).", "نشرت البيان."),
        ("نشرت البيان [www.who.int/news]، ثم", "نشرت البيان، ثم"),
        ("للتواصل <info@example.com> أو", "للتواصل أو"),
        ("البيان(example.com)كاملا", "البيان كاملا"),
        ("[البيان](https://moh.gov/a) كاملا", "[البيان] كاملا"),
        ("(المصدر: example.com)", "(المصدر: example دوت com)"),
        # Markup marks left in the text go; a hashtag or handle keeps its word.
        ("~~خبر قديم~~ خبر جديد", "خبر قديم خبر جديد"),
        ("موقع example\\.com", "موقع example دوت com"),  # a Markdown escape
        ("هذا *مهم* و**جدا** و__حقا__", "هذا مهم وجدا وحقا"),
        ("## عنوان\nنص", "عنوان\nنص"),
        ("تابعوا #غزة و#عاجل_الآن", "تابعوا غزة وعاجل الآن"),
        ("عاجل#غزة (#حلب)", "عاجل غزة (حلب)"),
        ("تابعونا على @AJArabic", "تابعونا على AJArabic"),
        ("> اقتباس\n>> وآخر", "اقتباس\nوآخر"),
        ("- البند الأول\n* البند الثاني\n+ الثالث", "البند الأول\nالبند الثاني\nالثالث"),
        ("حقوق النشر © الجزيرة™", "حقوق النشر الجزيرة"),
        # Table pipes, bullets and arrows: gone at a line's ends, a pause between items.
        ("| المدينة | العدد |\n|---|:---:|\n| حلب | كثير |", "المدينة، العدد\nحلب، كثير"),
        ("عنوان الخبر | الجزيرة نت", "عنوان الخبر، الجزيرة نت"),
        ("• حلب\n▪ حمص\n← اقرأ أيضا", "حلب\nحمص\nاقرأ أيضا"),
        ("حلب • حمص • دمشق", "حلب، حمص، دمشق"),
        ("حلب، • حمص", "حلب، حمص"),
        # Symbols read as words, for the number reader to follow.
        ("ملعب 100×60 مترا", "ملعب 100 في 60 مترا"),
        ("هامش الخطأ ±3 نقاط", "هامش الخطأ زائد أو ناقص 3 نقاط"),
        ("اتصلوا على +966 11 234 5678", "اتصلوا على زائد 966 11 234 5678"),
        ("ارتفع المؤشر +2.5%", "ارتفع المؤشر زائد 2.5%"),
        ("حاصل 2+2", "حاصل 2 زائد 2"),
        ("المرتبة #1 عالميا", "المرتبة رقم 1 عالميا"),
        ("عدد ~300 شخص", "عدد نحو 300 شخص"),
        # ... but "+" after a Latin name is the name's.
        ("تحالف OPEC+ ولغة C++", "تحالف OPEC+ ولغة C++"),
        # A slash between Arabic words.
        ("المواطن و/أو المقيم", "المواطن أو المقيم"),
        ("المواطن و / أو المقيم", "المواطن أو المقيم"),
        ("السيد/ أحمد", "السيد أحمد"),
        ("سرعة 50 كم/ساعة", "سرعة 50 كم ساعة"),
        ("and/or و 30/6/2024", "and/or و 30/6/2024"),
        # Left as they are: "…" is a pause to engines, "°" is for the number reader.
        ("انتظر… ثم 30° مئوية", "انتظر… ثم 30° مئوية"),
    ],
)
def test_symbols_addresses_and_markup(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


def test_symbol_steps_run_before_the_lexicon() -> None:
    """The lexicon sees "OPEC+" and "AT&T" whole, and the "&" before Arabic as "و"."""
    lexicon = Lexicon.from_mapping({"OPEC+": "أوبك بلس", "AT&T": "إيه تي آند تي"})
    text = "تحالف OPEC+ & شركة AT&T"
    assert prepare(text, [normalize, lexicon.apply]) == "تحالف أوبك بلس وشركة إيه تي آند تي"


def test_symbol_steps_are_steps_of_their_own() -> None:
    assert read_addresses("(info@x.org) و@user #1") == " و@user #1"
    assert read_symbols("سد & جسر #1 و#وسم") == "سد وجسر رقم 1 و#وسم"
    assert remove_markup("سد & جسر #1 و#وسم") == "سد & جسر #1 ووسم"


def test_character_tables_are_the_shared_ones() -> None:
    assert SPACE_CHARS == charset.SPACE_CHARS
    assert INVISIBLE_CHARS == charset.INVISIBLE_CHARS
    assert charset.TATWEEL in REMOVED_CHARS
    assert normalize(charset.TATWEEL.join("دمشق")) == "دمشق"


def test_arabic_punctuation_is_its_own_step() -> None:
    assert arabic_punctuation("حمص , حماة") == "حمص , حماة"  # space before: not a neighbour
    assert arabic_punctuation("حمص, حماة") == "حمص، حماة"


def test_prepare_composes_steps_and_normalize_reads_no_number() -> None:
    assert normalize("بلغت 18% عام ٢٠٢٤") == "بلغت 18% عام ٢٠٢٤"
    assert prepare("  بلغت 18%  ", []) == "  بلغت 18%  "
    assert prepare("  بلغت 18%  ", [normalize, str.split, "|".join]) == "بلغت|18%"


def test_speech_chunks_run_the_steps_given() -> None:
    assert speech_chunks("كلمة  أخرى", 100) == ["كلمة أخرى"]
    assert speech_chunks("كلمة  أخرى", 100, steps=[]) == ["كلمة  أخرى"]
    assert speech_chunks("كلمة أخرى", 100, steps=[normalize, lambda t: t + " ثالثة"]) == [
        "كلمة أخرى ثالثة"
    ]


def test_normalize_runs_only_the_steps_given() -> None:
    assert normalize("قــال  ،  ثم", steps=[collapse_whitespace]) == "قــال ، ثم"
    assert normalize("قال ، ثم", steps=[]) == "قال ، ثم"


def test_split_sentences_keeps_marks_and_closing_quotes() -> None:
    text = 'قال د. أحمد: "انتهى." ثم سأل: لماذا؟ لا أحد! Dr. Smith agreed. حلب… قبل'
    assert split_sentences(text) == [
        'قال د. أحمد: "انتهى."',
        "ثم سأل: لماذا؟",
        "لا أحد!",
        "Dr. Smith agreed.",
        "حلب…",
        "قبل",
    ]


def test_split_sentences_needs_a_space_after_the_mark() -> None:
    assert split_sentences("بلغت 3.5 بالمئة. ثم ارتفعت") == ["بلغت 3.5 بالمئة.", "ثم ارتفعت"]


def test_split_clauses() -> None:
    assert split_clauses("حمص، حماة؛ إدلب, Aleppo; Homs: دمشق — العاصمة") == [
        "حمص،",
        "حماة؛",
        "إدلب,",
        "Aleppo;",
        "Homs:",
        "دمشق —",
        "العاصمة",
    ]


def test_split_words() -> None:
    assert split_words(" في  يوم\tالجمعة ") == ["في", "يوم", "الجمعة"]


def test_chunks_cut_at_arabic_sentence_and_clause_marks() -> None:
    text = (
        "في يوم الجمعة، كان التواصل مستمراً مع محافظة حمص؛ "
        "هل كان القرار مفاجئاً؟ لم يكن كذلك، بل كان متوقعاً."
    )
    assert split_chunks(text, 40) == [
        "في يوم الجمعة،",
        "كان التواصل مستمراً مع محافظة حمص؛",
        "هل كان القرار مفاجئاً؟",
        "لم يكن كذلك، بل كان متوقعاً.",
    ]


def test_chunks_prefer_sentence_ends_to_clause_marks() -> None:
    # Both sentences fit alone; cutting at the comma would fill the first chunk better.
    text = "انتهى الاجتماع. وبدأت المشاورات، ثم تواصلت حتى الصباح."
    assert split_chunks(text, 45) == ["انتهى الاجتماع.", "وبدأت المشاورات، ثم تواصلت حتى الصباح."]


def test_chunks_pack_whole_sentences_up_to_the_limit() -> None:
    text = "نعم. لا. ربما. أبدا. حتما."
    assert split_chunks(text, 100) == [text]
    assert split_chunks(text, 14) == ["نعم. لا. ربما.", "أبدا. حتما."]


def test_unpunctuated_paragraph_is_cut_at_spaces() -> None:
    assert 280 <= len(UNPUNCTUATED) <= 300
    chunks = split_chunks(UNPUNCTUATED, 100)
    assert len(chunks) == 3
    assert all(0 < len(chunk) <= 100 for chunk in chunks)
    assert " ".join(chunks) == UNPUNCTUATED
    words = set(UNPUNCTUATED.split())
    assert all(word in words for chunk in chunks for word in chunk.split())
    # Greedy: the next word would not have fitted in any chunk but the last.
    for chunk, following in itertools.pairwise(chunks):
        assert len(chunk) + 1 + len(following.split()[0]) > 100


def test_line_ends_are_never_joined() -> None:
    # A heading has no final mark: run into its paragraph it would be read without a pause.
    assert split_chunks("تصدع النظام\nبدأت السيطرة تتراجع.", 100) == [
        "تصدع النظام",
        "بدأت السيطرة تتراجع.",
    ]


def test_marks_stay_with_the_chunk_they_end() -> None:
    text = normalize("قال المتحدث ، إن الوضع مستقر . هل هذا صحيح ؟ نعم !")
    longest_word = max(len(word) for word in text.split())
    for limit in range(longest_word, 60):
        for chunk in split_chunks(text, limit):
            assert chunk[0] not in NO_SPACE_BEFORE, (limit, chunk)


def test_a_word_longer_than_the_limit_is_the_only_thing_cut() -> None:
    url = "https://example.com/" + "a" * 120
    chunks = split_chunks(f"راجع الرابط {url} للمزيد", 50)
    assert all(len(chunk) <= 50 for chunk in chunks)
    assert chunks[0] == "راجع الرابط"
    assert "".join(chunks).replace(" ", "") == f"راجع الرابط{url}للمزيد".replace(" ", "")
    assert chunks[-1].endswith(" للمزيد")
    assert split_chunks("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_nothing_to_split() -> None:
    assert split_chunks("", 100) == []
    assert split_chunks(" \n \n", 100) == []
    assert split_chunks("كلمة", 100) == ["كلمة"]


@pytest.mark.parametrize("limit", [0, -5])
def test_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_chunks("نص", limit)


def test_split_steps_are_injectable() -> None:
    text = "أولا، ثانيا. ثالثا"
    assert split_chunks(text, 12, steps=[split_words]) == ["أولا، ثانيا.", "ثالثا"]
    assert split_chunks(text, 12, steps=[split_clauses]) == ["أولا،", "ثانيا. ثالثا"]
    # With no step left, only the hard cut remains, and it goes through words.
    assert split_chunks(text, 8, steps=[]) == [text[:8], text[8:16], text[16:]]


def test_example_article_chunks_for_gtts() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    chunks = speech_chunks(text, 100)
    assert len(chunks) > 50
    assert all(0 < len(chunk) <= 100 for chunk in chunks)
    assert all(chunk == chunk.strip() and "\n" not in chunk for chunk in chunks)
    assert " ".join(chunks).split() == normalize(text).split()
    assert "من دمشق إلى موسكو… لأول مرة التفاصيل الكاملة لهروب بشار الأسد تحت جنح الليل" in chunks
    assert not any(c in chunk for chunk in chunks for c in INVISIBLE_CHARS + SPACE_CHARS)


# --- Properties over random Arabic and Latin text -----------------------------------

ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةى"
    "abcXYZ0123456789٠١٢٣"
    "       \n\t"
    "،؛؟.!?,;:…—\"'»«()"
    "\u00a0\u202f\u200b\u200f\u0640\u064e\u0651\x1c"
    "“”«»‘’"
    "&#@_*~|•+/×±\\[]<>"  # symbols and markup, read or removed
    "wwhtps:/comg"  # enough to write addresses
)
texts = st.text(alphabet=ALPHABET, max_size=400)

#: Marks that never reach an engine: each is removed or read as words.
UNSPOKEN = "#@_*~|•×±\\"


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalize_properties(text: str) -> None:
    normal = normalize(text)
    assert normalize(normal) == normal
    assert normal == normal.strip()
    assert "  " not in normal and "\n\n" not in normal
    assert not any(c in normal for c in REMOVED_CHARS + SPACE_CHARS + "“”«»‘’" + UNSPOKEN)
    assert not any(f" {mark}" in normal for mark in NO_SPACE_BEFORE)
    # No Latin "?" is left right after an Arabic letter when the next word is Arabic too.
    assert not re.search(r"[ء-ي][?,;] ?[ء-ي]", normal)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=120))
def test_chunk_properties(text: str, limit: int) -> None:
    normal = normalize(text)
    chunks = split_chunks(normal, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    assert all(chunk == chunk.strip() and "\n" not in chunk for chunk in chunks)
    words = normal.split()
    if all(len(word) <= limit for word in words):
        assert " ".join(chunks).split() == words
        # No word was cut: every chunk is a run of whole words.
        assert all(set(chunk.split()) <= set(words) for chunk in chunks)
    else:
        assert "".join("".join(chunks).split()) == "".join(words)
    assert chunks == speech_chunks(text, limit)
