"""The podcast feed: RSS 2.0 with the iTunes, Podcasting 2.0 and Podlove Simple Chapters namespaces.

This module only describes and renders: :class:`ShowSettings` (the channel),
:class:`StoredEpisode` (one item, as the episode store keeps it) and
:func:`render_feed`, a pure function from both to the bytes of ``feed.xml``. The
store lives in :mod:`narrate.publish.store`, the lock in :mod:`narrate.publish.lock`, and
the transaction that writes the feed in :mod:`narrate.publish.publishing`.

Rules followed (``shared/docs/podcast-standards.md``): every URL is absolute and
ASCII (the base URL plus a percent-quoted relative path), text is stripped of
the characters XML cannot carry and escaped by the serializer (never CDATA),
dates are RFC 2822 in GMT, durations whole seconds, chapter starts and show-note
times formatted by :mod:`narrate.clock`, descriptions at most 4000 bytes, and the
same input with the same ``now`` gives the same bytes.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Final

from narrate import __version__
from narrate.clock import duration, timecode
from narrate.show import (
    MAX_DESCRIPTION_BYTES,
    FeedValueError,
    ShowSettings,
    StoredEpisode,
    check_aware,
    clean_text,
    newest_first,
)

logger = logging.getLogger(__name__)

GENERATOR = f"narrate {__version__}"

ITUNES_NS: Final = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS: Final = "https://podcastindex.org/namespace/1.0"
PSC_NS: Final = "http://podlove.org/simple-chapters"
CONTENT_NS: Final = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS: Final = "http://www.w3.org/2005/Atom"
for _prefix, _uri in (
    ("itunes", ITUNES_NS),
    ("podcast", PODCAST_NS),
    ("psc", PSC_NS),
    ("content", CONTENT_NS),
    ("atom", ATOM_NS),
):
    ET.register_namespace(_prefix, _uri)

#: The MIME type of Podcasting 2.0 JSON chapters.
CHAPTERS_MIME: Final = "application/json+chapters"
#: Transcript formats with time codes, marked ``rel="captions"`` so apps can show them as captions.
CAPTION_MIMES: Final = frozenset({"text/vtt", "application/x-subrip", "application/srt"})

#: Heading of the segment list in an episode's description.
SEGMENTS_HEADING: Final = "فقرات الحلقة:"

# -- small formatters ---------------------------------------------------------


def _clip(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """``text`` cut at a word to at most ``limit`` UTF-8 bytes, with an ellipsis when cut.

    >>> _clip("واحد اثنان ثلاثة", 24)
    'واحد اثنان…'
    >>> _clip("واحد اثنان ثلاثة", 20)
    'واحد…'
    """
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    # "ignore" drops a character cut in half, so head is always a prefix of text.
    head = data[: limit - len("…".encode())].decode("utf-8", "ignore")
    if not head[-1:].isspace() and not text[len(head)].isspace():
        words = head.rsplit(None, 1)
        if len(words) == 2:
            head = words[0]
    return head.rstrip() + "…"


def segment_lines(episode: StoredEpisode) -> list[str]:
    """The episode's segment list, one line each: ``M:SS title`` from the chapters, else titles."""
    if episode.chapters:
        return [f"{duration(c.start_ms)} {c.title}" for c in episode.chapters]
    return [f"{s.number}. {s.title}" for s in sorted(episode.segments, key=lambda s: s.number)]


def episode_description(episode: StoredEpisode) -> str:
    """The item's plain-text description: the summary, then the segment list.

    The whole text is cut to Apple's 4000 bytes; the store keeps it whole.
    """
    lines = segment_lines(episode)
    parts = [episode.description.strip()] if episode.description.strip() else []
    if lines:
        parts.append("\n".join([SEGMENTS_HEADING, *lines]))
    text = clean_text("\n\n".join(parts))
    clipped = _clip(text)
    if clipped != text:
        logger.warning(
            "description of %s cut to %d bytes for Apple", episode.slug, MAX_DESCRIPTION_BYTES
        )
    return clipped


def episode_html(episode: StoredEpisode, show: ShowSettings) -> str | None:
    """Show notes as HTML (``content:encoded``): the summary and a linked segment list.

    None when there is no segment list (the plain description says it all) or
    when the HTML would pass Apple's 4000 bytes.
    """
    titles = [c.title for c in episode.chapters] or [s.title for s in episode.segments]
    if not titles:
        return None
    by_number = {s.number: s for s in episode.segments}
    html = [f'<p dir="rtl">{escape(p)}</p>' for p in episode.description.split("\n") if p.strip()]
    html.append(f'<p dir="rtl">{escape(SEGMENTS_HEADING)}</p>')
    html.append('<ol dir="rtl">')
    for number, title in enumerate(titles, start=1):
        label = escape(title)
        if number - 1 < len(episode.chapters):
            label = f"{duration(episode.chapters[number - 1].start_ms)} {label}"
        segment = by_number.get(number)
        if segment is not None:
            label = f'<a href="{escape(show.url(segment.path))}">{label}</a>'
        html.append(f"<li>{label}</li>")
    html.append("</ol>")
    text = clean_text("".join(html))
    return text if len(text.encode("utf-8")) <= MAX_DESCRIPTION_BYTES else None


