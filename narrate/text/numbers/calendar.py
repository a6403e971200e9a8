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
)

#: Days in each month (February in a leap year): a day past its month's end is no date.
DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
WEEKDAYS = ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
#: Words after which a day/month without a year (``5/12``) is a date rather than a fraction
#: or a score: a weekday, or a word that introduces a date.
DATE_CUES = frozenset(
    {*WEEKDAYS, *("يوم", "اليوم", "تاريخ", "بتاريخ", "الموافق", "في", "منذ", "حتى", "ليلة")}
)


def day_month(day: int, month: int, oblique: bool, *, month_first: bool = True) -> str:
    """``الخامس من ديسمبر``, or "" when no month has that day (``31/4``, ``13/13``).

    A day-first reading that is impossible is tried month first, as American sources write.
    """
    if month_first and not 1 <= month <= 12 and 1 <= day <= 12:
        day, month = month, day
    if 1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month]:
        return f"{ordinal(day, oblique=oblique)} من {MONTHS[month]}"
    return ""


def date_words(year: str, month: str, day: str, sep: str, oblique: bool, order: str) -> str:
    words = day_month(int(day), int(month), oblique, month_first=order == "dmy")
    if words:
        return f"{words} عام {cardinal(int(year), oblique=True)}"
    parts = (year, month, day) if order == "ymd" else (day, month, year)
    return f" {sep} ".join(decimal(part, oblique=oblique) for part in parts)
