"""A pronunciation lexicon: words, names and acronyms replaced by how they should be spoken.

A producer writes one in TOML::

    [words]
    "AI" = "الذكاء الاصطناعي"
    "ناسا" = "نَاسَا"

    [options]               # optional
    case_sensitive = true   # the default: "WHO" is not "who"
    prefixes = true         # the default: "وناسا" and "بالAI" match too (see below)

Narrate ships a default lexicon of acronyms common in Arabic news
(``narrate/data/default-lexicon.toml``); a producer's file is laid over it with
:meth:`Lexicon.merged`, its entries winning.

How an entry matches (:meth:`Lexicon.apply`):

- Whole words only: an entry never matches inside a longer word or number
  ("UN" is left alone in "UNHCR" and "FUN", "ناسا" in "ناسات").
- All entries are tried in one pass over the text, the longest first, so
  "UNESCO" beats "UN" and a replacement is never itself replaced again.
- Arabic text may carry diacritics or tatweel the entry does not: they are
  skipped when matching (the entry "ناسا" matches "نَاسَا" and the whole word,
  marks included, is replaced). Diacritics and tatweel in a key are ignored.
- Arabic proclitics written onto a word are kept and the rest matches:
  the conjunctions و/ف, then the prepositions ب/ل/ك and the article ال
  (ب ل ك ال بال كال لل, e.g. "وبالناسا", "للAI"); an article may also stand
  apart, with tatweel or one space ("الـ AI", "ال AI"). When the spoken form itself
  starts with ال, the article is not doubled and ل+ال is written لل
  ("بالAI" → "بالذكاء الاصطناعي", "لAI" → "للذكاء الاصطناعي").
  Arabic keys of fewer than three letters match only as whole words, since
  "كم" would otherwise be found in "بكم"; ``prefixes = false`` turns
  proclitics off for every key in the file.
- Latin letters compare case-sensitively unless ``case_sensitive = false``.

A spoken form may be empty (the word is dropped) but may not contain a line break
or control character.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from narrate.charset import CONTROL_CHARS, DIACRITICS, LINE_END_CHARS, TATWEEL, char_class
from narrate.errors import NarrateError

logger = logging.getLogger(__name__)

#: Options a lexicon file may set, with their defaults.
OPTIONS: Mapping[str, bool] = {"case_sensitive": True, "prefixes": True}

#: Tables a lexicon file may have.
TABLES = ("words", "options")

#: Arabic keys shorter than this (in letters) match only as whole words.
MIN_PREFIXED_LETTERS = 3

_DEFAULT_RESOURCE = "default-lexicon.toml"

# Marks that may sit on an Arabic letter without changing which word it is.
_MARKS = f"[{char_class(DIACRITICS + TATWEEL)}]*"
_STRIP_MARKS = str.maketrans("", "", DIACRITICS + TATWEEL)
_FORBIDDEN_IN_SPOKEN = re.compile(f"[{char_class(CONTROL_CHARS + LINE_END_CHARS + chr(10))}]")

_CONJUNCTIONS = "وف"
# Longest first: the regex alternation takes the first that fits.
_PREPOSITIONS = ("بال", "كال", "لل", "ال", "ب", "ل", "ك")


class LexiconError(NarrateError, ValueError):
    """A pronunciation lexicon file cannot be read or has a bad entry."""


def _is_arabic_letter(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" and unicodedata.category(char).startswith("L")


def _tolerant(text: str) -> str:
    """A regex for ``text`` that lets diacritics and tatweel follow each Arabic letter.

    >>> bool(re.fullmatch(_tolerant("ناسا"), "نَاسَا"))
    True
    """
    parts = []
    for char in text:
        if char == " ":
            parts.append(r"[^\S\n]+")
        elif _is_arabic_letter(char):
            parts.append(re.escape(char) + _MARKS)
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def join_proclitic(prefix: str, spoken: str) -> str:
    """Write the proclitics ``prefix`` onto ``spoken`` as Arabic spelling wants.

    >>> join_proclitic("و", "الأمم المتحدة")
    'والأمم المتحدة'
    >>> join_proclitic("بال", "الذكاء الاصطناعي")
    'بالذكاء الاصطناعي'
    >>> join_proclitic("ل", "الذكاء الاصطناعي")
    'للذكاء الاصطناعي'
    >>> join_proclitic("فلل", "الأمم المتحدة")
    'فللأمم المتحدة'
    >>> join_proclitic("الـ ", "ناسا")
    'الناسا'
    """
    bare = prefix.translate(_STRIP_MARKS).rstrip()
    if not spoken.startswith("ال"):
        return bare + spoken
    # The spoken form has its own article: drop the one written on the prefix.
    if bare.endswith("لل"):
        bare = bare[:-1]
    elif bare.endswith("ال"):
        bare = bare[:-2]
    if bare.endswith("ل"):  # ل + ال is spelled لل
        return bare + spoken[1:]
    return bare + spoken


@dataclass(frozen=True)
class Entry:
    """One word and how to say it.

    ``key`` has its diacritics and tatweel removed. ``prefixes`` says whether Arabic
    proclitics may be written onto the word.
    """

    key: str
    spoken: str
    case_sensitive: bool = True
    prefixes: bool = True

    @property
    def lookup(self) -> str:
        """The key as the matched text is looked up by."""
        return self.key if self.case_sensitive else self.key.casefold()

    def covers(self, other: Entry) -> bool:
        """Whether this entry replaces ``other`` when laid over it."""
        if self.key == other.key:
            return True
        return not self.case_sensitive and self.key.casefold() == other.key.casefold()


def _letters(key: str) -> int:
    return sum(1 for c in key if c.isalpha())


def _prefixable(entry: Entry) -> bool:
    """Whether proclitics may come before ``entry``'s key."""
    if not entry.prefixes:
        return False
    if any(_is_arabic_letter(c) for c in entry.key):
        return _letters(entry.key) >= MIN_PREFIXED_LETTERS
    return True


