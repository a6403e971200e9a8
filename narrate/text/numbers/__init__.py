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

Case (:mod:`.grammar`): a number is read in the oblique form shared by the genitive and the
accusative (``عشرين``, ``اثنين``) after a preposition (apart or glued: ``بـ``, ``لـ``), after a
noun in construct with it (``عام``, ``نسبة``, ``بفارق``, a verbal noun, a year word past its
adjective: ``للعام المالي 2026``), as a verb's object (right after ``بلغ``, ``تجاوز``, ``ارتفع``;
or after a verb and its subject: ``بلغت العائدات 850 مليون``), as a span of time after a verb
(``استمر 30 عاما``) and as ``كان``'s predicate after its subject; otherwise in the nominative:
a subject (``قتل 20 شخصا``, the passive reading), a predicate, time as the subject of ``مرت``.
A number joined by ``و`` to the one before (past its noun) takes that number's case.

Construct (iḍāfa): a number ending in a dual or a scale word that is followed by the noun it
counts drops its ``ن`` or tanween (``مئتا شخص``, ``ألفا دولار``, ``ثلاثون ألف دولار``,
``أحد عشر مليون نسمة``). Any Arabic word right after it is taken for that noun, except a
particle, a common verb, a definite word, a word led by ``و`` and the other shapes of
:data:`~narrate.text.numbers.grammar.NOT_COUNTED_SHAPE` (``ألفان من``, ``عشرون ألفا فقط``),
and except after a year (``عام 2000 شهد``).

Gender (:mod:`.nouns`): a number agrees with the noun it counts by the rules of the counted
noun: a lexicon of the nouns news counts, then the feminine ending (``ة``, a plural in ``ات``
that the lexicon does not name masculine, the shape ``فعائل``). Ordinals (``الدقيقة 75``,
``الذكرى الـ65``) take the gender and case of their noun.

Dates and eras (:mod:`.calendar`), units and currency abbreviations (:mod:`.units`), codes and
model numbers (:mod:`.codes`) have modules of their own; ``docs/numbers.md`` is the whole
convention, and ``tests/data/numbers`` the labelled set that measures it.

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
