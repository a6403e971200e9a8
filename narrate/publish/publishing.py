"""Publishing: a change of the store, the files it links, the feed and the page, all or nothing.

A change is made in three moves, under the publish lock (:mod:`narrate.publish.lock`):

1. **stage**: everything new is made out of sight first, in a journal folder in
   ``.narrate/partial`` (same file system): the build's finished files, the feed rendered from
   the changed store, and the page when it can be (a build's page reads its new transcripts, so
   it is written once they are in place);
2. **commit**: the store's change and the list of what is left to do (renames, the page,
   deletes: the ``pending`` table of :mod:`narrate.publish.store`) are committed together;
3. **apply**: each file is renamed into place (the episode's folder, then its MP3, then the
   feed), the page written, and what the episode no longer links deleted; then the list is
   cleared.

A kill or a failure before the commit leaves everything published as it was (the journal folder
is private, and removed by the next command); one after it leaves the list in the store, and
the next command that changes the output folder (:func:`recover`, run first by ``build``,
``remove``, ``feed`` and ``check``) finishes it before anything else. What is published is
thus the old show or the new one, never half of each for longer than a publish takes.

Removing an episode deletes its files only once the feed and the page no longer link to them,
and never a file outside the output folder (:class:`narrate.layout.Layout`).
"""

from __future__ import annotations

import contextlib
import filecmp
import logging
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Final, TypeVar

from narrate import atomic, faults
from narrate.errors import PublishError
from narrate.layout import FEED_FILE, PAGE_FILE, STORE_FILE, Layout, OutsideOutputError
from narrate.publish.feed import render_feed
from narrate.publish.lock import publish_lock
from narrate.publish.page import render_page, write_page
from narrate.publish.store import EpisodeStore, Origin, Pending
from narrate.show import ShowSettings, StoredEpisode, check_aware

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Temporary files only a publisher writes, and only while it holds the lock.
_PUBLISH_TEMPS = tuple(f".{name}.*.tmp" for name in (FEED_FILE, PAGE_FILE, STORE_FILE))
#: Published files are served to everyone (the page's and the MP3s' mode whatever the umask).
PUBLISHED_MODE: Final = 0o644
#: The names narrate gives the files of an episode's folder: what ``check`` may remove there.
_EPISODE_FILE = re.compile(r"\d{2,}-[a-z0-9-]*\.mp3|chapters\.json|transcript\.(vtt|srt|json)")


@dataclass(frozen=True)
class Staged:
    """A finished file made out of sight (below the output folder), and where it goes."""

    path: Path
    #: Relative to the output folder: ``<slug>.mp3``, ``<slug>/01-lead.mp3``…
    target: str


@dataclass(frozen=True)
class Claim:
    """What a build found in its episode's place before it began: the guid of the episode it
    replaces (None: none). Another build that published there meanwhile is not overwritten,
    unless it published the same article."""

    guid: str | None
    identity: str | None = None


@dataclass
class _Change:
    """What a change of the store adds to the publish: files to delete once it is done."""

    deletes: list[str] = field(default_factory=list)


def publish(
    output_dir: Path,
    episode: StoredEpisode,
    show: ShowSettings,
    *,
    origin: Origin | None = None,
    claim: Claim | None = None,
    staged: Sequence[Staged] = (),
    now: datetime | None = None,
) -> Path:
    """Add ``episode`` (or replace the one with its slug), with its ``staged`` files, then
    rewrite the feed and the page; returns ``feed.xml``'s path.

    Every file the episode links to is either in ``staged`` or in ``output_dir`` already. A
    rebuilt episode keeps its guid and first publication date; files its earlier version
    linked and it does not are deleted. ``origin`` is the article's
    (:mod:`narrate.build.identity`).
    """
    layout = Layout(output_dir)
    _check_files(layout, episode, staged)

    def change(store: EpisodeStore, todo: _Change) -> StoredEpisode:
        old = store.get(episode.slug)
        if claim is not None:
            _check_claim(store, episode.slug, old, claim)
        stored = store.put(episode, origin)
        todo.deletes += _stale_files(layout, old, stored)
        return stored

    return _change(output_dir, show, now, change, staged=staged)[1]


