"""The SQLite episode store, publishing under the lock, and concurrent builds in real processes.

The store is :mod:`narrate.publish.store`, the lock :mod:`narrate.publish.lock`, and the
transaction that changes the store and rewrites the feed and the page
:mod:`narrate.publish.publishing`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from narrate.errors import PublishError
from narrate.ffmpeg import run_ffmpeg
from narrate.layout import COVER_FILES, OutsideOutputError
from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.publish import lock, publishing, store
from narrate.publish.feed import render_feed
from narrate.publish.lock import publish_lock
from narrate.publish.publishing import find_artwork, publish, regenerate, remove_episode
from narrate.publish.store import EpisodeStore, load_episodes
from narrate.show import ShowSettings, StoredEpisode
from tests.paths import TESTS
from tests.unit.publish.test_feed import bare_episode

WORKER = TESTS / "publish_worker.py"
BASE = "https://example.org/podcast/"
T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
NOW = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def show() -> ShowSettings:
    return ShowSettings(title="نشرة الصباح", base_url=BASE, author="فريق التحرير")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "output"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def pages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, list[str], str]]:
    """A stand-in for the page publishing makes, recording each call: (folder, slugs, title).

    A page is rendered and staged with the feed (``render_page``), or, for a build's staged
    files, written once they are in place (``write_page``)."""
    calls: list[tuple[Path, list[str], str]] = []

    def render_page(output_dir: Path, episodes: Any, show: ShowSettings) -> str:
        calls.append((output_dir, [e.slug for e in episodes], show.title))
        return f"<!DOCTYPE html>\n<title>{show.title}</title>\n{[e.slug for e in episodes]}\n"

    def write_page(output_dir: Path, episodes: Any, show: ShowSettings) -> Path:
        data = render_page(output_dir, episodes, show).encode("utf-8")
        (output_dir / "index.html").write_bytes(data)
        return output_dir / "index.html"

    monkeypatch.setattr(publishing, "render_page", render_page)
    monkeypatch.setattr(publishing, "write_page", write_page)
    return calls


def episode(out: Path, slug: str, *, size: int = 4321, **changes: Any) -> StoredEpisode:
    """An episode whose MP3 (``size`` bytes of stand-in data) exists in ``out``."""
    (out / f"{slug}.mp3").write_bytes(b"\xff" * size)
    return bare_episode(slug, **{"file_size": size, "engine": "gtts 2.5.4 (ar)", **changes})


def full_episode(out: Path, slug: str, **changes: Any) -> StoredEpisode:
    """An episode with every field, its segment MP3s, chapters and transcripts on disk."""
    folder = out / slug
    folder.mkdir(exist_ok=True)
    segments = []
    for n, title in enumerate(("المقدمة", "الذهب"), start=1):
        path = f"{slug}/{n:02d}-part.mp3"
        (out / path).write_bytes(b"\xff" * (100 * n))
        segments.append(SegmentFile(n, title, path, 100 * n, 5000))
    (folder / "chapters.json").write_text("{}", "utf-8")
    transcripts = []
    for name, mime in (("transcript.vtt", "text/vtt"), ("transcript.json", "application/json")):
        (folder / name).write_text("x", "utf-8")
        transcripts.append(TranscriptFile(f"{slug}/{name}", mime))
    record = out / ".narrate" / f"{slug}.json"
    record.parent.mkdir(exist_ok=True)
    record.write_text("{}", "utf-8")
    return episode(
        out,
        slug,
        chapters=(Chapter("المقدمة", 0, 5000), Chapter("الذهب", 5000, 10000)),
        segments=tuple(segments),
        chapters_file=f"{slug}/chapters.json",
        transcripts=tuple(transcripts),
        image_file="cover.jpg",
        **changes,
    )


def feed_guids(out: Path) -> list[str]:
    root = ET.fromstring((out / "feed.xml").read_bytes())
    return [g.text or "" for g in root.iter("guid")]


def files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


# -- the store ---------------------------------------------------------------------


def test_put_get_list_remove(out: Path) -> None:
    first = full_episode(out, "first")
    second = episode(out, "second", published=T0 + timedelta(days=1))
    with EpisodeStore(out) as episodes:
        assert episodes.list() == []
        assert episodes.put(first) == first
        assert episodes.put(second) == second
        assert episodes.list() == [second, first]
        assert episodes.get("first") == first  # every field round-trips, Arabic included
        assert episodes.get("nope") is None
        assert episodes.remove("second") == second
        assert episodes.remove("second") is None
        assert episodes.list() == [first]
    with EpisodeStore(out) as again:
        assert again.list() == [first]


def test_a_rebuilt_slug_keeps_its_guid_and_first_date(out: Path, show: ShowSettings) -> None:
    publish(out, episode(out, "first"), show, now=NOW)
    publish(out, episode(out, "second", published=T0 + timedelta(days=1)), show, now=NOW)
    rebuilt = episode(
        out,
        "first",
        size=5555,
        guid="urn:narrate:a-new-guid",
        published=T0 + timedelta(days=5),
        title="حلقة مصححة",
    )
    publish(out, rebuilt, show, now=NOW)
    stored = {e.slug: e for e in load_episodes(out)}
    assert stored["first"] == replace(rebuilt, guid="urn:narrate:first", published=T0)
    assert feed_guids(out) == ["urn:narrate:second", "urn:narrate:first"]


def test_the_database_file(out: Path, show: ShowSettings) -> None:
    assert load_episodes(out) == []
    assert list(out.iterdir()) == []  # reading creates nothing
    publish(out, episode(out, "a"), show, now=NOW)
    db = out / "narrate.sqlite"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (store.SCHEMA_VERSION,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT slug, published FROM episodes").fetchall() == [
            ("a", "2024-05-01T06:30:00+00:00")
        ]
    conn.close()
    # One self-contained file between transactions: no -wal, -shm or -journal beside it.
    assert sorted(p.name for p in out.iterdir()) == [
        ".narrate",
        "a.mp3",
        "feed.xml",
        "index.html",
        db.name,
    ]
    umask = os.umask(0)
    os.umask(umask)
    for name in ("feed.xml", db.name):
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_two_slugs_cannot_share_a_guid_or_a_file(out: Path, show: ShowSettings) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    with pytest.raises(PublishError, match="episodes 'a' and 'b' share the guid 'urn:narrate:a'"):
        publish(out, episode(out, "b", guid="urn:narrate:a"), show, now=NOW)
    with pytest.raises(PublishError, match=r"share the enclosure file 'a\.mp3'"):
        publish(out, episode(out, "c", file_name="a.mp3"), show, now=NOW)
    assert [e.slug for e in load_episodes(out)] == ["a"]
    assert feed_guids(out) == ["urn:narrate:a"]


# -- a damaged database --------------------------------------------------------------


def corrupt_garbage(db: Path) -> None:
    db.write_bytes(b"not a database, just some text" * 100)


def corrupt_truncated(db: Path) -> None:
    db.write_bytes(db.read_bytes()[:1500])


def corrupt_future(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()


def corrupt_foreign(db: Path) -> None:
    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()


def corrupt_row(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE episodes SET chapters = '[{\"title\": 1' WHERE slug = 'a'")
    conn.close()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "garbage": (corrupt_garbage, "is damaged or unreadable: file is not a database"),
    "truncated": (corrupt_truncated, "is damaged"),
    "newer narrate": (corrupt_future, "is version 99; this narrate reads version 3"),
    "not ours": (corrupt_foreign, "is not a narrate episode store"),
    "bad row": (corrupt_row, "is damaged: episode 'a'"),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_damaged_database_is_an_error_not_a_traceback(
    name: str, out: Path, show: ShowSettings
) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    db = out / "narrate.sqlite"
    damage, reason = DAMAGE[name]
    damage(db)
    before = files(out)
    for attempt in (lambda: load_episodes(out), lambda: publish(out, episode(out, "b"), show)):
        with pytest.raises(PublishError, match=reason) as raised:
            attempt()
        assert str(db) in str(raised.value)
        assert "\n" not in str(raised.value)
    after = files(out)
    del after["b.mp3"]
    assert after == before  # nothing replaced, no new store started over the old one


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ("[1]", "not a JSON object but list"),
        ('{"title": "x", "explicit": "no"}', "explicit is 'no'"),
    ],
)
def test_damaged_show_settings_are_one_clear_error(
    settings: str, reason: str, out: Path, show: ShowSettings
) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    db = out / "narrate.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE show SET settings = ? WHERE id = 1", (settings,))
    conn.close()
    with EpisodeStore(out) as store, pytest.raises(PublishError, match=reason) as raised:
        store.show()
    assert str(db) in str(raised.value)
    assert "bad show settings" in str(raised.value) and "\n" not in str(raised.value)


def test_a_new_store_has_the_mode_a_file_is_created_with(out: Path, show: ShowSettings) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "narrate.sqlite").stat().st_mode & 0o777 == 0o666 & ~mask
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# -- a store made by an older narrate ----------------------------------------------------

# Exactly what narrate wrote before version 2 (the commit before "the episode's link"): its
# schema, its user_version, and its upsert of a row of 14 columns.
V1_SCHEMA = """
CREATE TABLE episodes (
    slug TEXT PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    published TEXT NOT NULL,          -- ISO 8601, UTC
    duration_seconds INTEGER NOT NULL,
    file_name TEXT NOT NULL UNIQUE,
    file_size INTEGER NOT NULL,
    engine TEXT NOT NULL,
    chapters TEXT NOT NULL,           -- JSON: [{"title", "start_ms", "end_ms"}]
    segments TEXT NOT NULL,           -- JSON: [{"number", "title", "path", "size", "duration_ms"}]
    chapters_file TEXT,
    transcripts TEXT NOT NULL,        -- JSON: [{"path", "mime"}]
    image_file TEXT
) STRICT;
CREATE TABLE show (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL            -- JSON of the ShowSettings of the last publish
) STRICT;
"""
V1_COLUMNS = (
    "slug, guid, title, description, published, duration_seconds, file_name, file_size, "
    "engine, chapters, segments, chapters_file, transcripts, image_file"
)
V1_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in V1_COLUMNS.split(", ")[1:])


def v1_row(e: StoredEpisode) -> tuple[object, ...]:
    def dump(items: Any) -> str:
        return json.dumps(
            [dataclasses.asdict(i) for i in items], ensure_ascii=False, separators=(",", ":")
        )

    return (
        e.slug, e.guid, e.title, e.description, e.published.isoformat(), e.duration_seconds,
        e.file_name, e.file_size, e.engine, dump(e.chapters), dump(e.segments), e.chapters_file,
        dump(e.transcripts), e.image_file,
    )  # fmt: skip


def make_v1_store(out: Path, show: ShowSettings, episodes: list[StoredEpisode]) -> Path:
    """``narrate.sqlite`` as a narrate of schema version 1 left it after publishing ``episodes``."""
    db = out / "narrate.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.executescript(V1_SCHEMA + "PRAGMA user_version = 1;")
        for e in episodes:
            conn.execute(
                f"INSERT INTO episodes ({V1_COLUMNS}) VALUES ({', '.join('?' * 14)}) "
                f"ON CONFLICT(slug) DO UPDATE SET {V1_UPDATES}",
                v1_row(e),
            )
        conn.execute(
            "INSERT INTO show (id, settings) VALUES (1, ?) "
            "ON CONFLICT(id) DO UPDATE SET settings = excluded.settings",
            (json.dumps(dataclasses.asdict(show), ensure_ascii=False, sort_keys=True),),
        )
    finally:
        conn.close()
    return db


def table_columns(db: Path) -> tuple[int, list[str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        names = [row[1] for row in conn.execute("PRAGMA table_info(episodes)")]
    return version, names


LINK = "https://news.example/world/2025/10/27/talks?id=5"


@pytest.fixture
def old_store(out: Path, show: ShowSettings) -> list[StoredEpisode]:
    """Two episodes, one with every field, in a store made by a narrate of schema version 1."""
    old = [full_episode(out, "full"), episode(out, "bare", published=T0 + timedelta(days=1))]
    make_v1_store(out, show, old)
    return old


def test_reading_an_older_store_keeps_every_episode_and_changes_nothing(
    out: Path, show: ShowSettings, old_store: list[StoredEpisode]
) -> None:
    before = files(out)
    with EpisodeStore(out) as episodes:
        assert episodes.list() == [old_store[1], old_store[0]]  # every field, link None
        assert episodes.get("full") == old_store[0]
        assert episodes.show() == show
    assert files(out) == before  # a reader upgrades nothing
    assert table_columns(out / "narrate.sqlite")[0] == 1


def test_the_first_change_upgrades_an_older_store_and_keeps_its_episodes(
    out: Path, show: ShowSettings, old_store: list[StoredEpisode]
) -> None:
    linked = episode(
        out, "linked", published=T0 + timedelta(days=2), link=LINK, site="أخبار المثال"
    )
    publish(out, linked, show, now=NOW)
    version, columns = table_columns(out / "narrate.sqlite")
    assert version == store.SCHEMA_VERSION == 3
    assert columns[-4:] == ["link", "site", "identity", "source"]
    assert load_episodes(out) == [linked, old_store[1], old_store[0]]
    items = ET.fromstring((out / "feed.xml").read_bytes()).findall("channel/item")
    assert [item.findtext("link") for item in items] == [LINK, None, None]
    # An old episode rebuilt from a web page gains its link; the others stay as they were.
    publish(out, replace(old_store[0], link=LINK + "&x=1"), show, now=NOW)
    with EpisodeStore(out) as episodes:
        assert episodes.get("full") == replace(old_store[0], link=LINK + "&x=1")
        assert episodes.get("bare") == old_store[1]


def test_an_upgrade_is_undone_with_the_change_that_failed(
    out: Path, show: ShowSettings, old_store: list[StoredEpisode]
) -> None:
    before = files(out)
    with pytest.raises(PublishError, match="share the guid"):
        publish(out, episode(out, "clash", guid=old_store[0].guid, link=LINK), show, now=NOW)
    after = files(out)
    del after["clash.mp3"]
    assert after == before
    assert table_columns(out / "narrate.sqlite") == (1, V1_COLUMNS.split(", "))
    assert load_episodes(out) == [old_store[1], old_store[0]]


def test_an_upgraded_store_is_the_same_as_a_new_one(
    tmp_path: Path, out: Path, show: ShowSettings, old_store: list[StoredEpisode]
) -> None:
    publish(out, episode(out, "x", link=LINK), show, now=NOW)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    publish(fresh, episode(fresh, "x", link=LINK), show, now=NOW)
    for db in (out / "narrate.sqlite", fresh / "narrate.sqlite"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            info = conn.execute("PRAGMA table_info(episodes)").fetchall()
            assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert info[-4:] == [
            (14, "link", "TEXT", 0, None, 0),
            (15, "site", "TEXT", 0, None, 0),
            (16, "identity", "TEXT", 0, None, 0),
            (17, "source", "TEXT", 0, None, 0),
        ]
    assert table_columns(out / "narrate.sqlite") == table_columns(fresh / "narrate.sqlite")
    assert schema(out / "narrate.sqlite") == schema(fresh / "narrate.sqlite")


def schema(db: Path) -> list[tuple[str, str]]:
    """The store's indexes and tables, by kind and name."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT type, name FROM sqlite_master ORDER BY type, name")
        return [(str(kind), str(name)) for kind, name in rows]


