"""The feed as podcast apps read it: podcastparser, feedparser, the Podcasting 2.0 specification.

Publishing (the store, the lock, atomic writes) is tested in test_store.py and the golden
feeds in test_golden_feeds.py; these tests render feeds with :func:`render_feed`, a pure
function of its input. The ``podcast:*`` elements are checked against the specification by
podcast_namespace.py, which needs nothing beside the repository.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from calendar import timegm
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest

import narrate
from narrate.errors import PublishError
from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.publish import feed
from narrate.publish.feed import render_feed
from narrate.show import ShowSettings, StoredEpisode, podcast_guid
from tests.unit.publish.podcast_namespace import NamespaceError, check_podcast_elements

BASE = "https://example.org/podcast/"
FEED_URL = BASE + "feed.xml"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
PSC = "{http://podlove.org/simple-chapters}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ATOM = "{http://www.w3.org/2005/Atom}"

T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
NOW = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


def full_show(**changes: Any) -> ShowSettings:
    fields: dict[str, Any] = {
        "title": "نشرة الصباح",
        "base_url": BASE,
        "description": "أخبار اليوم في دقائق، بصوت واضح.",
        "author": "فريق التحرير",
        "owner_name": "سلمى حداد",
        "owner_email": "podcast@example.org",
        "category": "News",
        "subcategory": "Daily News",
        "image_file": "cover.jpg",
        "link": "https://example.org/",
        "locked": True,
    }
    fields.update(changes)
    return ShowSettings(**fields)


CHAPTERS = (
    Chapter("المقدمة", 0, 12_345),
    Chapter("الذهب يرتفع", 12_345, 468_250),
    Chapter("النفط ٪٣", 468_250, 3_723_004),
)


def full_episode(slug: str = "morning-news", **changes: Any) -> StoredEpisode:
    """An episode with every field set, as a build of issue 5 stores it."""
    fields: dict[str, Any] = {
        "slug": slug,
        "guid": f"urn:narrate:{slug}",
        "title": f"حلقة {slug}",
        "description": f"ملخص {slug}",
        "published": T0,
        "duration_seconds": 3723,
        "file_name": f"{slug}.mp3",
        "file_size": 98765,
        "engine": "gtts 2.5.4 (ar)",
        "chapters": CHAPTERS,
        "segments": tuple(
            SegmentFile(n, c.title, f"{slug}/{n:02d}-part-{n}.mp3", 1000 * n, c.end_ms - c.start_ms)
            for n, c in enumerate(CHAPTERS, start=1)
        ),
        "chapters_file": f"{slug}/chapters.json",
        "transcripts": (
            TranscriptFile(f"{slug}/transcript.vtt", "text/vtt"),
            TranscriptFile(f"{slug}/transcript.srt", "application/x-subrip"),
            TranscriptFile(f"{slug}/transcript.json", "application/json"),
        ),
        "image_file": None,
    }
    fields.update(changes)
    return StoredEpisode(**fields)


def bare_episode(slug: str, **changes: Any) -> StoredEpisode:
    fields: dict[str, Any] = {
        "slug": slug,
        "guid": f"urn:narrate:{slug}",
        "title": f"حلقة {slug}",
        "description": f"ملخص {slug}",
        "published": T0,
        "duration_seconds": 754,
        "file_name": f"{slug}.mp3",
        "file_size": 4321,
        "engine": "espeak-ng 1.52",
    }
    fields.update(changes)
    return StoredEpisode(**fields)


def read_pp(data: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = podcastparser.parse(FEED_URL, io.BytesIO(data))
    return parsed


def read_fp(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def stamp(when: datetime) -> int:
    return timegm(when.utctimetuple())


# -- every field, read back --------------------------------------------------------


def test_channel_fields_read_back() -> None:
    data = render_feed([full_episode()], full_show(), now=NOW)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    for declaration in (
        b'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"',
        b'xmlns:podcast="https://podcastindex.org/namespace/1.0"',
        b'xmlns:psc="http://podlove.org/simple-chapters"',
    ):
        assert declaration in data
    assert data.isascii() is False and b"https://example.org/" in data

    pp = read_pp(data)
    assert pp["title"] == "نشرة الصباح"
    assert pp["link"] == "https://example.org/"
    assert pp["description"] == "أخبار اليوم في دقائق، بصوت واضح."
    assert pp["language"] == "ar"
    assert pp["generator"] == f"narrate {narrate.__version__}"
    assert pp["itunes_author"] == "فريق التحرير"
    assert pp["itunes_owner"] == {"name": "سلمى حداد", "email": "podcast@example.org"}
    assert pp["explicit"] is False
    assert pp["itunes_categories"] == [["News", "Daily News"]]
    assert pp["type"] == "episodic"
    assert pp["cover_url"] == BASE + "cover.jpg"

    fp = read_fp(data)
    assert fp.version == "rss20"
    assert fp.namespaces["podcast"] == "https://podcastindex.org/namespace/1.0"
    assert fp.feed.title == "نشرة الصباح"
    assert fp.feed.language == "ar"
    assert fp.feed.author == "فريق التحرير"
    assert fp.feed.publisher_detail == {"name": "سلمى حداد", "email": "podcast@example.org"}
    assert fp.feed.image.href == BASE + "cover.jpg"
    assert fp.feed.itunes_type == "episodic"
    assert fp.feed.updated == "Fri, 03 May 2024 12:00:00 GMT"
    assert {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"} in fp.feed.links
    assert [t.term for t in fp.feed.tags] == ["News", "Daily News"]
    # feedparser maps only "yes" to True; "false" (Apple's spelling) must not read as explicit.
    assert not fp.feed.itunes_explicit

    # Neither parser reports the Podcasting 2.0 channel elements: read the XML.
    channel = ET.fromstring(data).find("channel")
    assert channel is not None
    assert channel.findtext(f"{PODCAST}guid") == podcast_guid(FEED_URL)
    locked = channel.find(f"{PODCAST}locked")
    assert locked is not None
    assert (locked.text, locked.attrib) == ("yes", {"owner": "podcast@example.org"})
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext("lastBuildDate") == format_datetime(NOW, usegmt=True)
    assert channel.findtext("image/url") == BASE + "cover.jpg"


def test_item_fields_read_back() -> None:
    episode = full_episode()
    data = render_feed([episode], full_show(), now=NOW)
    slug_url = BASE + "morning-news/"

    [item] = read_pp(data)["episodes"]
    assert item["title"] == "حلقة morning-news"
    assert item["guid"] == "urn:narrate:morning-news"
    assert item["published"] == stamp(T0)
    assert item["total_time"] == 3723
    assert item["type"] == "full"
    assert item["episode_art_url"] == BASE + "cover.jpg"  # the show's artwork stands in
    assert item["enclosures"] == [
        {"url": BASE + "morning-news.mp3", "file_size": 98765, "mime_type": "audio/mpeg"}
    ]
    assert item["description"] == (
        "ملخص morning-news\n\nفقرات الحلقة:\n0:00 المقدمة\n0:12 الذهب يرتفع\n7:48 النفط ٪٣"
    )
    assert (
        'href="https://example.org/podcast/morning-news/02-part-2.mp3"' in item["description_html"]
    )
    assert item["chapters"] == [
        {"start": 0, "title": "المقدمة"},
        {"start": 12, "title": "الذهب يرتفع"},  # podcastparser keeps whole seconds
        {"start": 468, "title": "النفط ٪٣"},
    ]
    # podcastparser 0.6.11 knows the Podcasting 2.0 namespace only by its old GitHub URL, so
    # gPodder ignores podcast:* in a feed that follows the specification (it reads psc:chapters).
    assert "transcript_url" not in item and "chapters_json_url" not in item
    legacy = data.replace(
        b"https://podcastindex.org/namespace/1.0",
        b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
    )
    [as_gpodder_reads_it] = read_pp(legacy)["episodes"]
    assert as_gpodder_reads_it["transcript_url"] == slug_url + "transcript.json"  # the last one
    assert as_gpodder_reads_it["chapters_json_url"] == slug_url + "chapters.json"

    [entry] = read_fp(data).entries
    assert entry.title == entry.itunes_title == "حلقة morning-news"
    assert entry.id == "urn:narrate:morning-news"
    assert entry.guidislink is False
    assert entry.summary.startswith("ملخص morning-news\n\nفقرات الحلقة:\n0:00 المقدمة")
    assert entry.content[0].type == "text/html"
    assert "<li><a href=" in entry.content[0].value
    assert entry.published == "Wed, 01 May 2024 06:30:00 GMT"
    assert entry.itunes_duration == "3723"
    assert entry.itunes_episodetype == "full"
    assert entry.image.href == BASE + "cover.jpg"
    [enclosure] = entry.enclosures
    assert (enclosure.href, enclosure.length, enclosure.type) == (
        BASE + "morning-news.mp3",
        "98765",
        "audio/mpeg",
    )
    assert entry.psc_chapters.version == "1.2"
    assert [(c.start, c.title) for c in entry.psc_chapters.chapters] == [
        ("00:00:00.000", "المقدمة"),
        ("00:00:12.345", "الذهب يرتفع"),
        ("00:07:48.250", "النفط ٪٣"),
    ]
    # feedparser parses the start only when zero-padded (it rejects "7:48").
    assert entry.psc_chapters.chapters[2].start_parsed == timedelta(minutes=7, seconds=48.25)

    # The Podcasting 2.0 item elements, which neither parser reports in full.
    xml_item = ET.fromstring(data).find("channel/item")
    assert xml_item is not None
    chapters = xml_item.find(f"{PODCAST}chapters")
    assert chapters is not None
    assert chapters.attrib == {
        "url": slug_url + "chapters.json",
        "type": "application/json+chapters",
    }
    assert [t.attrib for t in xml_item.findall(f"{PODCAST}transcript")] == [
        {
            "url": slug_url + "transcript.vtt",
            "type": "text/vtt",
            "language": "ar",
            "rel": "captions",
        },
        {
            "url": slug_url + "transcript.srt",
            "type": "application/x-subrip",
            "language": "ar",
            "rel": "captions",
        },
        {"url": slug_url + "transcript.json", "type": "application/json", "language": "ar"},
    ]


def test_item_image_and_plain_episode() -> None:
    """An episode's own image wins; one without chapters or segments has a plain description."""
    show = full_show(image_file=None, image_url="https://cdn.example.org/art.png")
    episodes = [
        bare_episode("plain"),
        full_episode("pictured", image_file="pictured/cover.jpg", published=T0 + timedelta(1)),
    ]
    data = render_feed(episodes, show, now=NOW)
    pictured, plain = read_pp(data)["episodes"]
    assert pp_cover(data) == "https://cdn.example.org/art.png"
    assert pictured["episode_art_url"] == BASE + "pictured/cover.jpg"
    assert plain["episode_art_url"] == "https://cdn.example.org/art.png"
    assert plain["description"] == "ملخص plain"
    item = ET.fromstring(data).findall("channel/item")[1]
    for absent in (
        f"{CONTENT}encoded",
        f"{PODCAST}chapters",
        f"{PODCAST}transcript",
        f"{PSC}chapters",
    ):
        assert item.find(absent) is None