def regenerate(
    output_dir: Path, show: ShowSettings | None = None, *, now: datetime | None = None
) -> Path:
    """Rewrite the feed and the page from the store; ``show`` None: the last publish's settings."""
    return _change(output_dir, show, now, lambda store, todo: None)[1]


def remove_episode(
    output_dir: Path,
    slug: str,
    show: ShowSettings | None = None,
    *,
    now: datetime | None = None,
) -> StoredEpisode | None:
    """Take episode ``slug`` out of the store and the feed, then delete its files.

    The files go only once the feed and the page no longer link to them: its MP3, its
    ``<slug>/`` folder, and its rebuild record ``.narrate/<slug>.json``. Returns
    the removed episode, or None (and changes nothing) when there is no such slug.
    An episode file that leads outside the output folder (a symlink) is refused
    before anything changes.
    """
    with publish_lock(output_dir):
        recover(output_dir)
        with EpisodeStore(output_dir) as store:
            old = store.get(slug)
        if old is None:
            return None
        paths = _episode_paths(output_dir, old)  # refuse now what could not be deleted later

        def change(store: EpisodeStore, todo: _Change) -> StoredEpisode | None:
            todo.deletes += [_relative(output_dir, path) for path in paths]
            return store.remove(slug)

        removed, _ = _change(output_dir, show, now, change)
        assert removed is not None
    return removed


def find_artwork(output_dir: Path) -> str | None:
    """The show's artwork in the output folder (see :data:`narrate.layout.COVER_FILES`), if any."""
    return Layout(output_dir).find_cover()


# -- recovering -----------------------------------------------------------------------------


def recover(output_dir: Path) -> bool:
    """Finish a publish that committed and was then stopped, and remove what stopped builds and
    publishes left in ``.narrate/partial``; True if a publish was finished.

    Run first by every command that changes the output folder. Cheap when there is nothing to
    do: the lock is taken only when the store lists something left to do or a working folder
    whose process is gone is there.
    """
    layout = Layout(output_dir)
    partial = layout.inside(layout.partial)
    with EpisodeStore(output_dir) as store:
        if not store.pending() and not any(atomic.abandoned(partial)):
            return False
    with publish_lock(output_dir), EpisodeStore(output_dir) as store:
        finished = _finish(layout, store)
        for leftover in atomic.abandoned(partial):
            with contextlib.suppress(OSError):
                layout.delete(leftover)
                logger.info("removed %s, left by a build or publish that was stopped", leftover)
    return finished


def _finish(layout: Layout, store: EpisodeStore) -> bool:
    """What the store says a committed publish left to do, done (under the lock)."""
    todo = store.pending()
    if not todo:
        return False
    show = store.show()
    logger.warning("finishing a publish that was stopped after its commit (%d steps)", len(todo))
    done = _apply(layout, store, todo, show)
    if show is not None:  # from the store, whatever became of the staged feed and page
        episodes = store.list()
        if FEED_FILE not in done:
            atomic.replace(layout.feed, render_feed(episodes, show, now=datetime.now(UTC)))
        if PAGE_FILE not in done:
            write_page(layout.root, episodes, show)
    return True


# -- the transaction -----------------------------------------------------------------------


def _check_files(layout: Layout, episode: StoredEpisode, staged: Sequence[Staged]) -> None:
    """Every file the feed will link to is staged or in place; the enclosure and the segments
    have their sizes."""
    sizes: dict[str, int | None] = {episode.file_name: episode.file_size}
    sizes.update({s.path: s.size for s in episode.segments})
    made = {item.target: item.path for item in staged}
    for relative in episode.files:
        path = made.get(relative, layout.root / relative)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise PublishError(
                f"episode file {path} does not exist; write it before publishing the episode"
            ) from None
        except OSError as exc:
            raise PublishError(f"cannot read episode file {path}: {exc.strerror}") from exc
        expected = sizes.get(relative)
        if expected is not None and size != expected:
            raise PublishError(
                f"episode file {path} is {size} bytes, but the episode says {expected}"
            )


