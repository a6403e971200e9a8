"""Codes and model numbers: Latin letters and digits written as one word (``X3J11``, ``A380``).

A quantity reader would say ``2864x0044`` as "two thousand eight hundred ...": a presenter
spells it. What this module decides is only how the word is cut:

- one group of letters then a number of at most four digits is a model name, said as the name
  and the number (``A380`` -> ``A 380``, ``F-16`` -> ``F 16``, ``MS985`` -> ``MS 985``), and a
  number of at most four digits then at most three letters likewise (``4K`` -> ``4 K``);
- anything else (``X3J11``, ``2864x0044``, ``H1N1``) is spelt character by character: each
  digit by its name, each letter on its own.

The letters are left in Latin for :mod:`narrate.text.latin`, which says each by its Arabic name
(``إكس``, ``جيه``), and the numbers for the number reader. The lexicon runs before this, so a
producer's (or the built-in) entry for ``G20`` or ``COVID-19`` wins.
"""

from __future__ import annotations

import re

from narrate.text.numbers.words import UNITS_M

#: The longest number a model name carries that is read as a number (``A380``, ``MS985``).
MODEL_DIGITS = 4
#: The most letters after a number that still make a model name (``4K``, ``5G``).
MODEL_SUFFIX_LETTERS = 3

_CODE = re.compile(
    r"(?<![A-Za-z0-9.,-])"
    r"(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*[0-9])"
    r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
    r"(?![A-Za-z0-9]|[.,-][A-Za-z0-9])"
)
_GROUPS = re.compile(r"[A-Za-z]+|[0-9]+")


def _say(token: str) -> str:
    groups = _GROUPS.findall(token)
    if len(groups) == 2:
        first, second = groups
        if first.isalpha() and len(second) <= MODEL_DIGITS and not second.startswith("0"):
            # Su-35: a model's short letters are its initials, spelt as capitals.
            return f"{first.upper() if len(first) <= 3 else first} {second}"
        if first.isdigit() and len(second) <= MODEL_SUFFIX_LETTERS and len(first) <= MODEL_DIGITS:
            return f"{first} {second}"
    spelt = (UNITS_M[int(c)] if c.isdigit() else c for c in token if c.isalnum())
    return " ".join(spelt)


def spell_codes(text: str) -> str:
    """Every word of Latin letters and digits cut as a presenter says it.

    >>> spell_codes("المعيار X3J11 والطائرة A380 والمقاتلة F-16")
    'المعيار X ثلاثة J واحد واحد والطائرة A 380 والمقاتلة F 16'
    >>> spell_codes("الرقم 2864x0044")
    'الرقم اثنان ثمانية ستة أربعة x صفر صفر أربعة أربعة'
    """
    return _CODE.sub(lambda m: _say(m.group()), text)
