"""The output folder's layout: the one place that knows the name of every file narrate keeps there.

::

    output/
      feed.xml  index.html  cover.jpg      the show: feed, listening page, artwork
      <slug>.mp3                           an episode
      <slug>/                              its segment files, chapters JSON, transcripts
      narrate.sqlite                       the episode store (private: never served)
      .narrate/                            private: the lock, rebuild records, work in progress
        lock  <slug>.json  cover.stamp  partial/

Every path below the output folder that narrate writes, renames or deletes goes through
:class:`Layout` (:meth:`Layout.inside`, :meth:`Layout.placed`, and the writes built on them:
:meth:`Layout.make_dir`, :meth:`Layout.write`, :meth:`Layout.rename`, :meth:`Layout.delete`),
which refuses one that a symlink below the folder leads anywhere but where it lies, outside the
folder above all; the output folder itself may be a symlink. A file that is replaced by a
rename, or unlinked, may itself be a symlink: the link is replaced or removed, never followed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from narrate import atomic
from narrate.errors import PublishError

FEED_FILE: Final = "feed.xml"
PAGE_FILE: Final = "index.html"
#: An episode's Podcasting 2.0 chapters, in its own folder.
CHAPTERS_FILE: Final = "chapters.json"
STORE_FILE: Final = "narrate.sqlite"
#: The show's artwork as narrate writes it; the page also finds a producer's own PNG.
COVER_FILE: Final = "cover.jpg"
COVER_FILES: Final = ("cover.jpg", "cover.jpeg", "cover.png")
#: Hidden, never served: the publish lock, the rebuild records, work in progress.
PRIVATE_DIR: Final = ".narrate"
LOCK_FILE: Final = "lock"
PARTIAL_DIR: Final = "partial"
COVER_STAMP: Final = "cover.stamp"


class OutsideOutputError(PublishError):
    """A path below the output folder that resolves outside it."""


@dataclass(frozen=True)
class Layout:
    """Where each file of one output folder lives."""

    root: Path

    @property
    def feed(self) -> Path:
        return self.root / FEED_FILE

    @property
    def page(self) -> Path:
        return self.root / PAGE_FILE

    @property
    def store(self) -> Path:
        return self.root / STORE_FILE

    @property
    def cover(self) -> Path:
        return self.root / COVER_FILE

    @property
    def private(self) -> Path:
        return self.root / PRIVATE_DIR

    @property
    def lock(self) -> Path:
        return self.private / LOCK_FILE

    @property
    def partial(self) -> Path:
        """Where files are made before they are renamed into place (same file system)."""
        return self.private / PARTIAL_DIR

    @property
    def cover_stamp(self) -> Path:
        return self.private / COVER_STAMP

    def find_cover(self) -> str | None:
        """The name of the show's artwork in the folder, the first of :data:`COVER_FILES` there."""
        return next((name for name in COVER_FILES if (self.root / name).is_file()), None)

    def episode_mp3(self, slug: str) -> Path:
        return self.root / f"{slug}.mp3"

    def episode_dir(self, slug: str) -> Path:
        """The episode's own folder: its segment files, chapters JSON and transcripts."""
        return self.root / slug

    def record(self, slug: str) -> Path:
        """The episode's rebuild record."""
        return self.private / f"{slug}.json"

    def inside(self, path: Path) -> Path:
        """``path`` (below the output folder) if it resolves to where it lies; else one clear error.

        For a folder narrate writes in and a file it opens in place (the store, the lock) or
        deletes: no symlink on the way, the last part included, may lead elsewhere.

        >>> Layout(Path("out")).inside(Path("out/a/b.mp3"))
        PosixPath('out/a/b.mp3')
        """
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            raise OutsideOutputError(
                f"{path} is not in the output folder {self.root}; narrate writes nothing there"
            ) from None
        try:
            root = self.root.resolve()
            target = path.resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise OutsideOutputError(
                f"{path} cannot be resolved ({exc}); narrate writes nothing through it: "
                "remove the link or choose another --output-dir"
            ) from None
        if target == root / relative:
            return path
        if target != root and root not in target.parents:
            raise OutsideOutputError(
                f"{path} leads outside the output folder {self.root} (to {target}); "
                "narrate writes nothing there: remove the link or choose another --output-dir"
            )
        raise OutsideOutputError(
            f"{path} leads elsewhere in the output folder {self.root} (to {target}); "
            "narrate writes nothing through a link there: remove the link or choose another "
            "--output-dir"
        )

    def placed(self, path: Path) -> Path:
        """``path`` in a folder that is :meth:`inside` the output folder, for a file replaced by
        a rename: ``path`` itself may be a symlink (the rename replaces the link)."""
        return self.inside(path.parent) / path.name

    def make_dir(self, path: Path) -> Path:
        """Make the folder ``path`` (and its parents) below the output folder; PublishError."""
        self.inside(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"cannot create {path}: {exc.strerror or exc}") from exc
        return self.inside(path)  # a link put there meanwhile

    def write(self, target: Path, data: bytes, mode: int | None = None) -> None:
        """Put ``data`` at ``target`` below the output folder (:func:`narrate.atomic.replace`)."""
        atomic.replace(self.placed(target), data, mode)

    def rename(self, staged: Path, target: Path, mode: int | None = None) -> None:
        """Rename the finished file ``staged`` (below the output folder) over ``target``;
        ``staged`` stays if the rename fails (:func:`narrate.atomic.move`)."""
        atomic.move(self.placed(staged), self.placed(target), mode)

    def delete(self, path: Path) -> bool:
        """Delete the file or folder ``path`` below the output folder; False if it was not there.

        A folder goes with everything in it (``rmtree`` follows no link); a symlink is refused
        by :meth:`inside` rather than followed.
        """
        self.inside(path)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise PublishError(f"cannot delete {path}: {exc.strerror or exc}") from exc
        return True