# Exactly what narrate wrote at schema version 2 (the commit before episode identities): the
# episodes of a version 1 store with the link and site columns, and guids uuid5 of their slugs.
def make_v2_store(out: Path, show: ShowSettings, episodes: list[StoredEpisode]) -> Path:
    db = make_v1_store(out, show, [])
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("ALTER TABLE episodes ADD COLUMN link TEXT")
        conn.execute("ALTER TABLE episodes ADD COLUMN site TEXT")
        conn.execute("PRAGMA user_version = 2")
        for e in episodes:
            conn.execute(
                f"INSERT INTO episodes ({V1_COLUMNS}, link, site) VALUES ({', '.join('?' * 16)})",
                (*v1_row(e), e.link, e.site),
            )
    return db


UUID5 = ["1c8d0c34-61a0-5b0c-9f1e-0d6a3c4f5e71", "6f1f7c9e-2b4e-5a8d-8c3b-7e2d9f0a1b2c"]


def test_an_upgrade_to_identities_keeps_every_guid_and_knows_the_linked_episodes(
    out: Path, show: ShowSettings
) -> None:
    old = [
        episode(out, "linked", guid=UUID5[0], link=LINK),
        episode(out, "bare", guid=UUID5[1], published=T0 + timedelta(days=1)),
        episode(out, "twin-a", guid="urn:twin-a", link=LINK + "&twin=1"),
        episode(out, "twin-b", guid="urn:twin-b", link=LINK + "&twin=1"),
    ]
    make_v2_store(out, show, old)
    before = files(out)
    with EpisodeStore(out) as episodes:  # read as version 3 will know it, changing nothing
        known = episodes.origins()
    assert files(out) == before
    assert known == {
        "linked": store.Origin(LINK),
        "bare": store.Origin(),
        "twin-a": store.Origin(),  # two episodes of one link: which is the article is unknown
        "twin-b": store.Origin(),
    }
    new = episode(out, "new", guid="2f0c6f0e-8a7b-4c55-9d2e-1b3a5c7d9e0f")
    publish(out, new, show, origin=store.Origin("file:///articles/new.txt"), now=NOW)
    assert table_columns(out / "narrate.sqlite")[0] == 3
    with EpisodeStore(out) as episodes:
        assert episodes.origins() == {**known, "new": store.Origin("file:///articles/new.txt")}
        assert {e.slug: e.guid for e in episodes.list()} == {
            "linked": UUID5[0], "bare": UUID5[1], "twin-a": "urn:twin-a", "twin-b": "urn:twin-b",
            "new": new.guid,
        }  # fmt: skip
    assert sorted(feed_guids(out)) == sorted([UUID5[0], UUID5[1], "urn:twin-a", "urn:twin-b",
                                              new.guid])  # fmt: skip


