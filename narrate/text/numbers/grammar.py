"""What the words around a number say about how to read it: case, gender, construct, ordinal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrate.charset import DIACRITICS
from narrate.text.numbers.calendar import DATE_CUES, MONTH_NAMES
from narrate.text.numbers.words import CURRENCIES, POUND_STERLING

#: Words after which a number is read in the oblique (genitive/accusative) form:
#: prepositions, verbs whose object it is, and nouns whose complement it is.
OBLIQUE_BEFORE = frozenset(
    {
        *("في", "من", "إلى", "الى", "على", "عن", "منذ", "حتى", "مع", "بين", "عند", "لدى"),
        *("نحو", "حوالي", "حوالى", "قرابة", "زهاء", "خلال", "بعد", "قبل", "فوق", "تحت", "دون"),
        *("لمدة", "مدة", "طوال", "سوى", "غير", "إن", "أن", "بأن", "لأن"),
        *("بلغ", "بلغت", "يبلغ", "تبلغ", "تجاوز", "تجاوزت", "يتجاوز", "تتجاوز", "تخطى", "تخطت"),
        *("سجل", "سجلت", "ناهز", "ناهزت", "قارب", "قاربت", "يناهز", "يقارب", "أصبح", "أصبحت"),
        *("عام", "العام", "سنة", "السنة", "لعام", "لسنة", "بعام", "بسنة", "تاريخ", "بتاريخ"),
        *("يوم", "صباح", "مساء", "ليلة", "مطلع", "منتصف", "أواخر", "أوائل", "نهاية", "بداية"),
        *("نسبة", "بنسبة", "معدل", "بمعدل", "قيمة", "بقيمة", "مبلغ", "بمبلغ", "بواقع", "رقم"),
        *("بحلول", "حلول", "مدى", "مدار", "طيلة", "عقب", "إثر", "قبيل", "بعيد", "ضمن", "وسط"),
        *("لغاية", "حدود", "إجمالي", "مجموع", "ربيع", "صيف", "خريف", "شتاء", "سعر", "عمر"),
        *("سن", "طول", "عمق", "وزن", "حجم", "ارتفاع", "انخفاض", "إجلاء", "تجهيز"),
        *(name for name in MONTH_NAMES if " " not in name),  # نوفمبر 2024: the year's month
    }
)

#: Shapes of a word a number after it is the complement of, so read in the oblique: the
#: verbal nouns (masdars) of the derived verbs, which no verb shares (``إجلاء``, ``تجهيز``,
#: ``اعتقال``, ``انسحاب``, ``استيراد``), and an indefinite noun in ``ة`` (``حصيلة``, ``مساحة``,
#: ``وفاة``), which before a number can only be in construct with it.
GOVERNING_SHAPES = tuple(
    re.compile(shape)
    for shape in (r"إ..ا.", r"ت..ي.", r"ا.ت.ا.", r"ان..ا.", r"است..ا.", r"(?!ال|لل).{3,}ة")
)

#: Nouns counted in the feminine (singular and plural as they follow a number): the number
#: agrees with them (``ثلاث سنوات``, ``إحدى عشرة دولة``). Any other noun counts masculine.
FEMININE_NOUNS = frozenset(
    {
        *("سنة", "سنوات", "سنين", "ساعة", "ساعات", "دقيقة", "دقائق", "ثانية", "ثوان"),
        *("مرة", "مرات", "دولة", "دول", "مدينة", "مدن", "امرأة", "نساء", "سيدة", "سيدات"),
        *("فتاة", "فتيات", "طفلة", "شركة", "شركات", "منطقة", "مناطق", "قرية", "قرى"),
        *("ليلة", "ليال", "ليالي", "نقطة", "نقاط", "كلمة", "كلمات", "جولة", "جولات"),
        *("غارة", "غارات", "طائرة", "طائرات", "سيارة", "سيارات", "دبابة", "دبابات"),
        *("محافظة", "محافظات", "عملية", "عمليات", "قذيفة", "قذائف", "صفحة", "صفحات"),
        *("مادة", "مواد", "درجة", "درجات", "حالة", "حالات", "إصابة", "إصابات", "وفاة"),
        *("وفيات", "جثة", "جثث", "أسرة", "أسر", "عائلة", "عائلات", "مرحلة", "مراحل"),
        *("دورة", "دورات", "لغة", "لغات", "جامعة", "جامعات", "مدرسة", "مدارس", "ولاية"),
        *("ولايات", "حكومة", "حكومات", "سفينة", "سفن", "رحلة", "رحلات", "ليرة", "ليرات"),
        *("وحدة", "وحدات", "وثيقة", "وثائق", "وظيفة", "وظائف", "وجبة", "وجبات", "نسمة"),
    }
)

#: Masculine nouns commonly counted in the news. With :data:`FEMININE_NOUNS`, the nouns before
#: which a final dual or scale word takes its construct form (``مئتا شخص``, ``عشرون ألف نقطة``).
MASCULINE_NOUNS = frozenset(
    {
        *("شخص", "أشخاص", "قتيل", "قتلى", "جريح", "جرحى", "جندي", "جنود", "مقاتل", "مقاتلين"),
        *("مدني", "مدنيين", "طفل", "أطفال", "لاجئ", "لاجئين", "نازح", "نازحين", "معتقل"),
        *("معتقلين", "مواطن", "مواطنين", "عامل", "عمال", "موظف", "موظفين", "رجل", "رجال"),
        *("عام", "أعوام", "يوم", "أيام", "شهر", "أشهر", "شهور", "أسبوع", "أسابيع", "منزل"),
        *("منازل", "طن", "أطنان", "كيلومتر", "كيلومترات", "متر", "أمتار", "برميل", "براميل"),
        *("صاروخ", "صواريخ", "مشروع", "مشاريع", "سجين", "سجناء", "طالب", "طلاب", "مريض"),
        *("مرضى", "مهاجر", "مهاجرين", "ناخب", "ناخبين", "صوت", "أصوات", "مقعد", "مقاعد"),
        *("فرد", "أفراد", "فلسطيني", "فلسطينيين", "فدان", "وزير", "وزراء", "قانون"),
    }
)
COUNTED_NOUNS = FEMININE_NOUNS | MASCULINE_NOUNS

#: Words that may follow a number without being counted by it, besides the particles,
#: verbs and governing nouns of :data:`OBLIQUE_BEFORE`: a final dual or scale word before
#: one keeps its own ending (``ألفان من``, ``عشرون ألفا فقط``). Before any other Arabic word
#: (a noun: ``عشرون ألف صندوق``) it is in construct.
NOT_COUNTED = frozenset(
    {
        *("حول", "ضد", "عبر", "وفق", "حسب", "بحسب", "بسبب", "بفضل", "بفعل", "بموجب", "جراء"),
        *("مقابل", "لكل", "كل", "لكن", "بل", "أو", "أم", "ثم", "إذ", "إذا", "كما", "مثل"),
        *("بينما", "حيث", "التي", "الذي", "الذين", "ما", "بما", "فيما", "لا", "لم", "لن", "قد"),
        *("هو", "هي", "هم", "هن", "هذا", "هذه", "ذلك", "تلك", "أي", "فقط", "فأكثر", "أكثر"),
        *("أقل", "آخر", "آخرين", "آخرون", "أخرى", "إضافي", "إضافية", "جديد", "جديدة"),
        *("كان", "كانت", "تم", "قال", "قالت", "أكد", "أكدت", "أعلن", "أعلنت", "شهد", "شهدت"),
        *("وصل", "وصلت", "ظل", "ظلت", "بات", "باتت", "ليس", "ليست", "لصالح", "فإن"),
    }
)
#: Shapes of a word that is no noun counted by the number before it: a definite word
#: (``ال``, ``بال``, ``لل`` ...), one led by the conjunction ``و``, an accusative adverb or a
#: plural verb (final ``ا``: ``سنويا``, ``قتلوا``), a sound plural or a plural imperfect verb
#: (final ``ون``: a counted noun would be singular).
NOT_COUNTED_SHAPE = re.compile(r"(?:و|[وف]?[بلك]?ال|[وف]?لل).*|.*(?:ا|ون)")

#: Definite nouns read with an ordinal after them (``القرن 21`` -> ``القرن الحادي والعشرون``),
#: each with whether it is feminine.
ORDINAL_NOUNS: dict[str, bool] = {
    **dict.fromkeys(
        ("القرن", "المركز", "الفصل", "الباب", "الأسبوع", "اليوم", "الطابق", "البند"), False
    ),
    **dict.fromkeys(("الشهر", "الجزء", "العدد", "الموسم", "المؤتمر", "الصف", "الشوط"), False),
    **dict.fromkeys(("المرتبة", "الدورة", "الطبعة", "الجولة", "الذكرى", "البوابة"), True),
    **dict.fromkeys(("المادة", "الفقرة", "الحلقة", "المرة", "النسخة", "الدرجة"), True),
    **dict.fromkeys(("الولاية", "الألفية", "المرحلة", "القمة", "الحرب"), True),
}
#: Nouns after which a bare number is an hour of the clock (``الساعه`` is a common misspelling).
HOUR_NOUNS = frozenset({"الساعة", "الساعه"})

NOUNS_BEFORE = frozenset(ORDINAL_NOUNS) | HOUR_NOUNS
#: The nouns a final dual or scale word is in construct with whatever else is around them.
_CONSTRUCT_NOUNS = COUNTED_NOUNS | frozenset(CURRENCIES) | {POUND_STERLING.singular.split()[0]}
#: Words after which a number is a year, not a count: what follows it is no counted noun
#: (``عام 2000 شهد``).
_YEAR_WORDS = frozenset({"عام", "العام", "سنة", "السنة", *OBLIQUE_BEFORE.intersection(MONTH_NAMES)})

_STRIP_DIACRITICS = str.maketrans(dict.fromkeys(DIACRITICS + "\u0640", None))


def bare(word: str) -> str:
    return word.translate(_STRIP_DIACRITICS)


def stems(word: str) -> tuple[str, ...]:
    """``word`` and what is left of it without a leading ``و``/``ف`` and then ``ب``/``ل``/``ك``.

    >>> stems("وبعد")
    ('وبعد', 'بعد', 'عد')
    """
    stems = [word]
    if len(word) > 2 and word[0] in "وف":
        stems.append(word := word[1:])
    if len(word) > 2 and word[0] in "بلك":
        stems.append(word[1:])
    return tuple(stems)


def governs(word: str, *, adjacent: bool = True) -> bool:
    """Whether a number after ``word`` is in the oblique.

    A word of :data:`GOVERNING_SHAPES` governs a number only ``adjacent`` to it, with nothing
    but spaces between (``محفوظة © 2025`` is no construct).

    >>> governs("وبحلول"), governs("لإجلاء"), governs("حصيلة"), governs("الحصيلة")
    (True, True, True, False)
    """
    return any(
        stem in OBLIQUE_BEFORE
        or (adjacent and any(shape.fullmatch(stem) for shape in GOVERNING_SHAPES))
        for stem in stems(bare(word))
    )


_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def _counted_by(word: str, *, after_year: bool) -> bool:
    """Whether ``word``, right after a number, is the noun it counts (``ألف صندوق``).

    >>> _counted_by("صندوق", after_year=False), _counted_by("من", after_year=False)
    (True, False)
    """
    word = bare(word)
    if word in _CONSTRUCT_NOUNS or (word.endswith("ا") and word[:-1] in _CONSTRUCT_NOUNS):
        return True
    return not (
        after_year
        or not _ARABIC_WORD.fullmatch(word)
        or word in NOT_COUNTED
        or word in OBLIQUE_BEFORE
        or NOT_COUNTED_SHAPE.fullmatch(word)
    )


@dataclass
class Context:
    """What the words around a number say about how to read it."""

    clitic: str  # glued before the number, such as "و" or "بال"
    before: str  # the word before (and the clitic's own word, when written apart)
    before_number: bool  # that word is a number
    before_adjacent: bool  # only spaces come between that word and the number
    after: str  # the word after the match
    next_word: str  # the word after the match when only spaces come between

    @property
    def oblique(self) -> bool:
        return any(c in self.clitic for c in "بلك") or governs(
            self.before, adjacent=self.before_adjacent
        )

    @property
    def feminine(self) -> bool:
        return bare(self.after) in FEMININE_NOUNS

    @property
    def construct(self) -> bool:
        """A counted noun follows: a final dual or scale word is in construct with it."""
        after_year = any(stem in _YEAR_WORDS for stem in stems(bare(self.before)))
        return bool(self.next_word) and _counted_by(self.next_word, after_year=after_year)

    @property
    def dates(self) -> bool:
        """The word before says that a day/month without a year is a date."""
        return any(stem in DATE_CUES for stem in stems(bare(self.before)))

    def ordinal_noun(self) -> tuple[str, bool] | None:
        """The ordinal-taking noun before the number (``للمرة`` -> ``المرة``) and its clitic."""
        word = bare(self.before)
        for strip, prefix in (("", ""), ("و", ""), ("ف", ""), ("لل", "ال"), ("بال", "ال")):
            if word.startswith(strip) and (noun := prefix + word[len(strip) :]) in NOUNS_BEFORE:
                return noun, strip.startswith(("ل", "ب"))
        return None
