"""Podcasting 2.0 JSON chapters (``application/json+chapters``) of one episode.

The file the feed's ``podcast:chapters`` element points to::

    {"version": "1.2.0", "title": "...", "chapters": [
        {"startTime": 0.0, "endTime": 12.345, "title": "...", "url": "https://..."}, ...]}

Times are seconds as floats with millisecond precision, chapters are ordered by
``startTime`` (the specification requires it), and Arabic is written as itself,
not as ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from narrate.atomic import write_if_changed
from narrate.layout import CHAPTERS_FILE
from narrate.models import Chapter

#: The version of the Podcasting 2.0 JSON chapters format written.
CHAPTERS_VERSION: Final = "1.2.0"
#: The file name inside the episode's folder.
#: The MIME type the feed gives for the file.


def seconds(ms: int) -> float:
    """Milliseconds as float seconds, exact to the millisecond.

    >>> seconds(1250), seconds(0), seconds(3_600_001)
    (1.25, 0.0, 3600.001)
    """
    return round(ms / 1000, 3)


def chapters_json(
    chapters: Sequence[Chapter],
    urls: Sequence[str | None],
    title: str,
    image_url: str | None = None,
) -> str:
    """The JSON chapters document for ``chapters``, ``urls[n]`` linking chapter ``n``.

    ``title`` is the episode's title (the document's own ``title``); ``image_url``,
    when given, becomes every chapter's ``img``. A ``None`` url writes no ``url``.
    Raises ``ValueError`` when ``urls`` and ``chapters`` differ in length.
    """
    if len(urls) != len(chapters):
        raise ValueError(f"{len(chapters)} chapters but {len(urls)} urls")
    # sorted() is stable: chapters starting together keep their order.
    ordered = sorted(zip(chapters, urls, strict=True), key=lambda pair: pair[0].start_ms)
    entries: list[dict[str, object]] = []
    for chapter, url in ordered:
        entry: dict[str, object] = {
            "startTime": seconds(chapter.start_ms),
            "endTime": seconds(chapter.end_ms),
            "title": chapter.title,
        }
        if url:
            entry["url"] = url
        if image_url:
            entry["img"] = image_url
        entries.append(entry)
    document = {"version": CHAPTERS_VERSION, "title": title, "chapters": entries}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_chapters_json(
    folder: Path,
    chapters: Sequence[Chapter],
    urls: Sequence[str | None],
    title: str,
    image_url: str | None = None,
) -> str:
    """Write ``folder/chapters.json`` atomically; return its path relative to ``folder``'s parent.

    The return value is what :class:`narrate.publish.feed.StoredEpisode` keeps as ``chapters_file``:
    ``<episode-slug>/chapters.json``. An unchanged file is left alone. Raises
    :class:`PublishError` when the file cannot be written.
    """
    text = chapters_json(chapters, urls, title, image_url)
    write_if_changed(folder / CHAPTERS_FILE, text.encode("utf-8"))
    return f"{folder.name}/{CHAPTERS_FILE}"
