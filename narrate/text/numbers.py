"""Numbers and symbols read as Modern Standard Arabic words, before any engine misreads them.

:func:`verbalize` is a ``str -> str`` step (a :data:`narrate.text.normalise.Normalizer`): every
run of digits in the text, Western or Arabic-Indic, leaves as words, with the symbol,
separator or noun around it that changes how it is read.

The readings chosen, the way a news presenter reads them:

- ``20,000`` / ``٢٠٬٠٠٠`` -> ``عشرون ألفا``; ``92.5`` / ``٩٢٫٥`` -> ``اثنان وتسعون فاصلة خمسة``
  (the digits after the point are read as a whole number, each leading zero as ``صفر``).
- ``-3.5%`` -> ``سالب ثلاثة فاصلة خمسة بالمئة``: a minus (hyphen or ``−``) glued to the
  number, with no word glued before it; ``10-20`` stays a range, ``كوفيد-19`` a name.
- ``18%`` / ``%18`` / ``١٨٪`` -> ``ثمانية عشر بالمئة``. The hundred is always spelt ``مئة``, never
  ``مائة``: the alif of ``مائة`` is silent, and an engine reading letters may voice it.
- ``2026/06/30``, ``2026-06-30``, ``30/6/2026`` (day first, as Arab sources write it; month
  first only when the day-first reading is impossible) and ``30 نوفمبر 2024`` ->
  ``الثلاثين من يونيو عام ألفين وستة وعشرين``: the day as a masculine ordinal (``اليوم``
  understood), the month by name (``يناير`` ... ``ديسمبر``, the names most Arab broadcasters use;
  a month written out in words, Levantine names included, is kept as written), and ``عام``
  before the year, which is then read in the genitive. A day/month without a year
  (``الخميس 5/12`` -> ``الخميس الخامس من ديسمبر``) is read as a date only after a weekday or a
  word that introduces one (``يوم``, ``بتاريخ``, ``في``, ``منذ`` ...), and only when that
  month has that day: elsewhere ``3/4`` may be a fraction or a score, and is left a number.
- ``08:30`` -> ``الثامنة والنصف``, ``10:15`` -> ``العاشرة والربع``, ``:20`` -> ``والثلث``, ``:45``
  -> the next hour ``إلا ربعا``, other minutes counted (``الثامنة وخمس دقائق``). No ``الساعة``
  is added. A 24-hour time past noon is read on the 12-hour clock with ``بعد الظهر`` or
  ``مساء`` after it (``ليلا`` after midnight), unless the text already says when; a bare hour
  from 1 to 12 (``الساعة 3``) gets no part of the day, which it does not say. A ``ص`` or ``م``
  after a time is read ``صباحا`` / ``مساء`` (``8:30 م`` -> ``الثامنة والنصف مساء``).
- Currency (``$``, ``€``, ``£`` before or after the number, or the currency's name after it)
  is counted by the rules of the Arabic counted noun: 1 ``دولار واحد``, 2 ``دولاران``, 3-10
  ``ثلاثة دولارات``, 11-99 ``أحد عشر دولارا``, round hundreds and above ``مئة دولار``, and
  ``ألف دولار ودولار`` for 1001 (as in ``ألف ليلة وليلة``). Thousands, millions, billions
  and trillions inside any number follow the same rules (``ثلاثة آلاف``, ``مئتا ألف``).
- After a word that takes an ordinal (``القرن 21``, ``المرتبة 3``, ``للمرة الـ3``) the number
  is read as an ordinal agreeing with that word: ``القرن الحادي والعشرون``,
  ``المرتبة الثالثة``. After ``الساعة`` a bare number is an hour: ``الساعة الثالثة``.
- A clitic glued to the number (``و20``, ``بـ5``, ``الـ24``) stays glued to its first word:
  ``وعشرون``, ``بخمسة``, ``الأربع والعشرين``.

Case, simplified: a number is read in the nominative (``عشرون``, ``اثنان``) unless the word
before it is a preposition, an accusative-taking verb such as ``بلغ``, or a noun whose
complement it is (``عام``, ``نسبة``, ``بحلول``, a verbal noun such as ``إجلاء`` or
``تجهيز``, an indefinite noun in ``ة`` such as ``حصيلة``), or it carries ``ب``/``ل``/``ك``;
then it is read in the oblique form shared by the genitive and the accusative (``عشرين``,
``اثنين``). A number joined by ``و`` to a number before it takes that number's case.

Construct (iḍāfa): a number ending in a dual or a scale word that is followed by the noun it
counts drops its ``ن`` or tanween (``مئتا شخص``, ``ألفا دولار``, ``ثلاثون ألف دولار``,
``أحد عشر مليون نسمة``). Any Arabic word right after it is taken for that noun, except a
particle, a common verb, a definite word, a word led by ``و`` and the other shapes of
:data:`NOT_COUNTED_SHAPE` (``ألفان من``, ``عشرون ألفا فقط``), and except after a year
(``عام 2000 شهد``).

Gender, simplified: a number agrees with the noun that follows it when that noun is one of
a table of common feminine nouns of the news (``سنة``, ``ساعة``, ``دولة``, ``مرة`` ...);
otherwise it takes the masculine-noun form, which is right for years, percentages, people
(``أشخاص``, ``قتلى``), most currencies and every scale word.

The words come from the tables below, not from a library: ``num2words`` (``lang="ar"``) and
``pyarabic`` both misread common news figures (``ألفا`` for a bare 2000, ``أحد عشر ألف``,
``ثلاث آلاف``, ``إثنان`` with a hamza, a broken decimal point, no trillions).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from narrate.charset import ARABIC_INDIC_DIGITS, DIACRITICS, EASTERN_ARABIC_INDIC_DIGITS
from narrate.months import GREGORIAN_MONTHS

log = logging.getLogger(__name__)

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
    | {"عصرا", "عصرًا", "بعد", "بتوقيت", "صباح"}
)

#: Gregorian month names, by number: the names used by most Arab broadcasters.
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

DECIMAL_POINT = "فاصلة"
#: Read before a number written with a minus sign (``-3.5%``, ``−3``).
MINUS = "سالب"
PERCENT = "بالمئة"
#: Between the two ends of a range (``10-15``) and the two sides of a score (``3-1``).
RANGE_TO = "إلى"
SCORE_VERSUS = "مقابل"

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
_SCALE_NOUNS = frozenset(noun for _, noun in SCALES)
_NOUNS_BEFORE = frozenset(ORDINAL_NOUNS) | HOUR_NOUNS
#: The nouns a final dual or scale word is in construct with whatever else is around them.
_CONSTRUCT_NOUNS = COUNTED_NOUNS | frozenset(CURRENCIES) | {POUND_STERLING.singular.split()[0]}
#: Words after which a number is a year, not a count: what follows it is no counted noun
#: (``عام 2000 شهد``).
_YEAR_WORDS = frozenset({"عام", "العام", "سنة", "السنة", *OBLIQUE_BEFORE.intersection(MONTH_NAMES)})

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
    if n < 100 and not 11 <= n <= 19:
        return " و".join("ال" + part for part in words.split(" و"))
    return "ال" + words


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
        tail.append(_integer(fraction.lstrip("0"), oblique=oblique))
    return f"{words} {DECIMAL_POINT} {' '.join(tail)}"


def _integer(digits: str, *, feminine: bool = False, oblique: bool = False) -> str:
    if len(digits) > MAX_DIGITS or (len(digits) > 1 and digits.startswith("0")):
        return " ".join(UNITS_M[int(d)] for d in digits)
    return cardinal(int(digits), feminine=feminine, oblique=oblique)


def clock(
    hour: int, minute: int, *, next_word: str = "", meridiem: str = "", day_part: bool = True
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
        words = f"{words} و{counted(minute, MINUTE)}"
    part: str | None
    if meridiem and hour <= 12:
        part = MERIDIEM_AT_TWELVE[meridiem] if hour == 12 else MERIDIEMS[meridiem]
    else:
        part = DAY_PARTS.get(spoken % 24) if day_part or hour > 12 else None
    if part and next_word not in DAY_PART_WORDS:
        words = f"{words} {part}"
    return words


MINUTE = _noun("دقيقة", "دقيقتان", "دقائق", "دقيقة", feminine=True)

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
    (re.compile(r"(?<=[0-9])\s?\u066a|\u066a(?=\s?[0-9])"), "%"),  # Arabic percent sign
)
_STRIP_DIACRITICS = str.maketrans(dict.fromkeys(DIACRITICS + "\u0640", None))


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that none hides a longer one."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A number ends where no digit, and no separator followed by a digit, goes on ("1.2.3.4").
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9]|[.,][0-9])"
_WORD_END = r"(?![\w\u0640])"
_PATTERN = re.compile(
    rf"""
    (?<![0-9.,])(?:
      (?P<ymd>(?P<y1>[0-9]{{4}})(?P<s1>[/.-])(?P<m1>[0-9]{{1,2}})(?P=s1)(?P<d1>[0-9]{{1,2}}))
        (?![0-9])
    | (?P<dmy>(?P<d2>[0-9]{{1,2}})(?P<s2>[/.-])(?P<m2>[0-9]{{1,2}})(?P=s2)(?P<y2>[0-9]{{4}}))
        (?![0-9])
    | (?P<time>(?P<hour>[0-9]{{1,2}}):(?P<minute>[0-9]{{2}}))(?![0-9:])
    | (?P<dm>(?P<d3>[0-9]{{1,2}})/(?P<m3>[0-9]{{1,2}}))(?![0-9]|[/.,][0-9])
    | (?P<day>[0-9]{{1,2}})\s+(?P<month>{_alternatives(MONTH_NAMES)}){_WORD_END}
        (?:\s+(?P<year>[0-9]{{4}})(?![0-9]))?
    | (?P<symbol>[$€£])\s?(?P<amount>{_NUMBER})
        (?:\s+(?P<scale>{_alternatives(f for _, n in SCALES for f in n.forms)}){_WORD_END})?
    | %\s?(?P<percent>{_NUMBER})
    | (?P<low>{_NUMBER})\s?[-–]\s?(?P<high>{_NUMBER})(?P<range_percent>\s?%)?(?![0-9/.-])
    | (?:(?<![\w\u0640])(?P<minus>[-\u2212]))?(?P<number>{_NUMBER})
        (?:\s?(?P<after>[%$€£]|°[Cم]?)|\s+(?P<unit>{_alternatives(UNIT_WORDS)}){_WORD_END})?
    )
    """,
    re.VERBOSE,
)
_LEFTOVER_DIGITS = re.compile(r"[0-9]+")
#: Clitics that may be glued to a number, or written apart with a tatweel: و، ف، ب، ل، ك، ال.
_CLITICS = re.compile(r"[وف]?(?:[بلك]|لل|[بك]?ال)?")
_WORD_BEFORE = re.compile(r"([\w\u0640]+)[^\w\n]*$")
_WORD_AFTER = re.compile(r"^[^\w\n]*?([\w\u0640]+)")
_NEXT_WORD = re.compile(r"[^\S\n]+([\w\u0640]+)")
#: A 12-hour time's ``ص`` / ``م``, written after it.
_MERIDIEM = re.compile(rf"[^\S\n]+({_alternatives(MERIDIEMS)}){_WORD_END}")
_GLUED_BEFORE = re.compile(r"[\w\u0640]+$")
_SEPARATE_CLITIC = re.compile(r"(?:^|(?<=\s))([وفبلك]|لل|ال|بال|وال|وب|ول|فب)\u0640?\s$")


def _bare(word: str) -> str:
    return word.translate(_STRIP_DIACRITICS)


def _stems(word: str) -> tuple[str, ...]:
    """``word`` and what is left of it without a leading ``و``/``ف`` and then ``ب``/``ل``/``ك``.

    >>> _stems("وبعد")
    ('وبعد', 'بعد', 'عد')
    """
    stems = [word]
    if len(word) > 2 and word[0] in "وف":
        stems.append(word := word[1:])
    if len(word) > 2 and word[0] in "بلك":
        stems.append(word[1:])
    return tuple(stems)


def _governs(word: str, *, adjacent: bool = True) -> bool:
    """Whether a number after ``word`` is in the oblique.

    A word of :data:`GOVERNING_SHAPES` governs a number only ``adjacent`` to it, with nothing
    but spaces between (``محفوظة © 2025`` is no construct).

    >>> _governs("وبحلول"), _governs("لإجلاء"), _governs("حصيلة"), _governs("الحصيلة")
    (True, True, True, False)
    """
    return any(
        stem in OBLIQUE_BEFORE
        or (adjacent and any(shape.fullmatch(stem) for shape in GOVERNING_SHAPES))
        for stem in _stems(_bare(word))
    )


_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def _counted_by(word: str, *, after_year: bool) -> bool:
    """Whether ``word``, right after a number, is the noun it counts (``ألف صندوق``).

    >>> _counted_by("صندوق", after_year=False), _counted_by("من", after_year=False)
    (True, False)
    """
    word = _bare(word)
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
class _Context:
    """What the words around a number say about how to read it."""

    clitic: str  # glued before the number, such as "و" or "بال"
    before: str  # the word before (and the clitic's own word, when written apart)
    before_number: bool  # that word is a number
    before_adjacent: bool  # only spaces come between that word and the number
    after: str  # the word after the match
    next_word: str  # the word after the match when only spaces come between

    @property
    def oblique(self) -> bool:
        return any(c in self.clitic for c in "بلك") or _governs(
            self.before, adjacent=self.before_adjacent
        )

    @property
    def feminine(self) -> bool:
        return _bare(self.after) in FEMININE_NOUNS

    @property
    def construct(self) -> bool:
        """A counted noun follows: a final dual or scale word is in construct with it."""
        after_year = any(stem in _YEAR_WORDS for stem in _stems(_bare(self.before)))
        return bool(self.next_word) and _counted_by(self.next_word, after_year=after_year)

    @property
    def dates(self) -> bool:
        """The word before says that a day/month without a year is a date."""
        return any(stem in DATE_CUES for stem in _stems(_bare(self.before)))

    def ordinal_noun(self) -> tuple[str, bool] | None:
        """The ordinal-taking noun before the number (``للمرة`` -> ``المرة``) and its clitic."""
        word = _bare(self.before)
        for strip, prefix in (("", ""), ("و", ""), ("ف", ""), ("لل", "ال"), ("بال", "ال")):
            if word.startswith(strip) and (noun := prefix + word[len(strip) :]) in _NOUNS_BEFORE:
                return noun, strip.startswith(("ل", "ب"))
        return None


class _Reader:
    """Reads the numbers of one text, left to right, remembering the case of the last one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last_oblique = False
        self.last_end = -1
        self.taken = 0  # characters after the match that the last reading took in too

    def context(self, match: re.Match[str], out: list[str]) -> _Context:
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
        return _Context(
            clitic=clitic.rstrip("\u0640"),
            before=before.group(1) if before else "",
            before_number=between.split() in ([], [clitic]),
            before_adjacent=before is not None and not head[before.end(1) :].strip(),
            after=after.group(1) if after else "",
            next_word=next_word.group(1) if next_word else "",
        )

    def read(self, match: re.Match[str], ctx: _Context) -> str:
        self.taken = 0
        oblique = ctx.oblique
        if ctx.clitic.endswith("و") and ctx.before_number:
            oblique = self.last_oblique
        self.last_oblique = oblique
        groups = match.groupdict()
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

    def ymd(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        return _date(m["y1"], m["m1"], m["d1"], m["s1"], oblique, order="ymd")

    def dmy(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        return _date(m["y2"], m["m2"], m["d2"], m["s2"], oblique, order="dmy")

    def time(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        hour, minute = int(m["hour"]), int(m["minute"])
        if hour > 24 or minute > 59:
            return f"{decimal(m['hour'], oblique=oblique)} {decimal(m['minute'], oblique=oblique)}"
        return self._clock(m, ctx, hour, minute, day_part=True)

    def _clock(
        self, m: re.Match[str], ctx: _Context, hour: int, minute: int, *, day_part: bool
    ) -> str:
        """The time, taking in the ``ص`` / ``م`` written after it."""
        meridiem = _MERIDIEM.match(self.text, m.end())
        if meridiem:
            self.taken = len(meridiem.group())
            return clock(hour, minute, meridiem=meridiem.group(1))
        return clock(hour, minute, next_word=_bare(ctx.after), day_part=day_part)

    def dm(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        if ctx.dates and (words := _day_month(int(m["d3"]), int(m["m3"]), oblique)):
            return words
        return f"{decimal(m['d3'], oblique=oblique)}/{decimal(m['m3'], oblique=oblique)}"

    def day(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        day = int(m["day"])
        if not 1 <= day <= 31:
            return f"{decimal(m['day'], oblique=oblique)} {m['month']}" + (
                f" {cardinal(int(m['year']), oblique=True)}" if m["year"] else ""
            )
        words = f"{ordinal(day, oblique=oblique)} من {m['month']}"
        return f"{words} عام {cardinal(int(m['year']), oblique=True)}" if m["year"] else words

    def symbol(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        return _amount(m["amount"], CURRENCY_SYMBOLS[m["symbol"]], m["scale"], oblique=oblique)

    def percent(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        return f"{decimal(m['percent'], oblique=oblique)} {PERCENT}"

    def low(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        # The high end is the complement of إلى or مقابل: always oblique.
        low, high = decimal(m["low"], oblique=oblique), decimal(m["high"], oblique=True)
        rising = float(m["low"].replace(",", "")) < float(m["high"].replace(",", ""))
        word = RANGE_TO if rising else SCORE_VERSUS
        words = f"{low} {word} {high}"
        return f"{words} {PERCENT}" if m["range_percent"] else words

    def number(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        if m["minus"]:
            # The number is the complement of سالب: genitive.
            return f"{MINUS} {self._number(m, ctx, oblique=True)}"
        return self._number(m, ctx, oblique)

    def _number(self, m: re.Match[str], ctx: _Context, oblique: bool) -> str:
        text, after, unit = m["number"], m["after"], m["unit"]
        if after == "%":
            return f"{decimal(text, oblique=oblique)} {PERCENT}"
        if after:
            return _amount(text, AFTER_SYMBOLS[after], None, oblique=oblique)
        if unit:
            noun = UNIT_WORDS[unit]
            if noun in _SCALE_NOUNS:
                return _amount(text, None, unit, oblique=oblique, construct=ctx.construct)
            return _amount(text, noun, None, oblique=oblique)
        is_integer = "." not in text and not (len(text) > 1 and text.startswith("0"))
        value = int(text.replace(",", "")) if is_integer else -1
        if is_integer and (ordinal_noun := ctx.ordinal_noun()):
            word, clitic_oblique = ordinal_noun
            oblique = clitic_oblique or _governs(self._word_before_noun(m, ctx))
            if word in HOUR_NOUNS and 0 <= value <= 24:
                # A bare hour from 1 to 12 is said alone (الساعة الثالثة); 0 and 13-24 are
                # on the 24-hour clock and get the part of the day (الساعة 20: مساء).
                return self._clock(m, ctx, value, 0, day_part=not 1 <= value <= 12)
            if word not in HOUR_NOUNS:
                return ordinal(value, feminine=ORDINAL_NOUNS[word], oblique=oblique)
        if is_integer and ctx.clitic.endswith("ال") and len(text) <= MAX_DIGITS:
            return definite(value, feminine=ctx.feminine, oblique=oblique)
        if is_integer and len(text) <= MAX_DIGITS:
            return cardinal(value, feminine=ctx.feminine, oblique=oblique, construct=ctx.construct)
        return decimal(text, oblique=oblique)

    def _word_before_noun(self, m: re.Match[str], ctx: _Context) -> str:
        head = self.text[: m.start()]
        index = head.rfind(ctx.before)
        before = _WORD_BEFORE.search(head[:index]) if index > 0 else None
        return before.group(1) if before else ""


def _day_month(day: int, month: int, oblique: bool, *, month_first: bool = True) -> str:
    """``الخامس من ديسمبر``, or "" when no month has that day (``31/4``, ``13/13``).

    A day-first reading that is impossible is tried month first, as American sources write.
    """
    if month_first and not 1 <= month <= 12 and 1 <= day <= 12:
        day, month = month, day
    if 1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month]:
        return f"{ordinal(day, oblique=oblique)} من {MONTHS[month]}"
    return ""


def _date(year: str, month: str, day: str, sep: str, oblique: bool, order: str) -> str:
    words = _day_month(int(day), int(month), oblique, month_first=order == "dmy")
    if words:
        return f"{words} عام {cardinal(int(year), oblique=True)}"
    parts = (year, month, day) if order == "ymd" else (day, month, year)
    return f" {sep} ".join(decimal(part, oblique=oblique) for part in parts)


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


_READERS: tuple[tuple[str, Callable[[_Reader, re.Match[str], _Context, bool], str]], ...] = (
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
