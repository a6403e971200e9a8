"""Publishing: a change of the store, and the feed and page rewritten from it, all or nothing.

A change and the feed agree: under the publish lock (:mod:`narrate.publish.lock`), the feed is
written while the change is still an open transaction of the store
(:mod:`narrate.publish.store`), and the transaction is committed only when the feed is in
place (the old feed is put back if the commit fails). The page is written last, from the
committed store. Removing an episode deletes its files only once the feed no longer links to
them, and never a file outside the output folder.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from narrate import atomic
from narrate.errors import PublishError
from narrate.layout import FEED_FILE, PAGE_FILE, STORE_FILE, Layout
from narrate.publish.feed import render_feed
from narrate.publish.lock import publish_lock
from narrate.publish.page import write_page
from narrate.publish.store import EpisodeStore
from narrate.show import ShowSettings, StoredEpisode, check_aware

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Temporary files only a publisher writes, and only while it holds the lock.
_PUBLISH_TEMPS = tuple(f".{name}.*.tmp" for name in (FEED_FILE, PAGE_FILE, STORE_FILE))


def publish(
    output_dir: Path, episode: StoredEpisode, show: ShowSettings, *, now: datetime | None = None
) -> Path:
    """Add ``episode`` (or replace the one with its slug), then rewrite the feed and the page.

    Every file the episode links to must be in ``output_dir`` already. A rebuilt
    episode keeps its guid and first publication date. Returns ``feed.xml``'s path.
    """
    _check_files(output_dir, episode)
    return _change(output_dir, show, now, lambda store: store.put(episode))[1]


def regenerate(
    output_dir: Path, show: ShowSettings | None = None, *, now: datetime | None = None
) -> Path:
    """Rewrite the feed and the page from the store; ``show`` None: the last publish's settings."""
    return _change(output_dir, show, now, lambda store: None)[1]


def remove_episode(
    output_dir: Path,
    slug: str,
    show: ShowSettings | None = None,
    *,
    now: datetime | None = None,
) -> StoredEpisode | None:
    """Take episode ``slug`` out of the store and the feed, then delete its files.

    The files go only once the feed no longer links to them: its MP3, its
    ``<slug>/`` folder, and its rebuild record ``.narrate/<slug>.json``. Returns
    the removed episode, or None (and changes nothing) when there is no such slug.
    An episode file that leads outside the output folder (a symlink) is refused
    before anything changes.
    """
    with publish_lock(output_dir):
        with EpisodeStore(output_dir) as store:
            old = store.get(slug)
        if old is None:
            return None
        _episode_paths(output_dir, old)  # refuse now what could not be deleted later
        removed, _ = _change(output_dir, show, now, lambda store: store.remove(slug))
        assert removed is not None
        _delete_files(output_dir, removed)
    return removed


def find_artwork(output_dir: Path) -> str | None:
    """The show's artwork in the output folder (see :data:`narrate.layout.COVER_FILES`), if any."""
    return Layout(output_dir).find_cover()


# -- the transaction -----------------------------------------------------------


def _check_files(output_dir: Path, episode: StoredEpisode) -> None:
    """Every file the feed will link to exists; the enclosure and segments have their sizes."""
    sizes: dict[str, int | None] = {episode.file_name: episode.file_size}
    sizes.update({s.path: s.size for s in episode.segments})
    for relative in episode.files:
        path = output_dir / relative
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


def _change(
    output_dir: Path,
    show: ShowSettings | None,
    now: datetime | None,
    change: Callable[[EpisodeStore], T],
) -> tuple[T, Path]:
    """Apply ``change`` and rewrite the feed and the page from the result, all or nothing.

    The feed is staged and renamed into place while the change is an open
    transaction, which commits only then; if the commit fails, the previous feed
    is put back. The page is written last, from the committed store.
    """
    now = datetime.now(UTC) if now is None else check_aware(now, "the feed's build time")
    feed_path = Layout(output_dir).feed
    with publish_lock(output_dir), EpisodeStore(output_dir) as store:
        _clean_stale_temps(output_dir)
        previous = _read_optional(feed_path)
        replaced = False
        try:
            with store.transaction():
                result = change(store)
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
                atomic.replace(feed_path, render_feed(episodes, show, now=now))
                replaced = True
        except BaseException:
            if replaced:
                _restore(feed_path, previous)
            raise
        write_page(output_dir, episodes, show)
    logger.info("wrote %s with %d episode(s)", feed_path, len(episodes))
    return result, feed_path


def _clean_stale_temps(output_dir: Path) -> None:
    """Remove what a killed publisher left half-written: only a lock holder writes these."""
    layout = Layout(output_dir)
    for pattern in _PUBLISH_TEMPS:
        for stale in output_dir.glob(pattern):
            path = layout.inside(stale)  # one that leads elsewhere is refused, not followed
            with contextlib.suppress(OSError):
                path.unlink()
                logger.info("removed %s, left by a publish that was stopped", stale)


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _restore(target: Path, previous: bytes | None) -> None:
    """Best effort: put ``target`` back as it was (absent when ``previous`` is None)."""
    try:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            atomic.replace(target, previous)
    except Exception:
        logger.exception("could not restore %s after a failed publish", target)


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


def _delete_files(output_dir: Path, episode: StoredEpisode) -> None:
    problems: list[str] = []
    try:
        paths = _episode_paths(output_dir, episode)
    except PublishError as exc:
        problems.append(str(exc))
        paths = []
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"{path} ({exc.strerror or exc})")
    if problems:
        raise PublishError(
            f"episode {episode.slug!r} is out of the feed, but these files could not be "
            f"deleted: {', '.join(problems)}"
        )
