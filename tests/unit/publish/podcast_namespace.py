"""Checks of the Podcasting 2.0 elements a feed carries, written from the namespace's specification.

https://podcastindex.org/namespace/1.0 (``docs/1.0.md`` of Podcastindex-org/podcast-namespace).
The suite needs nothing beside the repository, so these checks stand in for the namespace's XSD,
which the project does not copy.

:func:`check_podcast_elements` knows each element narrate writes; an element it does not know
fails, so a new ``podcast:*`` element comes with its check here.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urlsplit

#: The namespace URI the specification gives; anything else is not Podcasting 2.0 to an app.
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST = f"{{{PODCAST_NS}}}"
#: Spellings of the namespace that apps do not (all) recognise: the old GitHub URLs, http, a slash.
_NEAR_MISSES = re.compile(r"podcastindex|podcast-namespace", re.IGNORECASE)

#: ``podcast:chapters`` type: "JSON prefered, application/json+chapters".
CHAPTERS_TYPE = "application/json+chapters"
#: ``podcast:transcript`` types the specification names (``application/srt`` is SubRip's other).
TRANSCRIPT_TYPES = frozenset(
    {"text/plain", "text/html", "text/vtt", "application/json", "application/x-subrip",
     "application/srt"}
)  # fmt: skip
#: Transcript types with time codes, the only ones that can be captions.
TIMED_TYPES = frozenset({"text/vtt", "application/x-subrip", "application/srt", "application/json"})
#: ``podcast:guid`` is uuid5 of the feed URL (scheme and trailing slash off) in this namespace.
GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# BCP 47, loosely: a primary subtag and optional subtags ("ar", "ar-EG", "zh-Hant-TW").
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


class NamespaceError(AssertionError):
    """A ``podcast:*`` element the specification does not allow."""


def _fail(element: ET.Element, problem: str) -> NamespaceError:
    return NamespaceError(f"podcast:{element.tag.removeprefix(PODCAST)}: {problem}")


def _attributes(element: ET.Element, required: set[str], optional: set[str] | None = None) -> None:
    present = set(element.attrib)
    if missing := required - present:
        raise _fail(element, f"lacks the required attribute(s) {sorted(missing)}")
    if unknown := present - required - (optional or set()):
        raise _fail(element, f"has attribute(s) the specification lacks: {sorted(unknown)}")
    for name in present:
        if not element.attrib[name].strip():
            raise _fail(element, f"has an empty {name}")


def _no_text(element: ET.Element) -> None:
    if (element.text or "").strip() or len(element):
        raise _fail(element, "must be empty: everything it says is in its attributes")


def _url(element: ET.Element, name: str) -> None:
    value = element.attrib[name]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not value.isascii():
        raise _fail(element, f"{name} must be an absolute ASCII http(s) URL, got {value!r}")


def check_guid(element: ET.Element, feed_url: str | None) -> None:
    """``<podcast:guid>``: a UUIDv5, by default the one derived from the feed's URL."""
    _attributes(element, set())
    text = (element.text or "").strip()
    try:
        value = uuid.UUID(text)
    except ValueError:
        raise _fail(element, f"{text!r} is not a UUID") from None
    if str(value) != text:
        raise _fail(element, f"{text!r} is not in the canonical lowercase hyphenated form")
    if value.version != 5:
        raise _fail(element, f"{text} is a version {value.version} UUID; the value is a UUIDv5")
    if feed_url is not None:
        bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
        expected = uuid.uuid5(GUID_NAMESPACE, bare)
        if value != expected:
            raise _fail(element, f"{text} is not the guid of {feed_url} ({expected})")


def check_locked(element: ET.Element) -> None:
    """``<podcast:locked owner="...">yes|no</podcast:locked>``; narrate always names the owner."""
    _attributes(element, {"owner"})
    if element.text not in ("yes", "no"):
        raise _fail(element, f"must say 'yes' or 'no', got {element.text!r}")
    if not _EMAIL.fullmatch(element.attrib["owner"]):
        raise _fail(element, f"owner {element.attrib['owner']!r} is not an e-mail address")


