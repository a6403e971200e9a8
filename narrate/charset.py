"""Character tables shared by the reader and the speech preparation: one definition of each."""

from __future__ import annotations

import unicodedata

#: Characters that are a space in all but name; each becomes a plain space.
SPACE_CHARS = (
    "\t\v\f"
    "\u00a0"  # no-break space
    "\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f"  # narrow no-break space
    "\u205f\u3000"
)

#: Characters that end a line, besides "\n"; each becomes "\n".
LINE_END_CHARS = "\r\u0085\u2028\u2029"

#: Characters with no sound and no width; each is removed.
INVISIBLE_CHARS = (
    "\u00ad\u180e"  # soft hyphen, Mongolian vowel separator
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"  # zero-width, word joiner, BOM
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right mark, right-to-left mark
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)

#: Control characters other than tab and line feed (C0, DEL, C1).
CONTROL_CHARS = "".join(
    chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)
)

#: Tatweel (kashida): stretches a word on screen, says nothing.
TATWEEL = "\u0640"

#: Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef).
DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"

#: Arabic-Indic and Eastern Arabic-Indic (Persian) digits, by value 0-9.
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


def char_class(chars: str) -> str:
    """``chars`` escaped for use inside a regex character class.

    >>> char_class("a-]")
    'a\\\\-\\\\]'
    """
    return "".join("\\" + c if c in "\\]^-[" else c for c in chars)


def marks_per_base(text: str) -> list[str]:
    """For each base character of ``text`` (decomposed), the Arabic diacritics after it.

    Other combining marks (hamza and madda, which change a letter) are dropped.

    >>> marks_per_base("أَب") == ["\u064e", ""]
    True
    """
    marks: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.category(char) == "Mn":
            if marks and char in DIACRITICS:
                marks[-1] += char
        else:
            marks.append("")
    return marks