def pp_cover(data: bytes) -> str:
    cover: str = read_pp(data)["cover_url"]
    return cover


def test_segment_titles_without_chapters_are_numbered() -> None:
    episode = full_episode(chapters=())
    [item] = read_pp(render_feed([episode], full_show(), now=NOW))["episodes"]
    assert item["description"].endswith("فقرات الحلقة:\n1. المقدمة\n2. الذهب يرتفع\n3. النفط ٪٣")


def test_minimal_show_has_no_owner_lock_or_image() -> None:
    show = ShowSettings(title="نشرة", base_url=BASE)
    data = render_feed([bare_episode("a")], show, now=NOW)
    channel = ET.fromstring(data).find("channel")
    assert channel is not None
    for absent in (f"{ITUNES}owner", f"{PODCAST}locked", f"{ITUNES}image", "image"):
        assert channel.find(absent) is None
    assert channel.findtext(f"{PODCAST}guid") == podcast_guid(FEED_URL)
    pp = read_pp(data)
    assert pp["description"] == "نشرة"  # RSS requires one: the title stands in
    assert "cover_url" not in pp


def test_unlocked_feed_says_no() -> None:
    data = render_feed([], full_show(locked=False), now=NOW)
    locked = ET.fromstring(data).find(f"channel/{PODCAST}locked")
    assert locked is not None and locked.text == "no"


