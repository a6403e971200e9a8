"""Numbers in words: the word tables and the readings of a number on its own.

:func:`cardinal`, :func:`ordinal`, :func:`definite`, :func:`counted`, :func:`decimal` and
:func:`clock` know nothing of the sentence around a number; :mod:`.grammar` decides the case,
gender and construct they are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Word tables ----------------------------------------------------------------------

#: Units 0-10 counting a masculine noun (``ثلاثة رجال``) and a feminine one (``ثلاث نساء``);
#: 1 and 2 as they are said in compounds (``إحدى وعشرون``) are in the compound tables.
UNITS_M = (
    *("صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"),
)
UNITS_F = ("صفر", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر")
#: The oblique (genitive/accusative) form of the words that have one.
OBLIQUE = {
    "اثنان": "اثنين",
    "اثنتان": "اثنتين",
    "اثنا": "اثني",
    "اثنتا": "اثنتي",
    "مئتان": "مئتين",
    "مئتا": "مئتي",
    "عشرون": "عشرين",
    "ثلاثون": "ثلاثين",
    "أربعون": "أربعين",
    "خمسون": "خمسين",
    "ستون": "ستين",
    "سبعون": "سبعين",
    "ثمانون": "ثمانين",
    "تسعون": "تسعين",
}
#: The unit of a compound 21-99 (``واحد وعشرون`` / ``إحدى وعشرون``).
COMPOUND_ONE = {False: "واحد", True: "إحدى"}
#: 11 and 12: (masculine, feminine).
ELEVEN = ("أحد عشر", "إحدى عشرة")
TWELVE = ("اثنا عشر", "اثنتا عشرة")
TENS = ("", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون")
HUNDREDS = (
    "",
    "مئة",
    "مئتان",
    "ثلاثمئة",
    "أربعمئة",
    "خمسمئة",
    "ستمئة",
    "سبعمئة",
    "ثمانمئة",
    "تسعمئة",
)

#: Definite ordinals 1-10, masculine; the feminine adds ``ة`` (``الأولى`` apart).
ORDINALS_M = (
    "",
    "الأول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
)
ORDINALS_F = ("", "الأولى", *(word + "ة" for word in ORDINALS_M[2:]))
#: In compounds 11 and 21, 31 ... the first is ``الحادي`` / ``الحادية``.
ORDINAL_ONE_COMPOUND = {False: "الحادي", True: "الحادية"}

#: The hours of the clock, 0-12: feminine ordinals (``الساعة`` understood), one is ``الواحدة``.
HOURS = (
    "الثانية عشرة",
    "الواحدة",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
    "الحادية عشرة",
    "الثانية عشرة",
)
#: Minutes said as a fraction of the hour; 45 is said as the next hour less a quarter.
MINUTE_WORDS = {15: "والربع", 20: "والثلث", 30: "والنصف"}
QUARTER_TO = "إلا ربعا"
#: Words a 24-hour time gets after it, by the hour written (none before noon).
DAY_PARTS = {
    0: "ليلا",
    1: "ليلا",
    12: "ظهرا",
    2: "ليلا",
    3: "ليلا",
    **{h: "بعد الظهر" for h in range(13, 18)},
    **{h: "مساء" for h in range(18, 24)},
}
#: The abbreviations of a 12-hour time (``10 ص``, ``8:30 م``) and the part of the day each is
#: read as; noon and midnight are said as such (``12 م`` -> ``ظهرا``, ``12 ص`` -> ``ليلا``).
MERIDIEMS = {"ص": "صباحا", "م": "مساء"}
MERIDIEM_AT_TWELVE = {"ص": "ليلا", "م": "ظهرا"}
#: Words saying the part of the day already: a time followed by one gets no part added.
DAY_PART_WORDS = frozenset(
    {"صباحا", "صباحًا", "مساء", "مساءً", "مساءا", "ظهرا", "ظهرًا", "فجرا", "فجرًا", "ليلا", "ليلًا"}
    | {"عصرا", "عصرًا", "صباح"}
)

#: Gregorian month names, by number: the names used by most Arab broadcasters.

DECIMAL_POINT = "فاصلة"
#: Read before a number written with a minus sign (``-3.5%``, ``−3``).
MINUS = "سالب"
PERCENT = "بالمئة"
#: Between the two ends of a range (``10-15``) and the two sides of a score (``3-1``).
RANGE_TO = "إلى"
SCORE_VERSUS = "مقابل"


@dataclass(frozen=True)
class Noun:
    """The forms a counted noun takes after a number, by the Arabic counting rules.

    ``one`` is how "1 x" is said (``دولار واحد``; a scale word is said alone: ``ألف``);
    ``dual`` and ``dual_oblique`` are the dual (``دولاران`` / ``دولارين``); ``construct`` the
    dual before another noun (``ألفا دولار``), for the scale words; ``plural`` follows 3-10,
    ``accusative`` 11-99 and ``singular`` round hundreds and above.
    """

    singular: str
    one: str
    dual: str
    dual_oblique: str
    plural: str
    accusative: str
    feminine: bool = False
    construct: tuple[str, str] | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form this noun may be written in after a number."""
        return (self.singular, self.dual, self.dual_oblique, self.plural, self.accusative)