def test_an_article_is_one_episode_and_keeps_its_origin(out: Path, show: ShowSettings) -> None:
    origin = store.Origin("https://news.example/a", "file:///n/a.html")
    publish(out, episode(out, "a"), show, origin=origin, now=NOW)
    with pytest.raises(PublishError, match="'a' and 'b' are the same article"):
        publish(out, episode(out, "b"), show, origin=store.Origin(origin.identity), now=NOW)
    publish(out, episode(out, "a", size=99), show, now=NOW)  # no origin: the one kept stays
    with EpisodeStore(out) as episodes:
        assert episodes.origin("a") == origin
        assert [e.slug for e in episodes.list()] == ["a"]


def test_link_and_site_round_trip(out: Path) -> None:
    ep = episode(out, "a", link="https://مثال.example/خبر?id=٣", site="  صحيفة\nالمثال ")
    assert ep.link == "https://xn--mgbh0fb.example/%D8%AE%D8%A8%D8%B1?id=%D9%A3"
    assert ep.site == "صحيفة المثال"
    with EpisodeStore(out) as episodes:
        episodes.put(ep)
        assert episodes.get("a") == ep


# -- publishing --------------------------------------------------------------------------


def test_publish_writes_feed_and_page_from_the_store(
    out: Path, show: ShowSettings, pages: list[tuple[Path, list[str], str]]
) -> None:
    path = publish(out, full_episode(out, "a"), show, now=NOW)
    assert path == out / "feed.xml"
    publish(out, episode(out, "b", published=T0 + timedelta(hours=1)), show, now=NOW)
    assert path.read_bytes() == render_feed(load_episodes(out), show, now=NOW)
    assert pages == [(out, ["a"], "نشرة الصباح"), (out, ["b", "a"], "نشرة الصباح")]


