"""HTML page -> :class:`~narrate.models.Article`: the article body only, parsed by BeautifulSoup.

BeautifulSoup with the standard library's ``html.parser`` (no compiled dependency; a news page
parses in milliseconds) reads the page. Then:

1. **metadata** from the whole page: ``<meta name="author">``, ``article:published_time`` and
   kin (:data:`AUTHOR_METAS`, :data:`DATE_METAS`), JSON-LD ``author``/``datePublished``/``headline``
   (bad JSON is ignored), byline elements, ``<time datetime>``;
2. **never text** goes everywhere (:data:`NEVER_TEXT_TAGS`: scripts, styles, SVG, iframes, figures
   and their captions, form controls ...), and so do hidden elements (``hidden``,
   ``aria-hidden="true"``, ``display: none``);
3. **the body**: the largest ``<article>``, else ``<main>``, else ``<body>``;
4. **the title**: the first ``<h1>`` of the body (then of the page, outside its navigation), else
   JSON-LD ``headline``, ``og:title``, ``<title>`` without the site's name;
5. **page furniture** inside the body goes: :data:`FURNITURE_TAGS` (nav, aside, footer, form ...)
   and elements whose class or id names junk (:data:`JUNK_CLASS_WORDS`, :data:`JUNK_CLASS_PARTS`:
   ads, related links, share and social widgets, newsletters, comments). An element holding most
   of the body's paragraph text is kept whatever it is called: ASP.NET pages wrap everything in
   a ``<form>``, and some sites put a "sidebar" class on the main column;
6. **blocks**: ``h1``-``h3`` are headings; every other block element, ``<li>`` and ``<br>`` ends a
   paragraph; entities are decoded by the parser.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag
from bs4.exceptions import ParserRejectedMarkup

from narrate.errors import ArticleError
from narrate.models import Article
from narrate.read.blocks import Block, build_article
from narrate.read.cleaning import normalise_line
from narrate.read.metadata import (
    Metadata,
    clean_author,
    parse_author_line,
    parse_date_line,
    parse_machine_date,
)
from narrate.read.plain import is_heading_line

logger = logging.getLogger(__name__)

__all__ = [
    "AUTHOR_METAS",
    "DATE_METAS",
    "FURNITURE_TAGS",
    "JUNK_CLASS_PARTS",
    "JUNK_CLASS_WORDS",
    "NEVER_TEXT_TAGS",
    "SITE_HEADER_WORDS",
    "parse_html",
    "segment_html",
]

# --- Tables -------------------------------------------------------------------------------------

#: Elements that never hold article text, removed wherever they are.
NEVER_TEXT_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "picture",
    "img",
    "map",
    "figure",
    "figcaption",
    "button",
    "select",
    "textarea",
    "input",
    "dialog",
    "head",
    "title",
    # Struck-out text is a correction the page shows, not words to read (as in Markdown).
    "del",
    "s",
    "strike",
)

#: Page furniture, removed inside the article body unless it holds most of the body's text.
FURNITURE_TAGS: tuple[str, ...] = ("nav", "aside", "footer", "form", "menu")

#: Class and id words (split at "-", "_" and spaces) that mark junk.
JUNK_CLASS_WORDS: frozenset[str] = frozenset(
    {
        "ad",
        "ads",
        "adv",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "banner",
        "sponsor",
        "sponsored",
        "promo",
        "promoted",
        "related",
        "share",
        "shares",
        "sharing",
        "social",
        "newsletter",
        "subscribe",
        "subscription",
        "comment",
        "comments",
        "breadcrumb",
        "breadcrumbs",
        "tag",
        "tags",
        "popular",
        "trending",
        "recommended",
        "recommendations",
        "cookie",
        "cookies",
        "popup",
        "modal",
        "sidebar",
        "widget",
        "widgets",
        "print",
        "hidden",
        "caption",
        "footer",
        "nav",
        "navbar",
        "navigation",
        "copyright",
    }
)
#: Class and id substrings that mark junk wherever they appear in a name.
JUNK_CLASS_PARTS: tuple[str, ...] = (
    "adsbygoogle",
    "advert",
    "menu",
    "outbrain",
    "taboola",
    "sharethis",
    "addthis",
    "newsletter",
    "breadcrumb",
    "most-read",
    "mostread",
    "read-more",
    "readmore",
    "read-also",
    "also-read",
    "more-news",
    "more-stories",
    "sr-only",
    "visually-hidden",
    "screen-reader",
)
#: Class and id words of a site's header: junk when the body is the whole page, but inside an
#: ``<article>`` or ``<main>`` a header holds the article's title, byline and standfirst.
SITE_HEADER_WORDS: frozenset[str] = frozenset({"header", "masthead", "topbar"})
#: Class and id words of bylines: their author and date are read, then they go.
BYLINE_CLASS_WORDS: frozenset[str] = frozenset(
    {"byline", "author", "authors", "writer", "dateline", "timestamp", "published"}
)

#: ``<meta name|property|itemprop>`` naming the author, in order of trust.
AUTHOR_METAS: tuple[str, ...] = (
    "author",
    "article:author",
    "dc.creator",
    "byl",
    "parsely-author",
    "sailthru.author",
)
#: ``<meta name|property|itemprop>`` giving the publication date, in order of trust.
DATE_METAS: tuple[str, ...] = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dc.date",
    "parsely-pub-date",
    "sailthru.date",
)
#: ``<meta>`` titles, in order of trust (after the page's ``<h1>`` and JSON-LD headline).
TITLE_METAS: tuple[str, ...] = ("og:title", "twitter:title")
#: JSON-LD types of an article.
ARTICLE_TYPES_SUFFIXES: tuple[str, ...] = ("Article", "BlogPosting", "Posting", "Report")

#: Elements that continue a paragraph; every other element ends one.
INLINE_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
_BOLD_TAGS = frozenset({"b", "strong"})
_LIST_TAGS = frozenset({"ul", "ol"})
#: Elements that hold running text: a ``<time>`` inside one is part of a sentence.
_TEXT_BLOCK_TAGS = frozenset(
    {"p", "li", "blockquote", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
#: Site names follow a page ``<title>`` after one of these.
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:«»]{1,2}\s+")
_CLASS_SPLIT = re.compile(r"[-_\s]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: A furniture element holding more than this share of the body's paragraph text is kept.
_MOST_TEXT = 0.5
#: JSON-LD is searched this deep; objects are small, and this bounds hostile input.
_MAX_JSON_DEPTH = 8


# --- Small helpers ------------------------------------------------------------------------------


def _attr(tag: Tag, name: str) -> str:
    """An attribute's value as one string ("" when absent)."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _gone(tag: Tag) -> bool:
    """Whether a tag was decomposed. (``Tag.decomposed`` reads a missing attribute, which bs4
    turns into a search of the whole subtree: quadratic on deep pages.)"""
    return bool(tag.__dict__.get("_decomposed", False))


