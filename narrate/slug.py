"""ASCII slugs for file names and URLs: enclosure URLs are never Arabic.

Two schemes:

- :func:`make_slug` spells each Arabic letter as python-slugify (text-unidecode) does and
  writes no vowel, because bare Arabic writes none (``المطار`` → ``lmtr``). It needs no model
  and is instant: segment file names and the check of a producer's ``--slug`` use it.
- :func:`title_slug` makes an episode's name readable: the title is first diacritized with
  text2tashkeel (the offline model narrate already ships for espeak-ng), then romanised with
  the table-driven scheme of :func:`romanize` (``المطار في الجزائر`` → ``al-matar-fi-al-jazair``).
  Without the model (not installed, or it fails) it gives :func:`make_slug`'s name, silently.

The romanisation is a simplified ALA-LC, plain ASCII, with no marks and no apostrophes. The
general romanisers on PyPI spell vocalized Arabic letter by letter, case endings, hamza and
all (anyascii, ISC: ``lmataru fiy ljazai'iri``; uroman: ``almataaru fiy aljazaayeiri``;
Unidecode is GPL), and the Arabic-specific ones are unmaintained or GPL; so it is a table here.
Its rules:

- Consonants: b t th j h kh d dh r z s sh s d t z gh f q k l m n h w y (emphatics as their
  plain letters); Persian and Urdu letters p ch zh v g. Hamza (``ء أ إ ؤ ئ``) and ʿayn (``ع``)
  are dropped, the vowels they carry kept (``مؤتمر`` mutamar, ``سعودي`` saudi).
- Vowels: fatha a, kasra i, damma u; a long vowel is written once (``ا`` after fatha, ``ي`` after
  kasra, ``و`` after damma, ``ى``, the dagger alef: a, i, u); ``ay`` and ``aw`` are diphthongs.
  A word's last short vowel and its tanwin are not written (the pausal form, as a title is read
  aloud), except the tanwin fath ``ًا`` (``جدًا`` jiddan). Where the model left a word bare, a
  ``و`` or ``ي`` between consonants is read as a long u or i, and an ``ا`` as a.
- Shadda doubles the consonant (``مرّة`` marra), except at the end of a word after its own long
  vowel (``سعوديّ`` saudi, not saudiyy).
- The article is ``al-`` whatever letter follows (not assimilated: ``al-shams``, ``al-turuq``),
  the shadda on a sun letter after it not doubled; with a proclitic: ``wa-al-``, ``fa-al-``,
  ``bi-al-``, ``ka-al-``, and ``lil-`` for ``لل``. A few words have their usual spelling
  (``الله`` allah, ``الذي`` alladhi).
- Ta marbuta is ``a``; an initial bare alef is ``i`` before a consonant with sukun (hamzat
  al-wasl: ``استقبال`` istiqbal), else ``a``; Arabic-Indic digits are ASCII digits; Latin is kept.

The result is lowercase ASCII words joined by hyphens, at most :data:`MAX_SLUG_LENGTH`
characters, cut at a word. The same title gives the same slug with the same model.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from slugify import slugify

from narrate.charset import (
    ARABIC_INDIC_DIGITS,
    DIACRITICS,
    EASTERN_ARABIC_INDIC_DIGITS,
    TATWEEL,
    marks_per_base,
)

log = logging.getLogger(__name__)

MAX_SLUG_LENGTH = 60
#: Namespace for episode guids: uuid5 of this and the slug never changes for the same article.
GUID_NAMESPACE = uuid.UUID("5c0f3f4e-9a53-4b1b-9f3e-2f6d1c1b7e11")
#: text2tashkeel's model for titles: the one :mod:`narrate.text.diacritize` uses, so a build
#: that also diacritizes the article loads it once (text2tashkeel keeps one session a model).
TASHKEEL_MODEL: Final = "rawi-ensemble"
#: The diacritizer reads at most this much of a title: the slug is cut far sooner.
MAX_TITLE_CHARS: Final = 200

_LATIN_WORD = re.compile(r"[a-z]{2,}")


def make_slug(text: str) -> str:
    """A lowercase ASCII slug, spelling Arabic letter by letter; empty when nothing is left.

    >>> make_slug("Damascus to Moscow!")
    'damascus-to-moscow'
    >>> make_slug("١٢ خبر")
    '12-khbr'
    >>> make_slug("../../etc/passwd")
    'etc-passwd'
    """
    result: str = slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    return result


def title_slug(title: str) -> str:
    """A readable slug for ``title``: diacritized, then romanised (see the module notes).

    Falls back to :func:`make_slug` when the diacritizer cannot be had.

    >>> title_slug("Damascus to Moscow!")
    'damascus-to-moscow'
    """
    vocalized = _vocalize(title)
    if vocalized is None:
        return make_slug(title)
    return _finish(romanize(vocalized))


def episode_slug(
    source: Path | None, title: str, published: Mapping[str, str] | None = None
) -> str:
    """The episode's slug: from the file name when it reads as words, else from the title.

    A producer's ``damascus-to-moscow.txt`` gives ``damascus-to-moscow``; ``مقال.txt`` falls back
    to the romanised title (:func:`title_slug`), and failing that to a short hash of the title.
    ``published`` maps the slugs of the show's episodes to their titles: an episode already
    published under this title keeps its slug (whatever scheme made it, without running the
    diacritizer again), so rebuilding an article never adds it a second time.

    >>> episode_slug(Path("news/damascus-to-moscow.txt"), "من دمشق")
    'damascus-to-moscow'
    >>> episode_slug(Path("مقال.txt"), "من دمشق", {"mn-dmshq": "من دمشق"})
    'mn-dmshq'
    """
    if source is not None and source.stem.isascii():
        from_name = make_slug(source.stem)
        if _LATIN_WORD.search(from_name):
            return from_name
    if published:
        same = sorted(slug for slug, known in published.items() if known == title)
        if same:
            return same[0]
    from_title = title_slug(title)
    if from_title:
        return from_title
    # surrogatepass: a title that somehow holds a lone surrogate still gets a slug.
    return "episode-" + hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def episode_guid(slug: str) -> str:
    """A guid that stays the same whenever the same article (slug) is rebuilt."""
    return str(uuid.uuid5(GUID_NAMESPACE, slug))


# -- diacritizing the title ----------------------------------------------------------------

# Arabic letters the model marks, as in narrate.text.diacritize (which this module may not
# import: it is a stage); and what else it sees for context. Anything else is shown as a space.
_LETTERS = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
_ARABIC_LETTER = re.compile(f"[{_LETTERS}]")
_CONTEXT = frozenset(" .,:;!?()«»\"'-0123456789٠١٢٣٤٥٦٧٨٩،؛؟٪٬")
_NO_MARKS = str.maketrans("", "", DIACRITICS + TATWEEL)


@functools.cache
def _diacritizer() -> Callable[[str], str] | None:
    """text2tashkeel's diacritize for :data:`TASHKEEL_MODEL`, or None when it cannot be had."""
    try:
        import text2tashkeel

        model = text2tashkeel.Diacritizer(TASHKEEL_MODEL)
        model.backend  # noqa: B018 - loads the model now, so a broken one is found here
    except Exception as exc:  # ImportError, or onnxruntime's own errors for a bad model
        log.debug("titles are spelt without vowels: no diacritizer (%s)", exc)
        return None
    diacritize: Callable[[str], str] = model.diacritize
    return diacritize