def test_what_a_killed_publisher_left_half_written_is_cleaned_by_the_next(
    out: Path, show: ShowSettings
) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    stale = [out / ".feed.xml.0a1b2c3d4e5f.tmp", out / ".index.html.x1y2z3.tmp"]
    for path in stale:
        path.write_text("<rss><channel><title>half", encoding="utf-8")
    keep = out / ".cover.jpg.notmine.tmp"  # not a publisher's file: left alone
    keep.write_bytes(b"x")
    publish(out, episode(out, "b"), show, now=NOW)
    assert not any(path.exists() for path in stale)
    assert keep.exists()


def test_publish_episode_and_load_episodes_still_work(out: Path, show: ShowSettings) -> None:
    ep = episode(out, "a")
    assert publish(out, ep, show, now=NOW) == out / "feed.xml"
    assert load_episodes(out) == [ep]


def test_regenerate_uses_the_last_publish_settings(
    out: Path, show: ShowSettings, pages: list[tuple[Path, list[str], str]]
) -> None:
    with pytest.raises(PublishError, match="no show settings are stored"):
        regenerate(out, now=NOW)
    publish(out, episode(out, "a"), show, now=NOW)
    (out / "feed.xml").unlink()
    regenerate(out, now=NOW + timedelta(days=1))
    assert (out / "feed.xml").read_bytes() == render_feed(
        load_episodes(out), show, now=NOW + timedelta(days=1)
    )
    other = replace(show, title="عنوان جديد")
    regenerate(out, other, now=NOW)
    assert EpisodeStore(out).show() == other
    assert pages[-1] == (out, ["a"], "عنوان جديد")


