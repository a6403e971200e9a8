"""piper voices on disk: where they live, which are installed, and installing one.

A voice is two files side by side, ``NAME.onnx`` (the model) and ``NAME.onnx.json`` (its
config), in the user's voice folder (:func:`voice_folder`). ``narrate voices install NAME``
fetches them the way rhasspy/piper-voices publishes them on Hugging Face: a ``voices.json``
at the base address maps each voice's name to its files, each with its size and MD5::

    {"ar_JO-kareem-medium": {"key": "ar_JO-kareem-medium", "aliases": [...],
      "files": {"ar/ar_JO/kareem/medium/ar_JO-kareem-medium.onnx":
                    {"size_bytes": 63201294, "md5_digest": "..."},
                "ar/ar_JO/kareem/medium/ar_JO-kareem-medium.onnx.json": {...},
                "ar/ar_JO/kareem/medium/MODEL_CARD": {...}}, ...}, ...}

A model is tens of megabytes over a connection that may drop: each file is written to
``NAME.onnx.part`` and so on, an interrupted download is resumed from where it stopped
(``Range: bytes=N-``), and a file is renamed into place only once its size and MD5 match
the index, the model last, so a voice is never half there: :func:`installed_voices` lists a
name only when both its files are in place. This module imports nothing of piper itself.
"""

from __future__ import annotations

import difflib
import hashlib
import http.client
import json
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from narrate.atomic import sync_dir
from narrate.errors import EngineError

logger = logging.getLogger(__name__)

#: Where rhasspy publishes piper's voices; ``voices.json`` and every voice's files are below it.
DEFAULT_BASE_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
#: The index of voices at the base address.
INDEX_NAME = "voices.json"
#: Replaces the user's data folder for narrate (the voices go in its ``voices`` folder).
DATA_DIR_ENV = "NARRATE_DATA_DIR"
MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
CARD_SUFFIX = ".MODEL_CARD"
PART_SUFFIX = ".part"
#: Bytes read from the network at a time.
_BLOCK = 1 << 16
#: A voice's name as piper-voices spells it: language_REGION-name-quality.
_NAME = re.compile(r"[A-Za-z0-9_.-]+")

#: Called with (bytes so far, bytes in all) as the voice's files come in.
Progress = Callable[[int, int], None]


def data_folder() -> Path:
    """narrate's data folder: ``$NARRATE_DATA_DIR``, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("narrate", appauthor=False))


def voice_folder() -> Path:
    """Where installed piper voices live: ``voices`` in :func:`data_folder`."""
    return data_folder() / "voices"


def voice_files(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """The model and config paths an installed voice called ``name`` has (or would have)."""
    base = folder if folder is not None else voice_folder()
    return base / f"{name}{MODEL_SUFFIX}", base / f"{name}{CONFIG_SUFFIX}"


def is_installed(name: str, folder: Path | None = None) -> bool:
    """Whether ``name`` is a voice in the voice folder: both its files there, neither empty.

    Looks at the files only (nothing is loaded), so it is cheap enough for ``auto`` to ask.
    """
    if not _NAME.fullmatch(name):
        return False
    try:
        return all(path.is_file() and path.stat().st_size > 0 for path in voice_files(name, folder))
    except OSError:
        return False


def installed_voices(folder: Path | None = None) -> tuple[str, ...]:
    """The names of the voices installed in ``folder`` (default :func:`voice_folder`), sorted."""
    base = folder if folder is not None else voice_folder()
    try:
        models = [path.name for path in base.iterdir() if path.name.endswith(MODEL_SUFFIX)]
    except OSError:  # no folder yet: nothing installed
        return ()
    names = (model.removesuffix(MODEL_SUFFIX) for model in models)
    return tuple(sorted(name for name in names if is_installed(name, base)))


@dataclass(frozen=True)
class RemoteFile:
    """One file of a voice as the index lists it, and where it goes here."""

    #: Its path below the base address, e.g. ``ar/ar_JO/kareem/medium/ar_JO-kareem-medium.onnx``.
    path: str
    size: int
    md5: str
    target: Path

    @property
    def part(self) -> Path:
        """Where it is written while it comes in."""
        return self.target.with_name(self.target.name + PART_SUFFIX)


def install_voice(
    name: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    folder: Path | None = None,
    progress: Progress | None = None,
    timeout: float = 30,
) -> Path:
    """Download the voice ``name`` (or one of its aliases) into ``folder``; its model's path.

    ``folder`` defaults to :func:`voice_folder`. Files already in place with the right size and
    MD5 are kept; a ``.part`` left by an interrupted download is resumed. ``progress`` is told
    the bytes so far and in all. Raises :class:`EngineError` (one line) for an unknown name,
    a network failure (what arrived stays, for the next call to resume) or a file whose MD5
    does not match the index (its ``.part`` is deleted); OSError when ``folder`` cannot be
    written.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    target_folder = folder if folder is not None else voice_folder()
    index = _fetch_index(base, timeout)
    key, entry = _find_entry(index, name)
    files = _remote_files(key, entry, target_folder)
    target_folder.mkdir(parents=True, exist_ok=True)
    total = sum(item.size for item in files)
    done = 0
    fetched: list[RemoteFile] = []
    for item in files:
        if _in_place(item):
            item.part.unlink(missing_ok=True)  # a later download of it, given up
        else:
            _download(base, item, timeout, done, total, progress)
            fetched.append(item)
        done += item.size
        if progress is not None:
            progress(done, total)
    # Every file is whole and checked: now they go into place, the model last.
    for item in fetched:
        os.replace(item.part, item.target)
    sync_dir(target_folder)
    model, _ = voice_files(key, target_folder)
    logger.info("installed the piper voice %s in %s", key, target_folder)
    return model