def _noun(
    singular: str, dual: str, plural: str, accusative: str, *, feminine: bool = False
) -> Noun:
    one = f"{singular} {'واحدة' if feminine else 'واحد'}"
    oblique = dual[:-2] + "ين" if dual.endswith("ان") else dual
    return Noun(singular, one, dual, oblique, plural, accusative, feminine)


def _scale(singular: str, dual: str, plural: str, accusative: str) -> Noun:
    construct = (dual[:-1], dual[:-2] + "ي")
    return Noun(singular, singular, dual, dual[:-2] + "ين", plural, accusative, False, construct)


#: Thousand, million, billion, trillion: by value, largest first.
SCALES: tuple[tuple[int, Noun], ...] = (
    (10**12, _scale("تريليون", "تريليونان", "تريليونات", "تريليونا")),
    (10**9, _scale("مليار", "ملياران", "مليارات", "مليارا")),
    (10**6, _scale("مليون", "مليونان", "ملايين", "مليونا")),
    (10**3, _scale("ألف", "ألفان", "آلاف", "ألفا")),
)
#: Currencies by the name written after an amount.
CURRENCIES: dict[str, Noun] = {
    "دولار": _noun("دولار", "دولاران", "دولارات", "دولارا"),
    "يورو": _noun("يورو", "يوروان", "يوروهات", "يورو"),
    "جنيه": _noun("جنيه", "جنيهان", "جنيهات", "جنيها"),
    "ريال": _noun("ريال", "ريالان", "ريالات", "ريالا"),
    "درهم": _noun("درهم", "درهمان", "دراهم", "درهما"),
    "دينار": _noun("دينار", "ديناران", "دنانير", "دينارا"),
    "ليرة": _noun("ليرة", "ليرتان", "ليرات", "ليرة", feminine=True),
    "روبل": _noun("روبل", "روبلان", "روبلات", "روبلا"),
    "يوان": _noun("يوان", "يوانان", "يوانات", "يوانا"),
    "وون": _noun("وون", "وونان", "وونات", "وونا"),
    "شيكل": _noun("شيكل", "شيكلان", "شيكلات", "شيكلا"),
    "فرنك": _noun("فرنك", "فرنكان", "فرنكات", "فرنكا"),
    "روبية": _noun("روبية", "روبيتان", "روبيات", "روبية", feminine=True),
    "أوقية": _noun("أوقية", "أوقيتان", "أوقيات", "أوقية", feminine=True),
}
#: The pound sterling, with its adjective agreeing in every form.
POUND_STERLING = Noun(
    singular="جنيه إسترليني",
    one="جنيه إسترليني واحد",
    dual="جنيهان إسترلينيان",
    dual_oblique="جنيهين إسترلينيين",
    plural="جنيهات إسترلينية",
    accusative="جنيها إسترلينيا",
)
#: Currency symbols and the noun each is read as.
CURRENCY_SYMBOLS: dict[str, Noun] = {
    "$": CURRENCIES["دولار"],
    "€": CURRENCIES["يورو"],
    "£": POUND_STERLING,
    "USD": CURRENCIES["دولار"],
    "EUR": CURRENCIES["يورو"],
    "GBP": POUND_STERLING,
}
#: Degrees (of temperature, of an angle): ``30°`` and ``30°C`` / ``30°م`` (Celsius).
DEGREE = _noun("درجة", "درجتان", "درجات", "درجة", feminine=True)
DEGREE_CELSIUS = Noun(
    singular="درجة مئوية",
    one="درجة مئوية واحدة",
    dual="درجتان مئويتان",
    dual_oblique="درجتين مئويتين",
    plural="درجات مئوية",
    accusative="درجة مئوية",
    feminine=True,
)
#: Symbols written after an amount, and the noun each is read as.
AFTER_SYMBOLS: dict[str, Noun] = {
    **CURRENCY_SYMBOLS,
    "°": DEGREE,
    "°C": DEGREE_CELSIUS,
    "°م": DEGREE_CELSIUS,
}
#: Every written form of a currency or scale word, to the noun it is a form of.
UNIT_WORDS: dict[str, Noun] = {
    form: noun
    for noun in (*CURRENCIES.values(), *(noun for _, noun in SCALES))
    for form in noun.forms
}
SCALE_NOUNS = frozenset(noun for _, noun in SCALES)

