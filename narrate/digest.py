"""The one way narrate hashes a file: SHA-256, read in blocks, as hex."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

_BLOCK = 1 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, as 64 hex digits; raises OSError.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> file_sha256(Path(f.name))[:16]
    'ba7816bf8f01cfea'
    >>> os.unlink(f.name)
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def unchanged_file_sha256(path: Path) -> str:
    """:func:`file_sha256`, computed once per process while the file keeps its size and time."""
    stat = path.stat()
    return _remembered(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.cache
def _remembered(path: Path, size: int, mtime_ns: int) -> str:
    return file_sha256(path)