def _check_claim(store: EpisodeStore, slug: str, old: StoredEpisode | None, claim: Claim) -> None:
    """Refuse to replace an episode another build published in this place meanwhile."""
    found = old.guid if old is not None else None
    if found == claim.guid:
        return
    if claim.identity is not None and store.origin(slug).identity == claim.identity:
        return  # the same article, published by another build of it
    raise PublishError(
        f"another build published episode {slug!r} while this one was made; "
        "build this article again to publish it beside that one"
    )


def _stale_files(layout: Layout, old: StoredEpisode | None, new: StoredEpisode) -> list[str]:
    """What ``old`` (the episode ``new`` replaces) linked that ``new`` does not: its files, and
    the segment MP3s narrate made in its folder."""
    if old is None:
        return []
    keep = set(new.files)
    stale = [relative for relative in old.files if relative not in keep]
    folder = layout.episode_dir(new.slug)
    if folder.is_dir() and not folder.is_symlink():
        for path in sorted(folder.glob("*.mp3")):
            relative = f"{new.slug}/{path.name}"
            if relative not in keep and relative not in stale:
                stale.append(relative)
    return stale


def _change(
    output_dir: Path,
    show: ShowSettings | None,
    now: datetime | None,
    change: Callable[[EpisodeStore, _Change], T],
    *,
    staged: Sequence[Staged] = (),
) -> tuple[T, Path]:
    """Apply ``change`` to the store with ``staged`` files; stage, commit, apply (see above)."""
    now = datetime.now(UTC) if now is None else check_aware(now, "the feed's build time")
    layout = Layout(output_dir)
    feed_path = layout.feed
    with publish_lock(output_dir), EpisodeStore(output_dir) as store:
        _finish(layout, store)
        _clean_stale_temps(output_dir)
        journal = atomic.work_dir(layout.make_dir(layout.partial), "publish")
        committed = False
        try:
            with store.transaction():
                todo = _Change()
                result = change(store, todo)
                if show is None:
                    show = store.show()
                    if show is None:
                        raise PublishError(
                            f"no show settings are stored in {store.path}; "
                            "give them in narrate.toml or build an episode first"
                        )
                else:
                    store.save_show(show)
                episodes = store.list()
                steps = _stage(layout, journal, staged)
                feed = atomic.stage(feed_path, render_feed(episodes, show, now=now), folder=journal)
                steps.append(Pending("rename", FEED_FILE, _relative(output_dir, feed)))
                if staged:  # the page reads the new transcripts: written once they are in place
                    steps.append(Pending("page", PAGE_FILE))
                else:
                    data = render_page(output_dir, episodes, show).encode("utf-8")
                    page = atomic.stage(layout.page, data, PUBLISHED_MODE, folder=journal)
                    steps.append(Pending("rename", PAGE_FILE, _relative(output_dir, page)))
                steps += [Pending("delete", relative) for relative in todo.deletes]
                store.set_pending(steps)
                faults.reached("before-commit")
            committed = True
            faults.reached("committed")
            _apply(layout, store, steps, show)
        finally:
            if not committed:
                shutil.rmtree(journal, ignore_errors=True)
    logger.info("wrote %s with %d episode(s)", feed_path, len(episodes))
    return result, feed_path


def _stage(layout: Layout, journal: Path, staged: Iterable[Staged]) -> list[Pending]:
    """Move the finished files into the journal folder; a rename for each that differs from
    what is in place (an identical file is left alone, and keeps its time)."""
    steps = []
    for number, item in enumerate(staged):
        target = layout.root / item.target
        with contextlib.suppress(OSError):
            if target.is_file() and filecmp.cmp(item.path, target, shallow=False):
                continue
        moved = journal / f"{number:03d}-{target.name}"
        layout.rename(item.path, moved)
        _sync(moved)  # on disk before the commit that makes it the episode's
        steps.append(Pending("rename", item.target, _relative(layout.root, moved)))
    return steps


