r"""Plain-text article -> :class:`~narrate.models.Article`: decoding, page junk, title, segments.

Articles arrive as text copied out of a web page, so they carry the page with them: a
"breaking" tag, share buttons, "read also" links, a photo caption printed twice, non-breaking
spaces and invisible direction marks. The reader works from the *shape* of the text, never from
one article's words:

1. **decode** the bytes (UTF-8 with or without BOM, UTF-16/32 with BOM, Arabic Windows-1256);
2. **normalise** every line (odd spaces become one space, invisible characters go);
3. **drop page junk**: whole lines found in :data:`JUNK_LINES`, lines starting with a
   :data:`READ_ALSO_PREFIXES` phrase, short lines repeated back to back, lines without a letter
   or digit;
4. **split into blocks**: runs of non-blank lines, also cut after a line that ends a sentence
   (web copy often has no blank lines at all, one paragraph per line);
5. **take the title**: the first short line, or else the first sentence of the first paragraph;
6. **find headings**: a short line with no sentence-final punctuation, followed by body text.
"""

from __future__ import annotations

import logging
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from narrate.errors import ArticleError
from narrate.models import Article, Segment

logger = logging.getLogger(__name__)

__all__ = [
    "JUNK_LINES",
    "MAX_ARTICLE_BYTES",
    "READ_ALSO_PREFIXES",
    "normalise_line",
    "parse_text",
    "read_article",
]

#: Files bigger than this are refused before they are decoded (a news article is ~10-100 kB).
MAX_ARTICLE_BYTES = 5_000_000

# --- Tables -------------------------------------------------------------------------------------

#: Web-page furniture that appears as a line of its own: "breaking" tags, share and copy-link
#: buttons, social network names, ad labels. Matched against a whole line after :func:`fold`,
#: so case, hamza on alef, diacritics and surrounding punctuation do not matter.
JUNK_LINES: frozenset[str] = frozenset(
    {
        # breaking / exclusive tags
        "عاجل",
        "عاجل جدا",
        "خبر عاجل",
        "خاص",
        "حصري",
        "حصريا",
        "مباشر",
        "breaking",
        "breaking news",
        "exclusive",
        "live",
        # copy link / share buttons
        "تم نسخ الرابط",
        "نسخ الرابط",
        "انسخ الرابط",
        "تم النسخ",
        "الرابط المختصر",
        "شارك",
        "شاركها",
        "شارك الخبر",
        "شارك المقال",
        "مشاركة",
        "مشاركة الخبر",
        "شارك على فيسبوك",
        "شارك على تويتر",
        "شارك على إكس",
        "شارك على واتساب",
        "شارك على تيليجرام",
        "شارك عبر فيسبوك",
        "شارك عبر تويتر",
        "شارك عبر واتساب",
        "مشاركة على فيسبوك",
        "مشاركة على تويتر",
        "مشاركة عبر فيسبوك",
        "مشاركة عبر تويتر",
        "مشاركة عبر واتساب",
        "فيسبوك",
        "تويتر",
        "إكس",
        "واتساب",
        "تيليجرام",
        "تلغرام",
        "لينكد إن",
        "طباعة",
        "link copied",
        "copy link",
        "share",
        "share this",
        "share on facebook",
        "share on twitter",
        "share on whatsapp",
        "facebook",
        "twitter",
        "whatsapp",
        "telegram",
        "linkedin",
        "email",
        "print",
        "tweet",
        # advertising labels
        "إعلان",
        "اعلان",
        "advertisement",
    }
)

#: A line that starts with one of these is a link to another article: the whole line goes.
READ_ALSO_PREFIXES: tuple[str, ...] = (
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد",
    "طالع أيضا",
    "شاهد أيضا",
    "read also",
    "read more",
)

#: Leading bytes of files people drop in by mistake, and what to call them in the error.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .odt and .epub files are ZIP archives)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"ID3", "an MP3 file"),
    (b"\x7fELF", "a program"),
)

#: Byte-order marks, longest first (a UTF-32 LE mark begins like a UTF-16 LE one).
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)

#: The legacy encoding Arabic Windows saves "ANSI" text in; tried only when UTF-8 fails.
ARABIC_LEGACY_ENCODING = "cp1256"

