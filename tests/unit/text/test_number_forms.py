"""The forms newsrooms print, each read as a presenter reads it (issue 13).

One parametrised table per form; every expected reading was written by hand from the rules in
``docs/numbers.md``. The labelled set (``tests/data/numbers``) measures the same forms in
sentences modelled on real pages; these are the fixtures that pin each rule down.
"""

from __future__ import annotations

import pytest

from narrate.text.lexicon import Lexicon
from narrate.text.normalise import normalize
from narrate.text.numbers import verbalize


def said(text: str) -> str:
    return verbalize(Lexicon.default().apply(normalize(text)))


def check(table: list[tuple[str, str]]) -> None:
    wrong = [(text, said(text), expected) for text, expected in table if said(text) != expected]
    assert not wrong, "\n".join(f"{t}\n  got  {g}\n  want {e}" for t, g, e in wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "يوم 29 شعبان 1447 هـ",
            "يوم التاسع والعشرين من شعبان عام ألف وأربعمئة وسبعة وأربعين هجرية",
        ),
        ("في 1 رمضان 1446هـ", "في الأول من رمضان عام ألف وأربعمئة وستة وأربعين هجرية"),
        ("حتى 10 ذو الحجة", "حتى العاشر من ذي الحجة"),
        ("في 3 ربيع الأول", "في الثالث من ربيع الأول"),
        ("تأسست عام 1350 هـ", "تأسست عام ألف وثلاثمئة وخمسين هجرية"),
        ("عام 2026م", "عام ألفين وستة وعشرين"),
        ("منذ عام 1990 م", "منذ عام ألف وتسعمئة وتسعين"),
        (
            "السبت 5 رجب 1447 هـ الموافق 27 ديسمبر 2025م",
            "السبت الخامس من رجب عام ألف وأربعمئة وسبعة وأربعين هجرية الموافق السابع والعشرين"
            " من ديسمبر عام ألفين وخمسة وعشرين ميلادية",
        ),
    ],
)
def test_hijri_dates_and_eras(text: str, expected: str) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The text's own unambiguous dates decide the order of its ambiguous ones.
        (
            "صدر في 10/25/2016 وعدل في 1/10/2016",
            "صدر في الخامس والعشرين من أكتوبر عام ألفين وستة عشر وعدل في العاشر من يناير"
            " عام ألفين وستة عشر",
        ),
        (
            "صدر في 25/10/2016 وعدل في 1/10/2016",
            "صدر في الخامس والعشرين من أكتوبر عام ألفين وستة عشر وعدل في الأول من أكتوبر"
            " عام ألفين وستة عشر",
        ),
        ("في 1/10/2016", "في الأول من أكتوبر عام ألفين وستة عشر"),
        ("في 5 جوان 2024", "في الخامس من جوان عام ألفين وأربعة وعشرين"),
    ],
)
def test_day_or_month_first(text: str, expected: str) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الساعة 0658", "الساعة السادسة وثمان وخمسون دقيقة صباحا"),
        ("الساعة 1900", "الساعة السابعة مساء"),
        ("الساعة 13.15", "الساعة الواحدة والربع بعد الظهر"),
        ("عند الساعة 12:00 ظهراً", "عند الساعة الثانية عشرة ظهراً"),
        ("الساعة 12:00 من ظهر اليوم", "الساعة الثانية عشرة من ظهر اليوم"),
        ("الساعة 20:30 من مساء الخميس", "الساعة الثامنة والنصف من مساء الخميس"),
        ("وصل في 9 صباحا", "وصل في التاسعة صباحا"),
        ("تبدأ 12 ظهرا", "تبدأ الثانية عشرة ظهرا"),
        ("الساعة 2030 بتوقيت مكة", "الساعة الثامنة والنصف مساء بتوقيت مكة"),
        ("في الساعة 19:02", "في الساعة السابعة ودقيقتين مساء"),
        ("من 10 ص حتى 11 م", "من العاشرة صباحا حتى الحادية عشرة مساء"),
        ("الساعة 1900 حتى السادسة صباحا", "الساعة السابعة مساء حتى السادسة صباحا"),
    ],
)
def test_times(text: str, expected: str) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ارتفع بنسبة 5ر19 بالمئة", "ارتفع بنسبة تسعة عشر فاصلة خمسة بالمئة"),
        ("بلغ 2ر1 مليار درهم", "بلغ واحد فاصلة اثنان مليار درهم"),
        ("سجل المؤشر 25ر7310 نقطة", "سجل المؤشر سبعة آلاف وثلاثمئة وعشرة فاصلة خمسة وعشرون نقطة"),
    ],
)
def test_gulf_decimal(text: str, expected: str) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("المعيار X3J11", "المعيار X ثلاثة J واحد واحد"),
        ("الرقم 2864x0044", "الرقم اثنان ثمانية ستة أربعة x صفر صفر أربعة أربعة"),
        ("فيروس H1N1", "فيروس H واحد N واحد"),
        ("طائرة A380", "طائرة A ثلاثمئة وثمانون"),
        ("مقاتلات F-16", "مقاتلات F ستة عشر"),
        ("الرحلة MS985", "الرحلة MS تسعمئة وخمسة وثمانون"),
    ],
)
def test_codes_and_model_numbers(text: str, expected: str) -> None:
    assert said(text) == expected