@dataclass(frozen=True)
class Lexicon:
    """Entries applied together in one pass; build with :meth:`load`, :meth:`default` or merging."""

    entries: tuple[Entry, ...] = ()
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _exact: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _folded: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exact = {e.key: e for e in self.entries if e.case_sensitive}
        folded = {e.lookup: e for e in self.entries if not e.case_sensitive}
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_folded", folded)
        object.__setattr__(self, "_pattern", _compile(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_mapping(
        cls, words: Mapping[str, str], *, case_sensitive: bool = True, prefixes: bool = True
    ) -> Lexicon:
        """A lexicon from a ``word -> spoken`` mapping; raises LexiconError for bad entries."""
        return cls(_entries(words, case_sensitive, prefixes, "lexicon"))

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read a producer's TOML lexicon; raises LexiconError naming the file and the problem."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise LexiconError(f"cannot read the lexicon {path}: {reason}") from exc
        lexicon = _parse(raw, str(path))
        logger.debug("read %d lexicon entries from %s", len(lexicon), path)
        return lexicon

    @classmethod
    def default(cls) -> Lexicon:
        """The built-in lexicon of acronyms common in Arabic news."""
        return _default()

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other`` laid over it: ``other``'s entries win."""
        kept = [e for e in self.entries if not any(o.covers(e) for o in other.entries)]
        return Lexicon((*kept, *other.entries))

    def apply(self, text: str) -> str:
        """``text`` with every entry's word replaced by its spoken form.

        >>> Lexicon.from_mapping({"UN": "الأمم المتحدة"}).apply("قالت الUN، لا UNHCR")
        'قالت الأمم المتحدة، لا UNHCR'
        """
        if self._pattern is None:
            return text
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        prefix, word = match.group("prefix") or "", match.group("word")
        key = " ".join(word.translate(_STRIP_MARKS).split())
        entry = self._exact.get(key) or self._folded.get(key.casefold())
        if entry is None or (prefix and not _prefixable(entry)):
            return match.group(0)
        return join_proclitic(prefix, entry.spoken) if prefix else entry.spoken


def _compile(entries: Iterable[Entry]) -> re.Pattern[str] | None:
    """One regex for every entry: proclitics, then the longest key that fits, on word edges."""
    ordered = sorted(entries, key=lambda e: (-len(e.key), e.key))
    if not ordered:
        return None
    words = "|".join(
        _tolerant(e.key) if e.case_sensitive else f"(?i:{_tolerant(e.key)})" for e in ordered
    )
    preposition = "|".join(
        # "الـ AI": the article may stand apart from a word, joined by tatweel or a space.
        _tolerant(p) + (f"(?:{TATWEEL}+ ?| )?" if p.endswith(("ال", "لل")) else "")
        for p in _PREPOSITIONS
    )
    # Every part of the prefix is lazy: the shortest prefix that lets a key match wins,
    # so a key that itself starts with a proclitic letter ("بكين") is tried whole first.
    prefix = f"(?:[{_CONJUNCTIONS}]{_MARKS})??(?:{preposition})??"
    return re.compile(rf"(?<!\w)(?P<prefix>{prefix})(?P<word>{words})(?!\w)")


def _entries(
    words: Mapping[str, object],
    case_sensitive: bool,
    prefixes: bool,
    source: str,
    text: str = "",
) -> tuple[Entry, ...]:
    """Checked entries from ``words``; ``text`` is the file's, to name the line of a bad one."""
    seen: dict[str, str] = {}
    out = []
    for raw_key, spoken in words.items():

        def fail(problem: str, raw_key: str = raw_key) -> LexiconError:
            return LexiconError(f"{source}: [words] {raw_key!r}{_line_of(text, raw_key)}{problem}")

        if not isinstance(spoken, str):
            raise fail(f" must be text, not {_toml_type(spoken)}")
        key = raw_key.strip().translate(_STRIP_MARKS)
        if not key:
            raise fail(": a word to replace cannot be empty")
        if not any(c.isalnum() for c in key):
            raise fail(": a word to replace needs a letter or digit")
        if _FORBIDDEN_IN_SPOKEN.search(key):
            raise fail(": a word to replace cannot contain a line break")
        if _FORBIDDEN_IN_SPOKEN.search(spoken):
            raise fail(": the spoken form cannot contain a line break")
        entry = Entry(" ".join(key.split()), spoken.strip(), case_sensitive, prefixes)
        if entry.lookup in seen:
            same = "" if case_sensitive else " (case_sensitive = false)"
            raise fail(f" repeats {seen[entry.lookup]!r}{same}")
        seen[entry.lookup] = raw_key
        out.append(entry)
    return tuple(out)


def _toml_type(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list"}
    names |= {dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def _line_of(text: str, key: str) -> str:
    """`` (line N)`` for the first line that sets ``key`` or opens a ``[key]`` table, or nothing."""
    name = "|".join(re.escape(q + key + q) for q in ("", '"', "'"))
    pattern = re.compile(rf"^\s*(?:(?:{name})\s*=|\[\s*(?:{name})\s*\])")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return f" (line {number})"
    return ""


def _parse(raw: bytes, source: str) -> Lexicon:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"the lexicon {source} is not UTF-8 text (byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"the lexicon {source} is not valid TOML: {exc}") from exc

    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise LexiconError(
            f"the lexicon {source} has an unknown table or key {unknown[0]!r}"
            f"{_line_of(text, unknown[0])}: use [words] and [options]"
        )
    words = data.get("words", {})
    options = data.get("options", {})
    for name, value in (("words", words), ("options", options)):
        if not isinstance(value, dict):
            raise LexiconError(
                f"the lexicon {source}: {name} must be a table ([{name}]), not {_toml_type(value)}"
            )
    settings = dict(OPTIONS)
    for name, value in options.items():
        if name not in OPTIONS:
            raise LexiconError(
                f"the lexicon {source} has an unknown option {name!r}{_line_of(text, name)}:"
                f" choose from {', '.join(OPTIONS)}"
            )
        if not isinstance(value, bool):
            raise LexiconError(
                f"the lexicon {source}: option {name}{_line_of(text, name)}"
                f" must be true or false, not {_toml_type(value)}"
            )
        settings[name] = value
    return Lexicon(_entries(words, settings["case_sensitive"], settings["prefixes"], source, text))


@functools.cache
def _default() -> Lexicon:
    try:
        raw = resources.files("narrate").joinpath("data", _DEFAULT_RESOURCE).read_bytes()
    except OSError as exc:
        raise LexiconError(
            f"narrate's built-in lexicon {_DEFAULT_RESOURCE} is missing: reinstall narrate"
        ) from exc
    return _parse(raw, f"built-in {_DEFAULT_RESOURCE}")