def test_a_builds_page_is_written_once_its_files_are_in_place(
    out: Path, show: ShowSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's page reads its new transcripts: it is written after the renames. If it cannot
    be, the deletes are still done (they free space), and the next command writes it."""
    publish(out, full_episode(out, "a"), show, now=NOW)
    made = tmp_path / "made"
    made.mkdir()
    (made / "a.mp3").write_bytes(b"\xfe" * 777)
    (made / "transcript.vtt").write_text("y", "utf-8")
    rebuilt = replace(
        full_episode(out, "a"),
        file_size=777,
        segments=(),
        transcripts=(TranscriptFile("a/transcript.vtt", "text/vtt"),),
    )
    partial = out / ".narrate" / "partial" / "build.1.x.tmp"
    shutil.copytree(made, partial)
    staged = [
        publishing.Staged(partial / "transcript.vtt", "a/transcript.vtt"),
        publishing.Staged(partial / "a.mp3", "a.mp3"),
    ]

    def no_page(output_dir: Path, episodes: Any, show: ShowSettings) -> Path:
        assert feed_guids(output_dir) == ["urn:narrate:a"]  # the feed is in place already
        assert (output_dir / "a" / "transcript.vtt").read_text("utf-8") == "y"
        raise PublishError(f"cannot write {output_dir / 'index.html'}: No space left on device")

    monkeypatch.setattr(publishing, "write_page", no_page)
    with pytest.raises(PublishError, match=r"index\.html: No space left"):
        publish(out, rebuilt, show, staged=staged, now=NOW)
    assert (out / "a.mp3").stat().st_size == 777
    assert not (out / "a" / "01-part.mp3").exists()  # what it no longer links is deleted
    monkeypatch.undo()
    pages: list[str] = []
    monkeypatch.setattr(publishing, "write_page", lambda o, e, s: pages.append(e[0].slug))
    assert publishing.recover(out) is True  # the next command writes the page
    assert pages == ["a"]
    with EpisodeStore(out) as episodes:
        assert episodes.pending() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"file_size": 99}, r"a\.mp3 is 100 bytes, but the episode says 99"),
        ({"file_name": "b.mp3"}, r"b\.mp3 does not exist"),
        ({"chapters_file": "a/chapters.json"}, r"a/chapters\.json does not exist"),
        ({"transcripts": (TranscriptFile("a/t.vtt", "text/vtt"),)}, r"a/t\.vtt does not exist"),
    ],
)
def test_every_linked_file_must_be_in_place(
    out: Path, show: ShowSettings, changes: dict[str, Any], message: str
) -> None:
    ep = episode(out, "a", size=100)
    with pytest.raises(PublishError, match=message):
        publish(out, replace(ep, **changes), show, now=NOW)
    assert sorted(p.name for p in out.iterdir()) == ["a.mp3"]


def test_artwork_is_found_in_the_output_folder(out: Path) -> None:
    assert find_artwork(out) is None
    (out / "cover.png").write_bytes(b"png")
    assert find_artwork(out) == "cover.png"
    (out / "cover.jpeg").write_bytes(b"jpeg")
    assert find_artwork(out) == "cover.jpeg"
    (out / "cover.jpg").write_bytes(b"jpg")  # what narrate writes comes first
    assert find_artwork(out) == "cover.jpg" == COVER_FILES[0]


# -- a failed publish changes nothing ----------------------------------------------------


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


def failing_commit(self: EpisodeStore, conn: sqlite3.Connection) -> None:
    raise PublishError(f"episode store {self.path}: disk I/O error")


def failing_page(output_dir: Path, episodes: Any, show: ShowSettings) -> str:
    raise PublishError(f"cannot write {output_dir / 'index.html'}: No space left on device")


#: Failures before the commit: everything stays as it was.
FAILURES: dict[str, tuple[Any, str, Callable[..., Any]]] = {
    "stage feed": (os, "fsync", fail_on_call(os.fsync, 1)),
    "serializer": (ET, "tostring", fail_on_call(ET.tostring, 1)),
    "stage page": (publishing, "render_page", failing_page),
    "commit": (EpisodeStore, "_commit", failing_commit),
}


@pytest.fixture
def published(out: Path, show: ShowSettings) -> Iterator[dict[str, bytes]]:
    publish(out, episode(out, "first"), show, now=NOW)
    before = files(out)
    episode(out, "second")  # its MP3 is in place; the publish below is what fails
    yield before


@pytest.mark.parametrize("name", FAILURES)
def test_failed_publish_leaves_store_and_feed_as_they_were(
    name: str,
    out: Path,
    show: ShowSettings,
    published: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
    pages: list[tuple[Path, list[str], str]],
) -> None:
    target, attribute, fake = FAILURES[name]
    monkeypatch.setattr(target, attribute, fake)
    with pytest.raises((PublishError, OSError)):
        publish(out, episode(out, "second"), show, now=NOW)
    monkeypatch.undo()
    after = files(out)
    del after["second.mp3"]
    assert after == published  # byte-identical (the page too), and no temporary file left
    assert [e.slug for e in load_episodes(out)] == ["first"]
    assert not list((out / ".narrate" / "partial").iterdir())


def test_failed_first_publish_leaves_an_empty_store(
    out: Path, show: ShowSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ET, "tostring", fail_on_call(ET.tostring, 1))  # rendering the feed
    with pytest.raises(OSError, match=r"No space left"):
        publish(out, episode(out, "a"), show, now=NOW)
    assert load_episodes(out) == []
    assert sorted(p.name for p in out.iterdir()) == [".narrate", "a.mp3", "narrate.sqlite"]


def test_a_publish_that_fails_after_its_commit_is_finished_by_the_next_command(
    out: Path, show: ShowSettings, published: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", fail_on_call(os.replace, 1))  # renaming the feed
    with pytest.raises(PublishError, match=r"cannot replace feed\.xml"):
        publish(out, episode(out, "second"), show, now=NOW)
    monkeypatch.undo()
    # Committed: the store has it, and what is left to do; the feed is the old one till then.
    with EpisodeStore(out) as episodes:
        assert [e.slug for e in episodes.list()] == ["second", "first"]
        assert [(p.op, p.path) for p in episodes.pending()] == [
            ("rename", "feed.xml"),
            ("rename", "index.html"),
        ]
    assert (out / "feed.xml").read_bytes() == published["feed.xml"]
    assert publishing.recover(out) is True
    assert feed_guids(out) == ["urn:narrate:second", "urn:narrate:first"]
    with EpisodeStore(out) as episodes:
        assert episodes.pending() == []
    assert not list((out / ".narrate" / "partial").iterdir())
    assert publishing.recover(out) is False


# -- removing ------------------------------------------------------------------------------


def test_remove_episode_takes_its_files(
    out: Path, show: ShowSettings, pages: list[tuple[Path, list[str], str]]
) -> None:
    publish(out, full_episode(out, "gone"), show, now=NOW)
    publish(out, full_episode(out, "kept"), show, now=NOW)
    (out / "cover.jpg").write_bytes(b"jpg")
    removed = remove_episode(out, "gone", now=NOW)
    assert removed is not None and removed.slug == "gone"
    assert feed_guids(out) == ["urn:narrate:kept"]
    assert [e.slug for e in load_episodes(out)] == ["kept"]
    assert sorted(files(out)) == [
        ".narrate/kept.json",
        "cover.jpg",
        "feed.xml",
        "index.html",
        "kept.mp3",
        "kept/01-part.mp3",
        "kept/02-part.mp3",
        "kept/chapters.json",
        "kept/transcript.json",
        "kept/transcript.vtt",
        "narrate.sqlite",
    ]
    assert pages[-1] == (out, ["kept"], show.title)


def test_removing_an_unknown_slug_changes_nothing(out: Path, show: ShowSettings) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    before = files(out)
    assert remove_episode(out, "b", now=NOW + timedelta(days=1)) is None
    assert files(out) == before


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the output folder, with a file that must survive."""
    path = tmp_path / "elsewhere"
    path.mkdir()
    (path / "01-part.mp3").write_bytes(b"precious")
    (path / "notes.txt").write_text("precious", "utf-8")
    return path


def test_removing_an_episode_whose_folder_leads_outside_is_refused(
    out: Path, show: ShowSettings, elsewhere: Path
) -> None:
    publish(out, full_episode(out, "gone"), show, now=NOW)
    shutil.rmtree(out / "gone")
    (out / "gone").symlink_to(elsewhere, target_is_directory=True)
    before = files(out)
    with pytest.raises(OutsideOutputError, match="leads outside the output folder") as raised:
        remove_episode(out, "gone", now=NOW)
    assert isinstance(raised.value, PublishError) and "\n" not in str(raised.value)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["01-part.mp3", "notes.txt"]
    assert files(out) == before  # refused before anything changed: still in store and feed
    assert feed_guids(out) == ["urn:narrate:gone"]


def test_removing_an_episode_file_linked_outside_is_refused(
    out: Path, show: ShowSettings, elsewhere: Path
) -> None:
    publish(out, episode(out, "gone"), show, now=NOW)
    (out / ".narrate").mkdir(exist_ok=True)
    (out / ".narrate" / "gone.json").symlink_to(elsewhere / "notes.txt")
    with pytest.raises(PublishError, match=r"gone\.json leads outside"):
        remove_episode(out, "gone", now=NOW)
    assert (elsewhere / "notes.txt").read_text("utf-8") == "precious"
    assert [e.slug for e in load_episodes(out)] == ["gone"]


def test_a_stale_temporary_file_linked_outside_is_refused_not_followed(
    out: Path, show: ShowSettings, elsewhere: Path
) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    (out / ".feed.xml.0a1b2c3d4e5f.tmp").symlink_to(elsewhere / "notes.txt")
    with pytest.raises(OutsideOutputError, match=r"\.feed\.xml\.0a1b2c3d4e5f\.tmp leads outside"):
        publish(out, episode(out, "b"), show, now=NOW)
    assert (elsewhere / "notes.txt").read_text("utf-8") == "precious"
    assert [e.slug for e in load_episodes(out)] == ["a"]


def test_a_private_folder_leading_outside_is_refused(out: Path, elsewhere: Path) -> None:
    (out / ".narrate").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutsideOutputError, match="leads outside"), publish_lock(out):
        pass
    assert sorted(p.name for p in elsewhere.iterdir()) == ["01-part.mp3", "notes.txt"]


