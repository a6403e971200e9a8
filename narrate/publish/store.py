"""The episode store (SQLite), the publish lock, and the atomic writes of the feed.

The store, ``narrate.sqlite`` in the output folder, is the single source of truth
for the feed: ``feed.xml`` and ``index.html`` are always regenerated in full from
it, under :func:`publish_lock`, so builds running at the same time each land
their episode and no reader ever sees half a feed.

The database uses SQLite's rollback journal (``journal_mode=DELETE``), not WAL:
between transactions the store is one self-contained file, so copying or
syncing the output folder to a web host carries a complete store (WAL keeps
recent commits in ``-wal``/``-shm`` side files), it works on network file
systems (WAL needs shared memory), and writers are serialised by the publish
lock anyway, so WAL's readers-during-writes gain is worth nothing here.

A change and the feed agree: the feed is written while the change is still an
open transaction, and the transaction is committed only when the feed is in
place (and the old feed put back if the commit fails).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeAlias, TypeVar, cast

from narrate import atomic
from narrate.errors import PublishError
from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.publish.feed import newest_first, render_feed
from narrate.publish.page import write_page
from narrate.show import FEED_FILE, FeedValueError, ShowSettings, StoredEpisode, check_aware

logger = logging.getLogger(__name__)

STORE_FILE: Final = "narrate.sqlite"
#: The JSON store of narrate 0.1, imported once into a new database.
LEGACY_STORE_FILE: Final = "episodes.json"
LEGACY_STORE_VERSION: Final = 1
#: Private working files of the output folder; never published.
PRIVATE_DIR: Final = ".narrate"
LOCK_FILE: Final = "lock"
#: ``PRAGMA user_version`` of the schema below.
SCHEMA_VERSION: Final = 1
#: How long a publish waits for another process's publish before giving up.
LOCK_TIMEOUT: Final = 120.0
#: Artwork file names in the output folder, in order of preference.
ARTWORK_FILES: Final = ("cover.jpg", "cover.png")

_SCHEMA: Final = """
CREATE TABLE episodes (
    slug TEXT PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    published TEXT NOT NULL,          -- ISO 8601, UTC
    duration_seconds INTEGER NOT NULL,
    file_name TEXT NOT NULL UNIQUE,
    file_size INTEGER NOT NULL,
    engine TEXT NOT NULL,
    chapters TEXT NOT NULL,           -- JSON: [{"title", "start_ms", "end_ms"}]
    segments TEXT NOT NULL,           -- JSON: [{"number", "title", "path", "size", "duration_ms"}]
    chapters_file TEXT,
    transcripts TEXT NOT NULL,        -- JSON: [{"path", "mime"}]
    image_file TEXT
) STRICT;
CREATE TABLE show (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL            -- JSON of the ShowSettings of the last publish
) STRICT;
"""

_COLUMNS: Final = (
    "slug",
    "guid",
    "title",
    "description",
    "published",
    "duration_seconds",
    "file_name",
    "file_size",
    "engine",
    "chapters",
    "segments",
    "chapters_file",
    "transcripts",
    "image_file",
)

_KEEP: Final = (
    "restore it from a backup; narrate will not start a new store over it and lose episodes"
)

T = TypeVar("T")
#: Rows of a query (the store has a method called ``list``).
_Rows: TypeAlias = list[Any]


# -- the lock ----------------------------------------------------------------


@dataclass
class _LockState:
    """One process's hold on one lock file; re-entrant within a thread."""

    guard: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    depth: int = 0
    fd: int = -1


_lock_states: dict[str, _LockState] = {}
_lock_states_guard = threading.Lock()


def lock_path(output_dir: Path) -> Path:
    return output_dir / PRIVATE_DIR / LOCK_FILE