# -- the feed ----------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, /, **attrib: str) -> ET.Element:
    # Positional-only text, so an attribute may be called "text" (itunes:category).
    element = ET.SubElement(parent, tag, {k: clean_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = clean_text(text)
    return element


def _itunes(name: str) -> str:
    return f"{{{ITUNES_NS}}}{name}"


def _podcast(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _channel(rss: ET.Element, show: ShowSettings, now: datetime) -> ET.Element:
    channel = _sub(rss, "channel")
    link = show.link or show.base_url
    _sub(channel, "title", show.title)
    _sub(channel, "link", link)
    # RSS 2.0 requires a description; the title stands in for a show without one.
    _sub(channel, "description", show.description or show.title)
    _sub(channel, "language", show.language)
    _sub(channel, "lastBuildDate", format_datetime(now, usegmt=True))
    _sub(channel, "generator", GENERATOR)
    _sub(channel, f"{{{ATOM_NS}}}link", href=show.feed_url, rel="self", type="application/rss+xml")
    artwork = show.artwork_url
    if artwork:
        image = _sub(channel, "image")
        _sub(image, "url", artwork)
        _sub(image, "title", show.title)
        _sub(image, "link", link)
        _sub(channel, _itunes("image"), href=artwork)
    # The owner before the author: feedparser lets the later of the two set its author.
    if show.owner_name or show.owner_email:
        owner = _sub(channel, _itunes("owner"))
        if show.owner_name:
            _sub(owner, _itunes("name"), show.owner_name)
        if show.owner_email:
            _sub(owner, _itunes("email"), show.owner_email)
    if show.author:
        _sub(channel, _itunes("author"), show.author)
    if show.description:
        _sub(channel, _itunes("summary"), show.description)
    _sub(channel, _itunes("explicit"), "true" if show.explicit else "false")
    category = _sub(channel, _itunes("category"), text=show.category)
    if show.subcategory:
        _sub(category, _itunes("category"), text=show.subcategory)
    _sub(channel, _itunes("type"), "episodic")
    _sub(channel, _podcast("guid"), show.podcast_guid)
    if show.owner_email:
        _sub(channel, _podcast("locked"), "yes" if show.locked else "no", owner=show.owner_email)
    return channel


def _item(channel: ET.Element, episode: StoredEpisode, show: ShowSettings) -> None:
    item = _sub(channel, "item")
    _sub(item, "title", episode.title)
    # The article's page. An episode without one (an article read from a file) has no <link>,
    # as before: the enclosure and the guid identify it, and the channel's link stands for it.
    if episode.link:
        _sub(item, "link", episode.link)
    description = episode_description(episode)
    if description:
        _sub(item, "description", description)
    html = episode_html(episode, show)
    if html:
        _sub(item, f"{{{CONTENT_NS}}}encoded", html)
    _sub(
        item,
        "enclosure",
        url=show.url(episode.file_name),
        length=str(episode.file_size),
        type="audio/mpeg",
    )
    _sub(item, "guid", episode.guid, isPermaLink="false")
    _sub(item, "pubDate", format_datetime(episode.published, usegmt=True))
    _sub(item, _itunes("title"), episode.title)
    _sub(item, _itunes("duration"), str(episode.duration_seconds))
    image = show.url(episode.image_file) if episode.image_file else show.artwork_url
    if image:
        _sub(item, _itunes("image"), href=image)
    _sub(item, _itunes("episodeType"), "full")
    if episode.chapters_file:
        _sub(item, _podcast("chapters"), url=show.url(episode.chapters_file), type=CHAPTERS_MIME)
    for transcript in episode.transcripts:
        attrib = {"url": show.url(transcript.path), "type": transcript.mime}
        attrib["language"] = show.language
        if transcript.mime in CAPTION_MIMES:
            attrib["rel"] = "captions"
        _sub(item, _podcast("transcript"), **attrib)
    if episode.chapters:
        chapters = _sub(item, f"{{{PSC_NS}}}chapters", version="1.2")
        for chapter in sorted(episode.chapters, key=lambda c: c.start_ms):
            start = timecode(chapter.start_ms)  # Podlove wants HH:MM:SS.mmm, zero-padded
            _sub(chapters, f"{{{PSC_NS}}}chapter", start=start, title=chapter.title)


def _check_unique(episodes: Sequence[StoredEpisode]) -> None:
    for what, key in (("guid", "guid"), ("enclosure file", "file_name")):
        seen: dict[str, str] = {}
        for episode in episodes:
            value = getattr(episode, key)
            if value in seen:
                raise FeedValueError(
                    f"episodes {seen[value]!r} and {episode.slug!r} share the {what} {value!r}"
                )
            seen[value] = episode.slug


def render_feed(episodes: Sequence[StoredEpisode], show: ShowSettings, *, now: datetime) -> bytes:
    """The whole feed as UTF-8 XML, newest first; the same input and ``now`` give the same bytes."""
    now = check_aware(now, "the feed's build time")
    _check_unique(episodes)
    rss = ET.Element("rss", version="2.0")
    channel = _channel(rss, show, now)
    for episode in newest_first(episodes):
        _item(channel, episode, show)
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()