def test_an_output_folder_that_is_itself_a_link_is_fine(
    tmp_path: Path, show: ShowSettings, elsewhere: Path
) -> None:
    link = tmp_path / "linked-output"
    link.symlink_to(elsewhere, target_is_directory=True)
    publish(link, full_episode(link, "gone"), show, now=NOW)
    assert remove_episode(link, "gone", now=NOW) is not None
    assert not (elsewhere / "gone").exists() and not (elsewhere / "gone.mp3").exists()


# -- the lock -----------------------------------------------------------------------------

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_lock_waits_for_another_process_and_gives_up(out: Path, show: ShowSettings) -> None:
    path = lock.lock_path(out)
    assert path == out / ".narrate" / "lock"
    path.parent.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        started = time.monotonic()
        busy = "another narrate process has been publishing"
        with pytest.raises(PublishError, match=busy), publish_lock(out, timeout=0.3):
            pass
        waited = time.monotonic() - started
        assert waited >= 0.3
        # It gave up while the holder still held the lock (it holds it for 60 s): at its own
        # timeout, not when the lock came free (then it would have taken it, not failed).
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the dead holder's lock: nothing to clean up.
    with publish_lock(out, timeout=1):
        pass


def test_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(out: Path) -> None:
    order: list[str] = []
    with publish_lock(out), publish_lock(out):
        thread = threading.Thread(target=lambda: _take(out, order))
        thread.start()
        time.sleep(0.1)
        order.append("main done")
    thread.join(5)
    assert order == ["main done", "thread got it"]


