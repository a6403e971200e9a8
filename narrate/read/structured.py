"""What a web page declares about its article: JSON-LD, OpenGraph, ``<meta>`` and ``<link>``.

A news page says in its head what it is: a JSON-LD ``NewsArticle`` (``headline``, ``author``,
``datePublished``, ``publisher.name``, ``mainEntityOfPage``), OpenGraph properties
(``og:title``, ``og:site_name``, ``og:url``, ``article:published_time``), plain ``<meta>``
(``author``, ``date``, Dublin Core) and ``<link rel="canonical">``. Those are the page's own
words about itself, so they are trusted before anything guessed from the page's text, field by
field:

- **title**: JSON-LD ``headline``, then ``og:title``, ``twitter:title``, ``DC.title``; each
  without a trailing or leading site name (``"headline | site"``);
- **author**: JSON-LD ``author`` (a Person's name, a string, or a list of them; an
  Organization that is the publisher is no author), then :data:`AUTHOR_METAS`;
- **published**: JSON-LD ``datePublished``, then :data:`DATE_METAS`, aware;
- **link**: ``<link rel="canonical">``, then ``og:url``, then JSON-LD ``mainEntityOfPage`` or
  ``url``: an absolute ``http(s)`` address, resolved against the page's own address;
- **site**: ``og:site_name``, then JSON-LD ``publisher.name``, ``application-name``.

Bad JSON is ignored; JSON-LD is searched only so deep (:data:`MAX_JSON_DEPTH`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import Tag

from narrate.read.cleaning import fold, normalise_line
from narrate.read.metadata import clean_author, parse_author_line, parse_machine_date

logger = logging.getLogger(__name__)

__all__ = [
    "ARTICLE_TYPE_SUFFIXES",
    "AUTHOR_METAS",
    "DATE_METAS",
    "LINK_METAS",
    "SITE_METAS",
    "TITLE_METAS",
    "PageMetadata",
    "read_structured",
    "split_site_name",
]

#: ``<meta name|property|itemprop>`` naming the author, in order of trust.
AUTHOR_METAS: tuple[str, ...] = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
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
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "parsely-pub-date",
    "sailthru.date",
)
#: ``<meta>`` titles, in order of trust (after JSON-LD ``headline``).
TITLE_METAS: tuple[str, ...] = ("og:title", "twitter:title", "dc.title", "dcterms.title")
#: ``<meta>`` naming the site, in order of trust (JSON-LD ``publisher`` comes second).
SITE_METAS: tuple[str, ...] = ("og:site_name", "application-name", "al:android:app_name")
#: ``<meta>`` giving the page's own address (after ``<link rel="canonical">``).
LINK_METAS: tuple[str, ...] = ("og:url", "twitter:url")
#: JSON-LD ``@type`` endings of an article (NewsArticle, ReportageNewsArticle, BlogPosting ...).
ARTICLE_TYPE_SUFFIXES: tuple[str, ...] = ("Article", "BlogPosting", "Posting", "Report")
#: JSON-LD is searched this deep; objects are small, and this bounds hostile input.
MAX_JSON_DEPTH = 8
#: Authors named in one JSON-LD ``author`` list that are read.
MAX_AUTHORS = 5

#: A site's name follows or precedes a page title after one of these.
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:«»•·]{1,2}\s+|\s*[|•·]\s*")
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class PageMetadata:
    """What a page declares about its article; any field may be missing."""

    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    link: str | None = None
    site: str | None = None


def attribute(tag: Tag, name: str) -> str:
    """An attribute's value as one string ("" when absent)."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def elements(scope: Tag, *names: str) -> Iterator[Tag]:
    """The elements called ``names`` (every element without names) below ``scope``."""
    for found in scope.find_all(list(names) if names else True):
        if isinstance(found, Tag):
            yield found


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta>`` contents by lower-case name, property or itemprop; the first of each wins."""
    found: dict[str, str] = {}
    for meta in elements(soup, "meta"):
        key = (
            attribute(meta, "name") or attribute(meta, "property") or attribute(meta, "itemprop")
        ).lower()
        content = attribute(meta, "content").strip()
        if key and content:
            found.setdefault(key.strip(), content)
    return found


def _json_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, ``@graph`` members included, outermost first."""
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            yield from _json_objects(data.get(key), depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _json_objects(item, depth + 1)


def _json_types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k for k in kinds if isinstance(k, str)]


def _is_article(obj: dict[str, Any]) -> bool:
    return any(t.endswith(ARTICLE_TYPE_SUFFIXES) for t in _json_types(obj))


def _name(value: Any) -> str | None:
    """The ``name`` of a JSON-LD thing, or the thing when it is a string; normalised."""
    name = value.get("name") if isinstance(value, dict) else value
    if isinstance(name, list):
        name = next((n for n in name if isinstance(n, str)), None)
    if not isinstance(name, str):
        return None
    return normalise_line(name) or None


def join_names(names: list[str]) -> str | None:
    """Several authors as one credit, with an Arabic comma when any name is Arabic."""
    unique = list(dict.fromkeys(names))
    if not unique:
        return None
    arabic = any(_ARABIC.search(name) for name in unique)
    return ("، " if arabic else ", ").join(unique)


