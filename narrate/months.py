"""Gregorian month names, shared by the article reader (dates) and the number reader (speech)."""

from __future__ import annotations

#: Month names by month number; the first of each is the name most broadcasters say.
#: Egyptian/Gulf, Levantine/Iraqi (Syriac), Maghrebi (Algeria and Tunisia, then Morocco),
#: English. The reader matches them folded, so hamza forms and diacritics do not matter.
GREGORIAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "april", "apr"),
    5: ("مايو", "أيار", "ماي", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "يوليوز", "july", "jul"),
    8: ("أغسطس", "آب", "أوت", "غشت", "august", "aug"),
    9: ("سبتمبر", "أيلول", "شتنبر", "september", "sept", "sep"),
    10: ("أكتوبر", "تشرين الأول", "october", "oct"),
    11: ("نوفمبر", "تشرين الثاني", "نونبر", "november", "nov"),
    12: ("ديسمبر", "كانون الأول", "دجنبر", "december", "dec"),
}
