"""The feed and its episode store, read back by the parsers podcast apps use."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from calendar import timegm
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest

import narrate
from narrate import feed
from narrate.errors import PublishError
from narrate.feed import (
    ShowSettings,
    StoredEpisode,
    load_episodes,
    publish_episode,
    render_feed,
)

GOLDEN = Path(__file__).parent / "data" / "feeds"
BASE = "https://example.org/podcast/"
FEED_URL = BASE + "feed.xml"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM = "{http://www.w3.org/2005/Atom}"

T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
NOW = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def show() -> ShowSettings:
    return ShowSettings(
        title="نشرة الصباح",
        base_url=BASE,
        description="أخبار اليوم في دقائق، بصوت واضح.",
        author="فريق التحرير",
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "output"
    path.mkdir()
    return path


def episode(out: Path, slug: str, *, size: int = 4321, **changes: Any) -> StoredEpisode:
    """An episode whose MP3 (``size`` bytes of stand-in data) exists in ``out``."""
    (out / f"{slug}.mp3").write_bytes(b"\xff" * size)
    fields: dict[str, Any] = {
        "slug": slug,
        "guid": f"urn:narrate:{slug}",
        "title": f"حلقة {slug}",
        "description": f"ملخص {slug}",
        "published": T0,
        "duration_seconds": 754,
        "file_name": f"{slug}.mp3",
        "file_size": size,
        "engine": "gtts 2.5.4 (ar)",
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


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# -- fields read back ----------------------------------------------------------


def test_first_publish_gives_one_item_with_every_field(out: Path, show: ShowSettings) -> None:
    ep = episode(out, "morning-news", size=98765, duration_seconds=1234)
    path = publish_episode(out, ep, show, now=NOW)
    assert path == out / "feed.xml"
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert b'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"' in data

    pp = read_pp(data)
    assert pp["title"] == "نشرة الصباح"
    assert pp["link"] == BASE
    assert pp["description"] == "أخبار اليوم في دقائق، بصوت واضح."
    assert pp["language"] == "ar"
    assert pp["generator"] == f"narrate {narrate.__version__}"
    assert pp["itunes_author"] == "فريق التحرير"
    assert pp["explicit"] is False
    assert pp["itunes_categories"] == [["News"]]
    assert pp["type"] == "episodic"
    [item] = pp["episodes"]
    assert item["title"] == "حلقة morning-news"
    assert item["guid"] == "urn:narrate:morning-news"
    assert item["description"] == "ملخص morning-news"
    assert item["published"] == stamp(T0)
    assert item["total_time"] == 1234
    assert item["type"] == "full"
    assert item["enclosures"] == [
        {"url": BASE + "morning-news.mp3", "file_size": 98765, "mime_type": "audio/mpeg"}
    ]

    fp = read_fp(data)
    assert fp.version == "rss20"
    assert fp.feed.title == "نشرة الصباح"
    assert fp.feed.language == "ar"
    assert fp.feed.author == "فريق التحرير"
    assert fp.feed.summary == "أخبار اليوم في دقائق، بصوت واضح."
    assert fp.feed.itunes_type == "episodic"
    assert fp.feed.updated == "Fri, 03 May 2024 12:00:00 GMT"
    assert {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"} in fp.feed.links
    assert [t.term for t in fp.feed.tags] == ["News"]
    # feedparser maps only "yes" to True; "false" (Apple's spelling) must not read as explicit.
    assert not fp.feed.itunes_explicit
    [entry] = fp.entries
    assert entry.title == entry.itunes_title == "حلقة morning-news"
    assert entry.id == "urn:narrate:morning-news"
    assert entry.guidislink is False
    assert entry.summary == "ملخص morning-news"
    assert entry.published == "Wed, 01 May 2024 06:30:00 GMT"
    assert timegm(entry.published_parsed) == stamp(T0)
    assert entry.itunes_duration == "1234"
    assert entry.itunes_episodetype == "full"
    [enclosure] = entry.enclosures
    assert enclosure.href == BASE + "morning-news.mp3"
    assert enclosure.length == "98765"
    assert enclosure.type == "audio/mpeg"


def test_xml_attributes_the_parsers_do_not_report(out: Path, show: ShowSettings) -> None:
    publish_episode(out, episode(out, "a"), show, now=NOW)
    channel = ET.fromstring((out / "feed.xml").read_bytes()).find("channel")
    assert channel is not None
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext("lastBuildDate") == format_datetime(NOW, usegmt=True)
    category = channel.find(f"{ITUNES}category")
    assert category is not None and category.attrib == {"text": "News"}
    guid = channel.find("item/guid")
    assert guid is not None and guid.attrib == {"isPermaLink": "false"}
    link = channel.find(f"{ATOM}link")
    assert link is not None and link.attrib["href"] == FEED_URL


def test_explicit_subcategory_and_image(out: Path) -> None:
    show = ShowSettings(
        title="نشرة",
        base_url="https://example.org/podcast",  # trailing slash added
        explicit=True,
        subcategory="Daily News",
        image_url="https://example.org/cover.png",
        link="https://example.org/",
    )
    assert show.base_url == BASE
    publish_episode(out, episode(out, "a"), show, now=NOW)
    pp = read_pp((out / "feed.xml").read_bytes())
    assert pp["explicit"] is True
    assert pp["itunes_categories"] == [["News", "Daily News"]]
    assert pp["cover_url"] == "https://example.org/cover.png"
    assert pp["link"] == "https://example.org/"
    assert pp["episodes"][0]["enclosures"][0]["url"] == BASE + "a.mp3"
    # Without a description the title stands in for RSS's required one.
    assert pp["description"] == "نشرة"


# -- the store across publishes ------------------------------------------------


def test_second_slug_adds_an_item_newest_first(out: Path, show: ShowSettings) -> None:
    first = episode(out, "first", published=T0)
    second = episode(out, "second", size=777, published=T0 + timedelta(days=1))
    publish_episode(out, first, show, now=NOW)
    publish_episode(out, second, show, now=NOW)

    data = (out / "feed.xml").read_bytes()
    items = read_pp(data)["episodes"]
    assert [i["guid"] for i in items] == ["urn:narrate:second", "urn:narrate:first"]
    assert [i["enclosures"][0]["file_size"] for i in items] == [777, 4321]
    assert [e.id for e in read_fp(data).entries] == ["urn:narrate:second", "urn:narrate:first"]
    assert load_episodes(out) == [second, first]


def test_rebuild_of_a_slug_keeps_guid_and_first_date(out: Path, show: ShowSettings) -> None:
    publish_episode(out, episode(out, "first", published=T0), show, now=NOW)
    publish_episode(out, episode(out, "second", published=T0 + timedelta(days=1)), show, now=NOW)
    rebuilt = episode(
        out,
        "first",
        size=5555,
        guid="urn:narrate:a-new-guid",
        published=T0 + timedelta(days=5),
        duration_seconds=999,
        title="حلقة مصححة",
    )
    publish_episode(out, rebuilt, show, now=NOW)

    items = read_pp((out / "feed.xml").read_bytes())["episodes"]
    assert [i["guid"] for i in items] == ["urn:narrate:second", "urn:narrate:first"]
    old = items[1]
    assert old["published"] == stamp(T0)
    assert old["total_time"] == 999
    assert old["enclosures"][0]["file_size"] == 5555
    assert old["title"] == "حلقة مصححة"
    stored = {e.slug: e for e in load_episodes(out)}
    assert stored["first"] == replace(rebuilt, guid="urn:narrate:first", published=T0)


def test_store_is_versioned_readable_json(out: Path, show: ShowSettings) -> None:
    ep = episode(
        out, "a", published=datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=3)))
    )
    publish_episode(out, ep, show, now=NOW)
    text = (out / "episodes.json").read_text("utf-8")
    assert "حلقة a" in text  # not \u escapes
    data = json.loads(text)
    assert data["version"] == 1
    assert data["episodes"] == [
        {
            "slug": "a",
            "guid": "urn:narrate:a",
            "title": "حلقة a",
            "description": "ملخص a",
            "published": "2024-05-01T06:30:00+00:00",
            "duration_seconds": 754,
            "file_name": "a.mp3",
            "file_size": 4321,
            "engine": "gtts 2.5.4 (ar)",
        }
    ]
    assert load_episodes(out) == [ep]
    assert load_episodes(out)[0].published.tzinfo is UTC


def test_nothing_published_yet(out: Path) -> None:
    assert load_episodes(out) == []


def test_files_written_are_readable_by_a_web_server(out: Path, show: ShowSettings) -> None:
    publish_episode(out, episode(out, "a"), show, now=NOW)
    umask = os.umask(0)
    os.umask(umask)
    for name in ("feed.xml", "episodes.json"):
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in out.iterdir()) == ["a.mp3", "episodes.json", "feed.xml"]


# -- text that breaks naive feeds ----------------------------------------------

HOSTILE = "عاجل: «الذهب» & <النفط> ]]> ارتفاع\x01\x0b\x7f ٪٣؟"
CLEAN = "عاجل: «الذهب» & <النفط> ]]> ارتفاع ٪٣؟"


def test_hostile_text_survives_both_parsers(out: Path) -> None:
    show = ShowSettings(title="نشرة & <أخبار> ]]>\x02", base_url=BASE, author="أ & ب")
    ep = episode(out, "x", title=HOSTILE, description=HOSTILE + "\n" + "\x00سطر ثان")
    publish_episode(out, ep, show, now=NOW)
    data = (out / "feed.xml").read_bytes()
    assert b"<![CDATA[" not in data
    for control in (b"\x00", b"\x01", b"\x02", b"\x0b", b"\x7f"):
        assert control not in data

    pp = read_pp(data)
    assert pp["title"] == "نشرة & <أخبار> ]]>"
    assert pp["itunes_author"] == "أ & ب"
    [item] = pp["episodes"]
    assert item["title"] == CLEAN
    assert item["description"] == CLEAN + "\nسطر ثان"

    fp = read_fp(data)
    assert fp.feed.title == "نشرة & <أخبار> ]]>"
    [entry] = fp.entries
    assert entry.title == entry.itunes_title == CLEAN
    assert entry.summary == CLEAN + "\nسطر ثان"


def test_clean_text_keeps_arabic_marks_and_layout() -> None:
    text = "\u200fمرحبًا\u061c، عالم\t١٢٣\r\nسطر"
    assert feed.clean_text(text) == "\u200fمرحبًا\u061c، عالم\t١٢٣\nسطر"


def test_long_episode_description_is_cut_for_apple(out: Path, show: ShowSettings) -> None:
    long = " ".join(["كلمة"] * 1000)  # 9999 bytes
    publish_episode(out, episode(out, "a", description=long), show, now=NOW)
    [item] = read_pp((out / "feed.xml").read_bytes())["episodes"]
    text = item["description"]
    assert len(text.encode("utf-8")) <= feed.MAX_DESCRIPTION_BYTES
    assert text.endswith("كلمة…")
    assert long.startswith(text[:-1])
    assert load_episodes(out)[0].description == long  # the store keeps it whole


# -- golden file ----------------------------------------------------------------


def test_feed_matches_golden_file(
    out: Path, show: ShowSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerate with NARRATE_UPDATE_GOLDEN=1 after an intended change, and read the diff."""
    monkeypatch.setattr(feed, "GENERATOR", "narrate (golden)")
    publish_episode(
        out, episode(out, "first", published=T0, title="الحلقة الأولى & <مقدمة>"), show, now=NOW
    )
    second = episode(
        out,
        "second",
        size=1048576,
        published=datetime(2024, 5, 2, 6, 30, tzinfo=UTC),
        duration_seconds=3601,
        title="الحلقة الثانية؟ ]]>",
        description="",
    )
    publish_episode(out, second, show, now=NOW)
    data = (out / "feed.xml").read_bytes()
    assert render_feed(load_episodes(out), show, now=NOW) == data

    golden = GOLDEN / "two-episodes.xml"
    if os.environ.get("NARRATE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    if not golden.exists():
        pytest.fail(f"{golden} is missing; create it with NARRATE_UPDATE_GOLDEN=1")
    assert data.decode("utf-8") == golden.read_text("utf-8")


def test_generator_names_this_version(show: ShowSettings) -> None:
    data = render_feed([], show, now=NOW)
    assert f"<generator>narrate {narrate.__version__}</generator>".encode() in data


# -- a failed publish changes nothing -------------------------------------------


def fail_on_call(real: Callable[..., Any], n: int) -> Callable[..., Any]:
    """``real``, except that its ``n``-th call raises as a full disk would."""
    calls = 0

    def fake(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == n:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    return fake


FAILURES: dict[str, tuple[str, Callable[..., Any]]] = {
    "replace store": ("replace", fail_on_call(os.replace, 1)),
    "replace feed": ("replace", fail_on_call(os.replace, 2)),
    "fsync store": ("fsync", fail_on_call(os.fsync, 1)),
    "fsync feed": ("fsync", fail_on_call(os.fsync, 2)),
}


@pytest.fixture
def published(out: Path, show: ShowSettings) -> Iterator[dict[str, bytes]]:
    publish_episode(out, episode(out, "first"), show, now=NOW)
    before = files(out)
    episode(out, "second")  # its MP3 is in place; the publish below is what fails
    yield before


@pytest.mark.parametrize("name", FAILURES)
def test_failed_write_leaves_both_files_as_they_were(
    name: str,
    out: Path,
    show: ShowSettings,
    published: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    function, fake = FAILURES[name]
    monkeypatch.setattr(os, function, fake)
    with pytest.raises(PublishError, match="No space left on device"):
        publish_episode(out, episode(out, "second"), show, now=NOW)
    monkeypatch.undo()
    after = files(out)
    del after["second.mp3"]
    assert after == published  # byte-identical, and no temporary file left


def test_failed_serializer_leaves_both_files_as_they_were(
    out: Path, show: ShowSettings, published: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("serializer exploded")

    monkeypatch.setattr(ET, "tostring", broken)
    with pytest.raises(RuntimeError, match="serializer exploded"):
        publish_episode(out, episode(out, "second"), show, now=NOW)
    monkeypatch.undo()
    after = files(out)
    del after["second.mp3"]
    assert after == published


def test_failed_first_publish_leaves_no_store(
    out: Path, show: ShowSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ep = episode(out, "a")
    monkeypatch.setattr(os, "replace", fail_on_call(os.replace, 2))
    with pytest.raises(PublishError, match=r"cannot replace .*feed\.xml"):
        publish_episode(out, ep, show, now=NOW)
    assert sorted(p.name for p in out.iterdir()) == ["a.mp3"]


# -- bad input, caught at the edge ----------------------------------------------

CORRUPT_STORES: dict[str, tuple[bytes, str]] = {
    "truncated": (b'{"version": 1, "episodes": [', "not valid JSON"),
    "not utf-8": (b'{"version": 1, "episodes": [], "x": "\xff"}', "not UTF-8"),
    "no version": (b'{"episodes": []}', "has no version"),
    "future version": (b'{"version": 2, "episodes": []}', "is version 2"),
    "no list": (b'{"version": 1, "episodes": {}}', "no episode list"),
    "missing field": (b'{"version": 1, "episodes": [{"slug": "a"}]}', "episode 0: field 'guid'"),
    "bad date": (
        json.dumps(
            {
                "version": 1,
                "episodes": [
                    {
                        "slug": "a",
                        "guid": "g",
                        "title": "t",
                        "description": "",
                        "published": "2024-05-01T06:30:00",
                        "duration_seconds": 1,
                        "file_name": "a.mp3",
                        "file_size": 1,
                        "engine": "e",
                    }
                ],
            }
        ).encode(),
        "timezone-aware",
    ),
}


@pytest.mark.parametrize("name", CORRUPT_STORES)
def test_corrupt_store_is_refused_not_replaced(name: str, out: Path, show: ShowSettings) -> None:
    content, reason = CORRUPT_STORES[name]
    store = out / "episodes.json"
    store.write_bytes(content)
    with pytest.raises(PublishError, match=reason) as raised:
        publish_episode(out, episode(out, "a"), show, now=NOW)
    assert str(store) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert store.read_bytes() == content
    assert not (out / "feed.xml").exists()
    with pytest.raises(PublishError, match=reason):
        load_episodes(out)


def test_duplicate_slug_in_store_is_refused(out: Path, show: ShowSettings) -> None:
    publish_episode(out, episode(out, "a"), show, now=NOW)
    data = json.loads((out / "episodes.json").read_text("utf-8"))
    data["episodes"].append(data["episodes"][0])
    (out / "episodes.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(PublishError, match="lists a slug twice"):
        load_episodes(out)


def test_unreadable_store_is_an_error(out: Path) -> None:
    (out / "episodes.json").mkdir()
    with pytest.raises(PublishError, match="cannot read episode store"):
        load_episodes(out)


def test_naive_datetimes_are_rejected(out: Path, show: ShowSettings) -> None:
    naive = datetime(2024, 5, 1, 6, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        episode(out, "a", published=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        render_feed([], show, now=naive)
    with pytest.raises(PublishError, match="timezone-aware"):
        publish_episode(out, episode(out, "a"), show, now=naive)
    assert not (out / "episodes.json").exists()


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
    ],
)
def test_bad_show_settings(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ShowSettings(**{"title": "نشرة", "base_url": BASE, **changes})


@pytest.mark.parametrize("name", ["../feed.mp3", "sub/a.mp3", "نشرة.mp3", ".hidden.mp3", " "])
def test_episode_file_name_must_be_a_plain_ascii_name(out: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"file name|empty file_name"):
        episode(out, "a", file_name=name)


def test_audio_must_exist_with_the_stated_size(out: Path, show: ShowSettings) -> None:
    ep = episode(out, "a", size=100)
    with pytest.raises(PublishError, match=r"a\.mp3 is 100 bytes, but the episode says 99"):
        publish_episode(out, replace(ep, file_size=99), show, now=NOW)
    with pytest.raises(PublishError, match=r"b\.mp3 does not exist"):
        publish_episode(out, replace(ep, slug="b", file_name="b.mp3"), show, now=NOW)
    assert not (out / "episodes.json").exists()


def test_two_slugs_cannot_share_a_guid_or_a_file(out: Path, show: ShowSettings) -> None:
    a = episode(out, "a")
    with pytest.raises(ValueError, match=r"share the enclosure file 'a\.mp3'"):
        render_feed([a, replace(a, slug="b", guid="other")], show, now=NOW)
    publish_episode(out, a, show, now=NOW)
    with pytest.raises(PublishError, match="share the guid 'urn:narrate:a'"):
        publish_episode(out, episode(out, "b", guid=a.guid), show, now=NOW)
    assert len(load_episodes(out)) == 1