@contextlib.contextmanager
def publish_lock(output_dir: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the output folder's exclusive publish lock (``flock`` on ``.narrate/lock``).

    Every change of the store and every rewrite of ``feed.xml`` and ``index.html``
    happens under it. The kernel releases it when the holder dies, so a killed
    build never leaves it stuck. Re-entrant in one thread; other threads and
    processes wait, at most ``timeout`` seconds, then get a :class:`PublishError`.
    """
    path = lock_path(output_dir)
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


# -- rows ----------------------------------------------------------------------


def _episode_to_row(episode: StoredEpisode) -> tuple[object, ...]:
    def dump(items: Sequence[object]) -> str:
        return json.dumps(
            [dataclasses.asdict(cast(Any, item)) for item in items],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    return (
        episode.slug,
        episode.guid,
        episode.title,
        episode.description,
        episode.published.isoformat(),
        episode.duration_seconds,
        episode.file_name,
        episode.file_size,
        episode.engine,
        dump(episode.chapters),
        dump(episode.segments),
        episode.chapters_file,
        dump(episode.transcripts),
        episode.image_file,
    )


def _episode_from_row(row: Sequence[Any]) -> StoredEpisode:
    values = dict(zip(_COLUMNS, row, strict=True))
    try:
        values["published"] = datetime.fromisoformat(values["published"])
        values["chapters"] = tuple(Chapter(**c) for c in json.loads(values["chapters"]))
        values["segments"] = tuple(SegmentFile(**s) for s in json.loads(values["segments"]))
        values["transcripts"] = tuple(
            TranscriptFile(**t) for t in json.loads(values["transcripts"])
        )
        return StoredEpisode(**values)
    except (TypeError, ValueError) as exc:  # FeedValueError and JSONDecodeError too
        raise ValueError(f"episode {values.get('slug')!r}: {exc}") from exc


def _show_to_json(show: ShowSettings) -> str:
    return json.dumps(dataclasses.asdict(show), ensure_ascii=False, sort_keys=True)


def _show_from_json(text: str) -> ShowSettings:
    data = json.loads(text)
    known = {f.name for f in dataclasses.fields(ShowSettings)}
    return ShowSettings(**{k: v for k, v in data.items() if k in known})


# -- the legacy JSON store -----------------------------------------------------

_LEGACY_FIELDS: Final[dict[str, type]] = {
    "slug": str,
    "guid": str,
    "title": str,
    "description": str,
    "published": str,
    "duration_seconds": int,
    "file_name": str,
    "file_size": int,
    "engine": str,
}


def read_legacy_store(path: Path) -> list[StoredEpisode] | None:
    """The episodes of a narrate 0.1 ``episodes.json``, newest first; None when absent."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PublishError(f"cannot read episode store {path}: {exc.strerror}") from exc
    keep = "fix or restore it; narrate will not start a new store over it and lose episodes"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PublishError(f"episode store {path} is not UTF-8 ({keep})") from exc
    except json.JSONDecodeError as exc:
        raise PublishError(
            f"episode store {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno} ({keep})"
        ) from exc
    if not isinstance(data, dict) or "version" not in data:
        raise PublishError(f"episode store {path} has no version ({keep})")
    if data["version"] != LEGACY_STORE_VERSION:
        raise PublishError(
            f"episode store {path} is version {data['version']!r}; this narrate reads version "
            f"{LEGACY_STORE_VERSION} (upgrade narrate)"
        )
    rows = data.get("episodes")
    if not isinstance(rows, list):
        raise PublishError(f"episode store {path} has no episode list ({keep})")
    episodes: list[StoredEpisode] = []
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise ValueError("an episode is not a JSON object")
            values: dict[str, Any] = {}
            for key, kind in _LEGACY_FIELDS.items():
                value = row.get(key)
                # bool is an int to Python, never a size or a duration.
                if not isinstance(value, kind) or isinstance(value, bool):
                    raise ValueError(f"field {key!r} is missing or not a {kind.__name__}")
                values[key] = value
            values["published"] = datetime.fromisoformat(values["published"])
            episodes.append(StoredEpisode(**values))
        except ValueError as exc:  # FeedValueError too
            raise PublishError(f"episode store {path}, episode {index}: {exc} ({keep})") from exc
    slugs = [e.slug for e in episodes]
    if len(set(slugs)) != len(slugs):
        raise PublishError(f"episode store {path} lists a slug twice ({keep})")
    return newest_first(episodes)


# -- the store -----------------------------------------------------------------


class EpisodeStore:
    """The episodes of one output folder, in ``narrate.sqlite``.

    Reading never creates anything: before the first publish :meth:`list` is
    empty (or the legacy ``episodes.json``, read as it is). The first change
    creates the database, under the publish lock, importing a legacy
    ``episodes.json`` if there is one. Each change outside :meth:`transaction`
    is its own transaction, taken under the publish lock.
    A damaged database raises :class:`PublishError`.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.path = output_dir / STORE_FILE
        self._conn: sqlite3.Connection | None = None
        self._depth = 0

    def __enter__(self) -> EpisodeStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- reading

    def list(self) -> list[StoredEpisode]:
        """Every episode, newest first."""
        conn = self._open(create=False)
        if conn is None:
            return read_legacy_store(self.output_dir / LEGACY_STORE_FILE) or []
        rows = self._query(conn, f"SELECT {', '.join(_COLUMNS)} FROM episodes")
        return newest_first([self._decode(row) for row in rows])

    def get(self, slug: str) -> StoredEpisode | None:
        conn = self._open(create=False)
        if conn is None:
            legacy = read_legacy_store(self.output_dir / LEGACY_STORE_FILE) or []
            return next((e for e in legacy if e.slug == slug), None)
        rows = self._query(conn, f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE slug = ?", slug)
        return self._decode(rows[0]) if rows else None

    def show(self) -> ShowSettings | None:
        """The show settings of the last publish, if any."""
        conn = self._open(create=False)
        if conn is None:
            return None
        rows = self._query(conn, "SELECT settings FROM show WHERE id = 1")
        if not rows:
            return None
        try:
            return _show_from_json(rows[0][0])
        except (TypeError, ValueError) as exc:
            raise PublishError(f"episode store {self.path}: bad show settings: {exc}") from exc

    # -- changing

    def put(self, episode: StoredEpisode) -> StoredEpisode:
        """Add ``episode`` or replace the one with its slug; returns what was stored.

        A replaced episode keeps the guid and the publication date it was first
        published with, so podcast apps see an update, not a new episode.
        """
        with self.transaction():
            old = self.get(episode.slug)
            if old is not None:
                episode = replace(episode, guid=old.guid, published=old.published)
                logger.info("replacing episode %s (guid %s)", episode.slug, episode.guid)
            for column, value in (("guid", episode.guid), ("file_name", episode.file_name)):
                clash = self._query(
                    self._require(),
                    f"SELECT slug FROM episodes WHERE {column} = ? AND slug != ?",
                    value,
                    episode.slug,
                )
                if clash:
                    what = "guid" if column == "guid" else "enclosure file"
                    raise FeedValueError(
                        f"episodes {clash[0][0]!r} and {episode.slug!r} share the {what} {value!r}"
                    )
            placeholders = ", ".join("?" * len(_COLUMNS))
            updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
            self._execute(
                f"INSERT INTO episodes ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
                f"ON CONFLICT(slug) DO UPDATE SET {updates}",
                *_episode_to_row(episode),
            )
        return episode

    def remove(self, slug: str) -> StoredEpisode | None:
        """Delete the episode ``slug`` from the store (not its files); returns it, or None."""
        with self.transaction():
            old = self.get(slug)
            if old is not None:
                self._execute("DELETE FROM episodes WHERE slug = ?", slug)
        return old

    def save_show(self, show: ShowSettings) -> None:
        """Remember ``show``, so the feed can be regenerated without the options of the build."""
        with self.transaction():
            self._execute(
                "INSERT INTO show (id, settings) VALUES (1, ?) "
                "ON CONFLICT(id) DO UPDATE SET settings = excluded.settings",
                _show_to_json(show),
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction under the publish lock: everything in it is kept, or nothing."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with publish_lock(self.output_dir):
            conn = self._open(create=True)
            assert conn is not None
            self._run(conn.execute, "BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            self._depth = 0
            try:
                self._commit(conn)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise

    def _commit(self, conn: sqlite3.Connection) -> None:
        self._run(conn.execute, "COMMIT")

    # -- the database

    def _require(self) -> sqlite3.Connection:
        assert self._conn is not None, "only inside a transaction"
        return self._conn

    def _execute(self, sql: str, *params: object) -> None:
        self._run(self._require().execute, sql, params)

    def _query(self, conn: sqlite3.Connection, sql: str, *params: object) -> _Rows:
        def fetch() -> _Rows:
            return conn.execute(sql, params).fetchall()

        return self._run(fetch)

    def _decode(self, row: Sequence[Any]) -> StoredEpisode:
        try:
            return _episode_from_row(row)
        except ValueError as exc:
            raise PublishError(f"episode store {self.path} is damaged: {exc} ({_KEEP})") from exc

    def _run(self, call: Callable[..., T], *args: Any) -> T:
        try:
            return call(*args)
        except sqlite3.IntegrityError as exc:
            raise PublishError(f"episode store {self.path} refused a change: {exc}") from exc
        except sqlite3.DatabaseError as exc:  # "not a database", "malformed", I/O errors
            raise PublishError(
                f"episode store {self.path} is damaged or unreadable: {exc} ({_KEEP})"
            ) from exc
        except sqlite3.Error as exc:
            raise PublishError(f"episode store {self.path}: {exc}") from exc

    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        if not self.path.exists():
            if not create:
                return None
            with publish_lock(self.output_dir):
                if not self.path.exists():
                    self._create()
        self._conn = self._connect(self.path)
        self._check(self._conn)
        return self._conn

    def _connect(self, path: Path) -> sqlite3.Connection:
        def connect() -> sqlite3.Connection:
            # isolation_level=None: transactions are begun and ended explicitly.
            # timeout: readers wait while a writer commits.
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            return conn

        return self._run(connect)

    def _check(self, conn: sqlite3.Connection) -> None:
        def check() -> tuple[int, str]:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            status = conn.execute("PRAGMA quick_check").fetchone()[0]
            return version, status

        try:
            version, status = self._run(check)
        except PublishError:
            self.close()
            raise
        problem = None
        if status != "ok":
            problem = f"episode store {self.path} is damaged: {status} ({_KEEP})"
        elif version > SCHEMA_VERSION:
            problem = (
                f"episode store {self.path} is version {version}; this narrate reads version "
                f"{SCHEMA_VERSION} (upgrade narrate)"
            )
        elif version != SCHEMA_VERSION:
            problem = f"{self.path} is not a narrate episode store ({_KEEP})"
        if problem:
            self.close()
            raise PublishError(problem)

    def _create(self) -> None:
        """Make the database beside its final name, import a legacy store, rename it into place."""
        legacy = read_legacy_store(self.output_dir / LEGACY_STORE_FILE)
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
        try:
            conn = self._connect(temp)
            try:
                self._run(conn.executescript, _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
                if legacy:
                    placeholders = ", ".join("?" * len(_COLUMNS))
                    self._run(conn.execute, "BEGIN")
                    for episode in legacy:
                        conn.execute(
                            f"INSERT INTO episodes ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                            _episode_to_row(episode),
                        )
                    self._run(conn.execute, "COMMIT")
                    logger.info("imported %d episodes from %s", len(legacy), LEGACY_STORE_FILE)
            finally:
                conn.close()
            os.chmod(temp, 0o666 & ~_umask())
            os.replace(temp, self.path)
        except BaseException as exc:
            for leftover in (temp, temp.with_name(temp.name + "-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            if isinstance(exc, OSError) and not isinstance(exc, PublishError):
                raise PublishError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
            raise
        atomic.sync_dir(self.output_dir)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- publishing ----------------------------------------------------------------


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
    feed_path = output_dir / FEED_FILE
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


#: Temporary files only a publisher writes, and only while it holds the lock.
_PUBLISH_TEMPS = (f".{FEED_FILE}.*.tmp", ".index.html.*.tmp", ".narrate.sqlite.*.tmp")


def _clean_stale_temps(output_dir: Path) -> None:
    """Remove what a killed publisher left half-written: only a lock holder writes these."""
    for pattern in _PUBLISH_TEMPS:
        for stale in output_dir.glob(pattern):
            with contextlib.suppress(OSError):
                stale.unlink()
                logger.info("removed %s, left by a publish that was stopped", stale)


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
    """
    with publish_lock(output_dir):
        with EpisodeStore(output_dir) as store:
            if store.get(slug) is None:
                return None
        removed, _ = _change(output_dir, show, now, lambda store: store.remove(slug))
        assert removed is not None
        _delete_files(output_dir, removed)
    return removed


def _delete_files(output_dir: Path, episode: StoredEpisode) -> None:
    unsafe = (
        not episode.slug.strip()
        or episode.slug.startswith(".")
        or any(c in episode.slug for c in "/\\\0")
    )
    paths = [output_dir / relative for relative in episode.files]
    if not unsafe:
        paths += [output_dir / PRIVATE_DIR / f"{episode.slug}.json", output_dir / episode.slug]
    problems: list[str] = []
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


def find_artwork(output_dir: Path) -> str | None:
    """The show's artwork in the output folder (``cover.jpg`` or ``cover.png``), if there."""
    return next((name for name in ARTWORK_FILES if (output_dir / name).is_file()), None)


# -- atomic files ------------------------------------------------------------


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


def load_episodes(output_dir: Path) -> list[StoredEpisode]:
    """Every published episode in ``output_dir``, newest first (see :meth:`EpisodeStore.list`)."""
    with EpisodeStore(output_dir) as store:
        return store.list()