def _vocalize(title: str) -> str | None:
    """``title`` (its start) with the model's vowel marks on its Arabic letters, the letters as
    written; None when there is Arabic to mark and no diacritizer to mark it."""
    text = unicodedata.normalize("NFKC", title).translate(_NO_MARKS)
    if len(text) > MAX_TITLE_CHARS:
        cut = text.rfind(" ", 0, MAX_TITLE_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_TITLE_CHARS]
    if not _ARABIC_LETTER.search(text):
        return text
    diacritize = _diacritizer()
    if diacritize is None:
        return None
    seen = "".join(c if _ARABIC_LETTER.match(c) or c in _CONTEXT else " " for c in text)
    try:
        result = diacritize(seen)
    except Exception as exc:
        log.debug("titles are spelt without vowels: the diacritizer failed (%s)", exc)
        return None
    marks = marks_per_base(result)
    if len(marks) != len(text):
        return None  # the model changed the letters: its marks cannot be placed
    return "".join(char + added for char, added in zip(text, marks, strict=True))


# -- romanising ----------------------------------------------------------------------------

FATHA, DAMMA, KASRA = "\u064e", "\u064f", "\u0650"
FATHATAN, DAMMATAN, KASRATAN = "\u064b", "\u064c", "\u064d"
SHADDA, SUKUN, DAGGER_ALEF = "\u0651", "\u0652", "\u0670"
_VOWELS: Final = {
    FATHA: "a",
    KASRA: "i",
    DAMMA: "u",
    FATHATAN: "an",
    KASRATAN: "in",
    DAMMATAN: "un",
}

