"""The vowel-less measure: how many Arabic words espeak-ng would say with no vowel at all.

A measuring harness for ``scripts/measure-vowels`` and the suite, not part of narrate: it drives
espeak-ng's phonemizer on exactly the chunks a build sends the offline voice, without and with
narrate's diacritization.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from narrate.engines.espeak import EspeakEngine, phonemes
from narrate.models import Article, TextNeeds
from narrate.text.diacritize import Diacritizer, arabic_words
from narrate.text.lexicon import Lexicon
from narrate.text.script import write_script

#: espeak-ng's vowel phonemes for Arabic, as named in its phoneme table
#: (``phsource/ph_arabic``): a i u, their "dark" variants after emphatic consonants
#: a. i. u., each lengthened by a following ``:`` (a: i: u:).
ARABIC_VOWEL_PHONEMES = frozenset({"a", "i", "u", "a.", "i.", "u."})

_PHONEME_SEPARATOR = "|"
_STRESS_MARKS = "',%="  # primary, secondary, unstressed and previous-syllable stress marks
_LENGTH_MARKS = ":-"  # lengthened vowel; syllabic consonant


def vowelless(phonemes: str) -> bool:
    """Whether espeak-ng phonemes (``|`` between phonemes) hold no Arabic vowel.

    >>> vowelless("S|h|d|t")
    True
    >>> vowelless("S|a|h|'i|d|a|t")
    False
    """
    for name in re.split(r"[|\s]+", phonemes):
        if name.lstrip(_STRESS_MARKS).rstrip(_LENGTH_MARKS) in ARABIC_VOWEL_PHONEMES:
            return False
    return True


def vowelless_share(words: Sequence[str], voice: str = "ar") -> float:
    """The share (0 to 1) of ``words`` that espeak-ng would pronounce with no vowel at all.

    Each word is phonemized on its own; a word espeak-ng does not pronounce at all
    counts as vowel-less. Meant for Arabic words: a word espeak-ng switches to another
    language for is judged by the Arabic vowels only. An empty list gives 0.0.
    Raises EngineUnavailable when espeak-ng cannot run here.
    """
    if not words:
        return 0.0
    silent = sum(vowelless(phonemes(w, voice, separator=_PHONEME_SEPARATOR)) for w in words)
    return silent / len(words)


@dataclass(frozen=True)
class VowelCount:
    """The Arabic words of the chunks espeak-ng is sent, and those it says with no vowel at all."""

    words: int
    vowelless: tuple[str, ...]

    @property
    def share(self) -> float:
        """The share (0 to 1) of the words said with no vowel; 0.0 when there are none."""
        return len(self.vowelless) / self.words if self.words else 0.0


def count_vowelless(chunks: Iterable[str], voice: str = "ar") -> VowelCount:
    """The :func:`arabic_words` of ``chunks`` and those espeak-ng says with no vowel.

    Each word is phonemized on its own, as :func:`vowelless_share` does. Raises
    EngineUnavailable when espeak-ng cannot run here.
    """
    words = [word for chunk in chunks for word in arabic_words(chunk)]
    silent: dict[str, bool] = {}  # a word alone is always phonemized the same way
    for word in words:
        if word not in silent:
            silent[word] = vowelless(phonemes(word, voice, separator=_PHONEME_SEPARATOR))
    return VowelCount(len(words), tuple(word for word in words if silent[word]))


@dataclass(frozen=True)
class VowelMeasurement:
    """What espeak-ng is sent for an article, without and with diacritization, counted."""

    before: VowelCount
    after: VowelCount
    #: Chunks sent to espeak-ng without and with diacritization.
    chunks_before: int
    chunks_after: int
    #: Time to prepare the text without diacritization, to load the model, then with it.
    plain_seconds: float
    load_seconds: float
    diacritized_seconds: float


def measure(article: Article, show_title: str, lexicon: Lexicon | None = None) -> VowelMeasurement:
    """Count the vowel-less words in the chunks espeak-ng is sent for ``article``.

    "after" is exactly what a build sends espeak-ng: every chunk of
    ``write_script(article, show_title, EspeakEngine.text_needs, lexicon)`` (intro,
    headings and paragraphs, normalised, with the lexicon applied and numbers written out,
    diacritized with the default model); "before" is the same preparation without the
    diacritization step. ``lexicon`` defaults to :meth:`Lexicon.default`. No cache is used.
    Raises EngineUnavailable when espeak-ng cannot run here and DiacritizationError when the
    model cannot be loaded.
    """

    lexicon = lexicon if lexicon is not None else Lexicon.default()
    needs = EspeakEngine.text_needs
    plain = TextNeeds(max_chars=needs.max_chars, diacritics=False)
    started = time.perf_counter()
    chunks_before = write_script(article, show_title, plain, lexicon).chunks()
    prepared = time.perf_counter()
    Diacritizer().load()  # the model write_script's step uses (shared per process)
    loaded = time.perf_counter()
    chunks_after = write_script(article, show_title, needs, lexicon).chunks()
    done = time.perf_counter()
    return VowelMeasurement(
        before=count_vowelless(chunks_before),
        after=count_vowelless(chunks_after),
        chunks_before=len(chunks_before),
        chunks_after=len(chunks_after),
        plain_seconds=prepared - started,
        load_seconds=loaded - prepared,
        diacritized_seconds=done - loaded,
    )
