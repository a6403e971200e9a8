"""The episode store: the episodes of one output folder in SQLite, and their row codec.

The store, ``narrate.sqlite`` in the output folder, is the single source of truth
for the feed: ``feed.xml`` and ``index.html`` are always regenerated in full from
it (:mod:`narrate.publish.publishing`), under the publish lock
(:mod:`narrate.publish.lock`).

The database uses SQLite's rollback journal (``journal_mode=DELETE``), not WAL:
between transactions the store is one self-contained file, so copying or
syncing the output folder to a web host carries a complete store (WAL keeps
recent commits in ``-wal``/``-shm`` side files), it works on network file
systems (WAL needs shared memory), and writers are serialised by the publish
lock anyway, so WAL's readers-during-writes gain is worth nothing here.

Each episode has an identity beside its slug: the article it was made from (its canonical
link, else its file), and its source (the file or the address it was read from), so that
another article is never published over it (version 3). The
store also keeps what a publish has still to do once it has committed (the ``pending`` table:
files to rename into place, the page, files to delete), so that the next publish, or any
command, finishes it first (:func:`narrate.publish.publishing.recover`).

The schema carries its version (``PRAGMA user_version``, :data:`SCHEMA_VERSION`). A store an
older narrate made is read as it is, what it lacks read as NULL, and upgraded by the first
change, inside that change's transaction: a failed change leaves it as it was, and a store a
newer narrate made is refused with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeAlias, TypeVar, cast

from narrate import atomic
from narrate.errors import PublishError
from narrate.layout import Layout
from narrate.models import Chapter, SegmentFile, TranscriptFile
from narrate.publish.lock import publish_lock
from narrate.show import FeedValueError, ShowSettings, StoredEpisode, newest_first

logger = logging.getLogger(__name__)

#: ``PRAGMA user_version`` of the schema below.
SCHEMA_VERSION: Final = 3
#: An episode of an older store is known by its link when no other episode shares it (what
#: version 3 takes as its identity); else its identity is unknown (NULL).
_LINK_IDENTITY: Final = (
    "CASE WHEN link IS NOT NULL AND "
    "(SELECT COUNT(*) FROM episodes AS other WHERE other.link = episodes.link) = 1 "
    "THEN link END"
)
_PENDING_TABLE: Final = """CREATE TABLE pending (
    seq INTEGER PRIMARY KEY,
    op TEXT NOT NULL,                 -- 'rename', 'page' or 'delete'
    path TEXT NOT NULL,               -- relative to the output folder
    staged TEXT                       -- rename: the finished file, relative to the output folder
) STRICT"""
_IDENTITY_INDEX: Final = "CREATE UNIQUE INDEX episodes_identity ON episodes (identity)"
#: What brings a store of each older version up to the next, run in the first change's
#: transaction (reading an older store changes nothing): version 1 had no link or site;
#: version 2 no identity (its episodes' guids, uuid5 of their slugs, are kept as they are)
#: and no pending table.
_MIGRATIONS: Final = {
    1: ("ALTER TABLE episodes ADD COLUMN link TEXT", "ALTER TABLE episodes ADD COLUMN site TEXT"),
    2: (
        "ALTER TABLE episodes ADD COLUMN identity TEXT",
        "ALTER TABLE episodes ADD COLUMN source TEXT",
        f"UPDATE episodes SET identity = {_LINK_IDENTITY}",
        _IDENTITY_INDEX,
        _PENDING_TABLE,
    ),
}
#: Columns a store of an older version lacks, read from it as NULL.
_ADDED: Final = {1: ("link", "site")}

_SCHEMA: Final = (
    """
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
    image_file TEXT,
    link TEXT,                        -- the article's page (version 2)
    site TEXT,                        -- the publication's name (version 2)
    identity TEXT,                    -- the article: its canonical link, else its source (v3)
    source TEXT                       -- the file (file://) or address it was read from (v3)
) STRICT;
CREATE TABLE show (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL            -- JSON of the ShowSettings of the last publish
) STRICT;
"""
    + f"{_IDENTITY_INDEX};\n{_PENDING_TABLE};\n"
)

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
    "link",
    "site",
)

_KEEP: Final = (
    "restore it from a backup; narrate will not start a new store over it and lose episodes"
)

T = TypeVar("T")


@dataclass(frozen=True)
class Origin:
    """Where an episode's article comes from (:mod:`narrate.build.identity`); None: unknown."""

    #: The article: its canonical link, else its source.
    identity: str | None = None
    #: The file (``file:///…``, resolved) or the address the article was read from.
    source: str | None = None


