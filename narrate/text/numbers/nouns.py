"""The nouns numbers count: their gender, and whether a word is a plural.

A number from 3 to 10 takes the opposite gender of its noun's singular (``ثلاثة أيام``,
``ثلاث سنوات``), 11 to 99 agree or reverse by the same rules, so the reader must know the
gender of the noun after a number, written in whichever form the count gives it.

- A noun in :data:`FEMININE_NOUNS` or :data:`MASCULINE_NOUNS` is what the table says: the nouns
  news counts (people, units of time, matches, seats, votes, currencies, weapons ...), in the
  singular, the accusative singular after 11-99, and the plural after 3-10.
- Any other noun ending in ``ة`` is feminine (``مباراة``, ``وكالة``); a plural in ``ات`` is
  feminine unless :data:`MASCULINE_AT_PLURALS` names it (``مطارات``: the singular ``مطار`` is
  masculine); a plural of the shape ``فعائل`` is feminine (``رسائل``, ``قذائف``: ``رسالة``,
  ``قذيفة``). Everything else is masculine.

No morphological analyser does better offline from a package: CAMeL Tools downloads its data
at run time, and the pip-installable analysers (qalsadi, pyarabic) are GPL, which this MIT
project cannot take.
"""

from __future__ import annotations

import re

#: Feminine nouns counted in the news that do not end in ``ة``, with the forms a count gives
#: them, and a few in ``ة`` whose broken plural would not show it.
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
        *("مباراة", "مباريات", "وكالة", "وكالات", "مرحلة", "خطوة", "خطوات", "جلسة", "جلسات"),
        *("أرض", "أراض", "أراضي", "دار", "حرب", "حروب", "شمس", "نفس", "أنفس", "عين", "بئر"),
        *("آبار", "كأس", "كؤوس", "يد", "أيد", "ريح", "رياح", "سن", "ذكرى", "فتوى", "رصاصة"),
        *("رصاصات", "طلقة", "طلقات", "شاحنة", "شاحنات", "حافلة", "حافلات", "دراجة", "دراجات"),
        *("سلة", "سلال", "لجنة", "لجان", "كتيبة", "كتائب", "فرقة", "فرق", "بلدة", "بلدات"),
        *("ناقلة", "ناقلات", "مسيرة", "مسيرات", "حبة", "حبات", "جرعة", "جرعات"),
        *("قطعة", "قطع", "وجهة", "تهمة", "تهم", "جريمة", "جرائم", "عقوبة", "عقوبات"),
        *("شهيدة", "ضحية", "ضحايا", "رهينة", "رهائن", "بطولة", "بطولات", "ميدالية"),
        *("ميداليات", "مشاركة", "دقيقة", "قمة", "قمم", "مؤسسة", "مؤسسات", "منظمة", "منظمات"),
        *("قافلة", "قوافل", "ذهبية", "فضية", "برونزية", "رسالة", "رسائل", "شاحنة"),
    }
)

#: Masculine nouns counted in the news, in the forms a count gives them.
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
        *("هدف", "أهداف", "لاعب", "لاعبين", "فريق", "فرق", "نائب", "نواب", "عضو", "أعضاء"),
        *("مرشح", "مرشحين", "حزب", "أحزاب", "بلد", "بلدان", "مطار", "مطارات", "مستشفى"),
        *("مستشفيات", "ملف", "ملفات", "اجتماع", "اجتماعات", "قرار", "قرارات", "دولار"),
        *("دولارات", "دينار", "دنانير", "ريال", "ريالات", "درهم", "دراهم", "جنيه", "جنيهات"),
        *("يورو", "مليون", "ملايين", "مليار", "مليارات", "ألف", "آلاف", "تريليون", "عقد"),
        *("عقود", "قرن", "قرون", "أسير", "أسرى", "شهيد", "شهداء", "مسلح", "مسلحين", "عنصر"),
        *("عناصر", "ضابط", "ضباط", "صحفي", "صحفيين", "طبيب", "أطباء", "معلم", "معلمين"),
        *("مصاب", "مصابين", "حاج", "حجاج", "زائر", "زوار", "سائح", "سياح", "مشارك"),
        *("مشاركين", "متسابق", "متسابقين", "كتاب", "كتب", "فيلم", "أفلام", "بيت", "بيوت"),
        *("مبنى", "مبان", "مباني", "مسجد", "مساجد", "مركز", "مراكز", "موقع", "مواقع"),
        *("مصنع", "مصانع", "سجن", "سجون", "حي", "أحياء", "شارع", "شوارع", "قطاع", "قطاعات"),
        *("مؤتمر", "مؤتمرات", "اتفاق", "اتفاقات", "مهرجان", "مهرجانات", "امتحان"),
        *("امتحانات", "حيوان", "حيوانات", "سجل", "سجلات", "مسلسل", "مسلسلات", "بيان"),
        *("بيانات", "تصريح", "تصريحات", "قطار", "قطارات", "مخيم", "مخيمات", "مستوطن"),
        *("مستوطنين", "لقاء", "لقاءات", "هجوم", "هجمات", "انفجار", "انفجارات", "صنف"),
        *("أصناف", "كيلوغرام", "كيلوغرامات", "لتر", "لترات", "ميغاواط", "غرام", "غرامات"),
        *("مليمتر", "مليمترات", "سنتيمتر", "سنتيمترات", "رأس", "رؤوس", "ميل", "أميال"),
        *("شوط", "أشواط", "مليونا", "مقعدا", "نوع", "أنواع", "بند"),
        *("بنود", "مرسوم", "مراسيم", "طلب", "طلبات", "مقترح", "مقترحات", "استثمار"),
        *("مستودع", "مستودعات", "مختبر", "مختبرات", "مطعم", "مطاعم", "متحف", "متاحف"),
        *("منتخب", "منتخبات", "نادي", "أندية", "ملعب", "ملاعب", "مقر", "مقرات", "معبر"),
        *("معابر", "حساب", "حسابات", "تطبيق", "تطبيقات", "جهاز", "أجهزة", "إجراء"),
        *("سلاح", "أسلحة", "دواء", "أدوية", "غذاء", "أغذية", "بناء", "أبنية", "وعاء", "أوعية"),
        *("طبيب", "مستشار", "مستشارين", "حاج", "معتمر", "معتمرين", "منتج", "منتجات"),
        *("بحار", "بحارة", "طلبة", "قادة", "قضاة", "دعاة", "رعاة", "ولاة", "هواة", "هكتار"),
        *("محل", "محلات", "مشروعات", "استثمارات", "ممرات", "مدرجات", "معسكرات", "عون"),
    }
)

