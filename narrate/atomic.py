"""Writing a published file whole or not at all: a synced temporary file beside it, renamed.

A reader (a podcast app polling ``feed.xml``, a web server sending a page) sees the old file
or the new one, never half of one. Every file narrate publishes from bytes in memory goes
through here; the MP3s are made in a working folder in ``.narrate/partial``
(:func:`work_dir`) and renamed into place by :func:`commit`, the one rename of them all.

A temporary file beside its target is named ``.<name>.<random>.tmp``; one in a working
folder, and a working folder itself, ``<name>.<pid>.<random>.tmp``, so that what a killed
build left there can be told from what a running one is still making (:func:`abandoned`).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

from narrate.errors import PublishError

logger = logging.getLogger(__name__)


def stage(
    target: Path,
    data: bytes,
    mode: int | None = None,
    *,
    durable: bool = True,
    folder: Path | None = None,
) -> Path:
    """Write ``data`` to a new temporary file beside ``target`` (or in ``folder``, a working
    folder on its file system), synced if ``durable``; its path.

    The file is created with O_EXCL (never a stranger's file) and 0o666 less the umask,
    as ``open()`` would, unless ``mode`` is given. Raises :class:`PublishError`.
    """
    while True:
        if folder is None:
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        else:
            tmp = folder / f"{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
    except BaseException as exc:
        discard(tmp)
        if isinstance(exc, OSError):
            raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    return tmp


def replace(target: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> None:
    """Put ``data`` at ``target`` through :func:`stage` and a rename, made durable if ``durable``.

    Not durable, a power cut may leave an empty or truncated file at ``target`` (never a
    stranger's half-written one): for what is checked on reading and made again, such as
    the speech cache's entries.
    """
    commit(stage(target, data, mode, durable=durable), target, durable=durable)


def commit(tmp: Path, target: Path, mode: int | None = None, *, durable: bool = True) -> None:
    """Rename the finished file ``tmp`` over ``target`` (same file system), made durable if
    ``durable``; ``mode``, when given, is set first. ``tmp`` is removed if the rename fails.

    Raises :class:`PublishError`.
    """
    try:
        move(tmp, target, mode, durable=durable)
    except BaseException:
        discard(tmp)
        raise


def move(source: Path, target: Path, mode: int | None = None, *, durable: bool = True) -> None:
    """Rename the finished file ``source`` over ``target`` as :func:`commit` does, but keep
    ``source`` if the rename fails (a publish's staged file, renamed again by the next one).

    Raises :class:`PublishError`.
    """
    try:
        if mode is not None:
            os.chmod(source, mode)
        os.replace(source, target)
    except OSError as exc:
        reason = exc.strerror or exc
        message = f"cannot write {target}: cannot replace {target.name}: {reason}"
        raise PublishError(message) from exc
    if durable:
        sync_dir(target.parent)


def create(tmp: Path, target: Path) -> None:
    """Put the finished file ``tmp`` at ``target`` only if nothing is there yet; ``tmp`` goes.

    A hard link, which fails rather than replace a file that appeared meanwhile: raises
    FileExistsError then, :class:`PublishError` for any other failure.
    """
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        discard(tmp)
    sync_dir(target.parent)


def write_if_changed(target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target`` unless it already holds exactly that; True if written.

    Leaving an identical file alone keeps its timestamp, so rebuilds do not look like
    changes. ``target``'s folder is created if needed. Raises :class:`PublishError`.
    """
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: writing it says what is wrong
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
    replace(target, data)
    return True


def discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not remove temporary file %s", tmp)


def sync_dir(directory: Path) -> None:
    """Make a rename durable; POSIX only, and a failure here loses nothing already visible."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is one of :func:`stage`'s temporary files (left by a killed process).

    >>> is_temporary(Path(".feed.xml.0a1b2c3d4e5f.tmp")), is_temporary(Path("feed.xml"))
    (True, False)
    """
    return path.name.startswith(".") and path.name.endswith(".tmp")


def work_dir(folder: Path, name: str) -> Path:
    """A new private working folder ``<name>.<pid>.<random>.tmp`` in ``folder`` (made if
    needed), for files that are then renamed into place with :func:`commit`.

    Raises :class:`PublishError`.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{name}.{os.getpid()}.", suffix=".tmp", dir=folder))
    except OSError as exc:
        raise PublishError(f"cannot write to {folder}: {exc.strerror or exc}") from exc


def abandoned(folder: Path) -> Iterator[Path]:
    """The working folders and temporary files in ``folder`` whose process is gone."""
    for leftover in folder.glob("*.tmp"):
        try:
            pid = int(leftover.name.split(".")[-3])
            os.kill(pid, 0)  # still running: its file is still being made
        except ProcessLookupError:
            yield leftover
        except (ValueError, IndexError, PermissionError):
            continue
