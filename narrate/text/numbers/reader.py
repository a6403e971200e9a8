"""Finding the numbers of a text and reading each in its context: :func:`verbalize`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from narrate.charset import ARABIC_INDIC_DIGITS, EASTERN_ARABIC_INDIC_DIGITS
from narrate.text.numbers.calendar import (
    ERAS,
    HIJRI_ERA,
    HIJRI_MONTH_NAMES,
    MONTH_NAMES,
    date_words,
    day_month,
    genitive_month,
    month_first,
)
from narrate.text.numbers.codes import spell_codes
from narrate.text.numbers.grammar import (
    HOUR_NOUNS,
    ORDINAL_NOUNS,
    Context,
    bare,
    counted_noun_after,
    stems,
)
from narrate.text.numbers.nouns import is_feminine, is_plural
from narrate.text.numbers.units import (
    ABBREVIATIONS,
    MEASURE_WORDS,
    SINGLE_LETTER_UNITS,
    abbreviated,
)
from narrate.text.numbers.words import (
    AFTER_SYMBOLS,
    CURRENCY_SYMBOLS,
    MAX_DIGITS,
    MERIDIEMS,
    MINUS,
    PERCENT,
    RANGE_TO,
    SCALE_NOUNS,
    SCALES,
    SCORE_VERSUS,
    UNIT_WORDS,
    Noun,
    cardinal,
    clock,
    counted,
    decimal,
    definite,
    ordinal,
)

# --- Finding numbers in text ----------------------------------------------------------

_FOLD_DIGITS = str.maketrans(
    {
        **{c: str(i) for i, c in enumerate(ARABIC_INDIC_DIGITS)},
        **{c: str(i) for i, c in enumerate(EASTERN_ARABIC_INDIC_DIGITS)},
    }
)
_FOLD_SEPARATORS = (
    (re.compile(r"(?<=[0-9])\u066b(?=[0-9])"), "."),  # Arabic decimal separator
    (re.compile(r"(?<=[0-9])\u066c(?=[0-9])"), ","),  # Arabic thousands separator
    # A comma before one or two digits is a decimal comma, as the Maghreb writes: "26,5".
    (re.compile(r"(?<=[0-9]),(?=[0-9]{1,2}(?![0-9]))"), "."),
    (re.compile(r"(?<=[0-9])\s?\u066a|\u066a(?=\s?[0-9])"), "%"),  # Arabic percent sign
    # The Gulf wires' decimal: "5ر19" is 19.5, the fraction written first.
    (re.compile(r"(?<![\w.,])([0-9]+)ر([0-9]+)(?![\w\u0640])"), r"\2.\1"),
    # A clitic before a number in brackets, as sports tables write it: "نقاطه الـ(30)".
    (re.compile(r"(?<![\w\u0640])((?:[وف]?[بلك]?ال|[وف]?[بلك])\u0640?)\s?\(([0-9]+)\)"), r"\1\2"),
)


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that none hides a longer one."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A number ends where no digit, and no separator followed by a digit, goes on ("1.2.3.4").
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9]|[.,][0-9])"
_WORD_END = r"(?![\w\u0640])"
#: The tanween (and its alif) a unit may carry as written: ``دولاراً``, ``ألفًا``.
_TANWEEN_TAIL = "[\u064b-\u0652]*ا?[\u064b-\u0652]*"
_PATTERN = re.compile(
    rf"""
    (?<![0-9.,])(?:
      (?P<ymd>(?P<y1>[0-9]{{4}})(?P<s1>[/.-])(?P<m1>[0-9]{{1,2}})(?P=s1)(?P<d1>[0-9]{{1,2}}))
        (?![0-9])
    | (?P<dmy>(?P<d2>[0-9]{{1,2}})(?P<s2>[/.-])(?P<m2>[0-9]{{1,2}})(?P=s2)(?P<y2>[0-9]{{4}}))
        (?![0-9])
    | (?P<time>(?P<hour>[0-9]{{1,2}}):(?P<minute>[0-9]{{2}}))(?![0-9:])
    | (?P<dm>(?P<d3>[0-9]{{1,2}})/(?P<m3>[0-9]{{1,2}}))(?![0-9]|[/.,][0-9])
    | (?P<day>[0-9]{{1,2}})\s+(?P<month>{_alternatives(MONTH_NAMES + HIJRI_MONTH_NAMES)})
        {_WORD_END}
        (?:\s+(?P<year>[0-9]{{4}})(?![0-9]))?
    | (?P<symbol>[$€£]|USD|EUR|GBP)\s?(?P<amount>{_NUMBER})
        (?:\s+(?P<scale>{_alternatives(f for _, n in SCALES for f in n.forms)}){_WORD_END})?
    | %\s?(?P<percent>{_NUMBER})
    | (?P<low>{_NUMBER})\s?[-–]\s?(?P<high>{_NUMBER})(?P<range_percent>\s?%)?(?![0-9/-]|\.[0-9])
        (?:\s?(?P<range_abbr>{ABBREVIATIONS}){_WORD_END})?
    | (?:(?<![\w\u0640])(?P<minus>[-\u2212]))?(?P<number>{_NUMBER})
        (?:\s?(?P<after>[%$€£]|°[Cم]?)
          |\s?(?P<abbr>{ABBREVIATIONS}){_WORD_END}
          |\s+(?P<unit>{_alternatives(UNIT_WORDS)})(?P<tail>{_TANWEEN_TAIL}){_WORD_END}
            (?:\s?(?P<currency>[$€£]|{ABBREVIATIONS}){_WORD_END})?
        )?
    )
    """,
    re.VERBOSE,
)
_LEFTOVER_DIGITS = re.compile(r"[0-9]+")
#: A year's era written after it: ``هـ`` (its tatweel may be gone) or ``م``.
_ERA = re.compile(r"[^\S\n]?(ه\u0640*|م)(?![\w\u0640])")
_HIJRI_MARK = re.compile(
    rf"[0-9][^\S\n]?ه\u0640*(?![\w\u0640])|[0-9][^\S\n]+(?:{_alternatives(HIJRI_MONTH_NAMES)})"
)
#: The day and month of a date written with slashes, to tell a text's order (day or month first).
_SLASHED_DATE = re.compile(r"(?<![0-9/.,])([0-9]{1,2})/([0-9]{1,2})(?:/[0-9]{4})?(?![0-9/])")
#: The stems of words that say the part of the day, up to three words after a time
#: (``12:00 من ظهر اليوم``): the time then gets no part of its own.
_DAY_PART_STEMS = frozenset(
    {"ظهر", "ظهرا", "صباح", "صباحا", "مساء", "مساءا", "فجر", "فجرا", "عصر", "عصرا", "ليل", "ليلا"}
    | {"ظهيرة", "منتصف", "الظهر", "الظهيرة", "العصر", "المساء", "الصباح", "الفجر", "الليل"}
)
#: ``18 إلى 35 سنة``: the noun after the far end of a range.
_RANGE_NOUN = re.compile(
    r"\s*(?:إلى|الى|حتى|-|–|و|أو)\s*[0-9]+\s+([\u0621-\u064a\u064b-\u0652]+)(?![\w\u0640])"
)
#: Words before ``2/1`` that make it a score.
_SCORE_WORDS = frozenset(
    {"نتيجة", "بنتيجة", "تقدم", "فوز", "فاز", "خسر", "خسارة", "تعادل", "هزم", "تغلب", "انتهى"}
    | {"انتهت", "هزيمة", "النتيجة", "فازت", "خسرت", "تقدمه", "بفوز", "بهدف"}
)
_PRONOUN = re.compile(r"(?:ها|هم|ه)$")
_ARABIC = re.compile(r"[\u0621-\u064a\u064b-\u0652]+")
_SINGLE_LETTER_UNIT = re.compile(rf"[^\S\n]?([{''.join(SINGLE_LETTER_UNITS)}])(?![\w\u0640])")
_MONTHS = _alternatives(MONTH_NAMES + HIJRI_MONTH_NAMES)
#: ``3 إلى 7 مارس``: the first day of a range of days.
_DAY_RANGE = re.compile(
    rf"(?:\s*(?:و|،|,)\s*[0-9]{{1,2}})*\s*(?:إلى|الى|حتى|و|-|–)\s*[0-9]{{1,2}}\s+(?:{_MONTHS})(?![\w])"
)
#: ``الـ15 من شهر نيسان``: a day of a month.
_OF_MONTH = re.compile(rf"\s+(?:من\s+(?:(?:شهر\s+)?(?:{_MONTHS})|(?:هذا\s+)?الشهر)|منه)(?![\w])")
_NEXT_WORDS = re.compile(r"[^\w\n]*([\w\u0640\u064b-\u065f\u0670]+)")
#: Clitics that may be glued to a number, or written apart with a tatweel: و، ف، ب، ل، ك، ال.
_CLITICS = re.compile(r"[وف]?(?:[بلك]|لل|[بك]?ال)?")
_WORD_BEFORE = re.compile(r"([\w\u0640\u064b-\u065f\u0670]+)[^\w\n]*$")
_WORD_AFTER = re.compile(r"^[^\w\n]*?([\w\u0640\u064b-\u065f\u0670]+)")
_NEXT_WORD = re.compile(r"[^\S\n]+([\w\u0640\u064b-\u065f\u0670]+)")
#: A 12-hour time's ``ص`` / ``م``, written after it.
_MERIDIEM = re.compile(rf"[^\S\n]+({_alternatives(MERIDIEMS)}){_WORD_END}")
#: Words after which a bare number from 1 to 12 is an hour (``9 صباحا``).
_HOUR_PARTS = frozenset({"صباحا", "مساء", "مساءا", "ظهرا", "فجرا", "ليلا", "عصرا", "ظهر"})
#: Where a clause ends: the words before a number that may govern it stop there.
_CLAUSE_END = re.compile(r"[.،,؛;:!?؟\n\"«»]")
#: How much of the text read so far is searched for a number's clause.
_CLAUSE_WINDOW = 400
_RELATIVE_START = re.compile(r"\s*(?:الذي|التي|الذين|اللذين|اللتين|اللواتي)(?!\w)")
_WORDS = re.compile(r"[\w\u0640\u064b-\u065f\u0670]+")
_GLUED_BEFORE = re.compile(r"[\w\u0640\u064b-\u065f\u0670]+$")
_SEPARATE_CLITIC = re.compile(r"(?:^|(?<=\s))([وفبلك]|لل|ال|بال|وال|وب|ول|فب)\u0640?\s$")


class _Reader:
    """Reads the numbers of one text, left to right, remembering the case of the last one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last_oblique = False
        self.last_noun = ""  # the word after the last number
        #: The last number was an ordinal of a noun (its gender): ``الدقيقة 2 و72``.
        self.last_ordinal: bool | None = None
        self.last_end = -1
        self.taken = 0  # characters after the match that the last reading took in too
        #: The text dates by the Hijri calendar too: a Gregorian "م" is then said, not dropped.
        self.hijri = bool(_HIJRI_MARK.search(text))
        #: The text writes its dates month first (``10/25/2016``): its ambiguous ones are too.
        self.month_first = month_first([(int(a), int(b)) for a, b in _SLASHED_DATE.findall(text)])

    def _era(self, m: re.Match[str], *, year: int, sure: bool) -> str:
        """The era written after the year just read (``هـ``, ``م``), said or dropped.

        ``sure`` says the number is a year; otherwise a spaced ``م`` is left alone (a metre,
        or an evening), and only a ``م`` glued to a number of three or four digits is an era.
        """
        era = _ERA.match(self.text, m.end() + self.taken)
        if not era or not 100 <= year <= 2200:
            return ""
        letter = era.group(1).rstrip("\u0640")
        if letter == "م" and not sure and era.group().startswith((" ", "\u00a0")):
            return ""
        self.taken += len(era.group())
        if ERAS[letter] == HIJRI_ERA or self.hijri:
            return f" {ERAS[letter]}"
        return ""

    def context(self, match: re.Match[str], out: list[str]) -> Context:
        head = out[-1]
        glued = _GLUED_BEFORE.search(head)
        clitic = ""
        if glued and _CLITICS.fullmatch(glued.group().rstrip("\u0640")):
            clitic = glued.group()
            out[-1] = head = head[: glued.start()]
        elif glued:
            out[-1] = head = head + " "  # glued to a word that is no clitic: "G20", "عام2011"
        elif apart := _SEPARATE_CLITIC.search(head):
            # "بـ 5": the clitic written apart is glued back to the number.
            clitic = apart.group(1)
            out[-1] = head = head[: apart.start(1)]
        before = _WORD_BEFORE.search(head)
        after = _WORD_AFTER.search(self.text[match.end() :])
        next_word = _NEXT_WORD.match(self.text, match.end())
        between = self.text[self.last_end : match.start()] if self.last_end >= 0 else "-"
        words = (bare(word) for word in reversed(_WORDS.findall(_clause(out))[-18:]))
        preceding = tuple(word for word in words if word)
        digits = re.sub(r"[^0-9]", "", match.group())
        return Context(
            year_like=3 <= len(digits) <= 4 and not match["percent"],
            preceding=preceding,
            clitic=clitic.rstrip("\u0640"),
            before=before.group(1) if before else "",
            before_number=between.split() in ([], [clitic]),
            before_adjacent=before is not None and not head[before.end(1) :].strip(" ([\n"),
            after=after.group(1) if after else "",
            next_word=next_word.group(1) if next_word else "",
        )

    def _at_line_end(self, m: re.Match[str]) -> bool:
        return m.end() == len(self.text) or self.text[m.end()] == "\n"

    @staticmethod
    def _measure(ctx: Context) -> bool:
        """A word that announces a measure stands just before the number (``بارتفاعها``)."""
        return any(
            stem in MEASURE_WORDS or _PRONOUN.sub("", stem) in MEASURE_WORDS
            for word in ctx.preceding[:3]
            for stem in stems(word)
        )

    def _counted_between(self, match: re.Match[str]) -> bool:
        """Only the last number's noun stands between it and this one (``30 قتيلا و52``)."""
        if self.last_end < 0:
            return False
        between_text = self.text[self.last_end : match.start()]
        between = between_text.split()
        if not 2 <= len(between) <= 5 or between[-1] != "و" or _CLAUSE_END.search(between_text):
            return False  # 30 قتيلا و52, تهريب 2 كجم من الحشيش و1640 قرصا
        return all(_ARABIC.fullmatch(word) for word in between[:-1])

    def _same_noun(self, match: re.Match[str], ctx: Context) -> bool:
        """The last number in the clause counted the same noun: ``448 نائبا ... و120 نائبا``."""
        between = self.text[self.last_end : match.start()] if self.last_end >= 0 else ""
        same = bool(self.last_noun) and bare(ctx.next_word) == self.last_noun
        return same and not _CLAUSE_END.search(between)

    def read(self, match: re.Match[str], ctx: Context) -> str:
        self.taken = 0
        oblique = ctx.oblique
        parallel = ctx.clitic.endswith("و") and (
            ctx.before_number or self._counted_between(match) or self._same_noun(match, ctx)
        )
        if parallel:
            oblique = self.last_oblique
        self.last_noun = bare(ctx.next_word)
        self.last_oblique = oblique
        follows_ordinal = ctx.clitic == "و" and ctx.before_number and self.last_ordinal is not None
        ordinal_gender, self.last_ordinal = self.last_ordinal, None
        groups = match.groupdict()
        if follows_ordinal and match["number"] and match["number"].isdigit() and not match["unit"]:
            # في الدقيقة 2 و72: the second number is the same noun's ordinal.
            assert ordinal_gender is not None
            self.last_ordinal = ordinal_gender
            return "و" + ordinal(int(match["number"]), feminine=ordinal_gender, oblique=oblique)
        for name, reader in _READERS:
            if groups[name] is not None:
                words = reader(self, match, ctx, oblique)
                break
        else:  # pragma: no cover - the pattern has no other alternative
            raise AssertionError(match.group())
        definite_clitic = ctx.clitic.endswith("ال") and not words.startswith("ال")
        clitic = ctx.clitic[:-2] if ctx.clitic.endswith("ال") else ctx.clitic
        if definite_clitic:
            clitic += "ال"
        return clitic + words

    # Each reader returns the words for one kind of match.

    def _hijri_era(self, m: re.Match[str]) -> bool:
        era = _ERA.match(self.text, m.end())
        return era is not None and ERAS[era.group(1).rstrip("\u0640")] == HIJRI_ERA

    def ymd(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        oblique = oblique or ctx.after_weekday
        hijri = self._hijri_era(m)
        words = date_words(m["y1"], m["m1"], m["d1"], m["s1"], oblique, order="ymd", hijri=hijri)
        return words + self._era(m, year=int(m["y1"]), sure=True)

    def dmy(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        swap = self.month_first and m["s2"] == "/"
        oblique = oblique or ctx.after_weekday
        hijri = self._hijri_era(m)
        words = date_words(
            m["y2"], m["m2"], m["d2"], m["s2"], oblique, order="dmy", swap=swap, hijri=hijri
        )
        return words + self._era(m, year=int(m["y2"]), sure=True)

    def time(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        hour, minute = int(m["hour"]), int(m["minute"])
        if hour > 24 or minute > 59:
            return f"{decimal(m['hour'], oblique=oblique)} {decimal(m['minute'], oblique=oblique)}"
        if (hour_noun := ctx.ordinal_noun()) and hour_noun[0] in HOUR_NOUNS:
            oblique = hour_noun[1]  # في الساعة 19:02: the minutes in the hour's case
        return self._clock(m, ctx, hour, minute, day_part=True, oblique=oblique)

    def _clock(
        self,
        m: re.Match[str],
        ctx: Context,
        hour: int,
        minute: int,
        *,
        day_part: bool,
        oblique: bool = False,
        morning: bool = False,
    ) -> str:
        """The time, taking in the ``ص`` / ``م`` written after it."""
        meridiem = _MERIDIEM.match(self.text, m.end())
        if meridiem:
            self.taken = len(meridiem.group())
            return clock(hour, minute, meridiem=meridiem.group(1), oblique=oblique)
        said = self._day_said(m.end())
        words = clock(
            hour,
            minute,
            next_word=bare(ctx.after),
            day_part=day_part,
            day_said=said,
            oblique=oblique,
        )
        if morning and 4 <= hour <= 11 and not said:
            words += " صباحا"  # 0730: a 24-hour time says its morning too
        return words

    def _day_said(self, end: int) -> bool:
        """Whether the word after ``end`` (past a ``من``) says the part of the day."""
        for _ in range(2):
            word = _NEXT_WORDS.match(self.text, end)
            if not word:
                return False
            if any(stem in _DAY_PART_STEMS for stem in stems(bare(word.group(1)))):
                return True
            if bare(word.group(1)) not in ("من", "بعد"):
                return False  # بعد الظهر says it; بعد استراحة does not
            end = word.end()
        return False

    def dm(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        day, month = int(m["d3"]), int(m["m3"])
        if self.month_first and month <= 12:
            day, month = month, day
        if ctx.dates and (words := day_month(day, month, oblique)):
            return words
        if any(stem in _SCORE_WORDS for word in ctx.preceding[:4] for stem in stems(word)):
            # بنتيجة 2/2, تقدم الهلال 1/0: a score, the second side the complement of مقابل.
            first, second = decimal(m["d3"], oblique=oblique), decimal(m["m3"], oblique=True)
            return f"{first} {SCORE_VERSUS} {second}"
        return f"{decimal(m['d3'], oblique=oblique)}/{decimal(m['m3'], oblique=oblique)}"

    def day(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        day = int(m["day"])
        if not 1 <= day <= 31:
            return f"{decimal(m['day'], oblique=oblique)} {m['month']}" + (
                f" {cardinal(int(m['year']), oblique=True)}" if m["year"] else ""
            )
        oblique = oblique or ctx.after_weekday
        words = f"{ordinal(day, oblique=oblique)} من {genitive_month(m['month'])}"
        if not m["year"]:
            return words
        year = int(m["year"])
        return f"{words} عام {cardinal(year, oblique=True)}" + self._era(m, year=year, sure=True)

    def symbol(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        return _amount(m["amount"], CURRENCY_SYMBOLS[m["symbol"]], m["scale"], oblique=oblique)

    def percent(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        return f"{decimal(m['percent'], oblique=oblique)} {PERCENT}"

    def low(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        # The high end is the complement of إلى or مقابل: always oblique.
        low, high = decimal(m["low"], oblique=oblique), decimal(m["high"], oblique=True)
        rising = float(m["low"].replace(",", "")) < float(m["high"].replace(",", ""))
        word = RANGE_TO if rising else SCORE_VERSUS
        single = _SINGLE_LETTER_UNIT.match(self.text, m.end())
        if m["range_abbr"]:  # 15 – 45 كم/س: the unit is counted by the high end
            high = _amount(m["high"], abbreviated(m["range_abbr"]), None, oblique=True)
        elif single and self._measure(ctx) and not m["range_percent"]:
            self.taken = len(single.group())  # بارتفاع 2-3 م
            high = _amount(m["high"], SINGLE_LETTER_UNITS[single.group(1)], None, oblique=True)
        words = f"{low} {word} {high}"
        return f"{words} {PERCENT}" if m["range_percent"] else words

    def number(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        if m["minus"]:
            # The number is the complement of سالب: genitive.
            return f"{MINUS} {self._number(m, ctx, oblique=True)}"
        return self._number(m, ctx, oblique)

    def _number(self, m: re.Match[str], ctx: Context, oblique: bool) -> str:
        text, after, unit = m["number"], m["after"], m["unit"]
        if after == "%":
            return f"{decimal(text, oblique=oblique)} {PERCENT}"
        if after:
            return _amount(text, AFTER_SYMBOLS[after], None, oblique=oblique)
        if m["abbr"]:
            words = _amount(text, abbreviated(m["abbr"]), None, oblique=oblique)
            return words + "." if m["abbr"].endswith(".") and self._at_line_end(m) else words
        if unit:
            noun = UNIT_WORDS[unit]
            if noun in SCALE_NOUNS:
                currency = m["currency"] and (
                    CURRENCY_SYMBOLS.get(m["currency"]) or abbreviated(m["currency"])
                )
                construct = ctx.construct or bool(currency)
                words = _amount(text, currency or None, unit, oblique=oblique, construct=construct)
                if currency and m["currency"].endswith(".") and self._at_line_end(m):
                    return words + "."  # "31 ألف ل.س." ends its sentence too
            else:
                words = _amount(text, noun, None, oblique=oblique)
            return _as_written(words, unit + m["tail"])
        is_integer = "." not in text and not (len(text) > 1 and text.startswith("0"))
        value = int(text.replace(",", "")) if is_integer else -1
        # A number with a preposition glued to it (بـ10) is governed by it, no ordinal; so is
        # one that counts a noun after it (منذ مطلع الأسبوع 220 شاحنة) or runs to thousands.
        counts = (is_integer and value >= 1000) or counted_noun_after(ctx.next_word, value)
        ordinal_noun = ctx.ordinal_noun() if ctx.clitic in ("", "ال") else None
        if ordinal_noun and ordinal_noun[0] not in HOUR_NOUNS and counts:
            ordinal_noun = None
        if ordinal_noun and ordinal_noun[0] in HOUR_NOUNS:
            if is_integer and 0 <= value <= 24:
                # A bare hour from 1 to 12 is said alone (الساعة الثالثة); 0 and 13-24 are
                # on the 24-hour clock and get the part of the day (الساعة 20: مساء).
                return self._clock(m, ctx, value, 0, day_part=not 1 <= value <= 12)
            if hour_minute := _hour_minute(text):
                noun_oblique = ordinal_noun[1]
                return self._clock(
                    m, ctx, *hour_minute, day_part=True, oblique=noun_oblique, morning=True
                )
        elif is_integer and ordinal_noun:
            word, noun_oblique = ordinal_noun
            self.last_ordinal = ORDINAL_NOUNS[word]
            self.last_oblique = noun_oblique
            return ordinal(value, feminine=ORDINAL_NOUNS[word], oblique=noun_oblique)
        measure = self._measure(ctx)
        single = _SINGLE_LETTER_UNIT.match(self.text, m.end())
        if single and "," not in text and (measure or single.group(1) != "م"):
            self.taken = len(single.group())  # بعمق 3 م: metres
            return _amount(text, SINGLE_LETTER_UNITS[single.group(1)], None, oblique=oblique)
        if is_integer and 1 <= value <= 12 and bare(ctx.next_word) in _HOUR_PARTS:
            return self._clock(m, ctx, value, 0, day_part=False)  # 9 صباحا: an hour
        if is_integer and 1 <= value <= 12 and _MERIDIEM.match(self.text, m.end()):
            return self._clock(m, ctx, value, 0, day_part=False)  # 10 ص: an hour
        if is_integer and 1 <= value <= 31 and _DAY_RANGE.match(self.text, m.end()):
            return ordinal(value, oblique=oblique)  # من 3 إلى 7 مارس: days
        if is_integer and ctx.clitic.endswith("ال") and len(text) <= MAX_DIGITS:
            if ctx.clitic == "ال" and 1 <= value <= 31 and _OF_MONTH.match(self.text, m.end()):
                return ordinal(value, oblique=oblique)  # في الـ15 من شهر نيسان: a day
            if ctx.clitic == "ال" and (described := ctx.noun_before()):
                # الذكرى الـ65: the noun's ordinal; الدوائر الـ30: its count, in its case.
                word, feminine, noun_oblique = described
                if is_plural(word) or not 0 < value < 1000:
                    return definite(value, feminine=feminine, oblique=noun_oblique)
                return ordinal(value, feminine=feminine, oblique=noun_oblique)
            return definite(value, feminine=ctx.feminine, oblique=oblique)
        if is_integer and len(text) <= MAX_DIGITS:
            # من 18 إلى 35 سنة: the first end counts the noun after the second.
            far_noun = _RANGE_NOUN.match(self.text, m.end())
            feminine = is_feminine(bare(far_noun.group(1))) if far_noun else ctx.feminine
            words = cardinal(value, feminine=feminine, oblique=oblique, construct=ctx.construct)
            if 3 <= len(text) <= 4:
                return words + self._era(m, year=value, sure=ctx.year)
            return words
        return decimal(text, oblique=oblique)


def _clause(out: list[str]) -> str:
    """The clause the next number is in: the text read so far, back to the last clause mark.

    A relative clause set off by commas is inside its clause, not the end of it: in ``وحقق
    الفريق، الذي يقوده المدرب، 20 انتصارا`` the clause of ``20`` is ``وحقق الفريق``.
    """
    tail = ""
    for chunk in reversed(out):
        tail = chunk + tail
        if len(tail) > _CLAUSE_WINDOW:
            break
    parts = _CLAUSE_END.split(tail)
    clause = parts[-1]
    if len(parts) >= 3 and not clause.strip() and _RELATIVE_START.match(parts[-2]):
        clause = parts[-3]  # the relative clause between commas, and the number right after
    return clause


def _as_written(words: str, written: str) -> str:
    """``words`` with its last word as the text wrote it, when it is that word (``دولاراً``)."""
    head, _, last = words.rpartition(" ")
    if last and bare(written) == last and written != last:
        return f"{head} {written}" if head else written
    return words


def _hour_minute(text: str) -> tuple[int, int] | None:
    """A 24-hour time written as four digits (``0658``, ``1900``) or with a dot (``13.15``)."""
    digits = text.replace(".", "") if re.fullmatch(r"[0-9]{1,2}\.[0-9]{2}", text) else text
    if not re.fullmatch(r"[0-9]{3,4}", digits):
        return None
    hour, minute = int(digits[:-2]), int(digits[-2:])
    return (hour, minute) if hour <= 24 and minute <= 59 else None


def _amount(
    text: str, noun: Noun | None, scale: str | None, *, oblique: bool, construct: bool = False
) -> str:
    """An amount, maybe of a scale word (``5 ملايين``), maybe of a currency."""
    is_integer = "." not in text and not (len(text) > 1 and text.startswith("0"))
    value = int(text.replace(",", "")) if is_integer else 0
    if scale:
        scale_noun = UNIT_WORDS[scale]
        if is_integer and 0 < value <= 10**MAX_DIGITS:
            words = counted(
                value, scale_noun, oblique=oblique, construct=construct or noun is not None
            )
        else:
            words = f"{decimal(text, oblique=oblique)} {scale_noun.singular}"
        return f"{words} {noun.singular}" if noun else words
    assert noun is not None
    if is_integer and 0 < value <= 10**MAX_DIGITS:
        return counted(value, noun, oblique=oblique)
    return f"{decimal(text, oblique=oblique)} {noun.singular}"


_READERS: tuple[tuple[str, Callable[[_Reader, re.Match[str], Context, bool], str]], ...] = (
    ("ymd", _Reader.ymd),
    ("dmy", _Reader.dmy),
    ("time", _Reader.time),
    ("dm", _Reader.dm),
    ("day", _Reader.day),
    ("symbol", _Reader.symbol),
    ("percent", _Reader.percent),
    ("low", _Reader.low),
    ("number", _Reader.number),
)


def verbalize(text: str) -> str:
    """``text`` with every number, and the symbols read with it, written as Arabic words.

    >>> verbalize("ارتفع 18% إلى 20,000 نقطة في 30 نوفمبر 2024")
    'ارتفع ثمانية عشر بالمئة إلى عشرين ألف نقطة في الثلاثين من نوفمبر عام ألفين وأربعة وعشرين'
    """
    text = text.translate(_FOLD_DIGITS)
    if not any(c.isascii() and c.isdigit() for c in text):
        return text
    for pattern, replacement in _FOLD_SEPARATORS:
        text = pattern.sub(replacement, text)
    text = spell_codes(text)
    reader = _Reader(text)
    out = [""]
    position = 0
    for match in _PATTERN.finditer(text):
        out.append(text[position : match.start()])
        ctx = reader.context(match, out)
        words = reader.read(match, ctx)
        end = match.end() + reader.taken
        if end < len(text) and (text[end].isalnum() or text[end] == "\u0640"):
            words += " "
        out.append(words)
        reader.last_end = end
        position = end
    out.append(text[position:])
    result = "".join(out)
    # Whatever the pattern could not place (digits inside "1.2.3.4", say) is read as a number.
    return _LEFTOVER_DIGITS.sub(_leftover, result)


def _leftover(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before = " " if start and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return before + decimal(match.group()) + after