#: Plurals in ``ات`` of masculine singulars: the ``ات`` does not make them feminine.
MASCULINE_AT_PLURALS = frozenset(
    word for word in MASCULINE_NOUNS if word.endswith("ات") and word not in FEMININE_NOUNS
)

_FEMININE_ENDING = re.compile(r".{2,}(?:ة|ات)")
#: فعائل (``رسائل``, ``قذائف``, ``حقائب``), the plural of a feminine فعيلة or فعالة.
_FEMININE_PLURAL_SHAPE = re.compile(r"..ائ.")
#: Broken-plural shapes of a definite word without its article: أفعال, فعلاء/أفعلاء, مفاعل/فواعل,
#: مفاعيل; and the sound plurals in ون, ين, ات. A definite singular before ``الـ30`` takes the
#: ordinal; a plural the definite cardinal (``الدوائر الـ30`` -> ``الدوائر الثلاثين``).
_PLURAL_SHAPE = re.compile(r"أ.ا.|أ..ا.|.+اء|..ا..|..ا.ي.|.{2,}(?:ون|ين|ات)")


def _singular_spelling(word: str) -> str:
    """``word`` without the alif of the accusative after 11-99 (``عاما`` -> ``عام``)."""
    if len(word) > 3 and word.endswith("ا") and not word.endswith(("اا", "يا")):
        return word[:-1]
    return word


def is_feminine(word: str) -> bool:
    """Whether ``word`` (bare, after a number) is a form of a feminine noun.

    >>> is_feminine("مباراة"), is_feminine("وكالة"), is_feminine("مطارات"), is_feminine("عاما")
    (True, True, False, False)
    >>> is_feminine("رسائل"), is_feminine("حرب"), is_feminine("مدارس")
    (True, True, True)
    """
    for form in dict.fromkeys((word, _singular_spelling(word))):
        if form in FEMININE_NOUNS:
            return True
        if form in MASCULINE_NOUNS:
            return False
    if word in MASCULINE_AT_PLURALS:
        return False
    if len(word) == 4 and word.endswith("ى") and not word.startswith("م"):
        return True  # شكوى, دعوى, فتوى, أخرى: فعلى is feminine; مبنى, معنى are not
    return bool(_FEMININE_ENDING.fullmatch(word) or _FEMININE_PLURAL_SHAPE.fullmatch(word))


#: Short broken plurals no shape catches (``دول``, ``مدن``).
BROKEN_PLURALS = frozenset(
    {"دول", "مدن", "قرى", "سفن", "أسر", "جثث", "لجان", "فرق", "تهم", "قطع", "حروب", "رجال", "نساء"}
    | {"نقاط", "أهداف", "سنوات", "أيام", "دقائق", "ساعات", "مباريات", "نواب", "طلاب", "عمال"}
    | {"سكان", "حكام", "جنود", "شهود", "ضباط", "تجار", "قادة", "أسرى", "قتلى", "جرحى", "مرضى"}
)


def is_plural(word: str) -> bool:
    """Whether the definite noun ``word`` (bare, with its ``ال``) looks plural.

    >>> is_plural("الدوائر"), is_plural("المحافظات"), is_plural("الأعضاء"), is_plural("المركز")
    (True, True, True, False)
    >>> is_plural("المهرجان"), is_plural("الأسبوع"), is_plural("الدورة")
    (False, False, False)
    """
    stem = word[2:] if word.startswith("ال") else word
    return stem in BROKEN_PLURALS or bool(_PLURAL_SHAPE.fullmatch(stem))