def check_chapters(element: ET.Element) -> None:
    """``<podcast:chapters url="..." type="application/json+chapters"/>``."""
    _attributes(element, {"url", "type"})
    _no_text(element)
    _url(element, "url")
    if element.attrib["type"] != CHAPTERS_TYPE:
        raise _fail(element, f"type must be {CHAPTERS_TYPE}, got {element.attrib['type']!r}")


def check_transcript(element: ET.Element) -> None:
    """``<podcast:transcript url type [language] [rel="captions"]/>``."""
    _attributes(element, {"url", "type"}, {"language", "rel"})
    _no_text(element)
    _url(element, "url")
    kind = element.attrib["type"]
    if kind not in TRANSCRIPT_TYPES:
        raise _fail(element, f"type {kind!r} is none of {sorted(TRANSCRIPT_TYPES)}")
    rel = element.attrib.get("rel")
    if rel is not None and rel != "captions":
        raise _fail(element, f"rel can only be 'captions', got {rel!r}")
    if rel == "captions" and kind not in TIMED_TYPES:
        raise _fail(element, f"a {kind} transcript has no time codes to be captions")
    language = element.attrib.get("language")
    if language is not None and not _LANGUAGE.fullmatch(language):
        raise _fail(element, f"language {language!r} is not a language code")


#: Each element narrate writes: where it goes, whether it may repeat there, and its check.
_CHANNEL: dict[str, tuple[bool, Callable[[ET.Element], None] | None]] = {
    "guid": (False, None),  # checked with the feed's URL below
    "locked": (False, check_locked),
}
_ITEM: dict[str, tuple[bool, Callable[[ET.Element], None] | None]] = {
    "chapters": (False, check_chapters),
    "transcript": (True, check_transcript),
}


def check_podcast_elements(data: bytes, *, guid_from_feed_url: bool = True) -> set[str]:
    """Check every ``podcast:*`` element of the feed ``data``; the names of those it carries.

    ``guid_from_feed_url`` False: the show sets its own guid, which need only be a UUIDv5.
    Raises :class:`NamespaceError` (an AssertionError) with what is wrong.
    """
    for uri in re.findall(rb'xmlns:podcast="([^"]*)"', data):
        if uri.decode() != PODCAST_NS:
            raise NamespaceError(f"podcast: is bound to {uri.decode()!r}, not {PODCAST_NS}")
    root = ET.fromstring(data)
    for element in root.iter():
        namespace = element.tag[1:].partition("}")[0] if element.tag.startswith("{") else ""
        if _NEAR_MISSES.search(namespace) and namespace != PODCAST_NS:
            raise NamespaceError(f"{element.tag} is in {namespace!r}, not in {PODCAST_NS}")
    channel = root.find("channel")
    if channel is None:
        raise NamespaceError("the feed has no channel")
    feed_url = next(
        (
            link.attrib.get("href")
            for link in channel.findall("{http://www.w3.org/2005/Atom}link")
            if link.attrib.get("rel") == "self"
        ),
        None,
    )
    seen: set[str] = set()
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        if not element.tag.startswith(PODCAST):
            continue
        name = element.tag.removeprefix(PODCAST)
        seen.add(name)
        parent = parents.get(element)
        where = (
            _CHANNEL
            if parent is channel
            else _ITEM
            if getattr(parent, "tag", "") == "item"
            else None
        )
        if where is None or name not in where:
            known = {**_CHANNEL, **_ITEM}
            if name not in known:
                raise _fail(element, "narrate has no check of this element: write one here")
            place = "channel" if name in _CHANNEL else "item"
            raise _fail(element, f"belongs in the {place}, not in {getattr(parent, 'tag', None)}")
        repeats, check = where[name]
        assert parent is not None
        if not repeats and len(parent.findall(element.tag)) > 1:
            raise _fail(element, f"appears more than once in one {parent.tag}")
        if name == "guid":
            check_guid(element, feed_url if guid_from_feed_url else None)
        elif check is not None:
            check(element)
    return seen
