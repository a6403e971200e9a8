"""Making an episode's files out of sight, then renaming them into place.

Nothing in ``output/`` is touched until the audio is made: the episode's files are made and
tagged in a private working folder (``output/.narrate/partial``, on the output's file
system), then each is renamed into place, the segments first and the episode last, so no
reader ever sees half a file. Retagging an unchanged episode goes through a tagged copy the
same way. What a build that was killed left half-made is removed by the next one. The
temporary files and renames themselves are :mod:`narrate.atomic`'s.

Every folder written in is asked of :class:`~narrate.layout.Layout`, which refuses one that
leads outside the output folder; a symlink planted where a file goes is replaced, not
followed (a rename replaces the link itself).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from narrate import atomic
from narrate.digest import file_sha256
from narrate.errors import PublishError
from narrate.layout import Layout
from narrate.models import EpisodeAudio, Mp3File

log = logging.getLogger(__name__)

#: Published files are served to everyone.
PUBLISHED_MODE = 0o644


def clean_partials(layout: Layout) -> None:
    """Remove what builds that were killed left half-made (their process is gone)."""
    for leftover in atomic.abandoned(layout.inside(layout.partial)):
        with contextlib.suppress(OSError):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            log.info("removed %s, left by a build that was stopped", leftover)


@contextlib.contextmanager
def working_folder(layout: Layout, slug: str) -> Iterator[Path]:
    """A private folder to make ``slug``'s files in, removed afterwards whatever happens."""
    folder = atomic.work_dir(layout.inside(layout.partial), slug)
    try:
        yield folder
    except OSError as exc:
        raise PublishError(f"cannot write the episode to {layout.root}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_into_place(layout: Layout, slug: str, folder: Path, made: EpisodeAudio) -> EpisodeAudio:
    """Rename the finished files made in ``folder`` into ``output/<slug>/`` (dropping segment
    files no longer made), then the episode to ``output/<slug>.mp3``; the audio as placed."""
    segments = tuple(
        dataclasses.replace(part, file=_finished(folder / part.file.name, part.file.name))
        for part in made.segments
    )
    main = _finished(folder / made.file.name, f"{slug}.mp3")
    target = layout.inside(layout.episode_dir(slug))
    target.mkdir(exist_ok=True)
    for part in segments:
        atomic.commit(folder / part.file.name, target / part.file.name, PUBLISHED_MODE)
    keep = {part.file.name for part in segments}
    for stale in target.glob("*.mp3"):
        if stale.name not in keep:
            placed(layout, stale).unlink()
    mp3 = placed(layout, layout.episode_mp3(slug))
    atomic.commit(folder / made.file.name, mp3, PUBLISHED_MODE)
    log.info("wrote %s and %d segment files", mp3, len(segments))
    return dataclasses.replace(made, file=main, segments=segments)


def retag(layout: Layout, mp3: Path, tag: Callable[[Path], None]) -> Mp3File:
    """Bring ``mp3``'s tags up to date through a tagged copy; an unchanged file is not touched."""
    mp3 = placed(layout, mp3)
    current = mp3.read_bytes()
    folder = layout.inside(layout.partial)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot write to {layout.root}: {exc.strerror}") from exc
    temp = atomic.stage(mp3, current, PUBLISHED_MODE, durable=False, folder=folder)
    try:
        tag(temp)
        tagged = temp.read_bytes()
        if tagged != current:
            atomic.commit(temp, mp3)
            log.info("wrote %s", mp3)
    except OSError as exc:
        raise PublishError(f"cannot write {mp3}: {exc.strerror}") from exc
    finally:
        atomic.discard(temp)
    # What is now at ``mp3``, from the bytes in hand rather than a third read of the file.
    return Mp3File(mp3.name, len(tagged), hashlib.sha256(tagged).hexdigest())


def placed(layout: Layout, path: Path) -> Path:
    """``path`` in a folder that is inside the output folder (see :meth:`Layout.inside`)."""
    return layout.inside(path.parent) / path.name


def _finished(path: Path, name: str) -> Mp3File:
    return Mp3File(name, path.stat().st_size, file_sha256(path))
