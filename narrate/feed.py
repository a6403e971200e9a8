"""The podcast feed: RSS 2.0 with the iTunes, Podcasting 2.0 and Podlove Simple Chapters namespaces.

This module only describes and renders: :class:`ShowSettings` (the channel),
:class:`StoredEpisode` (one item, as the episode store keeps it) and
:func:`render_feed`, a pure function from both to the bytes of ``feed.xml``. The
store, the lock and the atomic writes live in :mod:`narrate.store`.

Rules followed (``shared/docs/podcast-standards.md``): every URL is absolute and
ASCII (the base URL plus a percent-quoted relative path), text is stripped of
the characters XML cannot carry and escaped by the serializer (never CDATA),
dates are RFC 2822 in GMT, durations whole seconds, descriptions at most 4000
bytes, and the same input with the same ``now`` gives the same bytes.
"""

from __future__ import annotations

import logging
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from narrate import __version__
from narrate.errors import PublishError
from narrate.models import Chapter, SegmentFile, TranscriptFile

logger = logging.getLogger(__name__)

FEED_FILE: Final = "feed.xml"

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

#: Namespace of ``podcast:guid`` (Podcasting 2.0): uuid5 of the feed URL without its scheme.
PODCAST_GUID_NAMESPACE: Final = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: The MIME type of Podcasting 2.0 JSON chapters.
CHAPTERS_MIME: Final = "application/json+chapters"
#: Transcript formats with time codes, marked ``rel="captions"`` so apps can show them as captions.
CAPTION_MIMES: Final = frozenset({"text/vtt", "application/x-subrip", "application/srt"})

# Apple's limit for channel and episode descriptions.
MAX_DESCRIPTION_BYTES = 4000

#: Heading of the segment list in an episode's description.
SEGMENTS_HEADING: Final = "فقرات الحلقة:"

# Apple Podcasts categories and subcategories, spelled exactly as Apple requires.
# fmt: off
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
# fmt: on

# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, lone surrogates,
# U+FFFE/U+FFFF) plus DEL and the C1 controls, which XML discourages and no
# title or description means to contain.
_XML_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Enough to catch a typo; the owner's mail server is the real check.
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")


class FeedValueError(PublishError, ValueError):
    """Show settings or an episode that cannot go into a feed."""


def clean_text(text: str) -> str:
    """Drop characters XML cannot carry and normalise line ends; escaping is the serializer's job.

    >>> clean_text("خبر\\x00 عاجل\\r\\n& <b>")
    'خبر عاجل\\n& <b>'
    """
    return _XML_UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def ascii_url(value: str) -> str:
    """``value`` with an internationalised host punycoded and a non-ASCII path percent-quoted.

    >>> ascii_url("https://مثال.example/بودكاست/")
    'https://xn--mgbh0fb.example/%D8%A8%D9%88%D8%AF%D9%83%D8%A7%D8%B3%D8%AA/'
    """
    if value.isascii():
        return value
    parts = urlsplit(value)
    host = parts.hostname or ""
    try:
        netloc = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FeedValueError(f"cannot make an ASCII host name of {host!r}") from exc
    if parts.port is not None:
        netloc += f":{parts.port}"
    if "@" in parts.netloc:
        netloc = quote(parts.netloc.rsplit("@", 1)[0], safe=":%") + "@" + netloc
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe="/%"), "", ""))


