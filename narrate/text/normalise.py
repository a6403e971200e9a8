"""Arabic text made ready for a speech engine: normalised, then cut into short chunks.

Both halves are built the way gTTS builds its tokenizer: a list of small injectable
``str -> str`` (normalising) or ``str -> list[str]`` (splitting) steps, with the
characters they act on kept as data tables at the top of the module. Unlike gTTS's
own table (``gtts/tokenizer/symbols.py``), these know the Arabic question mark ``؟``,
semicolon ``؛`` and comma ``،``.

Normalising also reads, as an Arabic newsreader would, what engines otherwise say in English or
letter by letter: web and e-mail addresses (:func:`read_addresses`), ``&``, ``+``, ``±``, ``×``
and ``/`` (:func:`read_symbols`), and the marks markup leaves in text (:func:`remove_markup`).
These steps run before the lexicon and the number reader, so "AT&T" or "OPEC+" still reach the
lexicon whole, and "#1" reaches the number reader as "رقم 1".

A chunk is what one engine request speaks. Chunks are cut at the strongest boundary
available (line end, then sentence end, then clause mark, then space) and then packed
greedily back together up to the engine's limit, so an article costs as few requests
as possible and a cut never falls inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from narrate import charset

Normalizer = Callable[[str], str]
Split = Callable[[str], list[str]]

# --- Tables -------------------------------------------------------------------

#: The characters the first step unifies, from the shared tables: odd spaces become a space,
#: line separators "\n"; invisible marks, control characters and tatweel (which stretches
#: a word on screen and says nothing) are removed.
SPACE_CHARS = charset.SPACE_CHARS
LINE_END_CHARS = charset.LINE_END_CHARS
INVISIBLE_CHARS = charset.INVISIBLE_CHARS
REMOVED_CHARS = INVISIBLE_CHARS + charset.CONTROL_CHARS + charset.TATWEEL

#: Marks that end a sentence. "۔" is the Urdu/Arabic-script full stop.
SENTENCE_MARKS = ".!?…؟۔"

#: Marks that end a clause inside a sentence.
CLAUSE_MARKS = "،؛,;:—"

#: Marks after which a sentence usually turns into a question or exclamation; a run of
#: them ("؟!", "!!!") is read as its first mark.
TONE_MARKS = "!?؟"

#: Closing quotes and brackets that may follow a mark and still belong to its chunk.
CLOSERS = "\"'»”’)]}›"

#: Marks that never follow a space (the space before them is removed).
NO_SPACE_BEFORE = ".,;:!?،؛؟…"

#: Marks that are always followed by a space before the next word (one is inserted).
#: "." "," and ":" are left out because of "3.5", "1,000" and "08:30".
SPACE_AFTER = "،؛؟…!"

#: Quotation marks, each read as the plain one of its kind: engines say none of them, and one
#: kind of each keeps the closing-quote table above short.
QUOTES = {
    **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
    **dict.fromkeys("‘’‚‛‹›′", "'"),
}

#: Latin marks written in Arabic text, and the Arabic mark each becomes there.
ARABIC_MARKS = {"?": "؟", ",": "،", ";": "؛"}

#: Arabic letters (and the diacritics that may end an Arabic word).
ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc" + charset.DIACRITICS

#: Abbreviations whose "." does not end a sentence: "د. أحمد" is one phrase.
ABBREVIATIONS = frozenset({"د", "أ", "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr"})

#: How a web address or e-mail address is said: "example.com" is "example دوت com" and
#: "info@example.com" "info آت example دوت com", as Arab newsreaders say them. Each part is
#: left in Latin letters for the engine to read as a word; nothing is spelt out.
DOT_WORD = "دوت"
AT_WORD = "آت"

#: Top-level domains recognised without "http" or "www." (besides any two lowercase letters,
#: a country code): a bare "name.tld" is read as a domain only when it ends in one of these,
#: so "Node.js" is, but "U.S.", "e.g." and "report.pdf" are not.
DOMAIN_ENDINGS = frozenset(
    {"com", "net", "org", "info", "gov", "edu", "int", "mil", "news", "online", "site", "tv"}
)

#: What "&" is said as between Arabic words: the conjunction, written onto the next word.
#: Beside Latin words on both sides ("AT&T", "Q&A", "Johnson & Johnson") it is left alone: it
#: is part of a name, the engine says it in English as the name is said, and a lexicon entry
#: may give it any other reading.
AND_WORD = "و"

#: Marks that separate items on a line (bullets, arrows, table pipes): dropped at either end
#: of a line, read as a comma's pause between two items.
SEPARATORS = "•‣◦·▪▫●○■□◆◇►▶▸▹◀◄➤➢→←↑↓⇒⇐⇢|¦"

#: Symbols an engine would read out in English, and what is said instead.
SYMBOL_WORDS = {"±": "زائد أو ناقص", "×": "في", "+": "زائد"}

#: Marks with nothing to say, removed wherever they stand: markup left over from Markdown
#: and chat (``~~``, ``*``, ``_``, ``#``, ``\``, the "@" of a handle) and trade marks.
SILENT_MARKS = "~*_#@\\©®™"

#: Marks read as a word before a number: "#1" is "رقم 1", "~300" is "نحو 300".
BEFORE_NUMBER_WORDS = {"#": "رقم", "~": "نحو"}

#: Written "word/word" forms read as one word. Any other "/" between two Arabic words is read
#: as a space: it joins a title to a name ("السيد/ أحمد"), a unit to a unit ("كم/ساعة") or two
#: alternatives, and no one reading fits all of them.
SLASHED_WORDS = {"و/أو": "أو"}


_chars = charset.char_class


_TRANSLATION = (
    {ord(c): None for c in REMOVED_CHARS}
    | {ord(c): " " for c in SPACE_CHARS}
    | {ord(c): "\n" for c in LINE_END_CHARS}
)
_CRLF = re.compile(r"\r\n")
_BLANKS = re.compile(r"[ ]+")
_LINE_BREAKS = re.compile(r" *\n\s*")
_SPACE_BEFORE = re.compile(rf" +(?=[{_chars(NO_SPACE_BEFORE)}])")
_DOTS = re.compile(r"[.…]{2,}")
_TONE_RUN = re.compile(rf"([{_chars(TONE_MARKS)}])[{_chars(TONE_MARKS)}]+")
_CLAUSE_RUN = re.compile(rf"([{_chars(CLAUSE_MARKS)}])[{_chars(CLAUSE_MARKS)}]+")
_QUOTES = str.maketrans(QUOTES)
# A Latin mark between two Arabic words (or after one, at the end of a line or text); a
# closing quote or bracket may stand between the word and the mark.
_LATIN_MARK = re.compile(
    rf"(?<=[{ARABIC_LETTERS}])([{_chars(CLOSERS)}]?)([{_chars(''.join(ARABIC_MARKS))}])"
    rf"(?=[ {_chars(CLOSERS)}]*(?:[{ARABIC_LETTERS}]|\n|$))"
)
_GLUED = re.compile(rf"([{_chars(SPACE_AFTER)}])(?=\w)")

# Web and e-mail addresses. A URL's characters stop at a space, a quote or a bracket (a balanced
# "(...)" inside it is kept); marks that end it are the sentence's, not the address's.
_URL_CHAR = r"(?:[^\s<>\"«»()\[\]]|\([^\s()<>]*\))"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+[A-Za-z]{{2,}}"
_ENDING = "|".join(sorted(DOMAIN_ENDINGS, key=len, reverse=True))
_LINK = re.compile(
    rf"""
    (?P<open>\ *[(\[<]\ *)?
    (?<![\w.@/+%-])
    (?:
      (?P<url>(?i:https?://|www\.){_URL_CHAR}+)
    | (?P<email>[A-Za-z0-9._%+-]+@{_HOST})(?![\w-]|\.\w)
    | (?P<domain>(?:{_LABEL}\.)+(?:(?i:{_ENDING})|[a-z]{{2}})(?![\w-]|\.\w)(?:/{_URL_CHAR}*)?)
    )
    (?P<close>\ *[)\]>])?
    """,
    re.VERBOSE,
)
_LINK_END = ".,;:!?،؛؟…'"
_HOST_START = re.compile(r"^(?i:[a-z]+://)?(?:[^/@]*@)?(?i:www\d?\.)?")
_HOST_END = re.compile(r"[/?#:]")
_BRACKETS = {"(": ")", "[": "]", "<": ">"}

_SEPARATOR = f"[{_chars(SEPARATORS)}]"
#: Markup read line by line, in order: each pattern and what it becomes.
_MARKUP_LINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ |:-]*\|[ |:-]*$", re.M), ""),  # a table's "|---|---|" rule, or a lone "|"
    # Block quote marks, list bullets and separators at the start of a line, in any mix.
    (re.compile(rf"^ *(?:(?:>|[-+*](?= )|{_SEPARATOR}) *)+", re.M), ""),
    (re.compile(rf"(?: *{_SEPARATOR})+ *$", re.M), ""),
    (re.compile(rf"(?: *{_SEPARATOR})+ *"), "، "),
)
_SILENT = re.compile(f"[{_chars(SILENT_MARKS)}]+")
_DIGITS = "0-9" + charset.ARABIC_INDIC_DIGITS + charset.EASTERN_ARABIC_INDIC_DIGITS
_DIGIT = re.compile(f"[{_DIGITS}]")
_AMPERSAND = re.compile(r"(?: *&)+ *")
_ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
_SLASHED = re.compile(
    "(?<!\\w)(?:"
    + "|".join(" */ *".join(map(re.escape, k.split("/"))) for k in SLASHED_WORDS)
    + ")(?!\\w)"
)
_SLASH = re.compile(rf"(?<=[{ARABIC_LETTERS}]) */ *(?=[{ARABIC_LETTERS}])")
_BEFORE_NUMBER = re.compile(rf"[{_chars(''.join(BEFORE_NUMBER_WORDS))}](?=[{_DIGITS}])")
# The "+" of "C++" and "OPEC+" belongs to the name (the lexicon's to read); any other is a word.
_SYMBOL = re.compile(r"(?<![A-Za-z+])\+(?!\+)|[±×]")
#: Beside these a removed mark or an inserted word needs no space: "(#غزة)" is "(غزة)".
_NO_GAP_AFTER = "([{<\"'"
_NO_GAP_BEFORE = ")]}>\"'" + NO_SPACE_BEFORE
# A one-letter proclitic written alone stays joined to the word after a removed mark: "و**جدا**".
_LONE_PROCLITIC = re.compile(r"(?:^|(?<=\s))[وفبلك]$")


def _said_as(words: str, match: re.Match[str]) -> str:
    """``words`` in place of ``match``, spaced from the words beside it (one space if empty)."""
    text, start, end = match.string, match.start(), match.end()
    before, after = text[start - 1 : start], text[end : end + 1]
    left = bool(before) and not before.isspace() and before not in _NO_GAP_AFTER
    left = left and not _LONE_PROCLITIC.search(text, 0, start)
    right = bool(after) and not after.isspace() and after not in _NO_GAP_BEFORE
    if not words:
        return " " if left and right else ""
    return (" " if left else "") + words + (" " if right else "")


def _dotted(name: str) -> str:
    return f" {DOT_WORD} ".join(part for part in name.split(".") if part)


def _say_link(match: re.Match[str]) -> str:
    kind = next(k for k in ("url", "email", "domain") if match[k] is not None)
    link = match[kind]
    tail = ""
    while link and link[-1] in _LINK_END:
        link, tail = link[:-1], link[-1] + tail
    opener, closer = (match["open"] or "").strip(), (match["close"] or "").strip()
    if opener and _BRACKETS[opener] == closer:
        return _said_as("", match)  # an aside: the sentence reads on without it
    if kind == "email":
        local, host = link.rsplit("@", 1)
        spoken = f"{_dotted(local)} {AT_WORD} {_dotted(host)}"
    else:
        spoken = _dotted(_HOST_END.split(_HOST_START.sub("", link), maxsplit=1)[0])
    return f"{match['open'] or ''}{spoken}{tail}{match['close'] or ''}"


def _say_ampersand(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before, after = text[start - 1 : start], text[end : end + 1]
    if not (_ARABIC_LETTER.match(before) or _ARABIC_LETTER.match(after)):
        return match.group()  # "AT&T", "Q&A": the name's own "&"
    if not after.strip() or after in NO_SPACE_BEFORE:
        return _said_as("", match)  # nothing after it to join
    return (" " if before.strip() else "") + AND_WORD


def _remove_mark(match: re.Match[str]) -> str:
    mark, after = match.group(), match.string[match.end() : match.end() + 1]
    if mark in BEFORE_NUMBER_WORDS and _DIGIT.match(after):
        return mark  # "#1", "~300": read by read_symbols
    return _said_as("", match)


# --- Normalising ----------------------------------------------------------------


def unify_characters(text: str) -> str:
    """Odd spaces become spaces, line separators "\\n", invisible marks and tatweel vanish.

    >>> unify_characters("الجمعة\\u00a0\\u0627\\u0640\\u0640\\u0644\\u200fيوم")
    'الجمعة اليوم'
    """
    return _CRLF.sub("\n", text).translate(_TRANSLATION)


def read_addresses(text: str) -> str:
    """Web and e-mail addresses read as a newsreader says them, never letter by letter.

    Scheme, ``www.``, path and query go; the host is read with ``دوت`` for each dot, an e-mail's
    ``@`` as ``آت``. An address in brackets is an aside and is dropped with its brackets.

    >>> read_addresses("زوروا https://www.example.com/news?id=5، أو راسلوا info@example.com")
    'زوروا example دوت com، أو راسلوا info آت example دوت com'
    >>> read_addresses("نشر البيان (https://example.com/a) أمس على موقع aljazeera.net.")
    'نشر البيان أمس على موقع aljazeera دوت net.'
    """
    return _LINK.sub(_say_link, text)


def remove_markup(text: str) -> str:
    """Marks left from Markdown, tables and lists go; bullets and pipes between items are a pause.

    Removed: quote marks and list bullets at the start of a line, ``|---|`` table rules, and
    ``~ * _ # @ \\`` wherever they stand (a hashtag or handle keeps its word; ``_`` between
    words is a space). A bullet, arrow or ``|`` between two items is read as ``،``.

    >>> print(remove_markup("> **عاجل** | #غزة_الآن\\n• @AJArabic ~~خبر~~"))
    عاجل، غزة الآن
    AJArabic خبر
    """
    text = _SILENT.sub(_remove_mark, text)
    for pattern, replacement in _MARKUP_LINES:
        text = pattern.sub(replacement, text)
    return text


def read_symbols(text: str) -> str:
    """Symbols an engine would say in English, said in Arabic: ``& + ± × / #1 ~3``.

    ``&`` between Arabic words is the conjunction ``و``, written onto the next word; beside
    Latin words it is left to the name it belongs to (and to the lexicon).

    >>> read_symbols("انهيار سد & إجلاء السكان و/أو AT&T")
    'انهيار سد وإجلاء السكان أو AT&T'
    >>> read_symbols("ملعب 100×60 مترا، الرمز +966، المرتبة #1، عدد ~300")
    'ملعب 100 في 60 مترا، الرمز زائد 966، المرتبة رقم 1، عدد نحو 300'
    """
    # Each rule's words are Arabic: the rules after it then see them beside "&" and "/".
    text = _BEFORE_NUMBER.sub(lambda m: _said_as(BEFORE_NUMBER_WORDS[m.group()], m), text)
    text = _SYMBOL.sub(lambda m: _said_as(SYMBOL_WORDS[m.group()], m), text)
    text = _AMPERSAND.sub(_say_ampersand, text)
    text = _SLASHED.sub(lambda m: SLASHED_WORDS[re.sub(r" *", "", m.group())], text)
    return _SLASH.sub(" ", text)


def collapse_whitespace(text: str) -> str:
    """Runs of spaces become one space, runs of line ends (with blank lines) one "\\n".

    >>> collapse_whitespace("  أ   ب \\n\\n  ج ")
    'أ ب\\nج'
    """
    return _LINE_BREAKS.sub("\n", _BLANKS.sub(" ", text)).strip()


def remove_space_before_punctuation(text: str) -> str:
    """A mark belongs to the word it follows.

    >>> remove_space_before_punctuation("قال ، ثم سأل ؟")
    'قال، ثم سأل؟'
    """
    return _SPACE_BEFORE.sub("", text)


def unify_quotes(text: str) -> str:
    """Curly quotes, low quotes and guillemets become plain ``"`` and ``'``.

    >>> print(unify_quotes("قال «نعم» و“لا” و‘ربما’"))
    قال "نعم" و"لا" و'ربما'
    """
    return text.translate(_QUOTES)


def arabic_punctuation(text: str) -> str:
    """A Latin ``?``, ``,`` or ``;`` between Arabic words becomes ``؟``, ``،`` or ``؛``.

    Between digits (``1,000``) or Latin words the mark is left alone.

    >>> arabic_punctuation("لماذا? حمص, حماة; إدلب")
    'لماذا؟ حمص، حماة؛ إدلب'
    >>> arabic_punctuation("Aleppo, حلب 1,000")
    'Aleppo, حلب 1,000'
    """
    return _LATIN_MARK.sub(lambda m: m.group(1) + ARABIC_MARKS[m.group(2)], text)


def collapse_punctuation(text: str) -> str:
    """Repeated marks are read once; two or more dots are a pause, written "…".

    >>> collapse_punctuation("حلب.. قبل!!! لماذا؟!، ،، ثم.....")
    'حلب… قبل! لماذا؟، ، ثم…'
    """
    text = _DOTS.sub("…", text)
    text = _TONE_RUN.sub(r"\1", text)
    return _CLAUSE_RUN.sub(r"\1", text)


def space_after_punctuation(text: str) -> str:
    """A word glued to the mark before it ("قال،ثم") is separated from it.

    >>> space_after_punctuation("قال،ثم حلب…قبل")
    'قال، ثم حلب… قبل'
    """
    return _GLUED.sub(r"\1 ", text)


#: The normalising steps, in order.
NORMALIZERS: tuple[Normalizer, ...] = (
    unify_characters,
    unify_quotes,
    read_addresses,
    remove_markup,
    read_addresses,  # again: a removed mark may have joined one ("example\\.com")
    read_symbols,
    collapse_whitespace,
    remove_space_before_punctuation,
    collapse_punctuation,
    arabic_punctuation,
    space_after_punctuation,
)


def normalize(text: str, steps: Sequence[Normalizer] = NORMALIZERS) -> str:
    """``text`` with every step of ``steps`` applied, in order.

    It reads no number as words (:func:`narrate.text.numbers.verbalize` does, as a later step
    chosen per engine: see :func:`prepare`).

    Line ends are kept (one "\\n" per run of them): they separate headings and
    paragraphs, which :func:`split_chunks` never joins.

    >>> normalize("  مرحبا\\u00a0بكم ، يا  أصدقاء !!!\\n\\n\\nمن\\u200f دمشق.. إلى موسكو ")
    'مرحبا بكم، يا أصدقاء!\\nمن دمشق… إلى موسكو'
    >>> normalize("لماذا ؟؟ ،، قــــال")
    'لماذا؟، قال'
    """
    for step in steps:
        text = step(text)
    return text


def prepare(text: str, steps: Sequence[Normalizer]) -> str:
    """``text`` passed through ``steps``, each a ``str -> str`` function, in order.

    The text stages for one engine are composed here, for instance
    ``prepare(text, [normalize, lexicon.apply, numbers.verbalize, diacritize])``.
    :func:`normalize` is only the first of them: reading numbers as words, or adding
    diacritics, depends on the engine, so it is left to the caller to choose.

    >>> prepare("  قــال ،  ثم", [normalize, str.split, "_".join])
    'قال،_ثم'
    """
    for step in steps:
        text = step(text)
    return text


# --- Splitting --------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, stripped.

    >>> split_lines("عنوان\\n\\n  فقرة أولى. \\n")
    ['عنوان', 'فقرة أولى.']
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def breaker(marks: str, *, not_after: frozenset[str] = frozenset()) -> Split:
    """A split step that cuts at the spaces following any of ``marks``.

    A mark keeps the closing quotes or brackets right after it, and stays with the
    part it ends. A "." after a word in ``not_after`` (compared in lower case) is
    not a cut.
    """
    mark = f"[{_chars(marks)}]"
    pattern = re.compile(rf"(?:(?<={mark})|(?<={mark}[{_chars(CLOSERS)}]))\s+")

    def split(text: str) -> list[str]:
        parts: list[str] = []
        start = 0
        for match in pattern.finditer(text):
            head = text[start : match.start()]
            last_word = head.rsplit(maxsplit=1)[-1] if head.strip() else ""
            if last_word.endswith(".") and last_word[:-1].lower() in not_after:
                continue
            parts.append(head)
            start = match.end()
        parts.append(text[start:])
        return [part.strip() for part in parts if part.strip()]

    return split


_sentence_breaker = breaker(SENTENCE_MARKS, not_after=ABBREVIATIONS)
_clause_breaker = breaker(CLAUSE_MARKS)


def split_sentences(text: str) -> list[str]:
    """Cut after the marks that end a sentence.

    >>> split_sentences('قال د. أحمد: "انتهى." ثم سأل: لماذا؟ لا… أبدا')
    ['قال د. أحمد: "انتهى."', 'ثم سأل: لماذا؟', 'لا…', 'أبدا']
    """
    return _sentence_breaker(text)


def split_clauses(text: str) -> list[str]:
    """Cut after the marks that end a clause.

    >>> split_clauses("حمص، حماة، إدلب؛ ثم دمشق: العاصمة")
    ['حمص،', 'حماة،', 'إدلب؛', 'ثم دمشق:', 'العاصمة']
    """
    return _clause_breaker(text)


def split_words(text: str) -> list[str]:
    """Cut at every space.

    >>> split_words("في يوم  الجمعة")
    ['في', 'يوم', 'الجمعة']
    """
    return text.split()


#: The split steps, strongest boundary first. Each is tried only on parts that are
#: still longer than the limit.
SPLITTERS: tuple[Split, ...] = (split_sentences, split_clauses, split_words)


def hard_split(text: str, max_chars: int) -> list[str]:
    """``text`` cut every ``max_chars`` characters, whatever it cuts through.

    The last resort, used only for a part that no step could cut: with the default
    steps that is a single word longer than the limit (a URL, say).

    >>> hard_split("abcdefg", 3)
    ['abc', 'def', 'g']
    """
    return [text[i : i + max_chars] for i in range(0, len(text), max_chars)]


def pack(parts: Sequence[str], max_chars: int) -> list[str]:
    """Consecutive ``parts`` joined by spaces into as few pieces of at most ``max_chars``.

    Every part must already fit.

    >>> pack(["نعم.", "لا.", "ربما هذا."], 8)
    ['نعم. لا.', 'ربما هذا.']
    """
    packed: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + 1 + len(part) <= max_chars:
            current = f"{current} {part}"
        else:
            if current:
                packed.append(current)
            current = part
    if current:
        packed.append(current)
    return packed


def _fit(text: str, steps: Sequence[Split], max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    if not steps:
        return hard_split(text, max_chars)
    first, rest = steps[0], steps[1:]
    parts = first(text)
    if parts == [text]:
        return _fit(text, rest, max_chars)
    pieces = [piece for part in parts for piece in _fit(part, rest, max_chars)]
    return pack(pieces, max_chars)


def split_chunks(text: str, max_chars: int, steps: Sequence[Split] = SPLITTERS) -> list[str]:
    """``text`` cut into chunks of at most ``max_chars`` characters, none empty.

    Each line is cut on its own (a heading has no final mark, so running it into the
    next line would lose the pause after it). Within a line a part longer than the
    limit is cut by the first of ``steps``, its pieces that are still too long by the
    next one, and so on; the pieces are then packed back together, so a chunk holds
    as many whole sentences (or clauses, or words) as fit. A mark stays at the end
    of the chunk it closes. Joining the chunks with spaces gives the words of
    ``text`` back, in order, except that a single word longer than ``max_chars`` is
    cut into ``max_chars`` pieces: it cannot be sent any other way.

    >>> split_chunks("في يوم الجمعة، كان التواصل مستمرا. لماذا؟ لا أحد يعرف؛ ربما غدا.", 25)
    ['في يوم الجمعة،', 'كان التواصل مستمرا.', 'لماذا؟', 'لا أحد يعرف؛ ربما غدا.']
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    return [chunk for line in split_lines(text) for chunk in _fit(line, steps, max_chars)]


def speech_chunks(
    text: str, max_chars: int, steps: Sequence[Normalizer] = (normalize,)
) -> list[str]:
    """``text`` prepared by ``steps`` and cut into chunks an engine can speak one request each.

    >>> speech_chunks("من دمشق إلى موسكو.. لأول مرة التفاصيل الكاملة !!", 20)
    ['من دمشق إلى موسكو…', 'لأول مرة التفاصيل', 'الكاملة!']
    """
    return split_chunks(prepare(text, steps), max_chars)