def _class_names(tag: Tag) -> list[str]:
    return [name.lower() for name in (*_attr(tag, "class").split(), _attr(tag, "id")) if name]


def _is_junk_by_name(tag: Tag, junk_words: frozenset[str] = JUNK_CLASS_WORDS) -> bool:
    for name in _class_names(tag):
        words = _CLASS_SPLIT.split(name)
        if any(word in junk_words for word in words):
            return True
        if any(part in name.replace("_", "-") for part in JUNK_CLASS_PARTS):
            return True
    return False


def _is_byline(tag: Tag) -> bool:
    return (
        any(w in BYLINE_CLASS_WORDS for n in _class_names(tag) for w in _CLASS_SPLIT.split(n))
        or _attr(tag, "rel").lower() == "author"
        or _attr(tag, "itemprop").lower() == "author"
    )


def _is_hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or _attr(tag, "aria-hidden").strip().lower() == "true"
        or bool(_HIDDEN_STYLE.search(_attr(tag, "style")))
    )


def _text(tag: Tag) -> str:
    return normalise_line(tag.get_text(" "))


class _TextShare:
    """Whether an element holds most of the body's text: its paragraph text when the body has
    ``<p>`` elements, else all of its text (old pages separate paragraphs with ``<br>``)."""

    def __init__(self, root: Tag) -> None:
        self._by_paragraphs = root.find("p") is not None
        self._total = self._size(root)

    def _size(self, tag: Tag) -> int:
        if self._by_paragraphs:
            return sum(len(p.get_text()) for p in _tags(tag, "p"))
        return len(tag.get_text())

    def holds_most(self, tag: Tag) -> bool:
        return self._total > 0 and self._size(tag) > _MOST_TEXT * self._total


def _tags(scope: Tag, *names: str) -> Iterator[Tag]:
    for found in scope.find_all(list(names) if names else True):
        if isinstance(found, Tag):
            yield found


# --- Metadata -----------------------------------------------------------------------------------


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta>`` contents by lower-case name, property or itemprop; the first of each wins."""
    found: dict[str, str] = {}
    for meta in _tags(soup, "meta"):
        key = (_attr(meta, "name") or _attr(meta, "property") or _attr(meta, "itemprop")).lower()
        content = _attr(meta, "content").strip()
        if key and content:
            found.setdefault(key.strip(), content)
    return found


def _json_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, ``@graph`` members included, outermost first."""
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            yield from _json_objects(data.get(key), depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _json_objects(item, depth + 1)


def _json_types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k for k in kinds if isinstance(k, str)]


