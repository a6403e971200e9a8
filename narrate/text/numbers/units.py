"""Units and currency abbreviations written after a number, and the nouns they are read as.

``120 كم/ساعة`` is ``مئة وعشرون كيلومترا في الساعة``, ``350 ج.م`` ``ثلاثمئة وخمسون جنيها مصريا``:
each abbreviation is a :class:`~narrate.text.numbers.words.Noun`, counted by the same rules as
any noun. A currency with its nationality keeps the adjective agreeing in every form
(``جنيهان مصريان``, ``ليرات لبنانية``).

One-letter units (``م`` metre, ``ل`` litre, ``غ`` gram) are read only after a word that says a
measure follows (``بعمق 3 م``, ``سعة 5 ل``): elsewhere ``م`` is an era or an evening.
"""

from __future__ import annotations

import re

from narrate.text.numbers.words import CURRENCIES, POUND_STERLING, Noun, _noun


def _adjective(noun: Noun, masculine: str) -> Noun:
    """``noun`` with the adjective ``masculine`` (``مصري``) agreeing in every form."""
    feminine = masculine + "ة"
    if noun.feminine:
        dual, oblique = masculine + "تان", masculine + "تين"
        singular_adjective = feminine
    else:
        dual, oblique = masculine + "ان", masculine + "ين"
        singular_adjective = masculine
    accusative = noun.accusative if noun.feminine else masculine + "ا"
    return Noun(
        singular=f"{noun.singular} {singular_adjective}",
        one=f"{noun.singular} {singular_adjective} {'واحدة' if noun.feminine else 'واحد'}",
        dual=f"{noun.dual} {dual}",
        dual_oblique=f"{noun.dual_oblique} {oblique}",
        plural=f"{noun.plural} {feminine}",
        accusative=f"{noun.accusative} {feminine if noun.feminine else accusative}",
        feminine=noun.feminine,
    )


def _suffixed(noun: Noun, suffix: str) -> Noun:
    """``noun`` with words after every form (``كيلومتر`` + ``في الساعة``)."""
    return Noun(
        singular=f"{noun.singular} {suffix}",
        one=f"{noun.one} {suffix}",
        dual=f"{noun.dual} {suffix}",
        dual_oblique=f"{noun.dual_oblique} {suffix}",
        plural=f"{noun.plural} {suffix}",
        accusative=f"{noun.accusative} {suffix}",
        feminine=noun.feminine,
    )


KILOMETRE = _noun("كيلومتر", "كيلومتران", "كيلومترات", "كيلومترا")
METRE = _noun("متر", "متران", "أمتار", "مترا")
SQUARE_METRE = Noun(
    "متر مربع", "متر مربع واحد", "متران مربعان", "مترين مربعين", "أمتار مربعة", "مترا مربعا"
)
SQUARE_KILOMETRE = Noun(
    "كيلومتر مربع",
    "كيلومتر مربع واحد",
    "كيلومتران مربعان",
    "كيلومترين مربعين",
    "كيلومترات مربعة",
    "كيلومترا مربعا",
)
KILOGRAM = _noun("كيلوغرام", "كيلوغرامان", "كيلوغرامات", "كيلوغراما")
GRAM = _noun("غرام", "غرامان", "غرامات", "غراما")
LITRE = _noun("لتر", "لتران", "لترات", "لترا")