def _json_author(value: Any, publisher: str | None) -> str | None:
    """Author names from a JSON-LD ``author``: a string, a Person, or a list of them. An
    Organization, or a name that is the publisher's, is the site, not an author."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:MAX_AUTHORS]:
        if isinstance(item, dict) and "Organization" in " ".join(_json_types(item)):
            continue
        name = _name(item)
        if not name or "://" in name or (publisher and fold(name) == fold(publisher)):
            continue
        cleaned = parse_author_line(name) or clean_author(name)
        if cleaned:
            names.append(cleaned)
    return join_names(names)


def _json_link(obj: dict[str, Any]) -> str | None:
    for key in ("mainEntityOfPage", "url", "@id"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value.split("#", 1)[0] if key == "@id" else value
    return None


def _json_ld(soup: BeautifulSoup) -> PageMetadata:
    """The page's JSON-LD article (an article type first, any object after)."""
    objects: list[dict[str, Any]] = []
    for script in elements(soup, "script"):
        if "ld+json" not in attribute(script, "type").lower():
            continue
        try:
            data = json.loads(script.get_text())
        except (ValueError, RecursionError):
            logger.debug("ignoring JSON-LD that is not valid JSON")
            continue
        objects.extend(_json_objects(data))
    articles = [o for o in objects if _is_article(o)]
    title = author = link = site = None
    published = None
    for obj in [*articles, *objects]:
        publisher = _name(obj.get("publisher"))
        site = site or publisher
        headline = obj.get("headline")
        if title is None and isinstance(headline, str):
            title = normalise_line(headline) or None
        author = author or _json_author(obj.get("author"), publisher or site)
        when = obj.get("datePublished") or obj.get("dateCreated")
        if published is None and isinstance(when, str):
            published = parse_machine_date(when)
        if link is None and _is_article(obj):
            link = _json_link(obj)
    return PageMetadata(title=title, author=author, published=published, link=link, site=site)


def _meta_author(metas: dict[str, str], site: str | None) -> str | None:
    for key in AUTHOR_METAS:
        value = metas.get(key)
        if not value or "://" in value or value.startswith("@"):
            continue
        name = parse_author_line(value) or clean_author(normalise_line(value))
        if name and not (site and fold(name) == fold(site)):
            return name
    return None


def _absolute(address: str | None, base: str | None) -> str | None:
    """``address`` as an absolute ``http(s)`` URL (resolved against ``base``), or None."""
    if not address:
        return None
    address = address.strip()
    if base:
        address = urljoin(base, address)
    parts = urlsplit(address)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in address)
    ):
        return None
    return address


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in elements(soup, "link"):
        if (
            "canonical" in attribute(link, "rel").lower().split()
            and attribute(link, "href").strip()
        ):
            return attribute(link, "href")
    return None


def split_site_name(title: str, site: str | None = None, *, guess: bool = True) -> str:
    """A page title without the site's name: the parts that are not ``site``; else, when
    ``guess`` (a ``<title>``, which nearly always names the site), the part of most words
    between separators, the first of equals (the headline comes first far more often than the
    site). A declared headline (``guess=False``) loses only a part that is the site or a part
    after a bar.

    >>> split_site_name("سقوط حلب | موقع الأخبار")
    'سقوط حلب'
    >>> split_site_name("CNN - Talks resume in Cairo", "CNN")
    'Talks resume in Cairo'
    >>> split_site_name("Gaza - talks resume", guess=False)
    'Gaza - talks resume'
    """
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p and p.strip()]
    if len(parts) < 2:
        return title
    if site:
        others = [p for p in parts if fold(p) != fold(site)]
        if 0 < len(others) < len(parts):
            return _wordiest(others) if len(others) > 1 and guess else " - ".join(others)
    if guess:
        return _wordiest(parts)
    bar = re.split(r"\s*\|\s*", title)
    return bar[0].strip() if len(bar) > 1 and bar[0].strip() else title


def _wordiest(parts: list[str]) -> str:
    """The part of most words; the first of those with as many."""
    return max(enumerate(parts), key=lambda item: (len(item[1].split()), -item[0]))[1]


def read_structured(soup: BeautifulSoup, url: str | None = None) -> PageMetadata:
    """What the page in ``soup`` declares about its article. ``url`` is where the page was
    fetched from, when it was: relative canonical links are resolved against it."""
    metas = _metas(soup)
    ld = _json_ld(soup)
    site = next((normalise_line(metas[k]) for k in SITE_METAS if metas.get(k)), None) or ld.site
    title = ld.title or next((normalise_line(metas[k]) for k in TITLE_METAS if metas.get(k)), None)
    if title:
        title = split_site_name(title, site, guess=False)
    link = (
        _absolute(_canonical(soup), url)
        or next((a for k in LINK_METAS if (a := _absolute(metas.get(k), url))), None)
        or _absolute(ld.link, url)
    )
    published = ld.published or next(
        (when for key in DATE_METAS if (when := parse_machine_date(metas.get(key, "")))), None
    )
    return PageMetadata(
        title=title or None,
        author=ld.author or _meta_author(metas, site),
        published=published,
        link=link,
        site=site or None,
    )
