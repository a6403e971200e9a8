"""The show and its episodes as narrate keeps them: the channel's settings and the stored episode.

Both are checked on construction, so a show or an episode that could not go into a valid feed
is refused wherever it is made (``narrate.toml``, the store, a build).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from narrate.errors import PublishError
from narrate.layout import FEED_FILE
from narrate.models import Chapter, SegmentFile, TranscriptFile

#: Namespace of ``podcast:guid`` (Podcasting 2.0): uuid5 of the feed URL without its scheme.
PODCAST_GUID_NAMESPACE: Final = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
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
# What a URL never holds as such: spaces and control characters.
_URL_UNWANTED = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# Left as they are in a query: its delimiters and the characters RFC 3986 allows there.
_QUERY_SAFE: Final = "=&%/?:@!$'()*+,;~"
# Enough to catch a typo; the owner's mail server is the real check.
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")

#: The forms of digits the listening page can print every number in (``ShowSettings.digits``):
#: Arabic-Indic (٠١٢٣), the default, as the page has always printed them, or Western (0123).
DIGIT_FORMS: Final = ("arabic-indic", "western")
#: The show's settings by the shape each must have; whatever a caller, narrate.toml or the
#: store hands over is checked against it before anything else looks at the value.
_TEXT_SETTINGS: Final = (
    "title", "base_url", "description", "author", "language", "category", "owner_name",
    "owner_email", "digits",
)  # fmt: skip
_OPTIONAL_TEXT_SETTINGS: Final = ("link", "subcategory", "image_url", "image_file", "guid")
_FLAG_SETTINGS: Final = ("explicit", "locked")


class FeedValueError(PublishError, ValueError):
    """Show settings or an episode that cannot go into a feed."""


def _shape(value: object) -> str:
    """What a value of the wrong shape is, for a message: ``a list``, ``the number 5``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {type(value).__name__}"


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
    path = quote(parts.path, safe="/%")
    query = quote(parts.query, safe=_QUERY_SAFE)
    fragment = quote(parts.fragment, safe=_QUERY_SAFE)
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def check_http_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedValueError(f"{what} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise FeedValueError(f"{what} must not have a query or fragment, got {value!r}")
    return ascii_url(value)


def check_link(value: str, what: str) -> str:
    """An article's address on the web, checked and made ASCII; its fragment is dropped.

    Unlike the show's own URLs it may have a query: many news sites number their articles
    in one (``article.php?id=12``).

    >>> check_link("https://www.مثال.example/أخبار?id=7#comments", "link")
    'https://www.xn--mgbh0fb.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1?id=7'
    """
    if _URL_UNWANTED.search(value):
        raise FeedValueError(f"{what} must not contain spaces or control characters, got {value!r}")
    try:
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FeedValueError(f"{what} must be an absolute http(s) URL, got {value!r}")
        _ = parts.port  # a port that is no number raises here
        return ascii_url(urlunsplit(parts._replace(fragment="")))
    except ValueError as exc:  # urllib's own: a bad port, an unclosed IPv6 address
        if isinstance(exc, FeedValueError):
            raise
        raise FeedValueError(f"{what} is not a URL ({exc}), got {value!r}") from None


def check_aware(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused rather than guessed at."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise FeedValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def check_relative(value: str, what: str) -> None:
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
    #: How the listening page prints every number: one of :data:`DIGIT_FORMS`.
    digits: str = DIGIT_FORMS[0]

    def _check_shapes(self) -> None:
        """Each setting of the shape it must have, or a FeedValueError naming it."""
        for name in _TEXT_SETTINGS + _OPTIONAL_TEXT_SETTINGS:
            value = getattr(self, name)
            if not isinstance(value, str) and not (value is None and name not in _TEXT_SETTINGS):
                optional = "" if name in _TEXT_SETTINGS else " (or left out)"
                raise FeedValueError(
                    f"the show's {name} must be text{optional}, not {_shape(value)}"
                )
        for name in _FLAG_SETTINGS:
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise FeedValueError(
                    f"the show's {name} must be true or false, not {_shape(value)}"
                )

    def __post_init__(self) -> None:
        self._check_shapes()
        if self.digits not in DIGIT_FORMS:
            raise FeedValueError(
                f"the show's digits must be {' or '.join(DIGIT_FORMS)}, not {self.digits!r}"
            )
        if not self.title.strip():
            raise FeedValueError("the show needs a title")
        base_url = check_http_url(self.base_url, "base_url")
        if not base_url.endswith("/"):
            base_url += "/"
        object.__setattr__(self, "base_url", base_url)
        if self.link is not None:
            object.__setattr__(self, "link", check_http_url(self.link, "link"))
        if self.image_url is not None:
            object.__setattr__(self, "image_url", check_http_url(self.image_url, "image_url"))
        if self.image_file is not None:
            check_relative(self.image_file, "image_file")
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
    #: The article's own page (its canonical URL), absolute and ASCII: the item's ``<link>``.
    link: str | None = None
    #: The publication the article comes from, credited on the listening page.
    site: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "published", check_aware(self.published, f"episode {self.slug!r} published")
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
            check_relative(segment.path, f"{what} segment file")
        for transcript in self.transcripts:
            check_relative(transcript.path, f"{what} transcript")
        if self.chapters_file is not None:
            check_relative(self.chapters_file, f"{what} chapters file")
        if self.image_file is not None:
            check_relative(self.image_file, f"{what} image file")
        if self.link is not None:
            object.__setattr__(self, "link", check_link(self.link, f"{what} link"))
        if self.site is not None:
            site = " ".join(clean_text(self.site).split())
            object.__setattr__(self, "site", site or None)

    @property
    def files(self) -> tuple[str, ...]:
        """Every file of the episode the feed links to, relative to the output folder."""
        return (
            self.file_name,
            *(s.path for s in self.segments),
            *((self.chapters_file,) if self.chapters_file else ()),
            *(t.path for t in self.transcripts),
        )


def newest_first(episodes: Iterable[StoredEpisode]) -> list[StoredEpisode]:
    """The order of the feed, the page and the store's listing: newest first, then by slug."""
    return sorted(episodes, key=lambda e: (e.published, e.slug), reverse=True)
