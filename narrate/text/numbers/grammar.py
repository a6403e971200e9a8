"""What the words around a number say about how to read it: case, gender, construct, ordinal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrate.charset import DIACRITICS
from narrate.text.numbers.calendar import DATE_CUES, MONTH_NAMES, WEEKDAYS
from narrate.text.numbers.nouns import FEMININE_NOUNS, MASCULINE_NOUNS, is_feminine
from narrate.text.numbers.words import (
    CURRENCIES,
    HUNDREDS,
    OBLIQUE,
    POUND_STERLING,
    TENS,
    UNITS_F,
    UNITS_M,
)

#: Words after which a number is read in the oblique (genitive/accusative) form:
#: prepositions, verbs whose object it is, and nouns whose complement it is.
OBLIQUE_BEFORE = frozenset(
    {
        *("في", "من", "إلى", "الى", "على", "عن", "منذ", "حتى", "مع", "بين", "عند", "لدى"),
        *("نحو", "حوالي", "حوالى", "قرابة", "زهاء", "خلال", "بعد", "قبل", "فوق", "تحت", "دون"),
        *("لمدة", "مدة", "طوال", "سوى", "غير", "إن", "أن", "بأن", "لأن", "لكن", "كأن"),
        *("الموافق", "الموافقة", "مقابل", "حسب", "بحسب", "وفق", "وفقا"),
        *("عبر", "ضد", "جراء", "بسبب", "بفضل", "بموجب", "أصل", "إجمالي", "أكثر", "أقل"),
        *("مقتل", "مصرع", "نزوح", "وصول", "سقوط", "فوز", "رحيل", "غرق", "دخول", "خروج"),
        *("وجود", "مرور", "بفارق", "فارق", "بإجمالي", "عيار", "فئة", "طراز", "موديل", "سعة"),
        *("مستوى", "متن", "رصيد", "برصيد", "أساس", "بمستوى"),
        *("قوة", "حصة", "كمية", "عدد", "غضون", "ظرف", "متوسط", "مسافة", "بمتوسط"),
        *("مسجلا", "مسجلة", "محققا", "محققة", "بالغا", "بالغة", "متجاوزا", "متجاوزة"),
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


def _verb_forms(*perfects: str) -> frozenset[str]:
    """The forms a verb of the news takes before a number or its subject.

    From the third person perfect: its feminine and plural (``بلغت``, ``بلغوا``) and the
    imperfect with ``ي``, ``ت`` and ``ن`` (``يبلغ``, ``تبلغ``), a leading ``أ`` or ``ا`` of the
    derived forms dropped (``أنتج`` -> ``ينتج``, ``استقبل`` -> ``يستقبل``).

    >>> sorted(_verb_forms("تخطى"))
    ['تتخطى', 'تخطت', 'تخطوا', 'تخطى', 'نتخطى', 'يتخطون', 'يتخطى']
    """
    forms: set[str] = set()
    for perfect in perfects:
        root = perfect[:-1] if perfect.endswith("ى") else perfect
        forms |= {perfect, root + "ت", root + "وا"}
        stem = perfect[1:] if perfect[0] in "أا" else perfect
        plural = "ي" + (stem[:-1] if stem.endswith("ى") else stem) + "ون"
        forms |= {"ي" + stem, "ت" + stem, "ن" + stem, plural}
    return frozenset(forms)


#: Verbs a number directly after is the object of, never the subject: ``بلغ 20`` -> ``عشرين``.
#: After a verb that may be passive (``قتل 20 شخصا``: ``قُتل``) the number is its subject.
DIRECT_OBJECT_VERBS = _verb_forms(
    *("بلغ", "تجاوز", "تخطى", "ناهز", "قارب", "سجل", "حقق", "أحرز", "جمع", "ربح", "خسر"),
    *("عادل", "ساوى", "تضمن", "ضم", "شمل", "احتل", "حصد", "نال", "استقبل", "استضاف"),
    *("أنفق", "دفع", "تلقى", "استقطب", "جذب", "استوعب", "فقد", "استهلك", "تخطى", "حصد"),
    *("أصبح", "صار", "بات", "أمسى", "استغرق", "كلف", "وفر", "ادخر", "اقترض"),
    *("ارتفع", "انخفض", "تراجع", "قفز", "صعد", "هبط", "زاد", "نما", "هوى", "تقلص", "ازداد"),
)
#: Verbs a number is the object of after their subject (``قتلت القوات 20 شخصا``), or the
#: predicate of (``كان عدد القتلى 20``): with a definite subject between, it is oblique.
OBJECT_VERBS = (
    DIRECT_OBJECT_VERBS
    | _verb_forms(
        *("قتل", "اعتقل", "أطلق", "أسقط", "دمر", "هدم", "أصاب", "جرح", "أسر", "خطف", "احتجز"),
        *("استهدف", "شن", "نفذ", "أعدم", "أوقف", "ضبط", "صادر", "رصد", "أحصى", "وثق", "كسب"),
        *("جنى", "خصص", "قدم", "منح", "وزع", "أرسل", "نقل", "أجلى", "أنتج", "صدر", "استورد"),
        *("باع", "اشترى", "بنى", "شيد", "افتتح", "أنشأ", "وظف", "عين", "رفع", "خفض", "أضاف"),
        *("استلم", "تسلم", "نشر", "أصدر", "وقع", "أبرم", "عقد", "أجرى", "نظم", "خاض", "لعب"),
        *("أنهى", "حول", "أعاد", "سحب", "أودع", "صرف", "أقرض", "طرح", "عرض", "زرع", "حصل"),
        *("كان", "ظل", "ليس"),
    )
    | frozenset({"يكون", "تكون", "يكونون", "تكونان", "يظل", "تظل", "ليست", "ظلت", "كانتا"})
)
#: Verbs (passive or intransitive) that take no object: a number after one, however far, is
#: its subject (``وأصيب 32 آخرون``, ``ولقي 12 شخصا حتفهم``).
INTRANSITIVE_VERBS = _verb_forms(
    *("أصيب", "توفي", "استشهد", "نجا", "لقي", "وصل", "شارك", "حضر", "غادر", "عاد", "تجمع"),
    *("تظاهر", "نزح", "فر", "هرب", "سقط", "جرح", "أسر", "اختطف", "غرق", "أفرج", "أعدم"),
    *("ترشح", "انضم", "تخرج", "نجح", "رسب", "تأهل"),
)
#: Verbs whose subject a span of time is: ``مرت 30 عاما`` keeps ``ثلاثون``.
TIME_SUBJECT_VERBS = _verb_forms("مر", "مضى", "انقضى", "بقي", "تبقى", "فات", "حل", "مرت")
#: The nouns of a span of time, in the forms a count gives them: a number counting one after
#: a verb (``استمر 30 عاما``) is an adverb of time, in the accusative.
TIME_NOUNS = frozenset(
    {
        *("عام", "عاما", "أعوام", "سنة", "سنوات", "سنين", "يوم", "يوما", "أيام", "شهر"),
        *("شهرا", "أشهر", "شهور", "أسبوع", "أسبوعا", "أسابيع", "ساعة", "ساعات", "دقيقة"),
        *("دقائق", "ثانية", "ثوان", "عقد", "عقدا", "عقود", "قرن", "قرنا", "قرون", "ليلة"),
        *("ليال", "ليلة", "موسم", "موسما", "مواسم"),
    }
)
#: Adjectives that may stand between a noun and the year it governs (``للعام المالي 2026``).
_ADJECTIVES = frozenset({"الجاري", "الماضي", "المقبل", "الحالي", "القادم", "المنصرم", "الفائت"})
_ADJECTIVE_SHAPE = re.compile(r"ال.{2,}(?:ي|ية|يين|يون|يات)")
_PRONOUN_SUFFIX = re.compile(r"(?!ال|وال|فال|لل).{2,}?(ه|ها|هم|هما|هن|نا)")
#: ``إن``/``أن`` with a pronoun: a verb after them has that pronoun as its subject.
_INNA_PRONOUNS = frozenset(
    f"{inna}{pronoun}" for inna in ("إن", "أن", "بأن", "لأن") for pronoun in ("ه", "ها", "هم", "نا")
)
#: Verbs that begin with ``ب``, ``ل`` or ``ك``, which is then no preposition (``بلغت``).
_VERBS_WITH_CLITIC_LETTER = _verb_forms(
    *("بلغ", "بدأ", "بات", "بقي", "باع", "بنى", "بحث", "برز", "بعث", "لعب", "لقي", "كان", "كشف"),
    *("كسب", "كلف", "لجأ", "لحق", "بث", "بادر", "كرر", "لمس", "كتب", "بارك", "ليس"),
)
_PREPOSITIONS = frozenset(
    {"في", "من", "إلى", "الى", "على", "عن", "مع", "بين", "عند", "لدى", "حتى", "منذ", "خلال"}
)
#: ``كل واحد منهم``, read backwards: a phrase inside a verb's object.
_EACH_OF_THEM = frozenset(
    (pronoun, one, each)
    for pronoun in ("منهم", "منها", "منهما", "منهن")
    for one in ("واحد", "واحدة")
    for each in ("كل", "لكل", "وكل")
)
#: The words numbers are read as, with و before them or not: a noun after one is its count.
NUMBER_WORDS = frozenset(
    prefix + word
    for word in {*UNITS_M, *UNITS_F, *TENS, *HUNDREDS, *OBLIQUE.values(), "عشر", "عشرة"}
    if word
    for prefix in ("", "و")
)
#: Year words a number other than a year does not follow in construct (``العام 62 ألف``).
_DEFINITE_YEAR_WORDS = frozenset({"العام", "السنة", "والعام"})
#: How many words a number's governing verb may stand before it (its subject between).
MAX_SUBJECT_WORDS = 16


#: Shapes of a word a number after it is the complement of, so read in the oblique: the
#: verbal nouns (masdars) of the derived verbs, which no verb shares (``إجلاء``, ``تجهيز``,
#: ``اعتقال``, ``انسحاب``, ``استيراد``) and of the shape فعول (``هطول``, ``نزوح``: no verb has it),
#: and an indefinite noun in ``ة`` (``حصيلة``, ``مساحة``,
#: ``وفاة``), which before a number can only be in construct with it.
GOVERNING_SHAPES = tuple(
    re.compile(shape)
    for shape in (
        *(r"إ..ا.", r"ت..ي.", r"ا.ت.ا.", r"ان..ا.", r"است..ا.", r"(?!ال|[وف])..و."),
        r"(?!ال|لل).{3,}ة",
    )
)

COUNTED_NOUNS = FEMININE_NOUNS | MASCULINE_NOUNS
#: Adverbs a number may stand before without counting them.
_ADVERBS = frozenset({"تقريبا", "أيضا", "مجددا", "فقط", "حاليا", "سابقا", "لاحقا", "معا", "جميعا"})
#: The singulars (and accusative singulars) among the counted nouns: what follows 11 and up.
_SINGULAR_COUNTED = frozenset(
    word for word in COUNTED_NOUNS if not word.endswith(("ات", "ون", "ين")) and len(word) > 1
)

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
NOT_COUNTED_SHAPE = re.compile(r"(?:و|[وف]?[بلك]?ال|[وف]?لل).*|.*ا|.{3,}ون")

#: Definite nouns read with an ordinal after them (``القرن 21`` -> ``القرن الحادي والعشرون``),
#: each with whether it is feminine.
ORDINAL_NOUNS: dict[str, bool] = {
    **dict.fromkeys(
        ("القرن", "المركز", "الفصل", "الباب", "الأسبوع", "اليوم", "الطابق", "البند"), False
    ),
    **dict.fromkeys(("الشهر", "الجزء", "العدد", "الموسم", "المؤتمر", "الصف", "الشوط"), False),
    **dict.fromkeys(("الجيل", "السطر", "الكيلو", "المستوى", "اللقب", "الفوز", "الهدف"), False),
    **dict.fromkeys(("الكيلومتر", "الكيلومترات"), False),
    **dict.fromkeys(("المرتبة", "الدورة", "الطبعة", "الجولة", "الذكرى", "البوابة"), True),
    **dict.fromkeys(("المادة", "الفقرة", "الحلقة", "المرة", "النسخة", "الدرجة"), True),
    **dict.fromkeys(("الولاية", "الألفية", "المرحلة", "القمة", "الحرب", "الدقيقة"), True),
    **dict.fromkeys(("الصفحة", "الدائرة", "الجلسة", "البطولة", "الليلة", "الدفعة"), True),
    **dict.fromkeys(("المجموعة", "المباراة", "الخسارة", "الميدالية", "السنة"), True),
    **dict.fromkeys(("الدقائق", "الجولات", "المراكز", "المراتب"), True),
}
#: Nouns after which a bare number is an hour of the clock (``الساعه`` is a common misspelling).
HOUR_NOUNS = frozenset({"الساعة", "الساعه"})

NOUNS_BEFORE = frozenset(ORDINAL_NOUNS) | HOUR_NOUNS
#: The nouns a final dual or scale word is in construct with whatever else is around them.
_CONSTRUCT_NOUNS = COUNTED_NOUNS | frozenset(CURRENCIES) | {POUND_STERLING.singular.split()[0]}
#: Words after which a number is a year, not a count: what follows it is no counted noun
#: (``عام 2000 شهد``).
YEAR_WORDS = frozenset({"عام", "العام", "سنة", "السنة", *OBLIQUE_BEFORE.intersection(MONTH_NAMES)})

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
    word = bare(word)
    # للمباراة is the definite مباراة after ل: no indefinite noun in construct.
    adjacent = adjacent and not word.lstrip("وف").startswith("لل")
    return any(
        stem in OBLIQUE_BEFORE
        or (adjacent and any(shape.fullmatch(stem) for shape in GOVERNING_SHAPES))
        for stem in stems(word)
    )


_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


_PARTICLES = _PREPOSITIONS | NOT_COUNTED | {"إن", "أن", "بأن", "لأن", "نحو", "حوالي", "حوالى"}
#: Relative pronouns: a verb right after one belongs to a clause inside the subject.
_RELATIVES = frozenset({"الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي", "اللاتي", "ما"})
#: Words that begin a clause of their own: the walk back to a number's verb stops at them.
_STOPS = _PARTICLES - _PREPOSITIONS - _RELATIVES - {"كل", "أي", "أكثر", "أقل", "آخر", "لكل"} | (
    _INNA_PRONOUNS | {"هذا", "هذه", "ذلك", "تلك", "هؤلاء", "إنه", "أنه", "ثمة", "هناك"}
)


def _is_verb(word: str, verbs: frozenset[str]) -> bool:
    """Whether ``word`` is one of ``verbs``, maybe after ``و``/``ف`` and the future's ``س``.

    A verb takes no ``ب``. ``فستكون`` is ``تكون``.
    """
    if len(word) > 2 and word[0] in "وف":
        word = word[1:]
    if len(word) > 3 and word[0] == "س" and word[1] in "يتن":
        word = word[1:]
    return word in verbs


def _preposition_with_pronoun(word: str) -> bool:
    """``بينها``, ``منهم``, ``لديه``: a number after one is a subject (``بينها 12 حالة``)."""
    suffix = _PRONOUN_SUFFIX.fullmatch(word) or re.fullmatch(r".{2,}?(ي|ك)", word)
    stem = word[: -len(suffix.group(1))] if suffix else ""
    stem = stem[1:] if len(stem) > 2 and stem[0] in "وف" else stem
    return stem in _PREPOSITIONS or stem in {"لدي", "علي", "إلي", "عند", "من", "ف", "ل", "ب"}


def _definite(word: str) -> bool:
    return word.startswith(("ال", "وال", "فال")) and len(word) > 3


def _year_word(word: str) -> bool:
    """``عام``, ``للعام``, ``وبالسنة``: a year word, whatever clitics it carries."""
    word = word[1:] if len(word) > 3 and word[0] in "وف" else word
    if word.startswith("لل"):
        word = "ال" + word[2:]
    elif word[:1] in "بلك" and word[1:] in YEAR_WORDS:
        word = word[1:]
    return word in YEAR_WORDS


def _is_adjective(word: str) -> bool:
    return word in _ADJECTIVES or bool(_ADJECTIVE_SHAPE.fullmatch(word))


def _construct_head(words: tuple[str, ...]) -> bool:
    """Whether the word before a number is a noun in construct with it.

    A word with a preposition glued to it (``بفارق``, ``بموجب``) or after a preposition
    (``من أصل``) is a noun, not a verb, and a noun right before a number governs it; so does
    a verbal noun with a pronoun (``تغريمه``).
    """
    first = words[0]
    glued = first[0] in "بلك" and len(first) >= 3 and not first.startswith(("ال", "لل"))
    glued = glued and not _PRONOUN_SUFFIX.fullmatch(first)  # بحوزته 12 ألفا: no construct
    if glued and first not in _VERBS_WITH_CLITIC_LETTER and not _is_verb(first, OBJECT_VERBS):
        return True
    for word in stems(first)[:2]:
        suffix = _PRONOUN_SUFFIX.fullmatch(word)
        stem = word[: -len(suffix.group(1))] if suffix else ""
        if stem and any(shape.fullmatch(stem) for shape in GOVERNING_SHAPES[:-1]):
            return True
    return False


_IMPERFECT = re.compile(r"[يت][^ا].{2,4}")
#: Derived perfects: استفعل (استقبل, استدعى), افتعل (اعتقل), انفعل (انطلق); their verbal nouns
#: have a long ا before the last letter (استقبال, اعتقال) and are not matched.
_DERIVED_PERFECT = re.compile(r"است[^ا]{2,3}|ا[^ل]ت[^ا]{2}|ان[^ا]{3}")
_MASDAR_T = re.compile(r"ت..ي.")
_PERFECT_FEMININE = re.compile(r"[^ا].{1,4}ت|ا.{2,4}ت")
_NOT_VERBS = frozenset(
    {"يوم", "يوما", "يونيو", "يوليو", "يناير", "يمين", "يسار", "تحت", "وقت", "سبت", "بنت"}
    | {"أخت", "ثابت", "تاريخ", "تقرير", "ميت"}
)


def verb_like(word: str) -> bool:
    """Whether ``word`` (bare) is a listed verb, or has an imperfect or feminine perfect's shape.

    >>> verb_like("وتحيي"), verb_like("انتهت"), verb_like("منافسات"), verb_like("تغريم")
    (True, True, False, False)
    """
    if _is_verb(word, OBJECT_VERBS | TIME_SUBJECT_VERBS | INTRANSITIVE_VERBS):
        return True
    if _is_verb(word, _VERBS_WITH_CLITIC_LETTER):
        return True
    if word in _PARTICLES or word in _STOPS:
        return False
    word = word[1:] if len(word) > 3 and word[0] in "وف" else word
    if _DERIVED_PERFECT.fullmatch(word):
        return True
    if word in _NOT_VERBS or word.endswith(("ة", "ات", "وت", "يت", "ين", "ون")):
        return False
    if _IMPERFECT.fullmatch(word):
        return not _MASDAR_T.fullmatch(word)
    return bool(_PERFECT_FEMININE.fullmatch(word)) and not word.startswith("ال")


def noun_oblique(words: tuple[str, ...]) -> bool:
    """Whether a definite noun after ``words`` (nearest first) is oblique.

    As :func:`oblique_after`, and also after an indefinite noun, whose genitive it is
    (``منافسات الجولة``, ``إحياء الذكرى``).
    """
    if not words:
        return False
    first = words[0]
    if (
        _ARABIC_WORD.fullmatch(first)
        and not _definite(first)
        and not verb_like(first)
        and first not in NOT_COUNTED
        and not _PRONOUN_SUFFIX.fullmatch(first)
    ):
        return True
    return oblique_after(words)


def oblique_after(
    words: tuple[str, ...], *, adjacent: bool = True, next_word: str = "", year: bool = True
) -> bool:
    """Whether a number (or noun) after ``words`` is oblique: genitive or accusative.

    ``words`` are the bare words of its clause before it, nearest first; ``next_word`` the word
    after it; ``year`` whether the number could be a year (``العام`` governs ``العام 2026``, but
    is no noun of ``هذا العام 62 ألف طالب`` or ``المؤشر العام 70 نقطة``).

    Oblique after a preposition or a noun it complements (:func:`governs`); after a verb that
    takes it as object (:data:`DIRECT_OBJECT_VERBS`), or any verb after its subject and what
    qualifies the subject (``بلغت العائدات``, ``وسجل معدل البطالة في الربع الثالث``); after a
    year word and its adjective (``للعام المالي``); and as a span of time after a verb
    (``استمر 30 عاما``). Nominative otherwise: a verb's subject (``قتل 20 شخصا``, ``ويشارك في
    المهرجان 200 فنان``), a predicate (``عدد الضحايا 20``, ``غرامة قدرها 50``).

    >>> oblique_after(("العائدات", "بلغت")), oblique_after(("المالي", "للعام"))
    (True, True)
    >>> oblique_after(("استمر",), next_word="عاما"), oblique_after(("مرت",), next_word="عاما")
    (True, False)
    >>> oblique_after(("قتل",)), oblique_after(("الضحايا", "عدد")), oblique_after(())
    (False, False, False)
    """
    if not words:
        return False
    first = words[0]
    if words[:3] in _EACH_OF_THEM:
        return oblique_after(words[3:], year=year) if len(words) > 3 else False
    if _preposition_with_pronoun(first):
        return False
    year_word = not year and first in _DEFINITE_YEAR_WORDS
    # خلال 24 ساعة 42 ملم: a noun counted by the number before it is no construct of this one.
    counted = len(words) > 1 and words[1] in NUMBER_WORDS
    if governs(first, adjacent=adjacent and not counted) and not year_word:
        return True
    if _is_verb(first, DIRECT_OBJECT_VERBS):
        return True
    spans_time = bare(next_word) in TIME_NOUNS
    if adjacent and _construct_head(words):
        # ويرقد في مستشفى الثورة بصنعاء 52 جريحا: a verb with a preposition straight after it
        # makes the number its subject, whatever noun with ب stands before the number.
        return spans_time or not _subject_after_phrase(words)
    if _is_verb(first, OBJECT_VERBS) and len(words) > 1 and words[1] in _INNA_PRONOUNS:
        return True  # قال إنه قتل 70: the verb is active, the number its object
    if any(_is_verb(word, TIME_SUBJECT_VERBS) for word in words[:6]):
        return False  # مضى على اختفائه 21 يوما: the span of time is the subject
    if _is_verb(first, INTRANSITIVE_VERBS):
        return spans_time  # وأصيب 32 آخرون: the number is the subject
    if verb_like(first):
        # After its own subject (محمية تغطي 20) the number is the verb's object; with nothing
        # before the verb, its subject (قتل 20 شخصا, read as a passive), unless it spans time.
        before = words[1] if len(words) > 1 else ""
        has_subject = bool(before) and _ARABIC_WORD.fullmatch(before) is not None
        has_subject = has_subject and before not in _STOPS and not verb_like(before)
        # وقتل 20 مدنيا وأصيب 32 آخرون: the noun the number before counted is no subject.
        has_subject = has_subject and not (len(words) > 2 and words[2] in NUMBER_WORDS)
        has_subject = has_subject or before in _RELATIVES  # الحريق الذي التهم 30 هكتارا
        return has_subject or spans_time
    if _PRONOUN_SUFFIX.fullmatch(first) and not (len(words) > 1 and verb_like(words[1])):
        return False  # غرامة قدرها 50, عمره 52 عاما: the number is the pronoun noun's predicate
    adjectives_only = _is_adjective(first)
    index = 0
    while index + 1 < min(len(words), MAX_SUBJECT_WORDS):
        index += 1
        word = words[index]
        if words[index : index + 3] in _EACH_OF_THEM:
            index += 2  # وتغريم كل واحد منهم 50 ألف: inside the object, no clause of its own
            continue
        is_verb = _is_verb(word, OBJECT_VERBS) or verb_like(word)
        if word in _STOPS and not is_verb:
            break
        if adjectives_only and year and _year_word(word):
            return True  # للعام المالي 2026: past the year word's adjective
        adjectives_only = adjectives_only and _is_adjective(word)
        if not is_verb:
            continue
        if index + 1 < len(words) and words[index + 1] in _RELATIVES:
            continue  # عدد الشاحنات التي عبرت المنفذ: a relative clause inside the subject
        if spans_time or _is_verb(word, DIRECT_OBJECT_VERBS):
            return True
        if _is_verb(word, INTRANSITIVE_VERBS):
            return False  # ويرقد المصابون وأصيب في القصف 32: the number is the subject
        # The verb, then its subject (and what qualifies it), then the number: its object. A
        # verb followed straight by a preposition has no subject before the number, which is
        # its subject (ويشارك في المهرجان 200 فنان).
        after_verb = words[index - 1]
        return not (after_verb in _PREPOSITIONS or after_verb.startswith(("بال", "لل", "كال")))
    if spans_time:
        # حكم البلاد 30 عاما: a span of time after a word that is no particle (a verb the lists
        # do not know, or a noun it complements) is accusative or genitive either way.
        head = next((w for w in words if not (_definite(w) or _PRONOUN_SUFFIX.fullmatch(w))), "")
        return bool(head) and head not in _STOPS
    return False


def _subject_after_phrase(words: tuple[str, ...]) -> bool:
    """The nearest verb before the number has a preposition right after it, no subject."""
    for index in range(1, min(len(words), MAX_SUBJECT_WORDS)):
        word = words[index]
        is_verb = _is_verb(word, OBJECT_VERBS) or verb_like(word)
        if word in _STOPS and not is_verb:
            return False
        if not is_verb or (index + 1 < len(words) and words[index + 1] in _RELATIVES):
            continue
        if _is_verb(word, DIRECT_OBJECT_VERBS):
            return False
        after_verb = words[index - 1]
        return after_verb in _PREPOSITIONS or after_verb.startswith(("بال", "لل", "كال"))
    return False


def counted_noun_after(word: str, value: int) -> bool:
    """Whether ``word``, after ``value``, has the form of the noun it counts.

    Then a number after an ordering noun counts, not orders: ``منذ مطلع الأسبوع 220 شاحنة``,
    but ``في القرن 21 تحديات`` (a plural after 21 is no counted noun).

    >>> counted_noun_after("شاحنة", 220), counted_noun_after("تحديات", 21)
    (True, False)
    """
    word = bare(word)
    if not word or not _ARABIC_WORD.fullmatch(word) or word in _PARTICLES:
        return False
    if (word.endswith("يا") and len(word) >= 5) or word in _ADVERBS:
        return False  # المركز 11 عالميا: an adverb
    prefixed = word.startswith(("و", "ف")) or (word[0] in "بلك" and len(word) >= 5)
    if word not in COUNTED_NOUNS and (prefixed or _definite(word) or word.startswith("لل")):
        return False  # بضربة, للقمة, وتحديدا: a phrase of its own
    rest = value % 100
    plural = word.endswith("ات") or (word in COUNTED_NOUNS and not word.endswith("ة"))
    if 3 <= rest <= 10:
        return word in COUNTED_NOUNS or word.endswith("ات")
    if plural and word not in _SINGULAR_COUNTED:
        return False
    return word in COUNTED_NOUNS or word.endswith("ة") or (rest > 10 and word.endswith("ا"))


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
        or (word[0] in "بلك" and len(word) >= 5)  # بنهاية: a preposition's phrase, no noun
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
    #: The bare words of the clause before the number, nearest first.
    preceding: tuple[str, ...] = ()
    #: The number could be a year (three or four digits).
    year_like: bool = True

    @property
    def oblique(self) -> bool:
        if any(c in self.clitic for c in "بلك"):
            return True
        if self.before.isascii() and self.before.isalpha():
            return False  # C-130, TB2: a model's number is part of its name
        words = self.preceding or tuple(word for word in (bare(self.before),) if word)
        return oblique_after(
            words, adjacent=self.before_adjacent, next_word=self.next_word, year=self.year_like
        )

    @property
    def feminine(self) -> bool:
        """The noun after the number is feminine (a year counts nothing: ``عام 2015 بمشاركة``)."""
        word = bare(self.after)
        if self.year or _definite(word) or word.startswith("لل"):
            return False
        return is_feminine(word)

    def noun_before(self) -> tuple[str, bool, bool] | None:
        """The definite noun before a ``الـ30`` that it describes, as an ordinal or a count.

        Returns the noun, whether it is feminine and whether it is oblique; ``None`` when the
        word before is no definite noun.
        """
        words = self.preceding
        if not words:
            return None
        suffix = _PRONOUN_SUFFIX.fullmatch(words[0])
        if suffix and not _definite(words[0]):
            # نقاطه الـ30, ميلاده الـ80: a noun made definite by its pronoun.
            stem = words[0][: -len(suffix.group(1))].lstrip("وف")
            stem = stem[:-1] + "ة" if stem.endswith("ت") else stem  # جلسته: جلسة
            noun = "ال" + stem
            feminine = ORDINAL_NOUNS.get(noun, is_feminine(noun[2:]) or noun.endswith("ى"))
            return noun, feminine, noun_oblique(words[1:])
        if not _definite(words[0]):
            return None
        # المدن العربية الـ10: the noun is before its adjectives.
        skip = 0
        while skip + 1 < len(words) and _definite(words[skip + 1]) and _is_adjective(words[skip]):
            skip += 1
        noun = words[skip]
        noun = noun[1:] if noun.startswith(("و", "ف")) else noun
        feminine = ORDINAL_NOUNS.get(noun, is_feminine(noun[2:]) or noun.endswith("ى"))
        return noun, feminine, noun_oblique(words[skip + 1 :])

    @property
    def construct(self) -> bool:
        """A counted noun follows: a final dual or scale word is in construct with it."""
        after_year = any(stem in YEAR_WORDS for stem in stems(bare(self.before)))
        return bool(self.next_word) and _counted_by(self.next_word, after_year=after_year)

    @property
    def after_weekday(self) -> bool:
        """A date after a weekday is in the weekday's case: ``يوم الأحد الحادي والعشرين``."""
        if not self.preceding or self.preceding[0].lstrip("وف") not in WEEKDAYS:
            return False
        return noun_oblique(self.preceding[1:])

    @property
    def year(self) -> bool:
        """The word before says the number is a year (``عام``, ``سنة``, a month's name)."""
        return any(stem in YEAR_WORDS for stem in stems(bare(self.before)))

    @property
    def dates(self) -> bool:
        """The word before says that a day/month without a year is a date."""
        return any(stem in DATE_CUES for stem in stems(bare(self.before)))

    def ordinal_noun(self) -> tuple[str, bool] | None:
        """The ordinal-taking noun before the number (``للمرة`` -> ``المرة``) and its case.

        The noun's case is the ordinal's: oblique after a clitic preposition (``بالدقيقة``),
        or when the words before the noun make it so (``في الدقيقة``, ``احتل المركز``).
        """
        word = bare(self.before)
        for strip in ("", "و", "ف", "وبال", "فبال", "بال", "كال", "وال", "فال"):
            noun = "ال" + word[len(strip) :] if strip.endswith("ال") else word[len(strip) :]
            if strip and not word.startswith(strip):
                continue
            if noun in NOUNS_BEFORE:
                clitic = strip.rstrip("ال").lstrip("وف")
                return noun, bool(clitic) or noun_oblique(self.preceding[1:])
        if word.startswith(("لل", "ولل", "فلل")):
            noun = "ال" + word[word.index("لل") + 2 :]
            if noun in NOUNS_BEFORE:
                return noun, True
        return None