_CONSONANTS: Final = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ء": "",
    "أ": "",
    "إ": "",
    "ؤ": "",
    "ئ": "",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "ڤ": "v",
    "گ": "g",
    "ک": "k",
    "ہ": "h",
    "ە": "h",
}
_ALEFS: Final = "اٱ"
_HAMZA_ALEFS: Final = {"أ": "a", "إ": "i"}
_GLIDES: Final = {"و": ("w", "u"), "ي": ("y", "i"), "ی": ("y", "i")}
_PROCLITICS: Final = {"و": "wa", "ف": "fa", "ب": "bi", "ك": "ka"}
#: Words read otherwise than letter by letter (undiacritized spelling → romanisation).
_WORDS: Final = {
    "و": "wa",
    "بن": "bin",
    "ابن": "ibn",
    "الله": "allah",
    "لله": "lillah",
    "بالله": "billah",
    "والله": "wallah",
    "عبدالله": "abdallah",
    "الذي": "alladhi",
    "التي": "allati",
    "الذين": "alladhina",
}
_DIGITS = str.maketrans(ARABIC_INDIC_DIGITS + EASTERN_ARABIC_INDIC_DIGITS, "0123456789" * 2)
_ARABIC_WORD = re.compile(f"[{_LETTERS}](?:[{_LETTERS}{DIACRITICS}{TATWEEL}])*")
#: Proclitics a slug cut short must not end on.
_DANGLING = re.compile(r"(?:-(?:al|wa|fa|bi|ka|lil))+$")

Letter = tuple[str, str]  # an Arabic letter and the marks on it


def romanize(text: str) -> str:
    """``text`` with its Arabic words romanised by the scheme in the module notes.

    Other characters are kept (Arabic-Indic digits become ASCII); Arabic letters outside the
    table are dropped.

    >>> romanize("الْمَطَارُ فِي الْجَزَائِرِ يُغْلِقُ الطُّرُقَ")
    'al-matar fi al-jazair yughliq al-turuq'
    >>> romanize("وَزِيرُ الْخَارِجِيَّةِ السَّعُودِيُّ، ١٢ COP28")
    'wazir al-kharijiyya al-saudi، 12 COP28'
    """
    text = unicodedata.normalize("NFC", text).translate(_DIGITS)
    return _ARABIC_WORD.sub(lambda m: _romanize_word(m.group()), text)


def _letters(word: str) -> list[Letter]:
    letters: list[Letter] = []
    for char in word:
        if char == TATWEEL:
            continue
        if char in DIACRITICS:
            if letters:
                letters[-1] = (letters[-1][0], letters[-1][1] + char)
        else:
            letters.append((char, ""))
    return letters


def _vowel(marks: str) -> str:
    """The vowel ``marks`` give a letter: a, i, u, an, in, un; empty for sukun or none."""
    short = next((_VOWELS[mark] for mark in marks if mark in _VOWELS), "")
    return short or ("a" if DAGGER_ALEF in marks else "")


