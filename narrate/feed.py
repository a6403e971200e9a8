"""The podcast feed (RSS 2.0 + iTunes) and the episode store it is built from.

Every published episode is one row of a small store, ``episodes.json`` in the
output directory; ``feed.xml`` beside it is regenerated in full from the store
on each publish, newest episode first. Only :func:`load_episodes` and
:func:`_save` touch the store, so it can move to SQLite without changing the
callers.

Both files are replaced atomically (temporary file in the same directory,
fsync, ``os.replace``): a podcast app polling the feed never sees half a file,
and a failed publish leaves both files exactly as they were.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from narrate import __version__
from narrate.errors import PublishError
from narrate.models import Chapter, SegmentFile, TranscriptFile

logger = logging.getLogger(__name__)

FEED_FILE = "feed.xml"
STORE_FILE = "episodes.json"
STORE_VERSION = 1

GENERATOR = f"narrate {__version__}"

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES_NS)
ET.register_namespace("atom", ATOM_NS)

# Apple's limit for channel and episode descriptions.
MAX_DESCRIPTION_BYTES = 4000

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


class FeedValueError(PublishError, ValueError):
    """Show settings or an episode that cannot go into a feed."""


def clean_text(text: str) -> str:
    """Drop characters XML cannot carry and normalise line ends; escaping is the serializer's job.

    >>> clean_text("خبر\\x00 عاجل\\r\\n& <b>")
    'خبر عاجل\\n& <b>'
    """
    return _XML_UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _check_http_url(value: str, what: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedValueError(f"{what} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise FeedValueError(f"{what} must not have a query or fragment, got {value!r}")


def _check_aware(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused rather than guessed at."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise FeedValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ShowSettings:
    """What the channel says about the show. Checked on construction.

    ``base_url`` is where the output directory is served; a missing trailing
    slash is added, so ``feed.xml`` and the MP3s resolve inside it.
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

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise FeedValueError("the show needs a title")
        _check_http_url(self.base_url, "base_url")
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        if self.link is not None:
            _check_http_url(self.link, "link")
        if self.image_url is not None:
            _check_http_url(self.image_url, "image_url")
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
        size = len(self.description.encode("utf-8"))
        if size > MAX_DESCRIPTION_BYTES:
            raise FeedValueError(
                f"the show description is {size} bytes; Apple allows {MAX_DESCRIPTION_BYTES}"
            )


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


# -- the store ---------------------------------------------------------------

# JSON type of each stored field; ``published`` is ISO 8601 with its offset.
_STORE_FIELDS: dict[str, type] = {
    "slug": str,
    "guid": str,
    "title": str,
    "description": str,
    "published": str,
    "duration_seconds": int,
    "file_name": str,
    "file_size": int,
    "engine": str,
}


def _episode_from_json(row: object) -> StoredEpisode:
    if not isinstance(row, dict):
        raise ValueError("an episode is not a JSON object")
    values: dict[str, Any] = {}
    for key, kind in _STORE_FIELDS.items():
        value = row.get(key)
        # bool is an int to Python, never a size or a duration.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"field {key!r} is missing or not a {kind.__name__}")
        values[key] = value
    values["published"] = datetime.fromisoformat(values["published"])
    return StoredEpisode(**values)


def _episode_to_json(episode: StoredEpisode) -> dict[str, object]:
    row: dict[str, object] = {key: getattr(episode, key) for key in _STORE_FIELDS}
    row["published"] = episode.published.isoformat()
    return row


