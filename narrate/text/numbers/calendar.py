"""Dates: Gregorian and Hijri months, the days a month has, and a date read as words."""

from __future__ import annotations

from narrate.months import GREGORIAN_MONTHS
from narrate.text.numbers.words import cardinal, decimal, ordinal

MONTHS = ("", *(names[0] for _, names in sorted(GREGORIAN_MONTHS.items())))
#: Every month name a day number may precede in running text (``30 نوفمبر``).
MONTH_NAMES = (
    *MONTHS[1:],
    *("ابريل", "إبريل", "يونيه", "يوليه", "اغسطس", "اكتوبر", "أكتوبر"),
    *("كانون الثاني", "شباط", "آذار", "اذار", "نيسان", "أيار", "ايار", "حزيران"),
    *("تموز", "آب", "اب", "أيلول", "ايلول", "تشرين الأول", "تشرين الاول", "تشرين الثاني"),
    *("كانون الأول", "كانون الاول"),
    *("جانفي", "فيفري", "أفريل", "افريل", "ماي", "جوان", "جويلية", "يوليوز", "أوت", "غشت"),
    *("شتنبر", "نونبر", "دجنبر"),
)

#: The Hijri months, by number, each with the spellings news sites use; the first is said.
HIJRI_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الأول", "ربيع الاول"),
    4: ("ربيع الآخر", "ربيع الثاني", "ربيع الاخر"),
    5: ("جمادى الأولى", "جمادى الاولى", "جمادي الأولى", "جمادي الاولى"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الاخرة", "جمادي الآخرة", "جمادي الثانية"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة", "ذا القعدة"),
    12: ("ذو الحجة", "ذي الحجة", "ذا الحجة"),
}
#: Every Hijri month name a day number may precede (``29 شعبان``).
HIJRI_MONTH_NAMES = tuple(name for names in HIJRI_MONTHS.values() for name in names)

#: The letters written after a year for its era (``1447 هـ``, ``2026م``; ``هـ`` has lost its
#: tatweel by the time numbers are read), and what is said for each.
HIJRI_ERA = "هجرية"
GREGORIAN_ERA = "ميلادية"
ERAS = {"ه": HIJRI_ERA, "هـ": HIJRI_ERA, "م": GREGORIAN_ERA}

#: Days in each month (February in a leap year): a day past its month's end is no date.
DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
WEEKDAYS = ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
#: Words after which a day/month without a year (``5/12``) is a date rather than a fraction
#: or a score: a weekday, or a word that introduces a date.
DATE_CUES = frozenset(
    {*WEEKDAYS, *("يوم", "اليوم", "تاريخ", "بتاريخ", "الموافق", "في", "منذ", "حتى", "ليلة")}
    | {"من", "ابتداء", "اعتبارا", "بدءا", "بداية", "مطلع", "صباح", "مساء"}
)


def day_month(
    day: int, month: int, oblique: bool, *, month_first: bool = True, hijri: bool = False
) -> str:
    """``الخامس من ديسمبر``, or "" when no month has that day (``31/4``, ``13/13``).

    A day-first reading that is impossible is tried month first, as American sources write.
    """
    if month_first and not 1 <= month <= 12 and 1 <= day <= 12:
        day, month = month, day
    if 1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month]:
        name = HIJRI_MONTHS[month][0] if hijri else MONTHS[month]
        return f"{ordinal(day, oblique=oblique)} من {genitive_month(name)}"
    return ""


def genitive_month(month: str) -> str:
    """A month's name after ``من``: ``ذو الحجة`` is ``ذي الحجة``."""
    return "ذي" + month[2:] if month.startswith(("ذو ", "ذا ")) else month


def date_words(
    year: str,
    month: str,
    day: str,
    sep: str,
    oblique: bool,
    order: str,
    *,
    swap: bool = False,
    hijri: bool = False,
) -> str:
    """A written date in words; ``swap`` reads a ``dmy`` date month first (``10/25/2016``)."""
    if swap and int(month) <= 12:
        day, month = month, day
    words = day_month(int(day), int(month), oblique, month_first=order == "dmy", hijri=hijri)
    if words:
        return f"{words} عام {cardinal(int(year), oblique=True)}"
    parts = (year, month, day) if order == "ymd" else (day, month, year)
    return f" {sep} ".join(decimal(part, oblique=oblique) for part in parts)


def month_first(pairs: list[tuple[int, int]]) -> bool:
    """Whether a text writes its dates month first, from the ``a/b`` pairs of its dates.

    A pair whose first part cannot be a month (``25/10``) says day first; one whose second
    cannot be (``10/25``) says month first. Day first wins a tie, as Arab sources write.

    >>> month_first([(10, 25), (1, 10)]), month_first([(25, 10), (1, 10)]), month_first([])
    (True, False, False)
    """
    day_first_votes = sum(1 for a, b in pairs if a > 12 and b <= 12)
    month_first_votes = sum(1 for a, b in pairs if a <= 12 < b)
    return month_first_votes > day_first_votes
