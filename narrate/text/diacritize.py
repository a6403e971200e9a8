"""Offline diacritization (tashkeel) of Arabic text for espeak-ng, and how to measure its effect.

espeak-ng guesses the short vowels of undiacritized Arabic badly: in plain news text a
quarter of the words come out as bare consonant clusters (``شهدت`` → ``Shdt``). With the
vowel marks written in, it reads them. :class:`Diacritizer` adds them with
``text2tashkeel``, a small offline model bundled in its wheel (onnxruntime, no network).

What :meth:`Diacritizer.diacritize` guarantees:

- Only diacritics are added, and only on Arabic letters: every other character (Latin,
  digits, punctuation, symbols, spacing, line breaks) stays exactly where it was, and no
  letter is changed. The model also "restores" hamza (``اعلن`` → ``أعلن``); narrate keeps
  the letters as written and takes only the vowel marks, so stripping the diacritics from
  the output gives back the input with its diacritics stripped.
- A word that already carries a diacritic is left as its author (or the pronunciation
  lexicon) wrote it, with one exception: a word whose only mark is a tanwin fath
  (``جديداً``, ``أيضاً``, the everyday spelling) gets the model's marks on its other
  letters. Bare words get the model's marks.
- A tanwin fath written after a final alef (``اً``) is moved onto the letter before the
  alef (``ًا``): espeak-ng ignores it after the alef.
- Each letter the model marks gets at most one shadda, one vowel, tanwin or sukun, and
  one superscript alef. Every shadda in the result, the author's too, comes before its
  vowel: espeak-ng drops a vowel written before the shadda (Unicode's canonical order).
  Do not NFC-normalize the result: that puts the vowel back in front of the shadda.
- The model reads one sentence at a time (its authors warn that batching sentences
  together changes results); over-long sentences are cut at clause marks, then spaces.

:func:`vowelless_share` measures the result through espeak-ng's own phonemes, and
:func:`measure` does so on exactly the chunks espeak-ng is sent for an article.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from narrate.charset import DIACRITICS, TATWEEL, char_class, marks_per_base
from narrate.errors import NarrateError

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

#: text2tashkeel's model used by default, its own default: the stitched INT8 ensemble
#: (rawi-v2 decides where a mark goes, rawi-v3 which). On the example article (818
#: words, 2 cores) it takes 0.6 s on first use and 0.32 s after, against 0.21 and 0.18 s
#: for ``rawi-v2-int8`` alone; both leave 1 word in 809 vowel-less, and of the 69 words
#: where they differ the ensemble has more stems right (هُروب، تَعُد، الحُكْم، قَطْع،
#: شِرْيان، أَرْوِقة against حِمْص، المُعارَضة).
DEFAULT_MODEL = "rawi-ensemble"

#: Sentences longer than this (in characters) are cut before the model reads them.
MAX_BATCH_CHARS = 400

SHADDA = "\u0651"
SUPERSCRIPT_ALEF = "\u0670"
FATHATAN = "\u064b"
ALEF = "\u0627"
#: Marks that give a letter its vowel (or its lack): harakat, tanwin, sukun.
VOWEL_MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0652"
TANWIN = "\u064b\u064c\u064d"

# Arabic letters the model knows how to mark (hamza to yeh, alef wasla, Persian letters).
_LETTERS = r"\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
_ARABIC_LETTER = re.compile(f"[{_LETTERS}]")
_MARK = f"[{char_class(DIACRITICS + TATWEEL)}]"
# An Arabic word: letters, with diacritics and tatweel among them.
_ARABIC_WORD = re.compile(f"{_MARK}*[{_LETTERS}](?:[{_LETTERS}]|{_MARK})*")
# Characters besides Arabic letters that the model sees, for context; any other
# character is shown to it as a space (and kept as it was in the output).
_CONTEXT = frozenset(" .,:;!?()«»\"'-0123456789٠١٢٣٤٥٦٧٨٩،؛؟٪٬")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…\n])")
_CLAUSE_END = re.compile(r"(?<=[،,؛;:])")
_MARK_RUN = re.compile(f"[{char_class(DIACRITICS)}]{{2,}}")
_TANWIN_AFTER_ALEF = re.compile(
    f"([{_LETTERS}])([{VOWEL_MARKS}{SHADDA}]*){ALEF}{FATHATAN}(?![{_LETTERS}{DIACRITICS}])"
)


class DiacritizationError(NarrateError, RuntimeError):
    """The diacritization model cannot be loaded or failed."""


def shadda_first(text: str) -> str:
    """Move each shadda in front of the vowel marks written before it, as espeak-ng reads it.

    >>> shadda_first("رَّ") == "رَّ"[0] + "\u0651\u064e"
    True
    """
    return _MARK_RUN.sub(lambda m: "".join(sorted(m.group(), key=lambda c: c != SHADDA)), text)


def tanwin_before_alef(text: str) -> str:
    """Move a tanwin fath written after a final alef (``اً``) onto the letter before it.

    espeak-ng reads ``جدًا`` as "jiddan" but ignores the tanwin in ``جداً``, a spelling as
    common in news. A vowel mark already on that letter gives way to the tanwin; a
    shadda stays.

    >>> tanwin_before_alef("جداً") == "جدًا"
    True
    >>> tanwin_before_alef("جَوّاً") == "جَو\u0651\u064b\u0627"
    True
    """
    return _TANWIN_AFTER_ALEF.sub(
        lambda m: m.group(1) + (SHADDA if SHADDA in m.group(2) else "") + FATHATAN + ALEF,
        text,
    )


def espeak_order(text: str) -> str:
    """Diacritics placed as espeak-ng reads them: :func:`shadda_first`, :func:`tanwin_before_alef`.

    >>> espeak_order("رَّاً") == "ر\u0651\u064b\u0627"
    True
    """
    return tanwin_before_alef(shadda_first(text))


def strip_diacritics(text: str) -> str:
    """``text`` without Arabic diacritics.

    >>> strip_diacritics("شَهِدَتْ")
    'شهدت'
    """
    return text.translate(_NO_DIACRITICS)


_NO_DIACRITICS = str.maketrans("", "", DIACRITICS)


def _letter_marks(marks: str) -> str:
    """The marks one letter keeps, in espeak-ng's order: shadda, one vowel, superscript alef.

    >>> _letter_marks("\u064e\u064e\u0651") == "\u0651\u064e"
    True
    """
    vowel = next((m for m in marks if m in VOWEL_MARKS), "")
    return (
        (SHADDA if SHADDA in marks else "")
        + vowel
        + (SUPERSCRIPT_ALEF if SUPERSCRIPT_ALEF in marks else "")
    )


def _batches(text: str) -> Iterator[str]:
    """``text`` cut into sentences, and over-long sentences into pieces; joined, they are ``text``.

    >>> list(_batches("أ. ب؟ ج"))
    ['أ.', ' ب؟', ' ج']
    """
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) <= MAX_BATCH_CHARS:
            if sentence:
                yield sentence
            continue
        piece = ""
        for part in _pieces(sentence):
            if piece and len(piece) + len(part) > MAX_BATCH_CHARS:
                yield piece
                piece = ""
            piece += part
        if piece:
            yield piece


def _pieces(sentence: str) -> Iterator[str]:
    """A long sentence as clauses, and long clauses as words (spaces kept on the left)."""
    for clause in _CLAUSE_END.split(sentence):
        if len(clause) <= MAX_BATCH_CHARS:
            yield clause
        else:
            yield from re.split(r"(?=\s)", clause)


_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def _load(model: str) -> Any:
    """text2tashkeel's diacritizer for ``model``, loaded once per process."""
    with _models_lock:
        if model in _models:
            return _models[model]
        try:
            text2tashkeel = importlib.import_module("text2tashkeel")
        except ImportError as exc:
            raise DiacritizationError(
                "text2tashkeel is not installed: reinstall narrate (the offline voice needs it)"
            ) from exc
        try:
            loaded = text2tashkeel.Diacritizer(model)
            loaded.backend  # noqa: B018 - builds the onnxruntime session now, not mid-text
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise DiacritizationError(
                f"cannot load the diacritization model {model!r}: {_one_line(exc)}"
            ) from exc
        logger.debug("loaded text2tashkeel %s model %s", text2tashkeel.__version__, model)
        _models[model] = loaded
        return loaded


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class Diacritizer:
    """Adds vowel marks to Arabic text with a text2tashkeel model.

    Constructing one is cheap; the model is loaded on the first :meth:`diacritize` (or
    :meth:`load`) and shared by every Diacritizer of that model in the process.
    """

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.model = model

    def load(self) -> None:
        """Load the model now; raises DiacritizationError when it cannot be loaded."""
        _load(self.model)

    def diacritize(self, text: str) -> str:
        """``text`` with vowel marks on its bare Arabic words (see the module notes).

        Raises DiacritizationError when the model cannot be loaded or fails.
        """
        if not _ARABIC_LETTER.search(text):
            return espeak_order(text)
        model = _load(self.model)
        states = _word_states(text)
        out: list[str] = []
        start = 0
        for batch in _batches(text):
            out.append(self._batch(model, batch, states[start : start + len(batch)]))
            start += len(batch)
        return espeak_order("".join(out))

    def _batch(self, model: Any, text: str, states: list[int]) -> str:
        """One sentence: the model reads its letters and context; marks go back on the letters."""
        seen: list[str] = []  # what the model reads
        where: list[int] = []  # index in ``text`` of each character it reads
        for i, char in enumerate(text):
            if char in DIACRITICS or char == TATWEEL:
                continue  # not shown; copied back as it was
            if _ARABIC_LETTER.match(char) or char in _CONTEXT:
                seen.append(char)
            else:
                seen.append(" ")
            where.append(i)
        if not any(_ARABIC_LETTER.match(c) for c in seen):
            return text
        try:
            result: str = model.diacritize("".join(seen))
        except Exception as exc:
            raise DiacritizationError(
                f"the diacritization model {self.model!r} failed: {_one_line(exc)}"
            ) from exc

        marks = marks_per_base(result)
        if len(marks) != len(seen):
            logger.warning(
                "diacritization skipped a sentence: the model returned %d letters for %d",
                len(marks),
                len(seen),
            )
            return text
        added: dict[int, str] = {}
        for index, letter_marks in zip(where, marks, strict=True):
            state = states[index]
            if not letter_marks or state == _AUTHORED or not _ARABIC_LETTER.match(text[index]):
                continue
            if state == _HAS_TANWIN:
                if text[index + 1 : index + 2] in DIACRITICS:
                    continue  # the author's tanwin is on this letter
                letter_marks = "".join(m for m in letter_marks if m not in TANWIN)
            added[index] = _letter_marks(letter_marks)
        return "".join(char + added.get(i, "") for i, char in enumerate(text))


_BARE, _HAS_TANWIN, _AUTHORED = 0, 1, 2


def _word_states(text: str) -> list[int]:
    """For each character of ``text``: is it in a bare word, a word whose only marks are
    the everyday tanwin fath (``جديداً``), or a word its author diacritized?

    >>> _word_states("ab جداً مَن")
    [0, 0, 0, 1, 1, 1, 1, 0, 2, 2, 2]
    """
    states = [_BARE] * len(text)
    for word in _ARABIC_WORD.finditer(text):
        marks = {c for c in word.group() if c in DIACRITICS}
        if marks:
            state = _HAS_TANWIN if marks == {FATHATAN} else _AUTHORED
            states[word.start() : word.end()] = [state] * (word.end() - word.start())
    return states


def arabic_words(text: str) -> list[str]:
    """The Arabic words of ``text``, with their diacritics, in order.

    >>> arabic_words("قال 3 AI: شَهِدَت، العاصمة")
    ['قال', 'شَهِدَت', 'العاصمة']
    """
    return [m.group().strip(TATWEEL) for m in _ARABIC_WORD.finditer(text)]
