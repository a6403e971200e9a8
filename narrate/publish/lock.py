"""The output folder's publish lock: one writer of the store, the feed and the page at a time.

It is an ``flock`` on ``.narrate/lock`` (see :mod:`narrate.layout`), so the kernel releases it
when its holder dies and a killed build never leaves it stuck.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from narrate.errors import PublishError
from narrate.layout import Layout

#: How long a publish waits for another process's publish before giving up.
LOCK_TIMEOUT: Final = 120.0


@dataclass
class _LockState:
    """One process's hold on one lock file; re-entrant within a thread."""

    guard: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    depth: int = 0
    fd: int = -1


_lock_states: dict[str, _LockState] = {}
_lock_states_guard = threading.Lock()


def lock_path(output_dir: Path) -> Path:
    return Layout(output_dir).lock


@contextlib.contextmanager
def publish_lock(output_dir: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the output folder's exclusive publish lock (``flock`` on ``.narrate/lock``).

    Every change of the store and every rewrite of ``feed.xml`` and ``index.html``
    happens under it. The kernel releases it when the holder dies, so a killed
    build never leaves it stuck. Re-entrant in one thread; other threads and
    processes wait, at most ``timeout`` seconds, then get a :class:`PublishError`.
    A ``.narrate`` that leads outside the output folder is refused.
    """
    path = Layout(output_dir).inside(lock_path(output_dir))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
    key = os.path.realpath(path)
    with _lock_states_guard:
        state = _lock_states.setdefault(key, _LockState())
    deadline = time.monotonic() + timeout
    if not state.guard.acquire(timeout=timeout):
        raise _lock_timeout(output_dir, timeout)
    try:
        if state.depth == 0:
            state.fd = _flock(path, deadline, output_dir, timeout)
        state.depth += 1
        try:
            yield
        finally:
            state.depth -= 1
            if state.depth == 0:
                os.close(state.fd)  # closing the descriptor releases the flock
                state.fd = -1
    finally:
        state.guard.release()


def _flock(path: Path, deadline: float, output_dir: Path, timeout: float) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PublishError(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
    pause = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise _lock_timeout(output_dir, timeout) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        except OSError as exc:
            os.close(fd)
            raise PublishError(f"cannot lock {path}: {exc.strerror or exc}") from exc


def _lock_timeout(output_dir: Path, timeout: float) -> PublishError:
    return PublishError(
        f"another narrate process has been publishing to {output_dir} for over {timeout:.0f} s; "
        "try again when it has finished"
    )
