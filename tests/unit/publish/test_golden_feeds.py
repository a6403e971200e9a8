"""Golden feeds: each case in tests/data/feeds/ is a show and its episodes, beside its feed.

A case is ``<name>.json`` (``about``, the build time ``now``, the ``show``'s settings and its
``episodes`` as the store keeps them) beside ``<name>.xml``, the exact bytes
:func:`render_feed` must give for it (as podcastparser keeps ``tests/data/*.rss`` beside
``*.json``). One parametrized test renders every case, compares the bytes, reads the feed
back with podcastparser and feedparser and checks its Podcasting 2.0 elements.

To add a case, write its JSON and run this file with ``NARRATE_UPDATE_GOLDEN=1``, which
(re)writes every ``<name>.xml`` from the current code; after an intended change of the feed,
do the same and read ``git diff tests/data/feeds`` before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.publish import feed
from narrate.publish.feed import render_feed
from narrate.show import ShowSettings, StoredEpisode, clean_text, newest_first
from tests.paths import DATA
from tests.unit.publish.podcast_namespace import check_podcast_elements
from tests.unit.publish.test_feed import read_fp, read_pp

GOLDEN = DATA / "feeds"
CASES = sorted(GOLDEN.glob("*.json"))
UPDATE = os.environ.get("NARRATE_UPDATE_GOLDEN") == "1"


def load_case(path: Path) -> tuple[ShowSettings, list[StoredEpisode], datetime]:
    """The show, the episodes (in the file's order) and the build time of one case."""
    data = json.loads(path.read_text("utf-8"))

    def episode(fields: dict[str, Any]) -> StoredEpisode:
        return StoredEpisode(
            **{
                **fields,
                "published": datetime.fromisoformat(fields["published"]),
                "chapters": tuple(Chapter(**c) for c in fields.get("chapters", ())),
                "segments": tuple(SegmentFile(**s) for s in fields.get("segments", ())),
                "transcripts": tuple(TranscriptFile(**t) for t in fields.get("transcripts", ())),
            }
        )

    show = ShowSettings(**data["show"])
    return show, [episode(e) for e in data["episodes"]], datetime.fromisoformat(data["now"])


def test_there_are_cases_and_each_has_its_feed() -> None:
    assert len(CASES) >= 6
    feeds = sorted(GOLDEN.glob("*.xml"))
    assert [p.stem for p in feeds] == [p.stem for p in CASES], "a case or a feed has no partner"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_feed(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "GENERATOR", "narrate (golden)")  # a new version changes nothing
    show, episodes, now = load_case(case)
    data = render_feed(episodes, show, now=now)
    assert render_feed(list(reversed(episodes)), show, now=now) == data  # order given is no matter

    golden = case.with_suffix(".xml")
    if UPDATE:
        golden.write_bytes(data)
    if not golden.exists():
        pytest.fail(f"{golden} is missing; write it with NARRATE_UPDATE_GOLDEN=1")
    assert data.decode("utf-8") == golden.read_text("utf-8")  # a readable diff first
    assert data == golden.read_bytes()

    ordered = newest_first(episodes)
    titles = [clean_text(e.title) for e in ordered]
    pp = read_pp(data)
    assert pp["title"] == clean_text(show.title).strip()
    assert [e["title"] for e in pp["episodes"]] == titles
    assert [e["guid"] for e in pp["episodes"]] == [e.guid for e in ordered]
    fp = read_fp(data)
    assert fp.version == "rss20"
    assert [e.title for e in fp.entries] == titles
    assert [e.id for e in fp.entries] == [e.guid for e in ordered]
    assert [e.enclosures[0].href for e in fp.entries] == [show.url(e.file_name) for e in ordered]
    # The item's link is its article's page, for both parsers, and absent for a file's episode.
    assert [e["link"] for e in pp["episodes"]] == [e.link or "" for e in ordered]
    assert [e.get("link") for e in fp.entries] == [e.link for e in ordered]

    written = check_podcast_elements(data, guid_from_feed_url=show.guid is None)
    assert "guid" in written
    assert ("locked" in written) == bool(show.owner_email)
