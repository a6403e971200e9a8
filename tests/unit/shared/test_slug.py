"""Episode slugs: readable romanised titles (text2tashkeel's vowels, then a table), ASCII always."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from narrate import slug
from narrate.slug import (
    MAX_SLUG_LENGTH,
    episode_guid,
    episode_slug,
    make_slug,
    romanize,
    title_slug,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ARTICLE = Path("articles", "مقال.txt")  # a file name that does not read as words


@pytest.fixture
def no_diacritizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slug, "_diacritizer", lambda: None)


# --- real titles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "المطار في الجزائر يغلق الطرق في بيروت",
            "al-matar-fi-al-jazair-yughliq-al-turuq-fi-bayrut",
        ),
        ("من دمشق إلى موسكو", "min-dimashq-ila-musku"),
        ("افتتاح جسر الوادي الجديد", "iftitah-jisr-al-wadi-al-jadid"),
        ("وزير الخارجية السعودي يزور القاهرة", "wazir-al-kharijiyya-al-saudi-yazur-al-qahira"),
        ("السيسي يلتقي ماكرون في باريس", "al-sisi-yaltaqi-makrun-fi-baris"),
    ],
)
def test_a_title_gives_a_readable_slug(title: str, expected: str) -> None:
    assert episode_slug(ARTICLE, title) == expected
    assert episode_slug(None, title) == expected  # an article read from a web address


def test_numbers_and_latin_in_a_title() -> None:
    assert title_slug("مؤتمر COP28 يبحث أزمة المناخ").startswith("mutamar-cop28-yabhath-azma")
    assert title_slug("١٢ خبر عن الطقس") == "12-khabar-an-al-taqs"
    assert title_slug("ارتفاع أسعار النفط بنسبة ٣٪") == "irtifa-asar-al-naft-binisba-3"
    assert title_slug("الشركة تعلن عن هاتف iPhone 16 الجديد") == (
        "al-sharika-tulin-an-hatif-iphone-16-al-jadid"
    )


def test_a_latin_title_is_slugged_as_before() -> None:
    for title in ("Damascus to Moscow!", "../../etc/passwd", "Café déjà vu", ""):
        assert title_slug(title) == make_slug(title)


def test_the_slug_is_bounded_and_never_ends_on_an_article() -> None:
    title = (
        "وزير الخارجية السعودي يزور القاهرة ويلتقي الرئيس المصري في القصر الجمهوري "
        "لبحث العلاقات الثنائية والأوضاع في المنطقة والتطورات الأخيرة في السودان وليبيا "
    ) * 3
    result = title_slug(title)
    assert SLUG.fullmatch(result), result
    assert len(result) <= MAX_SLUG_LENGTH
    assert not re.search(r"-(al|wa|bi|lil)$", result), result


def test_the_same_title_gives_the_same_slug_in_another_process() -> None:
    title = "المطار في الجزائر يغلق الطرق في بيروت"
    code = "import sys; from narrate.slug import title_slug; print(title_slug(sys.argv[1]))"
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    other = subprocess.run(
        [sys.executable, "-c", code, title], check=True, env=env, capture_output=True, text=True
    )
    assert other.stdout.strip() == title_slug(title) == title_slug(title)
    assert episode_guid(title_slug(title)) == episode_guid(other.stdout.strip())


def test_diacritizing_a_title_is_quick() -> None:
    title_slug("تمهيد")  # the model is loaded once per process
    started = time.perf_counter()
    for _ in range(20):
        title_slug("انخفاض سعر الدولار إلى 12 ألف ليرة في حلب")
    assert (time.perf_counter() - started) / 20 < 0.05


def test_the_model_is_the_one_the_article_is_diacritized_with() -> None:
    """So a build that also diacritizes the article loads the model once, not twice."""
    from narrate.text.diacritize import DEFAULT_MODEL

    assert slug.TASHKEEL_MODEL == DEFAULT_MODEL


# --- without the diacritizer --------------------------------------------------------------


@pytest.mark.usefixtures("no_diacritizer")
def test_without_the_diacritizer_the_old_spelling_is_used() -> None:
    title = "المطار في الجزائر يغلق الطرق في بيروت"
    assert episode_slug(ARTICLE, title) == make_slug(title) == "lmtr-fy-ljzyr-yglq-ltrq-fy-byrwt"


def test_a_missing_text2tashkeel_falls_back_quietly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "text2tashkeel", None)  # import fails
    slug._diacritizer.cache_clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with caplog.at_level(logging.INFO):
                assert title_slug("من دمشق إلى موسكو") == "mn-dmshq-l-mwskw"
        assert caplog.records == []
    finally:
        slug._diacritizer.cache_clear()


def test_a_failing_model_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("onnxruntime says no")

    monkeypatch.setattr(slug, "_diacritizer", lambda: broken)
    assert title_slug("من دمشق") == "mn-dmshq"
    monkeypatch.setattr(slug, "_diacritizer", lambda: lambda text: "زززز")  # letters changed
    assert title_slug("من دمشق") == "mn-dmshq"


# --- episodes already published -------------------------------------------------------------


def test_a_published_title_keeps_its_slug() -> None:
    """An episode named by the old spelling is rebuilt under that name, not added again."""
    title = "المطار في الجزائر يغلق الطرق في بيروت"
    published = {"lmtr-fy-ljzyr-yglq-ltrq-fy-byrwt": title, "other": "عنوان آخر"}
    assert episode_slug(ARTICLE, title, published) == "lmtr-fy-ljzyr-yglq-ltrq-fy-byrwt"
    assert episode_slug(ARTICLE, "عنوان جديد", published) == title_slug("عنوان جديد")
    # The file name still comes first.
    assert episode_slug(Path("airport.txt"), title, published) == "airport"


def test_published_titles_spare_the_diacritizer(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected() -> None:
        raise AssertionError("the diacritizer was asked")

    monkeypatch.setattr(slug, "_diacritizer", unexpected)
    assert episode_slug(None, "من دمشق", {"min-dimashq": "من دمشق"}) == "min-dimashq"


# --- the romanisation scheme, on text diacritized by hand ---------------------------------


@pytest.mark.parametrize(
    ("vocalized", "expected"),
    [
        ("الشَّمْسُ", "al-shams"),  # the article is not assimilated; no doubled sun letter
        ("وَالْجَزَائِرُ", "wa-al-jazair"),  # proclitic, hamza dropped, case ending dropped
        ("بِالْمَطَارِ", "bi-al-matar"),
        ("لِلْمَرَّةِ", "lil-marra"),  # shadda doubles, ta marbuta a
        ("جِدًّا", "jiddan"),  # the tanwin of a final alef is heard
        ("مُسْتَشْفًى", "mustashfa"),
        ("السَّعُودِيُّ", "al-saudi"),  # ʿayn dropped; final -iyy is -i
        ("دُبَيّ", "dubay"),
        ("عَلَى", "ala"),
        ("مُوسْكُو", "musku"),  # long vowels written once
        ("بَيْرُوتَ", "bayrut"),  # diphthong
        ("اسْتِقْبَالُ", "istiqbal"),  # hamzat al-wasl
        ("الْقُرْآنَ", "al-quran"),
        ("مُؤْتَمَرٌ", "mutamar"),
        ("هَٰذَا", "hadha"),
        ("اللَّهُ", "allah"),
        ("بيروت", "birut"),  # a word the model left bare
        ("في", "fi"),
        ("چای", "chay"),
    ],
)
def test_romanisation(vocalized: str, expected: str) -> None:
    assert romanize(vocalized) == expected


def test_romanisation_keeps_what_is_not_arabic() -> None:
    assert romanize("COP28 و ١٢٣ ۴") == "COP28 wa 123 4"


@pytest.mark.parametrize(
    "title",
    ["؟؟", "ـــ", "\u064e\u064e", "ء", "ّ ا", "ﷲ أكبر", "\ud800", "a" * 500, "من " * 300],
)
def test_odd_titles_still_give_plain_slugs(title: str) -> None:
    result = episode_slug(ARTICLE, title)
    assert SLUG.fullmatch(result) and len(result) <= MAX_SLUG_LENGTH, result