#: Unit abbreviations written after a number (glued or spaced), and the noun each is read as.
UNIT_ABBREVIATIONS: dict[str, Noun] = {
    "كم/ساعة": _suffixed(KILOMETRE, "في الساعة"),
    # The normaliser reads a "/" between Arabic words as a space.
    "كم ساعة": _suffixed(KILOMETRE, "في الساعة"),
    "كم س": _suffixed(KILOMETRE, "في الساعة"),
    "كلم ساعة": _suffixed(KILOMETRE, "في الساعة"),
    "كم/س": _suffixed(KILOMETRE, "في الساعة"),
    "كلم/ساعة": _suffixed(KILOMETRE, "في الساعة"),
    "km/h": _suffixed(KILOMETRE, "في الساعة"),
    "كم²": SQUARE_KILOMETRE,
    "كم2": SQUARE_KILOMETRE,
    "م²": SQUARE_METRE,
    "م2": SQUARE_METRE,
    "كم": KILOMETRE,
    "كلم": KILOMETRE,
    "km": KILOMETRE,
    "سم": _noun("سنتيمتر", "سنتيمتران", "سنتيمترات", "سنتيمترا"),
    "cm": _noun("سنتيمتر", "سنتيمتران", "سنتيمترات", "سنتيمترا"),
    "ملم": _noun("مليمتر", "مليمتران", "مليمترات", "مليمترا"),
    "مم": _noun("مليمتر", "مليمتران", "مليمترات", "مليمترا"),
    "mm": _noun("مليمتر", "مليمتران", "مليمترات", "مليمترا"),
    "كغ": KILOGRAM,
    "كلغ": KILOGRAM,
    "كجم": KILOGRAM,
    "kg": KILOGRAM,
    "غم": GRAM,
    "مل": _noun("مليلتر", "مليلتران", "مليلترات", "مليلترا"),
    "ml": _noun("مليلتر", "مليلتران", "مليلترات", "مليلترا"),
    "MW": _noun("ميغاواط", "ميغاواطان", "ميغاواطات", "ميغاواطا"),
    "kW": _noun("كيلوواط", "كيلوواطان", "كيلوواطات", "كيلوواطا"),
    "GB": _noun("غيغابايت", "غيغابايتان", "غيغابايتات", "غيغابايتا"),
    "MB": _noun("ميغابايت", "ميغابايتان", "ميغابايتات", "ميغابايتا"),
    "TB": _noun("تيرابايت", "تيرابايتان", "تيرابايتات", "تيرابايتا"),
    "mAh": _noun(
        "ميلي أمبير في الساعة",
        "ميلي أمبير في الساعة",
        "ميلي أمبير في الساعة",
        "ميلي أمبير في الساعة",
    ),
    "Hz": _noun("هرتز", "هرتز", "هرتز", "هرتز"),
}
#: One-letter units: ``غ`` and ``ل`` stand alone after a number only as units; ``م`` only
#: after a word that says a measure follows.
SINGLE_LETTER_UNITS: dict[str, Noun] = {"م": METRE, "ل": LITRE, "غ": GRAM}
#: Stems of the words that announce a measure (``بعمق``, ``ارتفاع``, ``سعة``), up to three
#: words before the number.
MEASURE_WORDS = frozenset(
    {"عمق", "ارتفاع", "طول", "عرض", "مسافة", "سمك", "قطر", "سعة", "وزن", "علو", "مساحة"}
    | {"بعد", "سباق", "مسافته", "طوله", "ارتفاعه", "عمقه", "وزنه", "سعته"}
)

#: Currency abbreviations (the dots optional, a space allowed after one) and their nouns.
CURRENCY_ABBREVIATIONS: dict[str, Noun] = {
    "ل.ل": _adjective(CURRENCIES["ليرة"], "لبناني"),
    "ل.س": _adjective(CURRENCIES["ليرة"], "سوري"),
    "ل.ت": _adjective(CURRENCIES["ليرة"], "تركي"),
    "ج.م": _adjective(CURRENCIES["جنيه"], "مصري"),
    "ج.س": _adjective(CURRENCIES["جنيه"], "سوداني"),
    "د.إ": _adjective(CURRENCIES["درهم"], "إماراتي"),
    "د.م": _adjective(CURRENCIES["درهم"], "مغربي"),
    "ر.س": _adjective(CURRENCIES["ريال"], "سعودي"),
    "ر.ق": _adjective(CURRENCIES["ريال"], "قطري"),
    "ر.ع": _adjective(CURRENCIES["ريال"], "عماني"),
    "ر.ي": _adjective(CURRENCIES["ريال"], "يمني"),
    "د.ك": _adjective(CURRENCIES["دينار"], "كويتي"),
    "د.أ": _adjective(CURRENCIES["دينار"], "أردني"),
    "د.ب": _adjective(CURRENCIES["دينار"], "بحريني"),
    "د.ج": _adjective(CURRENCIES["دينار"], "جزائري"),
    "د.ت": _adjective(CURRENCIES["دينار"], "تونسي"),
    "د.ع": _adjective(CURRENCIES["دينار"], "عراقي"),
    "د.ل": _adjective(CURRENCIES["دينار"], "ليبي"),
    "USD": CURRENCIES["دولار"],
    "EUR": CURRENCIES["يورو"],
    "GBP": POUND_STERLING,
}


def _spelling(abbreviation: str) -> str:
    """A regex for ``abbreviation``: a space allowed after its dot, the final dot optional."""
    if "." not in abbreviation:
        return re.escape(abbreviation).replace("\\ ", r"\s?")
    return r"\.\s?".join(re.escape(part) for part in abbreviation.split(".")) + r"\.?"


#: Every abbreviation, as a regex alternation, longest first.
ABBREVIATIONS = "|".join(
    _spelling(key)
    for key in sorted([*UNIT_ABBREVIATIONS, *CURRENCY_ABBREVIATIONS], key=len, reverse=True)
)
_KEY = re.compile(r"[.\s]")


def abbreviated(written: str) -> Noun:
    """The noun a written abbreviation (``ج. م``, ``كم/س``) is read as."""
    key = _KEY.sub("", written)
    for table in (UNIT_ABBREVIATIONS, CURRENCY_ABBREVIATIONS):
        for abbreviation, noun in table.items():
            if _KEY.sub("", abbreviation) == key:
                return noun
    raise KeyError(written)
