r"""Plain-text article -> :class:`~narrate.models.Article`: page junk, metadata, title, segments.

Plain text carries no markup, so the reader works from the *shape* of the text, never from one
article's words:

1. **normalise** every line (odd spaces become one space, invisible characters go);
2. **drop page junk** (:mod:`~narrate.read.cleaning`): junk phrases, "read also" links,
   breadcrumbs, short lines repeated back to back, lines without a letter or digit;
3. **read metadata**: byline and date lines near the top give the author and publication date
   (:mod:`~narrate.read.metadata`) and leave the body;
4. **split into blocks**: runs of non-blank lines, also cut after a line that ends a sentence
   (web copy often has no blank lines at all, one paragraph per line);
5. **take the title**: the first short line, or else the first sentence of the first paragraph;
6. **find headings**: a short line with no sentence-final punctuation, followed by body text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.read.cleaning import (
    drop_junk_lines,
    drop_repeated_lines,
    is_short_line,
    normalise_line,
)
from narrate.read.metadata import take_metadata_lines

logger = logging.getLogger(__name__)

__all__ = [
    "NOT_HEADING_FINAL",
    "ends_sentence",
    "is_heading_line",
    "parse_text",
    "segment_text",
    "title_from_paragraph",
]

#: Titles may run longer than headings.
TITLE_MAX_WORDS = 24
TITLE_MAX_CHARS = 160
#: A title taken from the first sentence of a paragraph is cut to this many words.
DERIVED_TITLE_WORDS = 12
#: The first line of a multi-line block is a heading only when it is at most this fraction of the
#: block's longest other line; the first line of a hard-wrapped paragraph is full width.
HEADING_WIDTH_RATIO = 0.6

#: Line endings that close a sentence: the next line starts a new paragraph.
SENTENCE_FINAL = ".!?؟…"
#: Line endings a heading cannot have; a question mark is allowed (a question heading).
NOT_HEADING_FINAL = ".!…،؛:;,—–-"
_SENTENCE_FINAL_MARKS = frozenset(SENTENCE_FINAL)
_NOT_HEADING_FINAL_MARKS = frozenset(NOT_HEADING_FINAL)
#: Closing quotes and brackets are looked through when reading a line's last mark.
_CLOSERS = "\"'»”’)]}›"
#: A sentence ends at one full stop (not "..", which Arabic writers use as a dash), or at a run
#: of ! ? ؟, before a space or the end of the text.
_SENTENCE_END = re.compile(r"(?:(?<!\.)\.(?!\.)|[!?؟]+)[\"'»”’)\]]*(?=\s|$)")

Block = tuple[str, ...]


def last_mark(line: str) -> str:
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
    return last_mark(line) in _SENTENCE_FINAL_MARKS


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
        and last_mark(line) not in _NOT_HEADING_FINAL_MARKS
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
        cut = " ".join(words[:max_words]).rstrip(NOT_HEADING_FINAL + " ")
        return (cut or " ".join(words[:max_words])) + "…"
    return " ".join(words).rstrip(NOT_HEADING_FINAL + " ") or " ".join(words)


def is_title_line(line: str) -> bool:
    """Whether a line can be a title: like a heading, but it may run longer."""
    return (
        is_short_line(line, TITLE_MAX_WORDS, TITLE_MAX_CHARS)
        and any(c.isalpha() for c in line)
        and last_mark(line) not in _NOT_HEADING_FINAL_MARKS
    )


def take_title(blocks: Sequence[Block]) -> tuple[str, list[Block]]:
    """Split off the title: the first line if it is short and unpunctuated, else a derived one.

    A derived title leaves its paragraph in place. An article that is nothing but its title
    keeps that line as its only paragraph, so there is something to speak.
    """
    first, rest = blocks[0], list(blocks[1:])
    if is_title_line(first[0]) and (len(first) == 1 or _first_line_stands_out(first)):
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


def segment_text(text: str) -> Article | None:
    """The article in ``text``, or None when nothing but whitespace, page junk and metadata is
    left."""
    lines = [normalise_line(line) for line in text.splitlines()]
    lines = drop_repeated_lines(drop_junk_lines(lines))
    lines, metadata = take_metadata_lines(lines)
    blocks = split_blocks(lines)
    if not blocks:
        return None
    title, body = take_title(blocks)
    article = Article(title=title, segments=build_segments(body))
    return replace(article, author=metadata.author, published=metadata.published)


def parse_text(text: str) -> Article:
    """Segment a plain-text article into a title, an optional lead and headed segments.

    Raises :class:`ArticleError` when the text holds nothing to speak.
    """
    article = segment_text(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article