def _is_article(letters: list[Letter], at: int) -> bool:
    """Whether ``letters[at:]`` starts with the article ``ال`` before at least two letters."""
    if len(letters) - at < 4:
        return False
    (alef, alef_marks), (lam, lam_marks) = letters[at], letters[at + 1]
    return alef in _ALEFS and lam == "ل" and not _vowel(alef_marks) and not _vowel(lam_marks)


def _romanize_word(word: str) -> str:
    letters = _letters(word)
    plain = "".join(char for char, _ in letters)
    if plain in _WORDS:
        return _WORDS[plain]
    head, start = "", 0
    first = letters[0]
    if _is_article(letters, 0):
        head, start = "al-", 2
    elif first[0] in _PROCLITICS and _vowel(first[1]) in ("", "a", "i") and _is_article(letters, 1):
        head, start = _PROCLITICS[first[0]] + "-al-", 3
    elif (
        plain.startswith("لل")
        and len(letters) >= 4
        and _vowel(first[1]) in ("", "i")
        and not _vowel(letters[1][1])
    ):
        head, start = "lil-", 2
    body = _romanize_letters(letters[start:], after_article=bool(head))
    return head + body


def _romanize_letters(letters: list[Letter], after_article: bool) -> str:
    """The romanisation of a word's letters (after its article, if any)."""
    out: list[str] = []
    before = ""  # the vowel sounded last: a, i, u, or none (a consonant, a sukun)
    last = len(letters) - 1
    for n, (char, marks) in enumerate(letters):
        vowel = _vowel(marks)
        doubled = SHADDA in marks and not (after_article and n == 0)
        final = n == last
        if char in _ALEFS:
            if vowel:  # the model marked the alef itself: read the mark
                sound, vowel = (vowel[1:] if before == vowel[0] == "a" else vowel), ""
            elif n == 0 and not after_article:
                sound = "i" if len(letters) > 1 and SUKUN in letters[1][1] else "a"
            else:
                sound = "" if before == "a" else "a"
        elif char == "آ":
            sound, vowel = ("" if before == "a" else "a"), ""
        elif char == "ى":
            sound, vowel = ("" if before in ("a", "i") else "a"), ""
        elif char == "ة":
            sound, vowel = ("" if before == "a" else "a"), ""
        elif char in _GLIDES:
            consonant, long_vowel = _GLIDES[char]
            if final and doubled:
                sound = "" if before == long_vowel else consonant  # -iyy is -i, -ayy -ay
            elif vowel or doubled:
                sound = consonant * (2 if doubled else 1)
            elif n == 0 or before == "a" or (before == "" and SUKUN in letters[n - 1][1]):
                sound = consonant  # a consonant, or the end of a diphthong: ay, aw
            elif before == long_vowel:
                sound = ""  # the long vowel, already written
            else:
                sound = long_vowel  # after an unmarked letter: most likely a long vowel
            if not vowel and sound in ("", long_vowel):
                out.append(sound)
                before = long_vowel
                continue
        elif char in _HAMZA_ALEFS and n == 0 and not vowel:
            sound = _HAMZA_ALEFS[char]
        else:
            sound = _CONSONANTS.get(char, "") * (2 if doubled else 1)
        if len(vowel) == 2 and not (n + 1 == last and letters[last][0] in _ALEFS):
            vowel = vowel[0]  # tanwin is heard only as the -an of a final ``ًا``
        if final:
            vowel = ""  # the pausal form: no case ending
        out.append(sound + vowel)
        before = vowel[:1] or (sound if sound in ("a", "i", "u") else "")
    return "".join(out)


def _finish(romanised: str) -> str:
    """``romanised`` as a slug: lowercase ASCII words and hyphens, cut at a word."""
    slug: str = slugify(romanised, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    if len(slug) < len(slugify(romanised)):
        slug = _DANGLING.sub("", slug)
    return slug
