"""A process that publishes, or reads the feed, for the concurrency test in test_store.py.

    python tests/publish_worker.py publish OUTPUT SLUG TIMES   publish SLUG's episode TIMES times
    python tests/publish_worker.py read OUTPUT                 parse feed.xml until OUTPUT/stop

Both wait for ``OUTPUT/go`` so they start together. ``NARRATE_TEST_NO_LOCK=1`` replaces the
publish lock with nothing, to show what the lock prevents.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from narrate.models import Chapter
from narrate.publish import publishing, store
from narrate.show import ShowSettings, StoredEpisode

SHOW = ShowSettings(title="نشرة متزامنة", base_url="https://example.org/podcast/")


def wait_for_go(output: Path) -> None:
    while not (output / "go").exists():
        time.sleep(0.001)


def publish(output: Path, slug: str, times: int) -> None:
    if os.environ.get("NARRATE_TEST_NO_LOCK") == "1":

        @contextlib.contextmanager
        def no_lock(output_dir: Path, timeout: float = 0) -> Iterator[None]:
            yield

        # Both users of the lock: the transaction that writes the feed and the store's own.
        publishing.publish_lock = no_lock  # type: ignore[assignment]
        store.publish_lock = no_lock  # type: ignore[assignment]
    size = (output / f"{slug}.mp3").stat().st_size
    wait_for_go(output)
    for n in range(times):
        episode = StoredEpisode(
            slug=slug,
            guid=f"urn:test:{slug}",
            title=f"حلقة {slug} رقم {n + 1}",
            description="ملخص",
            published=datetime(2024, 5, 1, tzinfo=UTC) + timedelta(minutes=int(slug[-1])),
            duration_seconds=1,
            file_name=f"{slug}.mp3",
            file_size=size,
            engine="test",
            chapters=(Chapter("المقدمة", 0, 500), Chapter("الخبر", 500, 1000)),
        )
        publishing.publish(output, episode, SHOW)


def read(output: Path) -> None:
    wait_for_go(output)
    parsed = missing = 0
    errors: list[str] = []
    feed = output / "feed.xml"
    while not (output / "stop").exists():
        try:
            data = feed.read_bytes()
        except FileNotFoundError:
            missing += 1
            continue
        try:
            ET.fromstring(data)
            parsed += 1
        except ET.ParseError as exc:
            errors.append(f"{exc} in {len(data)} bytes")
    print(json.dumps({"parsed": parsed, "missing": missing, "errors": errors[:5]}))


if __name__ == "__main__":
    if sys.argv[1] == "publish":
        publish(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        read(Path(sys.argv[2]))