def _json_author(value: Any) -> str | None:
    """Author names from a JSON-LD ``author``: a string, a Person, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:5]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str):
            cleaned = clean_author(normalise_line(name))
            if cleaned:
                names.append(cleaned)
    if not names:
        return None
    arabic = any("\u0600" <= c <= "\u06ff" for name in names for c in name)
    return ("، " if arabic else ", ").join(dict.fromkeys(names))


def _json_ld(soup: BeautifulSoup) -> Metadata:
    """Title, author and date from the page's JSON-LD, articles first."""
    objects: list[dict[str, Any]] = []
    for script in _tags(soup, "script"):
        if "ld+json" not in _attr(script, "type").lower():
            continue
        try:
            data = json.loads(script.get_text())
        except (ValueError, RecursionError):
            logger.debug("ignoring JSON-LD that is not valid JSON")
            continue
        objects.extend(_json_objects(data))
    articles = [
        o for o in objects if any(t.endswith(ARTICLE_TYPES_SUFFIXES) for t in _json_types(o))
    ]
    metadata = Metadata()
    for obj in [*articles, *objects]:
        headline = obj.get("headline")
        published = obj.get("datePublished") or obj.get("dateCreated")
        metadata = metadata.or_else(
            Metadata(
                title=normalise_line(headline) if isinstance(headline, str) else None,
                author=_json_author(obj.get("author")),
                published=parse_machine_date(published) if isinstance(published, str) else None,
            )
        )
    return metadata


def _head_metadata(soup: BeautifulSoup) -> Metadata:
    metas = _metas(soup)
    author = next(
        (
            name
            for key in AUTHOR_METAS
            if (value := metas.get(key)) and "://" not in value
            if (name := parse_author_line(value) or clean_author(normalise_line(value)))
        ),
        None,
    )
    published = next(
        (when for key in DATE_METAS if (when := parse_machine_date(metas.get(key, "")))), None
    )
    title = next((normalise_line(metas[key]) for key in TITLE_METAS if key in metas), None)
    return Metadata(title=title, author=author, published=published)


def _page_title(soup: BeautifulSoup) -> str | None:
    """The ``<title>`` without the site's name: its longest part between separators."""
    tag = soup.find("title")
    if not isinstance(tag, Tag):
        return None
    parts = [part for part in _TITLE_SEPARATORS.split(_text(tag)) if part]
    return max(parts, key=len) if parts else None


def _byline_metadata(root: Tag) -> Metadata:
    """Author and date from byline elements, which are then removed from the body."""
    author: str | None = None
    published = None
    share = _TextShare(root)
    for tag in list(_tags(root)):
        if _gone(tag) or not _is_byline(tag) or share.holds_most(tag):
            continue
        text = _text(tag)
        if author is None and text:
            author = parse_author_line(text) or clean_author(text)
        for time in [tag, *_tags(tag, "time")]:
            published = published or parse_machine_date(_attr(time, "datetime"))
        line = parse_date_line(text)
        published = published or (line.when if line else None)
        logger.debug("removing byline %r", text)
        tag.decompose()
    return Metadata(author=author, published=published)


def _time_metadata(root: Tag) -> Metadata:
    """The first ``<time>`` that parses; a ``<time>`` standing alone (not inside a sentence's
    paragraph) is a dateline and leaves the body."""
    published = None
    for time in list(_tags(root, "time")):
        published = published or parse_machine_date(_attr(time, "datetime") or time.get_text())
        container = next((p for p in time.parents if p.name not in INLINE_TAGS), None)
        if container is None or container.name not in _TEXT_BLOCK_TAGS:
            logger.debug("removing dateline %r", _text(time))
            time.decompose()
    return Metadata(published=published)


# --- Body ---------------------------------------------------------------------------------------


def _remove_never_text(soup: BeautifulSoup) -> None:
    for tag in list(_tags(soup, *NEVER_TEXT_TAGS)):
        if not _gone(tag):
            tag.decompose()
    for tag in list(_tags(soup)):
        if not _gone(tag) and _is_hidden(tag):
            tag.decompose()


def _choose_root(soup: BeautifulSoup) -> Tag:
    """The largest ``<article>``, else ``<main>`` or ``role=main``, else ``<body>``."""
    for names in (("article",), ("main",)):
        candidates = [t for t in _tags(soup, *names) if _text(t)]
        if candidates:
            return max(candidates, key=lambda t: len(t.get_text()))
    role_main = next((t for t in _tags(soup) if _attr(t, "role").lower() == "main"), None)
    if role_main is not None and _text(role_main):
        return role_main
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def _in_site_chrome(tag: Tag, root: Tag) -> bool:
    """Whether a tag sits in the page's navigation, header, footer or asides (outside ``root``)."""
    for parent in tag.parents:
        if parent is root:
            return False
        if parent.name in (*FURNITURE_TAGS, "header") and parent.find_parent("article") is None:
            return True
    return False