def _take(out: Path, order: list[str]) -> None:
    with publish_lock(out, timeout=5):
        order.append("thread got it")


# -- concurrent builds in real processes --------------------------------------------------


@pytest.fixture(scope="module")
def small_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 1 s MP3, made once."""
    return run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "1", "-b:a", "32k",
         "-f", "mp3", "pipe:1"]
    )  # fmt: skip


def race(out: Path, mp3: bytes, times: dict[str, int], env: dict[str, str]) -> dict[str, Any]:
    """Start a reader and one publisher per slug at once; return the reader's report."""
    for slug in times:
        (out / f"{slug}.mp3").write_bytes(mp3)
    environment = {**os.environ, **env}
    python = [sys.executable, str(WORKER)]
    reader = subprocess.Popen([*python, "read", str(out)], stdout=subprocess.PIPE, env=environment)
    writers = [
        subprocess.Popen([*python, "publish", str(out), slug, str(n)], env=environment)
        for slug, n in times.items()
    ]
    time.sleep(0.3)  # every process imported narrate and waits
    (out / "go").touch()
    codes = [w.wait(60) for w in writers]
    (out / "stop").touch()
    report_line, _ = reader.communicate(timeout=30)
    assert codes == [0] * len(writers)
    report: dict[str, Any] = json.loads(report_line)
    return report