def _check_http_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedValueError(f"{what} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise FeedValueError(f"{what} must not have a query or fragment, got {value!r}")
    return ascii_url(value)


def _check_aware(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused rather than guessed at."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise FeedValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _check_relative(value: str, what: str) -> None:
    """A path inside the output folder: relative, POSIX, ASCII, no ``..`` and nothing hidden."""
    parts = value.split("/")
    if (
        not value.isascii()
        or "\\" in value
        or value.startswith("/")
        or any(not part or part.startswith(".") for part in parts)
    ):
        raise FeedValueError(
            f"{what} {value!r} must be an ASCII path inside the output folder, "
            "like 'cover.jpg' or 'my-episode/chapters.json'"
        )


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 ``podcast:guid`` of a feed: uuid5 of its URL without scheme and end slash.

    >>> podcast_guid("https://podnews.net/rss")
    '9b024349-ccf0-5f69-a609-6b82873eab3c'
    """
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


@dataclass(frozen=True)
class ShowSettings:
    """What the channel says about the show. Checked on construction.

    ``base_url`` is where the output directory is served; a missing trailing
    slash is added, so ``feed.xml`` and the MP3s resolve inside it. The show's
    artwork is ``image_url`` when given, else ``image_file`` (a path inside the
    output folder, normally ``cover.jpg``) served from ``base_url``.
    ``podcast:locked`` is written only with an ``owner_email``, which it needs;
    ``guid`` overrides the ``podcast:guid`` derived from the feed's URL, so a
    show keeps its guid when it moves.
    """

    title: str
    base_url: str
    description: str = ""
    author: str = ""
    language: str = "ar"
    link: str | None = None
    category: str = "News"
    explicit: bool = False
    subcategory: str | None = None
    image_url: str | None = None
    image_file: str | None = None
    owner_name: str = ""
    owner_email: str = ""
    locked: bool = False
    guid: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise FeedValueError("the show needs a title")
        base_url = _check_http_url(self.base_url, "base_url")
        if not base_url.endswith("/"):
            base_url += "/"
        object.__setattr__(self, "base_url", base_url)
        if self.link is not None:
            object.__setattr__(self, "link", _check_http_url(self.link, "link"))
        if self.image_url is not None:
            object.__setattr__(self, "image_url", _check_http_url(self.image_url, "image_url"))
        if self.image_file is not None:
            _check_relative(self.image_file, "image_file")
        if not self.language.strip():
            raise FeedValueError("the show's language must not be empty")
        if self.category not in APPLE_CATEGORIES:
            raise FeedValueError(
                f"unknown Apple Podcasts category {self.category!r}; "
                f"use one of: {', '.join(APPLE_CATEGORIES)}"
            )
        subs = APPLE_CATEGORIES[self.category]
        if self.subcategory is not None and self.subcategory not in subs:
            choices = ", ".join(subs) if subs else "none"
            raise FeedValueError(
                f"unknown subcategory {self.subcategory!r} of {self.category!r}; "
                f"its subcategories are: {choices}"
            )
        size = len(clean_text(self.description).encode("utf-8"))
        if size > MAX_DESCRIPTION_BYTES:
            raise FeedValueError(
                f"the show description is {size} bytes; Apple allows {MAX_DESCRIPTION_BYTES}"
            )
        if self.owner_email and not _EMAIL.fullmatch(self.owner_email):
            raise FeedValueError(f"owner_email {self.owner_email!r} is not an e-mail address")
        if self.locked and not self.owner_email:
            raise FeedValueError(
                "a locked feed needs an owner_email: podcast platforms write to it "
                "to confirm a move"
            )
        if self.guid is not None:
            try:
                uuid.UUID(self.guid)
            except ValueError:
                raise FeedValueError(f"the show's guid {self.guid!r} is not a UUID") from None

    @property
    def feed_url(self) -> str:
        return urljoin(self.base_url, FEED_FILE)

    @property
    def podcast_guid(self) -> str:
        return self.guid or podcast_guid(self.feed_url)

    @property
    def artwork_url(self) -> str | None:
        if self.image_url:
            return self.image_url
        if self.image_file:
            return self.url(self.image_file)
        return None

    def url(self, relative: str) -> str:
        """The absolute ASCII URL of a file in the output folder."""
        return urljoin(self.base_url, quote(relative, safe="/"))


@dataclass(frozen=True)
class StoredEpisode:
    """One published episode, as the store keeps it. ``published`` is normalised to UTC."""

    slug: str
    guid: str
    title: str
    description: str
    published: datetime
    duration_seconds: int
    file_name: str
    file_size: int
    engine: str
    #: Chapters of the episode MP3; chapter i is segment i (same count when both are set).
    chapters: tuple[Chapter, ...] = ()
    #: Each segment's own MP3.
    segments: tuple[SegmentFile, ...] = ()
    #: Podcasting 2.0 chapters JSON, relative to the output folder (``<slug>/chapters.json``).
    chapters_file: str | None = None
    transcripts: tuple[TranscriptFile, ...] = ()
    #: The episode's image, relative to the output folder; None: the show's artwork.
    image_file: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "published", _check_aware(self.published, f"episode {self.slug!r} published")
        )
        for name in ("slug", "guid", "title", "file_name"):
            if not getattr(self, name).strip():
                raise FeedValueError(f"episode {self.slug!r} has an empty {name}")
        file_name = self.file_name
        if not file_name.isascii() or "/" in file_name or "\\" in file_name or file_name[0] == ".":
            raise FeedValueError(
                f"episode file name {file_name!r} must be a plain ASCII file name "
                "in the output directory"
            )
        if self.file_size <= 0:
            raise FeedValueError(f"episode {self.slug!r} has file size {self.file_size}")
        if self.duration_seconds < 0:
            raise FeedValueError(f"episode {self.slug!r} has duration {self.duration_seconds}")
        what = f"episode {self.slug!r}:"
        for segment in self.segments:
            _check_relative(segment.path, f"{what} segment file")
        for transcript in self.transcripts:
            _check_relative(transcript.path, f"{what} transcript")
        if self.chapters_file is not None:
            _check_relative(self.chapters_file, f"{what} chapters file")
        if self.image_file is not None:
            _check_relative(self.image_file, f"{what} image file")

    @property
    def files(self) -> tuple[str, ...]:
        """Every file of the episode the feed links to, relative to the output folder."""
        return (
            self.file_name,
            *(s.path for s in self.segments),
            *((self.chapters_file,) if self.chapters_file else ()),
            *(t.path for t in self.transcripts),
        )


# -- small formatters ---------------------------------------------------------


def clock(ms: int) -> str:
    """A chapter start as Podlove Simple Chapters wants it: zero-padded ``HH:MM:SS.mmm``.

    >>> clock(0), clock(468_250), clock(3_723_004)
    ('00:00:00.000', '00:07:48.250', '01:02:03.004')
    """
    seconds, millis = divmod(max(ms, 0), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def timestamp(ms: int) -> str:
    """A chapter start as show notes print it, ``MM:SS`` or ``H:MM:SS``.

    >>> timestamp(0), timestamp(468_999), timestamp(3_723_004)
    ('00:00', '07:48', '1:02:03')
    """
    minutes, seconds = divmod(max(ms, 0) // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


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
    """The episode's segment list, one line each: ``MM:SS title`` from the chapters, else titles."""
    if episode.chapters:
        return [f"{timestamp(c.start_ms)} {c.title}" for c in episode.chapters]
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
            label = f"{timestamp(episode.chapters[number - 1].start_ms)} {label}"
        segment = by_number.get(number)
        if segment is not None:
            label = f'<a href="{escape(show.url(segment.path))}">{label}</a>'
        html.append(f"<li>{label}</li>")
    html.append("</ol>")
    text = clean_text("".join(html))
    return text if len(text.encode("utf-8")) <= MAX_DESCRIPTION_BYTES else None


# -- the feed ----------------------------------------------------------------


def newest_first(episodes: Sequence[StoredEpisode]) -> list[StoredEpisode]:
    return sorted(episodes, key=lambda e: (e.published, e.slug), reverse=True)


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
            start = clock(chapter.start_ms)
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
    now = _check_aware(now, "the feed's build time")
    _check_unique(episodes)
    rss = ET.Element("rss", version="2.0")
    channel = _channel(rss, show, now)
    for episode in newest_first(episodes):
        _item(channel, episode, show)
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


# -- the names the pipeline used before the store moved to narrate.store ------


def load_episodes(output_dir: Path) -> list[StoredEpisode]:
    """Every published episode in ``output_dir``, newest first (see :meth:`EpisodeStore.list`)."""
    from narrate.store import EpisodeStore  # the store imports this module

    with EpisodeStore(output_dir) as store:
        return store.list()


def publish_episode(
    output_dir: Path, episode: StoredEpisode, show: ShowSettings, *, now: datetime | None = None
) -> Path:
    """Add or replace ``episode`` and rewrite the feed (see :func:`narrate.store.publish`)."""
    from narrate.store import publish

    return publish(output_dir, episode, show, now=now)