@dataclass(frozen=True)
class Pending:
    """One thing a committed publish has still to do, in order (see :mod:`publishing`)."""

    #: ``rename`` (``staged`` over ``path``), ``page`` (write it from the store), ``delete``.
    op: str
    #: Relative to the output folder.
    path: str
    #: For ``rename``: the finished file, relative to the output folder.
    staged: str | None = None


#: Rows of a query (the store has a method called ``list``).
_Rows: TypeAlias = list[Any]


def _disk_full(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed for want of space (SQLITE_FULL), not because the store is damaged."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


_Todo: TypeAlias = list[Pending]


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
        episode.link,
        episode.site,
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
    """The show settings a publish stored; ValueError for anything narrate did not write."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"not a JSON object but {type(data).__name__}")
    for flag in ("explicit", "locked"):
        if not isinstance(data.get(flag, False), bool):
            raise ValueError(f"{flag} is {data[flag]!r}, not true or false")
    known = {f.name for f in dataclasses.fields(ShowSettings)}
    return ShowSettings(**{k: v for k, v in data.items() if k in known})


# -- the store -----------------------------------------------------------------


class EpisodeStore:
    """The episodes of one output folder, in ``narrate.sqlite``.

    Reading never creates anything: before the first publish :meth:`list` is
    empty. The first change creates the database, under the publish lock.
    Each change outside :meth:`transaction` is its own transaction, taken under
    the publish lock.
    A damaged database raises :class:`PublishError`.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.path = Layout(output_dir).store
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
            return []
        rows = self._query(conn, f"SELECT {self._select(conn)} FROM episodes")
        return newest_first([self._decode(row) for row in rows])

    def get(self, slug: str) -> StoredEpisode | None:
        conn = self._open(create=False)
        if conn is None:
            return None
        columns = self._select(conn)
        rows = self._query(conn, f"SELECT {columns} FROM episodes WHERE slug = ?", slug)
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

    def origin(self, slug: str) -> Origin:
        """Where episode ``slug``'s article comes from (all None: unknown, or no such slug)."""
        return self.origins().get(slug, Origin())

    def origins(self) -> dict[str, Origin]:
        """Where each episode's article comes from, by slug (an older store: its link)."""
        conn = self._open(create=False)
        if conn is None:
            return {}
        version = self._run(self._user_version, conn)
        columns = {1: "NULL, NULL", 2: f"{_LINK_IDENTITY}, NULL"}.get(version, "identity, source")
        rows = self._query(conn, f"SELECT slug, {columns} FROM episodes")
        return {str(slug): Origin(identity, source) for slug, identity, source in rows}

    def pending(self) -> _Todo:
        """What a committed publish has still to do, in order; empty when nothing is left."""
        conn = self._open(create=False)
        if conn is None or self._run(self._user_version, conn) < 3:
            return []
        rows = self._query(conn, "SELECT op, path, staged FROM pending ORDER BY seq")
        return [Pending(str(op), str(path), staged) for op, path, staged in rows]

    def set_pending(self, todo: Sequence[Pending]) -> None:
        """Note ``todo`` as what is left to do once this transaction commits."""
        with self.transaction():
            self._execute("DELETE FROM pending")
            for item in todo:
                self._execute(
                    "INSERT INTO pending (op, path, staged) VALUES (?, ?, ?)",
                    item.op,
                    item.path,
                    item.staged,
                )

    def clear_pending(self) -> None:
        """Everything a publish had left to do is done."""
        with self.transaction():
            self._execute("DELETE FROM pending")

    def put(self, episode: StoredEpisode, origin: Origin | None = None) -> StoredEpisode:
        """Add ``episode`` or replace the one with its slug; returns what was stored.

        A replaced episode keeps the guid and the publication date it was first
        published with, so podcast apps see an update, not a new episode. ``origin``
        (the article's, see :mod:`narrate.build.identity`) is kept with it; what it does not
        know is kept as it was. Two slugs of one identity are refused.
        """
        origin = origin or Origin()
        identity = origin.identity
        with self.transaction():
            old = self.get(episode.slug)
            if old is not None:
                episode = replace(episode, guid=old.guid, published=old.published)
                logger.info("replacing episode %s (guid %s)", episode.slug, episode.guid)
            if identity is not None:
                same = self._query(
                    self._require(),
                    "SELECT slug FROM episodes WHERE identity = ? AND slug != ?",
                    identity,
                    episode.slug,
                )
                if same:
                    raise FeedValueError(
                        f"episodes {same[0][0]!r} and {episode.slug!r} are the same article "
                        f"({identity}); an article is published once"
                    )
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
            placeholders = ", ".join("?" * (len(_COLUMNS) + 2))
            updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
            self._execute(
                f"INSERT INTO episodes ({', '.join(_COLUMNS)}, identity, source) "
                f"VALUES ({placeholders}) ON CONFLICT(slug) DO UPDATE SET {updates}, "
                "identity = COALESCE(excluded.identity, episodes.identity), "
                "source = COALESCE(excluded.source, episodes.source)",
                *_episode_to_row(episode),
                identity,
                origin.source,
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
        # A store that is a link out of the output folder is never written through.
        Layout(self.output_dir).inside(self.path)
        with publish_lock(self.output_dir):
            conn = self._open(create=True)
            assert conn is not None
            self._run(conn.execute, "BEGIN IMMEDIATE")
            self._depth = 1
            try:
                self._migrate(conn)
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

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring an older store up to this version, inside the transaction just begun.

        Its version is read again here, under the lock: another narrate may have migrated it
        since it was opened. Only columns are added, so every episode is kept as it was.
        """
        version = self._run(self._user_version, conn)
        start = version
        while version < SCHEMA_VERSION:
            for statement in _MIGRATIONS[version]:
                self._execute(statement)
            version += 1
        if version != start:
            self._execute(f"PRAGMA user_version = {version}")
            logger.info(
                "episode store %s upgraded from version %d to %d", self.path, start, version
            )

    @staticmethod
    def _user_version(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def _select(self, conn: sqlite3.Connection) -> str:
        """The columns of :data:`_COLUMNS`, those the store lacks (an older version) as NULL.

        The version is read each time: another narrate may upgrade the store meanwhile, and a
        transaction sees its own upgrade before it commits.
        """
        version = self._run(self._user_version, conn)
        missing = {c for v, added in _ADDED.items() if version <= v for c in added}
        return ", ".join(f"NULL AS {c}" if c in missing else c for c in _COLUMNS)

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
        except sqlite3.OperationalError as exc:
            if _disk_full(exc):  # no damage: restoring a backup would lose episodes
                raise PublishError(
                    f"no space left on the device to write the episode store {self.path}; it is"
                    " unchanged: free some space and run the command again"
                ) from exc
            raise PublishError(
                f"episode store {self.path} is damaged or unreadable: {exc} ({_KEEP})"
            ) from exc
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
        elif version < 1:
            problem = f"{self.path} is not a narrate episode store ({_KEEP})"
        if problem:
            self.close()
            raise PublishError(problem)

    def _create(self) -> None:
        """Make the database beside its final name, then rename it into place."""
        # An empty file, made as atomic makes every file (its mode as open() would give it),
        # that SQLite then fills.
        temp = atomic.stage(self.path, b"", durable=False)
        try:
            conn = self._connect(temp)
            try:
                self._run(conn.executescript, _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
            finally:
                conn.close()
            atomic.commit(temp, self.path)
        except BaseException as exc:
            for leftover in (temp, temp.with_name(temp.name + "-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            if isinstance(exc, OSError) and not isinstance(exc, PublishError):
                raise PublishError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
            raise


def load_episodes(output_dir: Path) -> list[StoredEpisode]:
    """Every published episode in ``output_dir``, newest first (see :meth:`EpisodeStore.list`)."""
    with EpisodeStore(output_dir) as store:
        return store.list()
