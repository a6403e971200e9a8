"""Making an episode's files out of sight, ready to be renamed into place by the publish.

Nothing in ``output/`` is touched while an episode is made: its files are made and tagged in a
private working folder (``output/.narrate/partial``, on the output's file system); retagging an
unchanged episode goes through a tagged copy there. The publish
(:mod:`narrate.publish.publishing`) then commits the store and renames them into place, so that
a build killed or failing at any point leaves what is published wholly old or wholly new. What
a build that was killed left in the working folder is removed by the next command.

Every path below the output folder is asked of :class:`~narrate.layout.Layout` first
(:func:`check_paths`, before anything is written), which refuses one that a symlink leads
elsewhere; a symlink planted where a file goes is replaced, not followed (a rename replaces
the link itself).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from narrate import atomic
from narrate.digest import file_sha256
from narrate.engines.base import ctrl_c_deferred
from narrate.errors import PublishError
from narrate.layout import Layout
from narrate.models import EpisodeAudio, Mp3File
from narrate.publish.publishing import PUBLISHED_MODE, Staged

log = logging.getLogger(__name__)


def check_paths(layout: Layout, slug: str | None = None) -> None:
    """Refuse, before anything is written, an output folder where a symlink would lead a write
    or a delete elsewhere: the private folder, the store, the lock, and ``slug``'s files."""
    for folder in (layout.root, layout.private, layout.partial, layout.lock, layout.store):
        layout.inside(folder)
    if slug is not None:
        layout.inside(layout.episode_dir(slug))
        layout.placed(layout.episode_mp3(slug))
        layout.placed(layout.record(slug))


@contextlib.contextmanager
def working_folder(layout: Layout, slug: str) -> Iterator[Path]:
    """A private folder to make ``slug``'s files in, removed afterwards whatever happens
    (the publish has moved what it keeps out of it)."""
    with ctrl_c_deferred():  # a Ctrl-C here would leave the new folder behind, empty
        folder = atomic.work_dir(layout.make_dir(layout.partial), slug)
    try:
        yield folder
    except PublishError:
        raise
    except OSError as exc:
        raise PublishError(f"cannot write the episode to {layout.root}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class StagedAudio:
    """The episode's audio as it will be in place, and its files made for it in the working
    folder (none for a file already in place as it must be)."""

    audio: EpisodeAudio
    staged: tuple[Staged, ...]


def stage_made(folder: Path, slug: str, made: EpisodeAudio) -> StagedAudio:
    """The finished files made in ``folder``, each to be renamed to ``output/<slug>/`` (the
    segments) or ``output/<slug>.mp3`` (the episode, last)."""
    segments = tuple(
        dataclasses.replace(part, file=_finished(folder / part.file.name, part.file.name))
        for part in made.segments
    )
    main = _finished(folder / made.file.name, f"{slug}.mp3")
    staged = [Staged(folder / part.file.name, f"{slug}/{part.file.name}") for part in segments]
    staged.append(Staged(folder / made.file.name, f"{slug}.mp3"))
    for item in staged:
        os.chmod(item.path, PUBLISHED_MODE)
    return StagedAudio(dataclasses.replace(made, file=main, segments=segments), tuple(staged))


def retag(
    layout: Layout, folder: Path, mp3: Path, tag: Callable[[Path], None]
) -> tuple[Mp3File, Path | None]:
    """``mp3`` (in place) with its tags brought up to date, as a tagged copy in ``folder``: the
    file as it will be, and the copy (None when the tags were up to date already)."""
    current = layout.placed(mp3).read_bytes()
    copy = folder / f"retag-{mp3.name}"
    try:
        copy.write_bytes(current)
        tag(copy)
        tagged = copy.read_bytes()
    except OSError as exc:
        raise PublishError(f"cannot write {mp3}: {exc.strerror}") from exc
    if tagged == current:
        copy.unlink()
        return Mp3File(mp3.name, len(current), hashlib.sha256(current).hexdigest()), None
    os.chmod(copy, PUBLISHED_MODE)
    return Mp3File(mp3.name, len(tagged), hashlib.sha256(tagged).hexdigest()), copy


def _finished(path: Path, name: str) -> Mp3File:
    return Mp3File(name, path.stat().st_size, file_sha256(path))