#: Characters that read as a space: no-break, narrow no-break, figure, ideographic, tab ...
_SPACE_CHARS = (
    "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
#: Invisible characters: soft hyphen, zero-width space/joiners, word joiner, BOM, and the bidi
#: controls (ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
_INVISIBLE_CHARS = (
    "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Control characters other than the line feed (tab is a space, above).
_CONTROL_CHARS = "".join(
    chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in b"\t\n"
)
# Regular expressions, not str.translate: they run in C and a 5 MB article is read in well
# under a second.
_DROPPED = re.compile(f"[{re.escape(_CONTROL_CHARS + _INVISIBLE_CHARS)}]+")
_SPACES = re.compile(f"[{re.escape(_SPACE_CHARS)}]")

#: Headings are short: at most this many words and characters.
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 90
#: Titles may run longer than headings.
TITLE_MAX_WORDS = 24
TITLE_MAX_CHARS = 160
#: A title taken from the first sentence of a paragraph is cut to this many words.
DERIVED_TITLE_WORDS = 12
#: The first line of a multi-line block is a heading only when it is at most this fraction of the
#: block's longest other line; the first line of a hard-wrapped paragraph is full width.
HEADING_WIDTH_RATIO = 0.6

#: Line endings that close a sentence: the next line starts a new paragraph.
_SENTENCE_FINAL = ".!?؟…"
#: Line endings a heading cannot have; a question mark is allowed (a question heading).
_NOT_HEADING_FINAL = ".!…،؛:;,—–-"
_SENTENCE_FINAL_MARKS = frozenset(_SENTENCE_FINAL)
_NOT_HEADING_FINAL_MARKS = frozenset(_NOT_HEADING_FINAL)
#: Closing quotes and brackets are looked through when reading a line's last mark.
_CLOSERS = "\"'»”’)]}›"
#: A sentence ends at one full stop (not "..", which Arabic writers use as a dash), or at a run
#: of ! ? ؟, before a space or the end of the text.
_SENTENCE_END = re.compile(r"(?:(?<!\.)\.(?!\.)|[!?؟]+)[\"'»”’)\]]*(?=\s|$)")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTER_VARIANTS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"))
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")

# Decoding heuristics.
_MAX_CONTROL_SHARE = 0.05  # more C0 control characters than this: binary
_MIN_ARABIC_LETTER_SHARE = 0.8  # legacy decoding must give letters that are mostly Arabic
_MAX_SYMBOL_SHARE = 0.05  # ... and few symbols or unassigned characters

Block = tuple[str, ...]


# --- Normalising and folding --------------------------------------------------------------------


def normalise_line(line: str) -> str:
    r"""One line with odd spaces made plain, invisible characters removed, runs of spaces collapsed.

    >>> normalise_line("\u200f سقوط\u00a0\u00a0حلب\u202f ")
    'سقوط حلب'
    >>> normalise_line("\ufeffنص\u200bمتصل")
    'نصمتصل'
    """
    return " ".join(_SPACES.sub(" ", _DROPPED.sub("", line)).split())


def fold(line: str) -> str:
    """A line's comparison key: case, diacritics, tatweel, alef forms and edge punctuation ignored.

    >>> fold("إقرأ أيضاً:")
    'اقرا ايضا'
    >>> fold("« Breaking »")
    'breaking'
    """
    folded = _ARABIC_MARKS.sub("", line.casefold())
    for variant, letter in _LETTER_VARIANTS:
        folded = folded.replace(variant, letter)
    return " ".join(_EDGE_PUNCTUATION.sub("", folded).split())


_JUNK_KEYS = frozenset(fold(phrase) for phrase in JUNK_LINES)
#: Junk phrases and "read also" prefixes are short; longer lines are looked at this far.
_JUNK_WINDOW = 2 * max(len(phrase) for phrase in (*JUNK_LINES, *READ_ALSO_PREFIXES))
_READ_ALSO_KEYS = tuple(dict.fromkeys(fold(prefix) for prefix in READ_ALSO_PREFIXES))


def _last_mark(line: str) -> str:
    """The line's last character, looking through closing quotes and brackets."""
    stripped = line.rstrip(_CLOSERS + " ")
    return stripped[-1] if stripped else ""


def ends_sentence(line: str) -> bool:
    """Whether the line ends with sentence-final punctuation (. ! ? ؟ …).

    >>> ends_sentence("وانتهى الاجتماع.")
    True
    >>> ends_sentence('قال: "انتهى الأمر!"')
    True
    >>> ends_sentence("حلب.. قبل الحرب")
    False
    """
    return _last_mark(line) in _SENTENCE_FINAL_MARKS


# --- Page junk ----------------------------------------------------------------------------------


def is_junk_line(line: str) -> bool:
    """Whether a whole line is web-page furniture: a junk phrase, a "read also" link, no words.

    >>> is_junk_line("عاجل")
    True
    >>> is_junk_line("اقرأ أيضاً: سقوط حلب")
    True
    >>> is_junk_line("* * *")
    True
    >>> is_junk_line("عاجل: سقوط حلب")
    False
    """
    if len(line) > _JUNK_WINDOW:
        # Too long for a junk phrase: only a "read also" start, or having no word at all, counts.
        return _starts_read_also(fold(line[:_JUNK_WINDOW])) or not any(c.isalnum() for c in line)
    key = fold(line)
    return not key or key in _JUNK_KEYS or _starts_read_also(key)


def _starts_read_also(key: str) -> bool:
    """Whether a folded line starts with a "read also" phrase followed by a non-letter."""
    return any(
        key.startswith(prefix) and not key[len(prefix) : len(prefix) + 1].isalnum()
        for prefix in _READ_ALSO_KEYS
    )


def is_short_line(
    line: str, max_words: int = HEADING_MAX_WORDS, max_chars: int = HEADING_MAX_CHARS
) -> bool:
    """Whether a line is short enough to be a heading (or, with other limits, a title)."""
    return len(line) <= max_chars and len(line.split()) <= max_words


def drop_junk_lines(lines: Sequence[str]) -> list[str]:
    """Blank every junk line (a blank keeps the paragraphs around it apart)."""
    kept = []
    for line in lines:
        if line and is_junk_line(line):
            logger.debug("dropping page junk line %r", line)
            kept.append("")
        else:
            kept.append(line)
    return kept


def drop_repeated_lines(lines: Sequence[str]) -> list[str]:
    """Blank every copy of a short line printed two or more times in a row.

    A photo caption copied from a page often appears twice (caption and image text). Blank lines
    between the copies do not break the run; any other line does, so a heading that recurs with
    body text between its copies is kept.

    >>> drop_repeated_lines(["العنوان", "", "تعليق", "تعليق", "", "نص."])
    ['العنوان', '', '', '', '', 'نص.']
    """
    kept = list(lines)
    filled = [i for i, line in enumerate(lines) if line]
    keys = [fold(lines[i]) if is_short_line(lines[i]) else None for i in filled]
    start = 0
    while start < len(filled):
        end = start + 1
        while end < len(filled) and keys[end] == keys[start]:
            end += 1
        if end - start >= 2 and keys[start] is not None:
            logger.debug(
                "dropping %d copies of repeated line %r", end - start, lines[filled[start]]
            )
            for i in filled[start:end]:
                kept[i] = ""
        start = end
    return kept


# --- Blocks, title, headings --------------------------------------------------------------------


def split_blocks(lines: Iterable[str]) -> list[Block]:
    """Runs of non-blank lines, each also cut after a line that ends a sentence.

    >>> split_blocks(["أ", "ب.", "ج", "", "", "د"])
    [('أ', 'ب.'), ('ج',), ('د',)]
    """
    blocks: list[Block] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        if current and (not line or ends_sentence(line)):
            blocks.append(tuple(current))
            current = []
    return blocks


def is_heading_line(line: str) -> bool:
    """Whether a line can be a heading: short, has a letter, no sentence-final punctuation.

    A question mark may end it (a question heading); a colon inside it is fine.

    >>> is_heading_line("سقوط حلب")
    True
    >>> is_heading_line("هل انتهت الحرب؟")
    True
    >>> is_heading_line("أولاً: الخلفية")
    True
    >>> is_heading_line("١- البداية")
    True
    >>> is_heading_line("وقال المتحدث:")
    False
    >>> is_heading_line("انتهى الاجتماع.")
    False
    """
    return (
        is_short_line(line)
        and any(c.isalpha() for c in line)
        and _last_mark(line) not in _NOT_HEADING_FINAL_MARKS
    )


def _first_line_stands_out(block: Block) -> bool:
    """Whether a block's first line is much shorter than its body (not a hard-wrapped paragraph)."""
    longest_body = max(len(line) for line in block[1:])
    return len(block[0]) <= HEADING_WIDTH_RATIO * longest_body


def opens_with_heading(block: Block) -> bool:
    """Whether the block is a heading line alone, or a heading line over its body."""
    if not is_heading_line(block[0]):
        return False
    return len(block) == 1 or _first_line_stands_out(block)


def headed_blocks(blocks: Sequence[Block]) -> list[bool]:
    """For each block, whether its first line is a heading.

    A heading alone in its block needs body text after it: before another heading, or at the
    end of the article, it is an ordinary paragraph.

    >>> headed_blocks([("القسم",), ("نص.",), ("فرعي",), ("آخر",), ("نص.",), ("النهاية",)])
    [True, False, False, True, False, False]
    """
    opens = [opens_with_heading(block) for block in blocks]
    return [
        opens[i] and (len(block) > 1 or (i + 1 < len(blocks) and not opens[i + 1]))
        for i, block in enumerate(blocks)
    ]


def title_from_paragraph(paragraph: str, max_words: int = DERIVED_TITLE_WORDS) -> str:
    """A title from a paragraph's first sentence, cut to ``max_words`` words.

    >>> title_from_paragraph("سقطت حلب في يومين. وانسحب الجيش.")
    'سقطت حلب في يومين'
    >>> title_from_paragraph("حلب.. مدينة تغيرت، ثم تغير كل شيء من حولها في أيام قليلة جدا.")
    'حلب.. مدينة تغيرت، ثم تغير كل شيء من حولها في أيام قليلة…'
    >>> title_from_paragraph("هل انتهت الحرب؟ لا أحد يعرف.")
    'هل انتهت الحرب؟'
    """
    sentence, start = paragraph, 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.end()]
        if any(c.isalnum() for c in candidate):
            sentence = candidate
            break
        start = match.end()
    words = sentence.split()
    if len(words) > max_words:
        cut = " ".join(words[:max_words]).rstrip(_NOT_HEADING_FINAL + " ")
        return (cut or " ".join(words[:max_words])) + "…"
    return " ".join(words).rstrip(_NOT_HEADING_FINAL + " ") or " ".join(words)


def take_title(blocks: Sequence[Block]) -> tuple[str, list[Block]]:
    """Split off the title: the first line if it is short and unpunctuated, else a derived one.

    A derived title leaves its paragraph in place. An article that is nothing but its title
    keeps that line as its only paragraph, so there is something to speak.
    """
    first, rest = blocks[0], list(blocks[1:])
    title_like = (
        is_short_line(first[0], TITLE_MAX_WORDS, TITLE_MAX_CHARS)
        and any(c.isalpha() for c in first[0])
        and _last_mark(first[0]) not in _NOT_HEADING_FINAL_MARKS
    )
    if title_like and (len(first) == 1 or _first_line_stands_out(first)):
        body = [first[1:], *rest] if len(first) > 1 else rest
        return first[0], body or [first]
    return title_from_paragraph(" ".join(first)), list(blocks)


def build_segments(blocks: Sequence[Block]) -> tuple[Segment, ...]:
    """Group blocks under their headings; blocks before the first heading form the lead."""
    segments: list[Segment] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for block, headed in zip(blocks, headed_blocks(blocks), strict=True):
        body = block
        if headed:
            if paragraphs:
                segments.append(Segment(heading, tuple(paragraphs)))
            heading, paragraphs, body = block[0], [], block[1:]
        if body:
            paragraphs.append(" ".join(body))
    if paragraphs:
        segments.append(Segment(heading, tuple(paragraphs)))
    return tuple(segments)


def _segment(text: str) -> Article | None:
    """The article in ``text``, or None when nothing but whitespace and page junk is left."""
    lines = [normalise_line(line) for line in text.splitlines()]
    lines = drop_repeated_lines(drop_junk_lines(lines))
    blocks = split_blocks(lines)
    if not blocks:
        return None
    title, body = take_title(blocks)
    return Article(title=title, segments=build_segments(body))


def parse_text(text: str) -> Article:
    """Segment an article's text into a title, an optional lead and headed segments.

    Raises :class:`ArticleError` when the text holds nothing to speak.
    """
    article = _segment(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article


# --- Reading and decoding -----------------------------------------------------------------------


def _megabytes(size: int) -> str:
    """``5_000_000`` -> ``'5 MB'``."""
    return f"{size / 1_000_000:g} MB"


def _has_binary_controls(text: str) -> bool:
    """Whether text holds a NUL or more C0 control characters than any text file would."""
    if "\x00" in text:
        return True
    sample = text[:65536]
    # Tab, line and page breaks are text; so are a DOS end-of-file mark and terminal colour codes.
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f\v\x1a\x1b")
    return controls > _MAX_CONTROL_SHARE * len(sample)


def _is_arabic_letter(char: str) -> bool:
    return "ARABIC" in unicodedata.name(char, "")


def looks_arabic(text: str) -> bool:
    """Whether text is mostly Arabic letters, spaces and punctuation (a legacy decoding that fits).

    >>> looks_arabic("سقوط حلب، ثم ماذا؟")
    True
    >>> looks_arabic("caf\u00e9 au lait")
    False
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    arabic = sum(1 for c in letters if _is_arabic_letter(c))
    symbols = sum(
        1
        for c in text
        if unicodedata.category(c)[0] in "SC" and not c.isspace() and c not in _INVISIBLE_CHARS
    )
    mostly_arabic = arabic >= _MIN_ARABIC_LETTER_SHARE * len(letters)
    return mostly_arabic and symbols <= _MAX_SYMBOL_SHARE * len(text)


def _mostly_utf8(data: bytes) -> bool:
    """Whether most non-ASCII bytes form valid UTF-8: damaged UTF-8 rather than another encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return good > bad


def _binary_kind(data: bytes) -> str | None:
    """What a known binary format is called, if ``data`` starts like one."""
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def decode_article(data: bytes, path: Path) -> str:
    """Decode an article file's bytes; raise :class:`ArticleError` naming ``path`` if not text."""
    kind = _binary_kind(data)
    if kind is not None:
        raise ArticleError(f"article {path} is a binary file ({kind}), not text")
    for mark, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ArticleError(
                    f"article {path} starts with a {label} byte-order mark "
                    f"but is not valid {label} text"
                ) from exc
            logger.debug("decoded %s as %s", path, label)
            break
    else:
        if _has_binary_controls(data.decode("latin-1")):
            raise ArticleError(f"article {path} is a binary file, not text")
        text = _decode_unmarked(data, path)
    if _has_binary_controls(text):
        raise ArticleError(f"article {path} is a binary file, not text")
    return text


def _decode_unmarked(data: bytes, path: Path) -> str:
    """Decode bytes without a byte-order mark: UTF-8, else Arabic Windows-1256 if it fits."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if not _mostly_utf8(data):
        try:
            legacy = data.decode(ARABIC_LEGACY_ENCODING)
        except UnicodeDecodeError:
            legacy = ""
        if looks_arabic(legacy):
            logger.info("%s is not UTF-8; read it as Arabic Windows-1256", path)
            return legacy
    bad = data[utf8_error.start]
    raise ArticleError(
        f"article {path} is not UTF-8 text (byte 0x{bad:02X} at offset {utf8_error.start}): "
        "save it as UTF-8"
    )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing missing files, directories, unreadable and oversized files."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ArticleError(f"article not found: {path}") from exc
    except PermissionError as exc:
        raise ArticleError(f"cannot read article {path}: permission denied") from exc
    except OSError as exc:
        raise ArticleError(f"cannot read article {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # e.g. a NUL character in the path
        raise ArticleError(f"cannot read article {path!r}: {exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ArticleError(f"article {path} is a directory, not a file")
    too_large = f"article {path} is too large (over {_megabytes(MAX_ARTICLE_BYTES)})"
    if info.st_size > MAX_ARTICLE_BYTES:
        raise ArticleError(too_large)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_ARTICLE_BYTES + 1)
    except PermissionError as exc:
        raise ArticleError(f"cannot read article {path}: permission denied") from exc
    except IsADirectoryError as exc:
        raise ArticleError(f"article {path} is a directory, not a file") from exc
    except OSError as exc:
        raise ArticleError(f"cannot read article {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(too_large)
    return data


def read_article(path: Path) -> Article:
    """Read, decode and segment the article in ``path``.

    Raises :class:`ArticleError`, with a one-line message naming the file, when the file is
    missing, a directory, unreadable, too large, empty, blank, binary or not text in a known
    encoding, or when nothing but page junk is in it.
    """
    data = _read_bytes(path)
    if not data:
        raise ArticleError(f"article {path} is empty")
    text = decode_article(data, path)
    if not _DROPPED.sub("", text).strip():
        raise ArticleError(f"article {path} contains only whitespace")
    article = _segment(text)
    if article is None:
        raise ArticleError(f"article {path} has no text to speak once page junk is removed")
    logger.debug("read %s: %r, %d segments", path, article.title, len(article.segments))
    return article
