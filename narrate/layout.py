"""The output folder's layout: the one place that knows the name of every file narrate keeps there.

::

    output/
      feed.xml  index.html  cover.jpg      the show: feed, listening page, artwork
      <slug>.mp3                           an episode
      <slug>/                              its segment files, chapters JSON, transcripts
      narrate.sqlite                       the episode store (private: never served)
      .narrate/                            private: the lock, rebuild records, work in progress
        lock  <slug>.json  cover.stamp  partial/

Every path below the output folder that narrate writes or deletes is asked of :class:`Layout`,
which refuses a path that would resolve outside the folder (a symlink inside it pointing
elsewhere); the output folder itself may be a symlink.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

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
        """``path`` (below the output folder) if it resolves inside it; else one clear error.

        >>> Layout(Path("out")).inside(Path("out/a/b.mp3"))
        PosixPath('out/a/b.mp3')
        """
        root = self.root.resolve()
        target = path.resolve()
        if target != root and root not in target.parents:
            raise OutsideOutputError(
                f"{path} leads outside the output folder {self.root} (to {target}); "
                "narrate writes nothing there: remove the link or choose another --output-dir"
            )
        return path