# -- Podcasting 2.0, against the specification ----------------------------------------


def test_podcast_elements_follow_the_specification() -> None:
    data = render_feed([full_episode(), bare_episode("b")], full_show(), now=NOW)
    assert check_podcast_elements(data) == {"chapters", "guid", "locked", "transcript"}
    overridden = full_show(guid="917393e3-1b1e-5cef-ace4-edaa54e1f810", locked=False)
    data = render_feed([full_episode()], overridden, now=NOW)
    assert check_podcast_elements(data, guid_from_feed_url=False) == {
        "chapters",
        "guid",
        "locked",
        "transcript",
    }
    with pytest.raises(NamespaceError, match="is not the guid of"):
        check_podcast_elements(data)


SLUG_URL = BASE + "morning-news/"
LOCKED = '<podcast:locked owner="podcast@example.org">yes</podcast:locked>'
CHAPTERS_XML = (
    f'<podcast:chapters url="{SLUG_URL}chapters.json" type="application/json+chapters" />'
)
VTT = (
    f'<podcast:transcript url="{SLUG_URL}transcript.vtt" type="text/vtt" language="ar" '
    'rel="captions" />'
)
GUID = f"<podcast:guid>{podcast_guid(FEED_URL)}</podcast:guid>"

#: Narrate's element as a careless feed would write it instead, and what the check says of it.
BROKEN: dict[str, tuple[str, str, str]] = {
    "locked without owner": (LOCKED, "<podcast:locked>yes</podcast:locked>", "lacks the required"),
    "locked true": (LOCKED, LOCKED.replace(">yes<", ">true<"), "must say 'yes' or 'no'"),
    "locked owner no mail": (LOCKED, LOCKED.replace("podcast@example.org", "me"), "not an e-mail"),
    "guid no UUID": (GUID, "<podcast:guid>morning-news</podcast:guid>", "is not a UUID"),
    "guid upper case": (GUID, GUID.upper().replace("PODCAST:GUID", "podcast:guid"), "canonical"),
    "guid a UUIDv4": (
        GUID,
        "<podcast:guid>0b2f4a1e-8f0a-4c6e-9d3b-2f1c5a7e9b10</podcast:guid>",
        "version 4 UUID",
    ),
    "guid of another feed": (
        GUID,
        f"<podcast:guid>{podcast_guid('example.org/other.xml')}</podcast:guid>",
        "is not the guid of",
    ),
    "guid in an item": (VTT, "<podcast:guid>x</podcast:guid>" + VTT, "belongs in the channel"),
    "chapters JSON type": (
        CHAPTERS_XML,
        CHAPTERS_XML.replace("json+chapters", "json"),
        "type must",
    ),
    "chapters without url": (
        CHAPTERS_XML,
        CHAPTERS_XML.replace(f'url="{SLUG_URL}chapters.json" ', ""),
        "lacks",
    ),
    "chapters relative url": (CHAPTERS_XML, CHAPTERS_XML.replace(BASE, ""), "absolute ASCII"),
    "chapters with text": (
        CHAPTERS_XML,
        CHAPTERS_XML.replace(" />", ">x</podcast:chapters>"),
        "empty",
    ),
    "two chapters": (CHAPTERS_XML, CHAPTERS_XML + CHAPTERS_XML, "more than once"),
    "transcript rel": (VTT, VTT.replace('rel="captions"', 'rel="subtitles"'), "only be 'captions'"),
    "transcript type": (VTT, VTT.replace("text/vtt", "text/markdown"), "is none of"),
    "transcript attribute": (VTT, VTT.replace('language="ar"', 'lang="ar"'), "specification lacks"),
    "transcript language": (VTT, VTT.replace('language="ar"', 'language="ar_SY"'), "language code"),
    "plain text captions": (VTT, VTT.replace("text/vtt", "text/plain"), "no time codes"),
    "old namespace URI": (
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"',
        'xmlns:podcast="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"',
        "is bound to",
    ),
    "an element without a check": (
        LOCKED,
        LOCKED + "<podcast:medium>podcast</podcast:medium>",
        "no check",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_the_namespace_checks_can_fail(name: str) -> None:
    old, new, message = BROKEN[name]
    data = render_feed([full_episode()], full_show(), now=NOW).decode("utf-8")
    assert old in data, old
    with pytest.raises(NamespaceError, match=message):
        check_podcast_elements(data.replace(old, new, 1).encode("utf-8"))


def test_podcast_guid_follows_the_specification() -> None:
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    fixed = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    show = full_show(guid=fixed)
    assert show.podcast_guid == fixed
    assert full_show().podcast_guid == podcast_guid("example.org/podcast/feed.xml")


# -- URLs ------------------------------------------------------------------------------


def test_urls_are_absolute_ascii_and_quoted() -> None:
    show = full_show(base_url="https://مثال.example/بودكاست")
    episode = full_episode(
        "a",
        chapters_file="a/chapters file.json",
        transcripts=(TranscriptFile("a/t%20x.vtt", "text/vtt"),),
    )
    data = render_feed([episode], show, now=NOW)
    urls = [
        value
        for element in ET.fromstring(data).iter()
        for key, value in element.attrib.items()
        if key in ("url", "href")
    ]
    assert len(urls) >= 5
    base = "https://xn--mgbh0fb.example/%D8%A8%D9%88%D8%AF%D9%83%D8%A7%D8%B3%D8%AA/"
    for url in urls:
        assert url.isascii() and url.startswith(base), url
    assert base + "a/chapters%20file.json" in urls
    assert base + "a/t%2520x.vtt" in urls  # a literal % is quoted, not taken as an escape


# -- text that breaks naive feeds ----------------------------------------------

HOSTILE = "عاجل: «الذهب» & <النفط> ]]> ارتفاع\x01\x0b\x7f ٪٣؟ \u202eمقلوب\u202c"
CLEAN = "عاجل: «الذهب» & <النفط> ]]> ارتفاع ٪٣؟ \u202eمقلوب\u202c"


def test_hostile_text_survives_both_parsers() -> None:
    show = ShowSettings(title="نشرة & <أخبار> ]]>\x02", base_url=BASE, author="أ & ب")
    chapters = (Chapter(HOSTILE, 0, 1000), Chapter("\"اقتباس\" 'و' &amp;", 1000, 2000))
    ep = bare_episode(
        "x", title=HOSTILE, description=HOSTILE + "\n" + "\x00سطر ثان", chapters=chapters
    )
    data = render_feed([ep], show, now=NOW)
    assert b"<![CDATA[" not in data
    for control in (b"\x00", b"\x01", b"\x02", b"\x0b", b"\x7f"):
        assert control not in data

    pp = read_pp(data)
    assert pp["title"] == "نشرة & <أخبار> ]]>"
    assert pp["itunes_author"] == "أ & ب"
    [item] = pp["episodes"]
    assert item["title"] == CLEAN
    assert item["description"].startswith(CLEAN + "\nسطر ثان\n\nفقرات الحلقة:\n0:00 " + CLEAN)
    assert [c["title"] for c in item["chapters"]] == [CLEAN, "\"اقتباس\" 'و' &amp;"]

    fp = read_fp(data)
    assert fp.feed.title == "نشرة & <أخبار> ]]>"
    [entry] = fp.entries
    assert entry.title == entry.itunes_title == CLEAN
    assert [c.title for c in entry.psc_chapters.chapters] == [CLEAN, "\"اقتباس\" 'و' &amp;"]
    assert "&lt;النفط&gt;" in entry.content[0].value  # escaped once inside the HTML


def test_clean_text_keeps_arabic_marks_and_layout() -> None:
    text = "\u200fمرحبًا\u061c، عالم\t١٢٣\r\nسطر"
    assert feed.clean_text(text) == "\u200fمرحبًا\u061c، عالم\t١٢٣\nسطر"


def test_long_episode_description_is_cut_for_apple() -> None:
    long = " ".join(["كلمة"] * 1000)  # 9999 bytes
    data = render_feed([full_episode(description=long)], full_show(), now=NOW)
    [item] = read_pp(data)["episodes"]
    text = item["description"]
    assert len(text.encode("utf-8")) <= feed.MAX_DESCRIPTION_BYTES
    assert text.endswith("كلمة…")
    assert long.startswith(text[:-1])
    # Show notes too long for Apple are left out rather than cut in the middle of a tag.
    assert ET.fromstring(data).find(f"channel/item/{CONTENT}encoded") is None


# -- the generator ---------------------------------------------------------------


def test_generator_names_this_version() -> None:
    data = render_feed([], ShowSettings(title="نشرة", base_url=BASE), now=NOW)
    assert f"<generator>narrate {narrate.__version__}</generator>".encode() in data


# -- bad input, caught at the edge ----------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2024, 5, 1, 6, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        bare_episode("a", published=naive)
    with pytest.raises(PublishError, match="timezone-aware"):
        render_feed([], full_show(), now=naive)


@pytest.mark.parametrize(
    "url",
    [
        "podcast/",
        "/podcast/",
        "example.org/podcast/",
        "ftp://example.org/",
        "https://",
        "https://example.org/?a=1",
    ],
)
def test_base_url_must_be_absolute_http(url: str) -> None:
    with pytest.raises(ValueError, match=r"^base_url must") as raised:
        ShowSettings(title="نشرة", base_url=url)
    assert isinstance(raised.value, PublishError)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "news"}, "unknown Apple Podcasts category 'news'"),
        ({"subcategory": "Politic"}, "unknown subcategory 'Politic' of 'News'"),
        ({"category": "History", "subcategory": "Wars"}, "its subcategories are: none"),
        ({"title": "  "}, "needs a title"),
        ({"link": "example.org"}, "link must be an absolute"),
        ({"description": "ب" * 2001}, "4002 bytes; Apple allows 4000"),
        ({"owner_email": "podcast at example.org"}, "is not an e-mail address"),
        ({"owner_email": ""}, "a locked feed needs an owner_email"),
        ({"image_file": "../cover.jpg"}, "must be an ASCII path inside the output folder"),
        ({"image_file": "غلاف.jpg"}, "must be an ASCII path inside the output folder"),
        ({"guid": "not-a-uuid"}, "is not a UUID"),
    ],
)
def test_bad_show_settings(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        full_show(**changes)


@pytest.mark.parametrize("name", ["../feed.mp3", "sub/a.mp3", "نشرة.mp3", ".hidden.mp3", " "])
def test_episode_file_name_must_be_a_plain_ascii_name(name: str) -> None:
    with pytest.raises(ValueError, match=r"file name|empty file_name"):
        bare_episode("a", file_name=name)


@pytest.mark.parametrize(
    "changes",
    [
        {"chapters_file": "/etc/passwd"},
        {"transcripts": (TranscriptFile("a/../../x.vtt", "text/vtt"),)},
        {"segments": (SegmentFile(1, "t", "a\\01.mp3", 1, 1),)},
        {"image_file": "a/.hidden.jpg"},
    ],
)
def test_episode_paths_stay_inside_the_output_folder(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="inside the output folder"):
        bare_episode("a", **changes)


def test_two_slugs_cannot_share_a_guid_or_a_file() -> None:
    a = bare_episode("a")
    with pytest.raises(ValueError, match=r"share the enclosure file 'a\.mp3'"):
        render_feed([a, replace(a, slug="b", guid="other")], full_show(), now=NOW)
    with pytest.raises(ValueError, match="share the guid 'urn:narrate:a'"):
        render_feed([a, bare_episode("b", guid=a.guid)], full_show(), now=NOW)


# -- the article's page ------------------------------------------------------------------

ARTICLE = "https://www.news.example/world/2025/10/27/talks.html?id=5&lang=ar"


def test_item_link_is_the_articles_page_for_both_parsers() -> None:
    linked = full_episode("linked", link=ARTICLE, site="أخبار المثال", published=T0 + timedelta(1))
    data = render_feed([linked, bare_episode("file")], full_show(), now=NOW)
    assert (
        b"<link>https://www.news.example/world/2025/10/27/talks.html?id=5&amp;lang=ar</link>"
        in (data)
    )
    from_pp = read_pp(data)["episodes"]
    assert [e["link"] for e in from_pp] == [ARTICLE, ""]
    from_fp = read_fp(data).entries
    assert from_fp[0].link == ARTICLE
    assert [link.href for link in from_fp[0].links if link.rel == "alternate"] == [ARTICLE]
    # An episode read from a file has no <link>, as before the link existed; its guid is no
    # permalink, so no parser makes one up.
    assert "link" not in from_fp[1]
    items = ET.fromstring(data).findall("channel/item")
    assert [i.findtext("link") for i in items] == [ARTICLE, None]
    assert [len(i.findall("link")) for i in items] == [1, 0]


def test_an_international_article_link_is_made_ascii() -> None:
    episode = bare_episode("a", link="https://مثال.example/أخبار/خبر?رقم=٥#تعليقات")
    assert episode.link == (
        "https://xn--mgbh0fb.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%AE%D8%A8%D8%B1"
        "?%D8%B1%D9%82%D9%85=%D9%A5"
    )
    [item] = read_pp(render_feed([episode], full_show(), now=NOW))["episodes"]
    assert item["link"] == episode.link and item["link"].isascii()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/world/talks.html", "must be an absolute http"),
        ("news.example/talks", "must be an absolute http"),
        ("javascript:alert(1)", "must be an absolute http"),
        ("ftp://news.example/a", "must be an absolute http"),
        ("https://", "must be an absolute http"),
        ("https://news.example/a b", "must not contain spaces or control characters"),
        ("https://news.example/a\nb", "must not contain spaces or control characters"),
        ("https://news.example:port/a", "is not a URL"),
        ("https://[::1/a", "is not a URL"),
    ],
)
def test_an_episode_link_must_be_an_absolute_web_address(link: str, message: str) -> None:
    with pytest.raises(PublishError, match=rf"^episode 'a': link {message}"):
        bare_episode("a", link=link)


def test_a_site_is_one_clean_line_and_an_empty_one_is_none() -> None:
    assert bare_episode("a", site=" أخبار\n\tالمثال\x00 ").site == "أخبار المثال"
    assert bare_episode("a", site="  ").site is None