def test_concurrent_publishers_all_land_and_the_feed_is_never_half_written(
    out: Path, small_mp3: bytes
) -> None:
    times = {f"ep{n}": (5 if n % 2 else 1) for n in range(6)}
    report = race(out, small_mp3, times, {})
    assert report["errors"] == []
    assert report["parsed"] > 10  # the reader really read while the publishers ran
    assert sorted(e.slug for e in load_episodes(out)) == sorted(times)
    assert sorted(feed_guids(out)) == sorted(f"urn:test:{slug}" for slug in times)
    titles = {e.slug: e.title for e in load_episodes(out)}
    assert titles["ep1"] == "حلقة ep1 رقم 5"  # the last of five publishes of one slug won
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_store_that_links_outside_is_never_written_through(
    out: Path, show: ShowSettings, elsewhere: Path
) -> None:
    publish(out, episode(out, "a"), show, now=NOW)
    shutil.move(out / "narrate.sqlite", elsewhere / "store.sqlite")
    (out / "narrate.sqlite").symlink_to(elsewhere / "store.sqlite")
    before = (elsewhere / "store.sqlite").read_bytes()
    with pytest.raises(OutsideOutputError, match="leads outside"):
        remove_episode(out, "a", now=NOW)
    with pytest.raises(OutsideOutputError, match="leads outside"):
        publish(out, episode(out, "b"), show, now=NOW)
    assert (elsewhere / "store.sqlite").read_bytes() == before


def test_a_full_disk_is_not_reported_as_a_damaged_store(tmp_path: Path) -> None:
    """SQLite's SQLITE_FULL, raised by a real store: one line that says space, not damage."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    fs = tmp_path / "fs"
    fs.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(fs)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        episodes = EpisodeStore(fs / "narrate.sqlite")
        episodes.save_show(ShowSettings(title="عرض", base_url=BASE))
        fd = os.open(fs / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # the device is full
        finally:
            os.close(fd)
        with pytest.raises(PublishError) as caught:
            for n in range(1, 200):
                episodes.save_show(ShowSettings(title="عرض " + "س" * 2000 * n, base_url=BASE))
        message = str(caught.value)
        assert "space" in message, message
        assert "damaged" not in message and "backup" not in message, message
    finally:
        subprocess.run(["umount", "-l", str(fs)], check=False)