def _take_h1(soup: BeautifulSoup, root: Tag) -> str | None:
    """The article's ``<h1>`` text, removed from the body when it is in it."""
    for scope in (root, soup):
        for h1 in _tags(scope, "h1"):
            text = _text(h1)
            if text and not (scope is soup and _in_site_chrome(h1, root)):
                h1.decompose()
                return text
    return None


def _remove_furniture(root: Tag) -> None:
    share = _TextShare(root)
    whole_page = root.name in ("body", "[document]")
    furniture = (*FURNITURE_TAGS, "header") if whole_page else FURNITURE_TAGS
    junk_words = JUNK_CLASS_WORDS | SITE_HEADER_WORDS if whole_page else JUNK_CLASS_WORDS
    for tag in list(_tags(root)):
        if _gone(tag):
            continue
        if tag.name not in furniture and not _is_junk_by_name(tag, junk_words):
            continue
        if share.holds_most(tag):
            logger.debug("keeping <%s %s>: it holds most of the text", tag.name, tag.attrs)
            continue
        logger.debug("removing page furniture <%s %s>", tag.name, _class_names(tag))
        tag.decompose()


class _Collector:
    """Turns the text of a tree walk into blocks, one per paragraph or heading."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._all_bold = True
        self.bold = 0
        self.level = 0
        self.lists = 0

    def add(self, text: str) -> None:
        if text.strip() and not self.bold:
            self._all_bold = False
        self._parts.append(text)

    def flush(self) -> None:
        text = normalise_line("".join(self._parts))
        if text:
            level = self.level
            if level == 0 and self._all_bold and not self.lists and is_heading_line(text):
                level = 3  # <p><strong>Subheading</strong></p>
            self.blocks.append(Block(text, level))
        self._parts, self._all_bold = [], True


def _walk(root: Tag, out: _Collector) -> None:
    """Feed the text under ``root`` to ``out`` in document order, flushing at block boundaries.

    Iterative, with an explicit stack: pages nested thousands of elements deep are read, not
    refused.
    """
    # Each frame: the element's remaining children, its name, whether it is a block, and the
    # collector's heading level and bold depth to restore when it closes.
    stack: list[tuple[Iterator[PageElement], str, bool, int, int]] = [
        (iter(root.children), root.name, True, out.level, out.bold)
    ]
    while stack:
        children, name, is_block, saved_level, saved_bold = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if is_block:
                out.flush()
                out.lists -= name in _LIST_TAGS
                out.level, out.bold = saved_level, saved_bold
            else:
                out.bold -= name in _BOLD_TAGS
        elif isinstance(child, Tag):
            if child.name == "br":
                out.flush()
            elif child.name in INLINE_TAGS:
                out.bold += child.name in _BOLD_TAGS
                stack.append((iter(child.children), child.name, False, 0, 0))
            else:
                out.flush()
                stack.append((iter(child.children), child.name, True, out.level, out.bold))
                out.level = _HEADING_LEVELS.get(child.name, out.level)
                out.bold = 0
                out.lists += child.name in _LIST_TAGS
        elif type(child) is NavigableString:  # not a comment, doctype, CDATA ...
            out.add(str(child))


def _parse(text: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(text, "html.parser")
    except (ParserRejectedMarkup, AssertionError, NotImplementedError, RecursionError) as exc:
        raise ArticleError(f"the page cannot be parsed as HTML: {exc}") from exc


def segment_html(text: str) -> Article | None:
    """The article in an HTML page, or None when no text is left to speak."""
    soup = _parse(text)
    declared = _head_metadata(soup)
    ld = _json_ld(soup)
    page_title = _page_title(soup)
    _remove_never_text(soup)
    root = _choose_root(soup)
    h1 = _take_h1(soup, root)
    byline = _byline_metadata(root)
    times = _time_metadata(root)
    _remove_furniture(root)
    metadata = Metadata(title=h1 or ld.title or declared.title or page_title)
    metadata = metadata.or_else(declared).or_else(ld).or_else(byline).or_else(times)
    out = _Collector()
    _walk(root, out)
    return build_article(out.blocks, metadata)


def parse_html(text: str) -> Article:
    """Segment an HTML page's article; raise :class:`ArticleError` if it has nothing to speak."""
    article = segment_html(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article
