"""Incremental rebuilds: an episode whose audio would come out the same is not made again.

Beside each episode narrate keeps a small record (``.narrate/<slug>.json`` in the output
folder): a fingerprint of everything that decides the MP3's audio (the engine's identity,
the exact chunks in their places, the pauses, the bitrate, narrate's version), the MP3's
size and SHA-256, and its duration and chapters. A rebuild whose fingerprint matches, with
the MP3 still byte-identical, skips synthesis, assembly and encoding; only the tags and
the feed are brought up to date.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from narrate import __version__, atomic
from narrate.audio.assemble import Pauses
from narrate.errors import PublishError
from narrate.ffmpeg import OUTPUT_SAMPLE_RATE
from narrate.models import Chapter
from narrate.text.script import Script

log = logging.getLogger(__name__)

RECORD_DIR = ".narrate"
RECORD_VERSION = 2


@dataclass(frozen=True)
class FileRecord:
    """One audio file as it was written: name, size and SHA-256."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SegmentRecord:
    """One segment's own file, and how long it plays."""

    number: int
    title: str
    file: FileRecord
    duration_ms: int


@dataclass(frozen=True)
class SentenceRecord:
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class AudioRecord:
    """What a finished episode's audio was made from, and what it came to."""

    fingerprint: str
    size: int
    sha256: str
    duration_ms: int
    chapters: tuple[Chapter, ...]
    segments: tuple[SegmentRecord, ...] = ()
    sentences: tuple[SentenceRecord, ...] = ()
    #: A digest of what the files' tags say; equal: an unchanged rebuild need not re-tag them.
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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_path(output_dir: Path, slug: str) -> Path:
    return output_dir / RECORD_DIR / f"{slug}.json"


def has_record(output_dir: Path, slug: str) -> bool:
    return _record_path(output_dir, slug).is_file()


def reusable(output_dir: Path, slug: str, wanted: str) -> AudioRecord | None:
    """The record of ``slug``'s MP3 when its audio has fingerprint ``wanted`` and is intact."""
    path = _record_path(output_dir, slug)
    try:
        raw = json.loads(path.read_text("utf-8"))
        record = AudioRecord(
            fingerprint=str(raw["fingerprint"]),
            size=int(raw["size"]),
            sha256=str(raw["sha256"]),
            duration_ms=int(raw["duration_ms"]),
            chapters=tuple(
                Chapter(str(c["title"]), int(c["start_ms"]), int(c["end_ms"]))
                for c in raw["chapters"]
            ),
            segments=tuple(
                SegmentRecord(
                    int(g["number"]),
                    str(g["title"]),
                    FileRecord(
                        str(g["file"]["name"]), int(g["file"]["size"]), str(g["file"]["sha256"])
                    ),
                    int(g["duration_ms"]),
                )
                for g in raw["segments"]
            ),
            sentences=tuple(
                SentenceRecord(int(t["start_ms"]), int(t["end_ms"]), str(t["text"]))
                for t in raw["sentences"]
            ),
            tags=str(raw.get("tags", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable rebuild record %s (%s)", path, exc)
        return None
    if record.fingerprint != wanted:
        return None
    files = [(output_dir / f"{slug}.mp3", record.size, record.sha256)]
    files += [
        (output_dir / slug / g.file.name, g.file.size, g.file.sha256) for g in record.segments
    ]
    try:
        for path, size, sha256 in files:
            if path.stat().st_size != size or file_sha256(path) != sha256:
                log.info("%s changed since it was built: building it again", path)
                return None
    except OSError:
        return None
    return record


def save_record(output_dir: Path, slug: str, record: AudioRecord) -> None:
    """Write ``slug``'s record atomically; a failure only costs a full rebuild next time."""
    path = _record_path(output_dir, slug)
    data = json.dumps(dataclasses.asdict(record), ensure_ascii=False, indent=1)
    try:
        path.parent.mkdir(exist_ok=True)
        atomic.replace(path, data.encode("utf-8"))
    except (OSError, PublishError) as exc:
        log.warning("cannot write the rebuild record %s: %s", path, exc)
