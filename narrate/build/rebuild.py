"""Incremental rebuilds: an episode whose audio would come out the same is not made again.

Beside each episode narrate keeps a small record (``.narrate/<slug>.json`` in the output
folder, renamed into place with the episode's files by the publish): a fingerprint of
everything that decides the MP3's audio (the engine's identity, the exact chunks in their
places, the pauses, the bitrate, narrate's version), the MP3's size and SHA-256, and its
duration and chapters. A rebuild whose fingerprint matches, with
the MP3 still byte-identical, skips synthesis, assembly and encoding; only the tags and
the feed are brought up to date (and the tags only when :func:`tags_digest` changed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate import __version__
from narrate.audio.assemble import Pauses
from narrate.digest import file_sha256
from narrate.episode.tags import SegmentTags
from narrate.errors import PublishError
from narrate.ffmpeg import OUTPUT_SAMPLE_RATE
from narrate.layout import Layout
from narrate.models import (
    Chapter,
    EpisodeAudio,
    EpisodeInfo,
    Mp3File,
    SegmentMp3,
    TimedSentence,
    WordTiming,
)
from narrate.publish.publishing import Staged
from narrate.text.script import Script

log = logging.getLogger(__name__)

RECORD_VERSION = 2


@dataclass(frozen=True)
class Record:
    """What a finished episode's audio was made from, what it came to, and what its tags say."""

    #: :func:`fingerprint` of everything that decides the audio.
    fingerprint: str
    audio: EpisodeAudio
    #: :func:`tags_digest` of the files' tags; equal: an unchanged rebuild need not re-tag them.
    tags: str = ""


def fingerprint(
    identity: dict[str, str],
    script: Script,
    kbps: int,
    pauses: Pauses,
    extra: dict[str, object] | None = None,
) -> str:
    """SHA-256 of everything that decides the episode's audio (``extra``: loudness, sounds)."""
    payload = {
        "extra": extra or {},
        "record": RECORD_VERSION,
        "narrate": __version__,
        "engine": dict(sorted(identity.items())),
        "script": script.to_json(),
        "kbps": kbps,
        "rate": OUTPUT_SAMPLE_RATE,
        "pauses": dataclasses.asdict(pauses),
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def tags_digest(info: EpisodeInfo, audio: EpisodeAudio) -> str:
    """A digest of every tag the episode's files carry (the images by their SHA-256)."""
    info = dataclasses.replace(info, chapters=audio.chapters)
    parts: list[object] = [
        __version__,
        dataclasses.replace(info, image=None, segment_texts=()),
        hashlib.sha256(info.image or b"").hexdigest(),
    ]
    total = len(audio.segments)
    for part in audio.segments:
        tags = SegmentTags.of(info, part.number, part.title, total)
        parts.append(dataclasses.replace(tags, image=None))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def has_record(layout: Layout, slug: str) -> bool:
    return layout.record(slug).is_file()


def reusable(layout: Layout, slug: str, wanted: str) -> Record | None:
    """The record of ``slug``'s MP3 when its audio has fingerprint ``wanted`` and is intact."""
    path = layout.record(slug)
    try:
        record = _from_json(json.loads(path.read_text("utf-8")), slug)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable rebuild record %s (%s)", path, exc)
        return None
    if record.fingerprint != wanted:
        return None
    audio = record.audio
    files = [(layout.episode_mp3(slug), audio.file)]
    files += [(layout.episode_dir(slug) / part.file.name, part.file) for part in audio.segments]
    try:
        for path, file in files:
            if path.stat().st_size != file.size or file_sha256(path) != file.sha256:
                log.info("%s changed since it was built: building it again", path)
                return None
    except OSError:
        return None
    return record


def record_bytes(record: Record) -> bytes:
    """``record`` as it is stored beside its episode."""
    return json.dumps(_to_json(record), ensure_ascii=False, indent=1).encode("utf-8")


def save_record(layout: Layout, slug: str, record: Record) -> None:
    """Write ``slug``'s record atomically; a failure only costs a full rebuild next time."""
    path = layout.record(slug)
    try:
        layout.make_dir(path.parent)
        layout.write(path, record_bytes(record))
    except (OSError, PublishError) as exc:
        log.warning("cannot write the rebuild record %s: %s", path, exc)


def stage_record(layout: Layout, folder: Path, slug: str, record: Record) -> Staged | None:
    """``slug``'s record, written in ``folder`` to be renamed into place with the episode;
    None when it cannot be (that only costs a full rebuild next time)."""
    staged = folder / "record.json"
    try:
        staged.write_bytes(record_bytes(record))
    except OSError as exc:
        log.warning("cannot write the rebuild record %s: %s", layout.record(slug), exc.strerror)
        return None
    return Staged(staged, layout.record(slug).relative_to(layout.root).as_posix())


def read_record(layout: Layout, slug: str) -> Record | None:
    """``slug``'s record, or None when there is none or it cannot be read."""
    try:
        return _from_json(json.loads(layout.record(slug).read_text("utf-8")), slug)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _to_json(record: Record) -> dict[str, object]:
    """The record as stored: the episode MP3's size and SHA-256 at the top (its name is the
    slug's), then its timing, each segment file and the sentences."""
    audio = dataclasses.asdict(record.audio)
    main = audio.pop("file")
    return {
        "fingerprint": record.fingerprint,
        "size": main["size"],
        "sha256": main["sha256"],
        **audio,
        "tags": record.tags,
    }


def _from_json(raw: Any, slug: str) -> Record:
    audio = EpisodeAudio(
        file=Mp3File(f"{slug}.mp3", int(raw["size"]), str(raw["sha256"])),
        duration_ms=int(raw["duration_ms"]),
        chapters=tuple(
            Chapter(str(c["title"]), int(c["start_ms"]), int(c["end_ms"])) for c in raw["chapters"]
        ),
        segments=tuple(
            SegmentMp3(
                int(g["number"]),
                str(g["title"]),
                Mp3File(str(g["file"]["name"]), int(g["file"]["size"]), str(g["file"]["sha256"])),
                int(g["duration_ms"]),
            )
            for g in raw["segments"]
        ),
        sentences=tuple(
            TimedSentence(
                int(t["start_ms"]),
                int(t["end_ms"]),
                str(t["text"]),
                tuple(
                    WordTiming(str(w["word"]), int(w["start_ms"]), int(w["end_ms"]))
                    for w in t.get("words", ())
                ),
            )
            for t in raw["sentences"]
        ),
    )
    return Record(str(raw["fingerprint"]), audio, str(raw.get("tags", "")))