def _sync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        os.fsync(fd)
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _apply(
    layout: Layout, store: EpisodeStore, steps: Sequence[Pending], show: ShowSettings | None
) -> set[str]:
    """Do ``steps`` (renames, the page, deletes), then clear them from the store; the files
    written here (relative paths).

    Each is done again safely: a staged file already renamed is not there any more. A page
    that cannot be written does not keep the deletes from freeing space; the error is raised
    after them, and the page is written by the next command.
    """
    page_error: PublishError | None = None
    journals: set[Path] = set()
    done: set[str] = set()
    for step in steps:
        path = layout.root / step.path
        if step.op == "rename" and step.staged is not None:
            staged = layout.root / step.staged
            journals.add(staged.parent)
            if not staged.exists():
                continue  # renamed already, by the publish that was stopped
            mode = None if step.path == FEED_FILE else PUBLISHED_MODE
            if not path.parent.is_dir():
                layout.make_dir(path.parent)  # a new episode's folder
            layout.rename(staged, path, mode)
            done.add(step.path)
            faults.reached(f"rename:{step.path}")
        elif step.op == "page":
            if show is None:
                continue
            try:
                write_page(layout.root, store.list(), show)
            except PublishError as exc:
                page_error = exc
                continue
            done.add(PAGE_FILE)
            faults.reached("page-written")
        elif step.op == "delete":
            if layout.delete(path):
                logger.info("deleted %s", path)
            faults.reached(f"delete:{step.path}")
    if page_error is not None:
        raise page_error
    store.clear_pending()
    for journal in journals:
        if journal.parent == layout.partial:
            shutil.rmtree(journal, ignore_errors=True)
    faults.reached("finished")
    return done


def _relative(output_dir: Path, path: Path) -> str:
    return path.relative_to(output_dir).as_posix()


def _clean_stale_temps(output_dir: Path) -> None:
    """Remove what a killed publisher left half-written: only a lock holder writes these."""
    layout = Layout(output_dir)
    for pattern in _PUBLISH_TEMPS:
        for stale in output_dir.glob(pattern):
            path = layout.inside(stale)  # one that leads elsewhere is refused, not followed
            with contextlib.suppress(OSError):
                path.unlink()
                logger.info("removed %s, left by a publish that was stopped", stale)


# -- an episode's files ----------------------------------------------------------


def _episode_paths(output_dir: Path, episode: StoredEpisode) -> list[Path]:
    """Every file and folder of ``episode``, each checked to lie inside the output folder.

    Its linked files, and, when its slug is a plain name, its rebuild record and its folder.
    Raises :class:`narrate.layout.OutsideOutputError` for one that leads elsewhere.
    """
    layout = Layout(output_dir)
    slug = episode.slug
    unsafe = not slug.strip() or slug.startswith(".") or any(c in slug for c in "/\\\0")
    paths = [output_dir / relative for relative in episode.files]
    if not unsafe:
        paths += [layout.record(slug), layout.episode_dir(slug)]
    return [layout.inside(path) for path in paths]


# -- checking the show -------------------------------------------------------------------


@dataclass
class Checked:
    """What :func:`check` did and found."""

    episodes: int = 0
    #: Files and folders removed (relative to the output folder): no episode lists them.
    removed: list[str] = field(default_factory=list)
    #: One line per file an episode lists that is missing or changed.
    problems: list[str] = field(default_factory=list)
    #: The slugs of the episodes with a problem.
    broken: set[str] = field(default_factory=set)
    #: Whether a publish that was stopped after its commit was finished.
    finished: bool = False
    #: Whether the feed and the page were rewritten from the store.
    rewritten: bool = False


