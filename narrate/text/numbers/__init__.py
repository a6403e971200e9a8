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

from narrate.text.numbers.reader import verbalize
from narrate.text.numbers.words import (
    CURRENCIES,
    SCALES,
    Noun,
    cardinal,
    clock,
    counted,
    decimal,
    definite,
    ordinal,
)

__all__ = [
    "CURRENCIES",
    "SCALES",
    "Noun",
    "cardinal",
    "clock",
    "counted",
    "decimal",
    "definite",
    "ordinal",
    "verbalize",
]
