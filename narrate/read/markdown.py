"""Markdown article -> :class:`~narrate.models.Article`, parsed as CommonMark by markdown-it-py.

- ``#`` to ``###`` headings are headings (a leading ``#`` is the title); deeper ones are text;
- emphasis is read as plain text; a link keeps its text and drops its URL; images go;
- struck-through text (GFM ``~~...~~``) goes: in a news article it is a correction, and the
  corrected text follows it;
- each list item is a paragraph of its own: news lists hold one fact or one sentence per item,
  and a paragraph each keeps the pause between them that joining them would lose;
- block quotes are read as paragraphs; a table row is a paragraph with its cells joined by "، ";
- code blocks, raw HTML blocks and rules go;
- a paragraph that is nothing but bold, short and unpunctuated is a heading (``**الخلفية**``), as
  many writers mark subheadings that way;
- front matter (``---`` YAML or ``+++`` TOML, simple ``key: value`` lines) gives the title,
  author and date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from narrate.errors import ArticleError
from narrate.models import Article
from narrate.read.blocks import Block, build_article
from narrate.read.metadata import Metadata, parse_machine_date
from narrate.read.plain import is_heading_line

logger = logging.getLogger(__name__)

__all__ = ["FRONT_MATTER_KEYS", "parse_markdown", "read_front_matter"]

#: Front-matter keys and the metadata field each fills; the first key found wins.
FRONT_MATTER_KEYS: dict[str, str] = {
    "title": "title",
    "headline": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "writer": "author",
    "date": "published",
    "published": "published",
    "pubdate": "published",
    "publishdate": "published",
    "published_at": "published",
    "publishedat": "published",
    "date_published": "published",
    "datepublished": "published",
}

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n(?:\1|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*?)\s*$")
_LIST_ITEM = re.compile(r"^\s*-\s+(.*?)\s*$")
_QUOTED = re.compile(r"""^(["'])(.*)\1$""")
#: Separator of a table row's cells when the row is read as a paragraph.
CELL_SEPARATOR = "، "
#: Deepest nesting markdown-it follows (lists in quotes in lists ...); deeper input is flattened
#: by the parser itself, which keeps pathological input from exhausting the stack.
_MAX_NESTING = 50


def _unquote(value: str) -> str:
    match = _QUOTED.match(value)
    return match[2] if match else value


def read_front_matter(text: str) -> tuple[Metadata, str]:
    """The metadata in the article's front matter, and the text after it.

    >>> meta, body = read_front_matter('---\\ntitle: "سقوط حلب"\\nauthor:\\n  - سارة\\n---\\nنص')
    >>> meta.title, meta.author, body
    ('سقوط حلب', 'سارة', 'نص')
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return Metadata(), text
    fields: dict[str, str] = {}
    lines = match[2].split("\n")
    for i, line in enumerate(lines):
        item = _FRONT_MATTER_LINE.match(line)
        if item is None:
            continue
        field = FRONT_MATTER_KEYS.get(item[1].lower())
        if field is None or field in fields:
            continue
        value = _unquote(item[2])
        if value.startswith("[") and value.endswith("]"):  # an inline list: the first item
            value = _unquote(value[1:-1].split(",")[0].strip())
        elif not value and i + 1 < len(lines):  # a block list: the first "- item" below
            listed = _LIST_ITEM.match(lines[i + 1])
            value = _unquote(listed[1]) if listed else ""
        if value:
            fields[field] = value
    published = parse_machine_date(fields["published"]) if "published" in fields else None
    metadata = Metadata(fields.get("title"), fields.get("author"), published)
    return metadata, text[match.end() :]


def _inline_text(token: Token) -> tuple[str, bool]:
    """An inline token's text without markup, and whether all of it is bold.

    Struck-through text (``~~...~~``) is left out: in a news article it is a correction, and
    the text that replaces it follows.
    """
    parts: list[str] = []
    bold = 0
    struck = 0
    all_bold = True
    for child in token.children or ():
        if child.type == "s_open":
            struck += 1
        elif child.type == "s_close":
            struck -= 1
        elif struck:
            continue
        elif child.type in ("text", "code_inline"):
            if child.content.strip() and bold == 0:
                all_bold = False
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        # images, raw inline HTML, link and emphasis markers: nothing to say
    return "".join(parts), all_bold


def _blocks(tokens: Sequence[Token]) -> list[Block]:
    blocks: list[Block] = []
    lists = 0  # list nesting: a bold list item is not a heading
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.append(Block(CELL_SEPARATOR.join(cell for cell in row if cell)))
            row = None
        elif kind == "inline":
            text, all_bold = _inline_text(token)
            opener = tokens[i - 1] if i else None
            if row is not None:
                row.append(text.strip())
            elif opener is not None and opener.type == "heading_open":
                blocks.append(Block(text, int(opener.tag[1:])))
            elif all_bold and lists == 0 and is_heading_line(" ".join(text.split())):
                blocks.append(Block(text, 3))
            else:
                blocks.append(Block(text))
        elif kind in ("fence", "code_block", "html_block"):
            logger.debug("dropping Markdown %s", kind)
    return blocks


def segment_markdown(text: str) -> Article | None:
    """The article in Markdown ``text``, or None when no text is left to speak."""
    text = "\n".join(text.splitlines())
    metadata, body = read_front_matter(text)
    parser = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable(
        ["table", "strikethrough"]
    )
    return build_article(_blocks(parser.parse(body)), metadata)


def parse_markdown(text: str) -> Article:
    """Segment a Markdown article; raise :class:`~narrate.errors.ArticleError` if it is empty."""
    article = segment_markdown(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article