def check(
    output_dir: Path, ours: Callable[[Path], bool], *, now: datetime | None = None
) -> Checked:
    """Make the output folder what the store says: finish a stopped publish, remove the files
    no episode lists (those narrate makes: MP3s ``ours`` says narrate made, and the folders of
    them; never a producer's own or a link), rewrite a feed or page that differs from the
    store, and report each listed file that is missing or whose size is not the store's."""
    layout = Layout(output_dir)
    result = Checked()
    with publish_lock(output_dir):
        finished = recover(output_dir)
        with EpisodeStore(output_dir) as store:
            episodes = store.list()
            show = store.show()
        _clean_stale_temps(output_dir)
        result.episodes = len(episodes)
        for path in _orphans(layout, episodes, ours):
            try:
                if layout.delete(path):
                    result.removed.append(_relative(output_dir, path))
            except OutsideOutputError:
                continue  # a link: not narrate's, left alone
        result.problems, result.broken = _problems(layout, episodes)
        result.finished = finished
        if show is not None and (finished or result.removed or _stale_pages(layout, show)):
            regenerate(output_dir, now=now)
            result.rewritten = True
    return result


def _orphans(
    layout: Layout, episodes: Sequence[StoredEpisode], ours: Callable[[Path], bool]
) -> list[Path]:
    """The files narrate made that no episode lists: an MP3 in the output folder, an episode's
    folder (one holding only the files narrate makes there), a stale file in a listed episode's
    folder, a rebuild record. Links and a producer's files are never among them."""

    def narrate_file(path: Path) -> bool:
        if path.is_symlink() or not path.is_file() or not _EPISODE_FILE.fullmatch(path.name):
            return False
        return path.suffix != ".mp3" or ours(path)

    def narrate_folder(folder: Path) -> bool:
        entries = list(folder.iterdir())
        return bool(entries) and all(narrate_file(entry) for entry in entries)

    root = layout.root
    linked = {relative for episode in episodes for relative in episode.files}
    slugs = {episode.slug for episode in episodes}
    found: list[Path] = []
    if not root.is_dir():
        return found
    for path in sorted(root.iterdir()):
        if path.is_symlink() or path.name.startswith("."):
            continue
        if path.is_file():
            if path.suffix == ".mp3" and path.name not in linked and ours(path):
                found.append(path)
        elif not path.is_dir():
            continue
        elif path.name not in slugs:
            if narrate_folder(path):
                found.append(path)
        else:
            for inner in sorted(path.iterdir()):
                relative = f"{path.name}/{inner.name}"
                if relative not in linked and narrate_file(inner):
                    found.append(inner)
    private = layout.private
    if private.is_dir() and not private.is_symlink():
        for record in sorted(private.glob("*.json")):
            if record.stem not in slugs and not record.is_symlink():
                found.append(record)
    return found


def _problems(layout: Layout, episodes: Sequence[StoredEpisode]) -> tuple[list[str], set[str]]:
    """One line per file an episode lists that is missing, or whose size is not the store's;
    the slugs of those episodes."""
    problems: list[str] = []
    broken: set[str] = set()
    for episode in sorted(episodes, key=lambda e: e.slug):
        sizes: dict[str, int] = {episode.file_name: episode.file_size}
        sizes.update({s.path: s.size for s in episode.segments})
        for relative in episode.files:
            path = layout.root / relative
            try:
                size = path.stat().st_size
            except OSError:
                problems.append(f"missing: {relative} (episode {episode.slug})")
                broken.add(episode.slug)
                continue
            expected = sizes.get(relative)
            if expected is not None and size != expected:
                problems.append(
                    f"changed: {relative} is {size} bytes; the store says {expected} "
                    f"(episode {episode.slug})"
                )
                broken.add(episode.slug)
    return problems, broken


def _stale_pages(layout: Layout, show: ShowSettings) -> bool:
    """Whether the feed or the page says other than the store would (the feed's build time
    aside)."""
    with EpisodeStore(layout.root) as store:
        episodes = store.list()
    try:
        page = layout.page.read_bytes()
        feed = layout.feed.read_bytes()
        built = ET.fromstring(feed).findtext("channel/lastBuildDate")
        when = parsedate_to_datetime(built) if built else None
    except (OSError, ET.ParseError, TypeError, ValueError):
        return True
    if when is None or page != render_page(layout.root, episodes, show).encode("utf-8"):
        return True
    return feed != render_feed(episodes, show, now=when)
