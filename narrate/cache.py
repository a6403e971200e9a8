"""A content-addressed store of synthesized chunks, so no speech is ever paid for twice.

An entry's key is the SHA-256 of everything that decides its audio: the engine's identity
(engine, voice, settings, engine and library versions), the text-preparation version, the
sample format and the exact text sent. Same key, same speech; change any part and the old
entry is simply never asked for again.

Each entry is one small WAV file (mono, 16-bit, any player opens it) with one extra chunk,
``nrte``, holding the entry's key and the SHA-256 of its samples. A read checks every header
field, the length and the checksum; an entry that fails is deleted and counts as a miss, so a
damaged file is spoken again, never stitched into an episode. Entries are written to a
temporary file beside their final place, flushed to disk and renamed over it, so a build
killed at any moment leaves whole entries or none. They fan out into 256 folders by the
first two hex digits of the key.

The store lives in ``--cache-dir``, else ``$NARRATE_CACHE_DIR``, else the platform's user
cache folder (``~/.cache/narrate/speech`` on Linux). A cache that cannot be created or
written is reported once as a warning and the build goes on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import struct
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from narrate import atomic
from narrate.errors import NarrateError, PublishError

log = logging.getLogger(__name__)

#: Overrides the platform's cache folder (tests point it at a temporary one).
CACHE_ENV = "NARRATE_CACHE_DIR"
#: Bump when the entry layout changes: the key changes with it, so old entries just miss.
ENTRY_VERSION = 2

_SUFFIX = ".wav"
_TEXT_SUFFIX = ".txt"
_ENTRY_NAME = re.compile(r"^[0-9a-f]{64}\.(wav|txt)$")
_FANOUT_NAME = re.compile(r"^[0-9a-f]{2}$")
_TEMP_PREFIX = ".tmp-"

# RIFF header, "fmt " chunk (PCM, mono, 16-bit), "nrte" chunk (key, samples' SHA-256), "data".
_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI32s32s4sI")
_FMT_SIZE = 16
_NRTE_SIZE = 64


@dataclass(frozen=True)
class CacheInfo:
    """Where the cache is, how many speech entries and prepared texts it holds, their size."""

    path: Path
    entries: int
    bytes: int
    texts: int = 0


def sample_format(sample_rate: int) -> str:
    """The audio format entries hold, as it goes into the key: ``pcm_s16le/mono/22050``."""
    return f"pcm_s16le/mono/{sample_rate}"


def chunk_key(identity: Mapping[str, str], sample_rate: int, text: str) -> str:
    """The cache key of ``text`` spoken by the engine with ``identity``, as 64 hex digits.

    >>> key = chunk_key({"engine": "espeak", "voice": "ar"}, 22050, "مرحبا")
    >>> key == chunk_key({"voice": "ar", "engine": "espeak"}, 22050, "مرحبا")
    True
    >>> key == chunk_key({"engine": "espeak", "voice": "ar"}, 22050, "مرحبا.")
    False
    """
    canonical = json.dumps(
        {
            "entry": ENTRY_VERSION,
            "engine": dict(identity),
            "format": sample_format(sample_rate),
            "text": text,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_key(kind: str, identity: Mapping[str, str], text: str) -> str:
    """The key of a prepared text (e.g. the diacritizer's output) for ``text``."""
    payload = {
        "entry": ENTRY_VERSION,
        "kind": kind,
        "identity": dict(sorted(identity.items())),
        "text": text,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def resolve_cache_dir(cache_dir: Path | None = None) -> Path:
    """``cache_dir`` if given, else ``$NARRATE_CACHE_DIR``, else the user cache folder."""
    if cache_dir is not None:
        return cache_dir
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("narrate", appauthor=False)) / "speech"


class Cache:
    """The speech cache in ``root``. ``writable`` is False for one that can only be read."""

    def __init__(self, root: Path, *, writable: bool = True) -> None:
        self.root = root
        self.writable = writable

    def __repr__(self) -> str:
        return f"Cache({str(self.root)!r}, writable={self.writable})"

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{_SUFFIX}"

    def load(self, key: str, sample_rate: int) -> bytes | None:
        """The PCM (mono s16le at ``sample_rate``) stored under ``key``, or None.

        A missing or unreadable entry is a miss; a damaged one is also deleted.
        """
        path = self.path_for(key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cannot read speech cache entry %s (%s): speaking it again", path, exc)
            return None
        pcm, problem = _unpack(blob, key, sample_rate)
        if pcm is None:
            log.warning("discarding damaged speech cache entry %s (%s)", path, problem)
            with contextlib.suppress(OSError):
                path.unlink()
        return pcm

    def load_text(self, key: str) -> str | None:
        """The text stored under ``key``, or None; a damaged entry is deleted and misses."""
        path = self.root / key[:2] / f"{key}{_TEXT_SUFFIX}"
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        stored_key, _, rest = blob.partition(b"\n")
        digest, _, body = rest.partition(b"\n")
        if (
            stored_key != key.encode("ascii")
            or digest.decode("ascii", "replace")
            != hashlib.sha256(stored_key + b"\n" + body).hexdigest()
        ):
            # Damaged, or another key's entry under this name: never used, always re-made.
            log.warning("discarding damaged text cache entry %s", path)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return body.decode("utf-8")

    def store_text(self, key: str, text: str) -> None:
        """Store ``text`` under ``key``, atomically; raises OSError.

        The entry holds its own key and a checksum of key and text, so a truncated entry, or
        a valid one copied under another name, is detected and never used.
        """
        body = text.encode("utf-8")
        head = key.encode("ascii") + b"\n"
        blob = head + hashlib.sha256(head + body).hexdigest().encode("ascii") + b"\n" + body
        self._write(self.root / key[:2] / f"{key}{_TEXT_SUFFIX}", blob)

    def store(self, key: str, pcm: bytes, sample_rate: int) -> None:
        """Store ``pcm`` (mono s16le at ``sample_rate``) under ``key``, atomically.

        Raises OSError when it cannot; nothing is left behind then.
        """
        if len(pcm) % 2:
            raise ValueError("16-bit PCM must have an even number of bytes")
        self._write(self.path_for(key), _pack(key, pcm, sample_rate))

    def _write(self, path: Path, blob: bytes) -> None:
        """Write ``blob`` beside ``path`` and rename it into place.

        Not synced to disk: an entry a power cut truncates or empties fails its checksum and
        is made again, while an fsync per entry cost a build of the example half a second.
        Raises OSError when it cannot; nothing is left behind then.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            atomic.replace(path, blob, 0o644, durable=False)
        except PublishError as exc:
            raise OSError(str(exc)) from exc


def open_cache(cache_dir: Path | None = None) -> Cache | None:
    """The cache at ``cache_dir`` (see :func:`resolve_cache_dir`), created if needed.

    None, with a warning, when it cannot be created; read-only, with a warning, when it
    cannot be written. A build goes on either way.
    """
    root = resolve_cache_dir(cache_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning(
            "cannot create the speech cache %s (%s): building without it", root, _reason(exc)
        )
        return None
    try:
        fd, probe = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=root)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        log.warning(
            "cannot write to the speech cache %s (%s): new speech will not be cached",
            root,
            _reason(exc),
        )
        return Cache(root, writable=False)
    return Cache(root)


def cache_info(cache_dir: Path | None = None) -> CacheInfo:
    """How many entries the cache holds and their size; a cache not yet made is empty."""
    root = resolve_cache_dir(cache_dir)
    entries = texts = size = 0
    try:
        for entry in _entries(root):
            with contextlib.suppress(FileNotFoundError):  # removed by a concurrent clear
                size += entry.stat().st_size
                if entry.suffix == _TEXT_SUFFIX:
                    texts += 1
                else:
                    entries += 1
    except OSError as exc:
        raise NarrateError(f"cannot read the speech cache {root}: {_reason(exc)}") from exc
    return CacheInfo(path=root, entries=entries, bytes=size, texts=texts)


def clear_cache(cache_dir: Path | None = None) -> int:
    """Delete every entry, prepared texts and temporary files too; return how many speech entries.

    Only files narrate made are touched, so a mistaken ``--cache-dir`` loses nothing else.
    """
    root = resolve_cache_dir(cache_dir)
    removed = 0
    try:
        for folder in _fanout(root):
            for path in folder.iterdir():
                is_entry = bool(_ENTRY_NAME.match(path.name))
                if is_entry or path.name.startswith(_TEMP_PREFIX) or _staged_entry(path):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                        removed += 1 if is_entry and path.suffix == _SUFFIX else 0
            with contextlib.suppress(OSError):  # not empty: something else lives there
                folder.rmdir()
    except OSError as exc:
        raise NarrateError(f"cannot clear the speech cache {root}: {_reason(exc)}") from exc
    log.info("removed %d entries from %s", removed, root)
    return removed


def _staged_entry(path: Path) -> bool:
    """An entry's temporary file (``.<entry>.<hex>.tmp``), left by a process that was killed."""
    if not atomic.is_temporary(path):
        return False
    return bool(_ENTRY_NAME.match(path.name[1:].rsplit(".", 2)[0]))


def _fanout(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if _FANOUT_NAME.match(folder.name) and folder.is_dir():
            yield folder


def _entries(root: Path) -> Iterator[Path]:
    for folder in _fanout(root):
        for path in folder.iterdir():
            if _ENTRY_NAME.match(path.name):
                yield path


def _pack(key: str, pcm: bytes, sample_rate: int) -> bytes:
    header = _HEADER.pack(
        b"RIFF",
        _HEADER.size - 8 + len(pcm),
        b"WAVE",
        b"fmt ",
        _FMT_SIZE,
        1,  # PCM
        1,  # mono
        sample_rate,
        sample_rate * 2,  # bytes per second
        2,  # bytes per frame
        16,  # bits per sample
        b"nrte",
        _NRTE_SIZE,
        bytes.fromhex(key),
        hashlib.sha256(pcm).digest(),
        b"data",
        len(pcm),
    )
    return header + pcm


def _unpack(blob: bytes, key: str, sample_rate: int) -> tuple[bytes | None, str]:
    """The samples of an entry, or None and what is wrong with it."""
    if len(blob) < _HEADER.size:
        return None, f"{len(blob)} bytes, shorter than its header"
    (
        riff,
        riff_size,
        wave,
        fmt,
        fmt_size,
        codec,
        channels,
        rate,
        byte_rate,
        block_align,
        bits,
        nrte,
        nrte_size,
        stored_key,
        checksum,
        data,
        data_size,
    ) = _HEADER.unpack_from(blob)
    expected = (b"RIFF", b"WAVE", b"fmt ", _FMT_SIZE, 1, 1, 2, 16, b"nrte", _NRTE_SIZE, b"data")
    found = (riff, wave, fmt, fmt_size, codec, channels, block_align, bits, nrte, nrte_size, data)
    if found != expected:
        return None, "not a narrate cache entry"
    if (rate, byte_rate) != (sample_rate, sample_rate * 2):
        return None, f"{rate} Hz, expected {sample_rate} Hz"
    if stored_key != bytes.fromhex(key):
        return None, "it belongs to another key"
    if len(blob) != _HEADER.size + data_size or riff_size != len(blob) - 8 or data_size % 2:
        return None, f"truncated or padded: {len(blob)} bytes for {data_size} bytes of audio"
    pcm = blob[_HEADER.size :]
    if hashlib.sha256(pcm).digest() != checksum:
        return None, "its audio does not match its checksum"
    return pcm, ""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