#: A digit run longer than this, or starting with 0, is read digit by digit (a phone or id).
MAX_DIGITS = 15

# --- Reading numbers ------------------------------------------------------------------


def _case(word: str, oblique: bool) -> str:
    return OBLIQUE.get(word, word) if oblique else word


def _below_hundred(n: int, feminine: bool, oblique: bool) -> str:
    units = UNITS_F if feminine else UNITS_M
    if n <= 10:
        return _case(units[n], oblique)
    if n == 11:
        return ELEVEN[feminine]
    if n == 12:
        return " ".join(_case(word, oblique) for word in TWELVE[feminine].split())
    tens, unit = divmod(n, 10)
    if tens == 1:
        # 13-19: the unit takes the counting form, the ten agrees with the noun.
        return f"{units[unit]} {'عشرة' if feminine else 'عشر'}"
    ten = _case(TENS[tens], oblique)
    if unit == 0:
        return ten
    first = COMPOUND_ONE[feminine] if unit == 1 else _case(units[unit], oblique)
    if first == "ثماني" and not oblique:
        first = "ثمان"  # ثمانٍ وعشرون: the nominative drops its ي before و
    return f"{first} و{ten}"


def _below_thousand(n: int, feminine: bool, oblique: bool, construct: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        word = HUNDREDS[hundreds]
        if hundreds == 2 and construct and not rest:
            word = "مئتا"
        parts.append(_case(word, oblique))
    if rest:
        parts.append(_below_hundred(rest, feminine, oblique))
    return " و".join(parts)


def counted(n: int, noun: Noun, *, oblique: bool = False, construct: bool = False) -> str:
    """``n`` of ``noun``, by the Arabic rules for the counted noun.

    ``construct`` is for a count followed by another noun (``ألفا دولار``).

    >>> counted(3, CURRENCIES["دولار"])
    'ثلاثة دولارات'
    >>> counted(1001, CURRENCIES["ليرة"])
    'ألف ليرة وليرة'
    """
    rest = n % 100
    if n == 1:
        return noun.one
    if n == 2:
        if construct and noun.construct:
            return noun.construct[oblique]
        return noun.dual_oblique if oblique else noun.dual
    if n > 100 and rest in (1, 2):
        # 1001 nights: ألف ليلة وليلة; 102,000: مئة ألف وألفان.
        head = counted(n - rest, noun, oblique=oblique)
        tail = (
            noun.singular if rest == 1 else counted(2, noun, oblique=oblique, construct=construct)
        )
        return f"{head} و{tail}"
    number = cardinal(n, feminine=noun.feminine, oblique=oblique, construct=rest == 0)
    if 3 <= rest <= 10:
        return f"{number} {noun.plural}"
    if rest and not (construct and noun.construct):
        return f"{number} {noun.accusative}"
    # Round hundreds and up, and a scale word before another noun (عشرون ألف نقطة).
    return f"{number} {noun.singular}"


def cardinal(
    n: int, *, feminine: bool = False, oblique: bool = False, construct: bool = False
) -> str:
    """``n`` in words, counting a feminine noun or not, in the nominative or the oblique.

    ``construct`` drops the ``ن`` of a final dual that is followed by a noun (``مئتا``).

    >>> cardinal(2026)
    'ألفان وستة وعشرون'
    >>> cardinal(2026, oblique=True)
    'ألفين وستة وعشرين'
    >>> cardinal(13, feminine=True)
    'ثلاث عشرة'
    """
    if n < 0:
        raise ValueError(f"cannot read a negative number in words: {n}")
    if n == 0:
        return UNITS_M[0]
    parts = []
    for value, noun in SCALES:
        count, n = divmod(n, value)
        if count:
            parts.append(counted(count, noun, oblique=oblique, construct=construct and not n))
    if n:
        parts.append(_below_thousand(n, feminine, oblique, construct))
    return " و".join(parts)


def ordinal(n: int, *, feminine: bool = False, oblique: bool = False) -> str:
    """``n`` as a definite ordinal (``الثالث``, ``الحادية والعشرون``).

    From 100 on, the definite cardinal is said instead (``المئة``, ``المئة والخمسون``).

    >>> ordinal(21)
    'الحادي والعشرون'
    >>> ordinal(12, feminine=True)
    'الثانية عشرة'
    """
    table = ORDINALS_F if feminine else ORDINALS_M
    if 1 <= n <= 10:
        return table[n]
    if n >= 100 or n == 0:
        return definite(n, oblique=oblique)
    tens, unit = divmod(n, 10)
    first = ORDINAL_ONE_COMPOUND[feminine] if unit == 1 else table[unit]
    if tens == 1:
        return f"{first} {'عشرة' if feminine else 'عشر'}"
    ten = "ال" + _case(TENS[tens], oblique)
    return f"{first} و{ten}" if unit else ten


def definite(n: int, *, feminine: bool = False, oblique: bool = False) -> str:
    """``n`` as a definite cardinal (``الـ24`` -> ``الأربعة والعشرون``).

    >>> definite(24, feminine=True, oblique=True)
    'الأربع والعشرين'
    """
    words = cardinal(n, feminine=feminine, oblique=oblique)
    # Every part joined by و takes the article (المئة والخمسون); in 11-19 only the first word.
    return " و".join("ال" + part for part in words.split(" و"))


def decimal(text: str, *, oblique: bool = False) -> str:
    """A number written with digits (``20,000``, ``92.5``, ``007``) in words.

    >>> decimal("0.05")
    'صفر فاصلة صفر خمسة'
    """
    whole, _, fraction = text.replace(",", "").partition(".")
    words = _integer(whole, oblique=oblique)
    if not fraction:
        return words
    zeros = len(fraction) - len(fraction.lstrip("0"))
    tail = [UNITS_M[0]] * zeros
    if fraction.lstrip("0"):
        # After فاصلة the fraction is a number of its own: always the nominative.
        tail.append(_integer(fraction.lstrip("0")))
    return f"{words} {DECIMAL_POINT} {' '.join(tail)}"


def _integer(digits: str, *, feminine: bool = False, oblique: bool = False) -> str:
    if len(digits) > MAX_DIGITS or (len(digits) > 1 and digits.startswith("0")):
        return " ".join(UNITS_M[int(d)] for d in digits)
    return cardinal(int(digits), feminine=feminine, oblique=oblique)


def clock(
    hour: int,
    minute: int,
    *,
    next_word: str = "",
    meridiem: str = "",
    day_part: bool = True,
    day_said: bool = False,
    oblique: bool = False,
) -> str:
    """A time of day (``08:30``) in words.

    The part of the day is added to an hour past noon, and to the hours 0-3 and 12 (``ليلا``,
    ``ظهرا``) only with ``day_part`` (a bare ``الساعة 3`` does not say it), unless
    ``next_word`` says it already; ``meridiem`` is the ``ص`` / ``م`` written after a 12-hour
    time, and says it instead.

    >>> clock(10, 45)
    'الحادية عشرة إلا ربعا'
    >>> clock(14, 5)
    'الثانية وخمس دقائق بعد الظهر'
    >>> clock(8, 30, meridiem="م")
    'الثامنة والنصف مساء'
    """
    spoken = hour + 1 if minute == 45 else hour
    words = HOURS[spoken % 12 or (12 if spoken else 0)]
    if minute == 45:
        words = f"{words} {QUARTER_TO}"
    elif minute in MINUTE_WORDS:
        words = f"{words} {MINUTE_WORDS[minute]}"
    elif minute:
        words = f"{words} و{counted(minute, MINUTE, oblique=oblique)}"
    part: str | None
    if meridiem and hour <= 12:
        part = MERIDIEM_AT_TWELVE[meridiem] if hour == 12 else MERIDIEMS[meridiem]
    else:
        part = DAY_PARTS.get(hour % 24) if day_part or hour > 12 else None
    if part and not day_said and next_word not in DAY_PART_WORDS:
        words = f"{words} {part}"
    return words


MINUTE = _noun("دقيقة", "دقيقتان", "دقائق", "دقيقة", feminine=True)