def _read_store(path: Path) -> tuple[bytes | None, list[StoredEpisode]]:
    """The store's raw bytes (None when absent) and its episodes, newest first."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        raise PublishError(f"cannot read episode store {path}: {exc.strerror}") from exc
    keep = "fix or restore it; narrate will not start a new store over it and lose episodes"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PublishError(f"episode store {path} is not UTF-8 ({keep})") from exc
    except json.JSONDecodeError as exc:
        raise PublishError(
            f"episode store {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno} ({keep})"
        ) from exc
    if not isinstance(data, dict) or "version" not in data:
        raise PublishError(f"episode store {path} has no version ({keep})")
    if data["version"] != STORE_VERSION:
        raise PublishError(
            f"episode store {path} is version {data['version']!r}; this narrate reads version "
            f"{STORE_VERSION} (upgrade narrate)"
        )
    rows = data.get("episodes")
    if not isinstance(rows, list):
        raise PublishError(f"episode store {path} has no episode list ({keep})")
    episodes: list[StoredEpisode] = []
    for index, row in enumerate(rows):
        try:
            episodes.append(_episode_from_json(row))
        except ValueError as exc:  # FeedValueError too
            raise PublishError(f"episode store {path}, episode {index}: {exc} ({keep})") from exc
    slugs = [e.slug for e in episodes]
    if len(set(slugs)) != len(slugs):
        raise PublishError(f"episode store {path} lists a slug twice ({keep})")
    return raw, _newest_first(episodes)


def _dump_store(episodes: Sequence[StoredEpisode]) -> bytes:
    data = {"version": STORE_VERSION, "episodes": [_episode_to_json(e) for e in episodes]}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load_episodes(output_dir: Path) -> list[StoredEpisode]:
    """Every published episode in ``output_dir``, newest first; empty when nothing is published."""
    return _read_store(output_dir / STORE_FILE)[1]


def _save(
    output_dir: Path, episodes: Sequence[StoredEpisode], previous: bytes | None, feed: bytes
) -> None:
    """Replace the store, then the feed; if the feed cannot be replaced, put the store back.

    Both temporary files are written and synced before either target changes,
    so a full disk fails early with both files untouched.
    """
    store_path, feed_path = output_dir / STORE_FILE, output_dir / FEED_FILE
    store_tmp = _stage(store_path, _dump_store(episodes))
    try:
        feed_tmp = _stage(feed_path, feed)
    except BaseException:
        _discard(store_tmp)
        raise
    try:
        _commit(store_tmp, store_path)
    except BaseException:
        _discard(feed_tmp)
        raise
    try:
        _commit(feed_tmp, feed_path)
    except BaseException:
        _restore(store_path, previous)
        raise


# -- atomic files ------------------------------------------------------------


def _stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new synced temporary file beside ``target`` and return its path."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            # O_EXCL: never reuse a stranger's file; 0o666 lets the umask decide, as for open().
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror}") from exc
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError):
            raise PublishError(f"cannot write {target}: {exc.strerror}") from exc
        raise
    return tmp


def _commit(tmp: Path, target: Path) -> None:
    """Move a staged file over ``target``; on failure remove it."""
    try:
        os.replace(tmp, target)
    except BaseException as exc:
        _discard(tmp)
        if isinstance(exc, OSError):
            raise PublishError(f"cannot replace {target}: {exc.strerror or exc}") from exc
        raise
    _sync_dir(target.parent)


def _restore(target: Path, previous: bytes | None) -> None:
    """Best effort: put ``target`` back as it was (absent when ``previous`` is None)."""
    try:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            _commit(_stage(target, previous), target)
    except Exception:
        logger.exception("could not restore %s after a failed publish", target)


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not remove temporary file %s", tmp)


def _sync_dir(directory: Path) -> None:
    """Make a rename durable; POSIX only, and a failure here loses nothing already visible."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the feed ----------------------------------------------------------------


def _newest_first(episodes: Sequence[StoredEpisode]) -> list[StoredEpisode]:
    return sorted(episodes, key=lambda e: (e.published, e.slug), reverse=True)


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


