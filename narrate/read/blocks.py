"""An article from explicit headings and paragraphs, as the Markdown and HTML readers find them.

Markup says what is a heading, so nothing is guessed from the text's shape here. What markup
does not say is handled alike for both formats:

- page junk (:mod:`~narrate.read.cleaning`) and byline/date paragraphs near the top
  (:mod:`~narrate.read.metadata`) leave the body, as in plain text;
- the title is a leading level-1 heading, else the title the document declares (front matter,
  ``<title>``), else a leading heading of any level, else a short unpunctuated first paragraph
  (as in plain text), else the first sentence of the first paragraph (which then leaves the
  body, so it is not said twice; a sentence too long to be a title whole is cut and stays);
  a first block that repeats the declared title is dropped;
- headings that follow each other with no text between them become one heading, joined with
  ": " ("الجزء الأول: الخلفية"), so no chapter is empty;
- headings after the last paragraph are spoken as paragraphs: there is nothing for them to head.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrate.models import Article, Segment
from narrate.read.cleaning import drop_repeated_lines, fold, is_junk_line, normalise_line
from narrate.read.metadata import Metadata, take_metadata_lines
from narrate.read.plain import is_title_line, split_first_sentence, title_from_paragraph

logger = logging.getLogger(__name__)

__all__ = ["Block", "build_article", "join_headings"]

#: Headings deeper than this (h4-h6, ####) are read as paragraphs.
MAX_HEADING_LEVEL = 3
#: Punctuation after which a joined heading needs no colon.
_JOIN_AFTER = ":؟?!…"


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1-3) or a paragraph (``level`` 0) of a marked-up article."""

    text: str
    level: int = 0

    @property
    def is_heading(self) -> bool:
        return 0 < self.level <= MAX_HEADING_LEVEL


def join_headings(headings: Sequence[str]) -> str:
    """Headings with nothing between them, as one.

    >>> join_headings(["الجزء الأول", "الخلفية"])
    'الجزء الأول: الخلفية'
    >>> join_headings(["لماذا الآن؟", "الخلفية"])
    'لماذا الآن؟ الخلفية'
    """
    joined = headings[0]
    for heading in headings[1:]:
        joined += (" " if joined[-1] in _JOIN_AFTER else ": ") + heading
    return joined


#: A bullet or hyphen an interview or a list puts before a question, an answer or an item:
#: a mark to the eye, not a word, and no part of a chapter's title (a quote's attribution dash,
#: — or –, stays).
_LEADING_MARK = re.compile(r"^[*•·▪►■◆-]+\s*(?=[^\W\d_])")


def _unmarked(text: str) -> str:
    """``text`` without a leading bullet or dash before its first letter.

    >>> _unmarked("*كيف تقيم الحصيلة؟"), _unmarked("- قطعا لا."), _unmarked("-3% في العام")
    ('كيف تقيم الحصيلة؟', 'قطعا لا.', '-3% في العام')
    """
    return _LEADING_MARK.sub("", text)


def _clean(blocks: Sequence[Block]) -> list[Block]:
    """Blocks normalised, without page junk, repeated captions and leading bullet marks."""
    normalised = [
        Block(_unmarked(normalise_line(b.text)), b.level if b.is_heading else 0) for b in blocks
    ]
    texts = [
        "" if not b.text or is_junk_line(b.text) else b.text for b in normalised
    ]  # junk blanks keep repeated-caption runs apart no more than a blank line would
    texts = drop_repeated_lines(texts)
    return [Block(text, b.level) for text, b in zip(texts, normalised, strict=True) if text]


def _take_metadata(blocks: list[Block]) -> tuple[list[Block], Metadata]:
    texts, metadata = take_metadata_lines([b.text for b in blocks])
    return [Block(text, b.level) for text, b in zip(texts, blocks, strict=True) if text], metadata


def _take_title(blocks: list[Block], declared: str | None) -> tuple[str | None, list[Block]]:
    """The title and the body left after it. A derived title leaves its paragraph in place; any
    other title that the body then repeats as its first block is not said twice."""
    if blocks and blocks[0].level == 1:
        title, body = blocks[0].text, blocks[1:]
    elif declared:
        title, body = declared, blocks
    elif blocks and (blocks[0].is_heading or (len(blocks) > 1 and is_title_line(blocks[0].text))):
        title, body = blocks[0].text, blocks[1:]
    else:
        return _derived_title(blocks)
    if body and fold(body[0].text) == fold(title):
        body = body[1:]  # the page printed its title again
    return title, body


def _derived_title(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """A title from the first paragraph's first sentence, which then leaves the paragraph so it is
    not said twice (once in the intro, then in the lead); a sentence too long to be a title whole
    is cut for the title and stays. A paragraph that is all title stays as the only text when
    nothing else is left to speak."""
    index = next((i for i, b in enumerate(blocks) if not b.is_heading), None)
    if index is None:
        return None, blocks
    paragraph = blocks[index].text
    split = split_first_sentence(paragraph)
    if split is None:
        return title_from_paragraph(paragraph), blocks
    title, rest = split
    body = [*blocks[:index], *([Block(rest)] if rest else []), *blocks[index + 1 :]]
    if not any(not b.is_heading for b in body):
        return title, blocks  # nothing but the title: keep it as the text to speak
    return title, body


def _segments(blocks: Sequence[Block]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    pending: list[str] = []  # headings waiting for a paragraph
    heading: str | None = None
    paragraphs: list[str] = []
    for block in blocks:
        if block.is_heading:
            pending.append(block.text)
            continue
        if pending:
            if paragraphs:
                segments.append(Segment(heading, tuple(paragraphs)))
            heading, paragraphs, pending = join_headings(pending), [], []
        paragraphs.append(block.text)
    paragraphs.extend(pending)  # trailing headings head nothing: speak them as text
    if paragraphs:
        segments.append(Segment(heading, tuple(paragraphs)))
    return tuple(segments)


def build_article(blocks: Sequence[Block], declared: Metadata) -> Article | None:
    """The article made of ``blocks``, with ``declared`` metadata (from front matter or the
    page's head) preferred over byline lines; None when no text is left to speak."""
    kept, found = _take_metadata(_clean(blocks))
    metadata = Metadata(
        title=normalise_line(declared.title) if declared.title else None,
        author=normalise_line(declared.author) if declared.author else None,
        published=declared.published,
    ).or_else(found)
    title, body = _take_title(kept, metadata.title)
    if title is None:
        return None
    segments = _segments(body) or (Segment(None, (title,)),)
    return Article(title, segments, author=metadata.author, published=metadata.published)