def _fetch_index(base: str, timeout: float) -> dict[str, Any]:
    url = base + INDEX_NAME
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise EngineError(f"cannot fetch the list of piper voices {url}: {_reason(exc)}") from exc
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise EngineError(f"the list of piper voices {url} is not JSON: {exc}") from exc
    if not isinstance(index, dict):
        raise EngineError(f"the list of piper voices {url} is not a voices.json (not an object)")
    return index


def _find_entry(index: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    """The index's key and entry for ``name``, found by key or alias."""
    entry = index.get(name)
    if isinstance(entry, dict):
        return name, entry
    for key, candidate in index.items():
        if isinstance(candidate, dict) and name in (candidate.get("aliases") or ()):
            return key, candidate
    close = difflib.get_close_matches(name, list(index), n=5, cutoff=0.6)
    if not close:  # a part of a name ("kareem"), or a language ("ar")
        close = sorted(key for key in index if name.lower() in key.lower())[:5]
    if not close:
        family = name.split("_", 1)[0].split("-", 1)[0].lower()
        close = sorted(key for key in index if key.lower().startswith(f"{family}_"))[:5]
    hint = f": did you mean {', '.join(close)}?" if close else ""
    raise EngineError(f"piper-voices has no voice {name!r}{hint}")


def _remote_files(key: str, entry: dict[str, Any], folder: Path) -> list[RemoteFile]:
    """The files of the voice ``key`` to fetch: its config, model card, then its model."""
    if not _NAME.fullmatch(key):
        raise EngineError(f"piper-voices names a voice {key!r}, which is not a file name")
    listed = entry.get("files")
    if not isinstance(listed, dict):
        raise EngineError(f"piper-voices lists no files for the voice {key}")
    model, config = voice_files(key, folder)
    wanted: dict[str, RemoteFile] = {}
    for path, info in listed.items():
        if path.endswith(CONFIG_SUFFIX):
            kind, target = "config", config
        elif path.endswith(MODEL_SUFFIX):
            kind, target = "model", model
        elif path.rsplit("/", 1)[-1] == "MODEL_CARD":
            kind, target = "card", folder / f"{key}{CARD_SUFFIX}"
        else:  # samples and the like: not needed to speak
            continue
        try:
            size, md5 = int(info["size_bytes"]), str(info["md5_digest"]).lower()
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineError(f"piper-voices lists {path} without its size and MD5") from exc
        wanted[kind] = RemoteFile(path, size, md5, target)
    missing = [kind for kind in ("model", "config") if kind not in wanted]
    if missing:
        raise EngineError(f"piper-voices lists no {' or '.join(missing)} file for the voice {key}")
    return [wanted[kind] for kind in ("config", "card", "model") if kind in wanted]


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _in_place(item: RemoteFile) -> bool:
    """Whether the file is already where it goes, whole and the same as the index's."""
    try:
        return item.target.stat().st_size == item.size and _md5(item.target) == item.md5
    except OSError:
        return False


def _download(
    base: str, item: RemoteFile, timeout: float, before: int, total: int, progress: Progress | None
) -> None:
    """Bring ``item`` into its ``.part`` file, whole and checked against the index's MD5.

    A ``.part`` already there is continued from its end with a Range request; a server that
    answers with the whole file (200) or refuses the range (416) is read again from the start.
    """
    url = base + urllib.parse.quote(item.path)
    have = item.part.stat().st_size if item.part.exists() else 0
    if have > item.size:  # not the file the index lists now
        item.part.unlink()
        have = 0
    if have < item.size:
        have = _fetch(url, item, have, timeout, before, total, progress)
    if have != item.size:
        raise EngineError(
            f"the download of {item.path} stopped at {have} of {item.size} bytes: "
            "run the command again to resume it"
        )
    got = _md5(item.part)
    if got != item.md5:
        item.part.unlink()
        raise EngineError(
            f"{item.path} is damaged: its MD5 is {got}, the list of voices says {item.md5}; "
            "nothing was installed"
        )


def _fetch(
    url: str,
    item: RemoteFile,
    have: int,
    timeout: float,
    before: int,
    total: int,
    progress: Progress | None,
) -> int:
    """Append what the server sends of ``url`` from byte ``have`` to the ``.part`` file; the
    bytes it then holds. A connection that drops keeps what arrived."""
    request = urllib.request.Request(url)
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the range is not there: start again
            logger.info("%s: the server refused to resume; downloading it again", item.path)
            item.part.unlink(missing_ok=True)
            return _fetch(url, item, 0, timeout, before, total, progress)
        raise EngineError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise EngineError(f"cannot download {url}: {_reason(exc)}") from exc
    with response:
        if have and not _resumes(response, have):
            logger.info("%s: the server sent the whole file; downloading it again", item.path)
            have = 0
        try:
            with item.part.open("ab" if have else "wb") as out:
                while True:
                    block = response.read(min(_BLOCK, item.size - have + 1))
                    if not block:
                        break
                    out.write(block)
                    have += len(block)
                    if have > item.size:
                        break  # more than the index says: the MD5 check will refuse it
                    if progress is not None:
                        progress(before + have, total)
                out.flush()
                os.fsync(out.fileno())
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, OSError) and not _network_error(exc):
                raise  # the disk, not the network
            raise EngineError(
                f"the download of {item.path} stopped at {item.part.stat().st_size} of "
                f"{item.size} bytes ({_reason(exc)}): run the command again to resume it"
            ) from exc
    if have > item.size:
        item.part.unlink()
        raise EngineError(
            f"{url} is longer than the {item.size} bytes the list of voices says: nothing was "
            "installed"
        )
    return have


def _resumes(response: http.client.HTTPResponse, have: int) -> bool:
    """Whether ``response`` continues a file from byte ``have`` (a 206 starting there)."""
    if response.status != 206:
        return False
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return match is not None and int(match.group(1)) == have


def _network_error(exc: OSError) -> bool:
    return isinstance(exc, TimeoutError | ConnectionError | urllib.error.URLError)


def _reason(exc: BaseException) -> str:
    """What went wrong, in a few words (no traceback, no nested repr)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return _reason(reason)
    text = str(reason) if reason is not None else (str(exc) or type(exc).__name__)
    return text.splitlines()[0] if text else type(exc).__name__