def _sub(parent: ET.Element, tag: str, text: str | None = None, /, **attrib: str) -> ET.Element:
    # Positional-only text, so an attribute may be called "text" (itunes:category).
    element = ET.SubElement(parent, tag, {k: clean_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = clean_text(text)
    return element


def _itunes(name: str) -> str:
    return f"{{{ITUNES_NS}}}{name}"


def _channel(rss: ET.Element, show: ShowSettings, now: datetime) -> ET.Element:
    channel = _sub(rss, "channel")
    _sub(channel, "title", show.title)
    _sub(channel, "link", show.link or show.base_url)
    # RSS 2.0 requires a description; the title stands in for a show without one.
    _sub(channel, "description", show.description or show.title)
    _sub(channel, "language", show.language)
    _sub(channel, "lastBuildDate", format_datetime(now, usegmt=True))
    _sub(channel, "generator", GENERATOR)
    _sub(
        channel,
        f"{{{ATOM_NS}}}link",
        href=urljoin(show.base_url, FEED_FILE),
        rel="self",
        type="application/rss+xml",
    )
    if show.author:
        _sub(channel, _itunes("author"), show.author)
    if show.description:
        _sub(channel, _itunes("summary"), show.description)
    if show.image_url:
        _sub(channel, _itunes("image"), href=show.image_url)
    _sub(channel, _itunes("explicit"), "true" if show.explicit else "false")
    category = _sub(channel, _itunes("category"), text=show.category)
    if show.subcategory:
        _sub(category, _itunes("category"), text=show.subcategory)
    _sub(channel, _itunes("type"), "episodic")
    return channel


def _item(channel: ET.Element, episode: StoredEpisode, base_url: str) -> None:
    item = _sub(channel, "item")
    _sub(item, "title", episode.title)
    if episode.description:
        description = _clip(episode.description)
        if description != episode.description:
            logger.warning(
                "description of %s cut to %d bytes for Apple", episode.slug, MAX_DESCRIPTION_BYTES
            )
        _sub(item, "description", description)
    _sub(
        item,
        "enclosure",
        url=urljoin(base_url, quote(episode.file_name)),
        length=str(episode.file_size),
        type="audio/mpeg",
    )
    _sub(item, "guid", episode.guid, isPermaLink="false")
    _sub(item, "pubDate", format_datetime(episode.published, usegmt=True))
    _sub(item, _itunes("title"), episode.title)
    _sub(item, _itunes("duration"), str(episode.duration_seconds))
    _sub(item, _itunes("episodeType"), "full")


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
    """The whole feed as UTF-8 XML; the same input and ``now`` give the same bytes."""
    now = _check_aware(now, "the feed's build time")
    _check_unique(episodes)
    rss = ET.Element("rss", version="2.0")
    channel = _channel(rss, show, now)
    for episode in _newest_first(episodes):
        _item(channel, episode, show.base_url)
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _check_audio_file(output_dir: Path, episode: StoredEpisode) -> None:
    """The enclosure must be served from the output directory with the size the feed states."""
    path = output_dir / episode.file_name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PublishError(
            f"episode audio {path} does not exist; write the MP3 before publishing it"
        ) from None
    except OSError as exc:
        raise PublishError(f"cannot read episode audio {path}: {exc.strerror}") from exc
    if size != episode.file_size:
        raise PublishError(
            f"episode audio {path} is {size} bytes, but the episode says {episode.file_size}"
        )


def publish_episode(
    output_dir: Path, episode: StoredEpisode, show: ShowSettings, *, now: datetime | None = None
) -> Path:
    """Add ``episode`` to the store (or replace the one with its slug) and rewrite the feed.

    A rebuilt episode keeps the guid and publication date it was first
    published with, so podcast apps see an update, not a new episode. Returns
    the path of ``feed.xml``.
    """
    now = datetime.now(UTC) if now is None else _check_aware(now, "the feed's build time")
    _check_audio_file(output_dir, episode)
    previous, episodes = _read_store(output_dir / STORE_FILE)
    old = next((e for e in episodes if e.slug == episode.slug), None)
    if old is not None:
        episode = replace(episode, guid=old.guid, published=old.published)
        logger.info("replacing episode %s (guid %s)", episode.slug, episode.guid)
    merged = _newest_first([*(e for e in episodes if e.slug != episode.slug), episode])
    feed = render_feed(merged, show, now=now)
    _save(output_dir, merged, previous, feed)
    feed_path = output_dir / FEED_FILE
    logger.info("wrote %s with %d episode(s)", feed_path, len(merged))
    return feed_path
