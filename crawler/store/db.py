"""Connections to the SQLite store.

WAL mode (readers never block the writer), `synchronous=NORMAL` (consistent after kill -9; the
last commits may be lost only on power loss), a busy timeout on every connection, and one writer
at a time: writes go through `write_transaction`, which takes the write lock up front with
`BEGIN IMMEDIATE`, so two crawls never interleave their dedupe decisions and a batch commits whole
or not at all. A writer that commits often has its WAL checkpointed from a thread of its own
(`Checkpointer`) instead of inside its COMMITs.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 30_000
# BEGIN IMMEDIATE returns SQLITE_BUSY at once when another writer holds the lock and the busy
# handler gives up; we retry for this long before reporting the store as locked.
WRITE_LOCK_WAIT_S = 300.0


log = logging.getLogger(__name__)


class StoreLockedError(RuntimeError):
    pass


class Reader(Protocol):
    """What reading the store needs of a connection: a `sqlite_utils.Database`, or the lighter
    `ReadOnlyStore` that `open_readonly` gives."""

    conn: sqlite3.Connection

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor: ...

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]: ...

    def table_names(self) -> list[str]: ...

    def close(self) -> None: ...


class ReadOnlyStore:
    """A read-only connection with the part of `sqlite_utils.Database` that the readers use
    (`execute`, `query`, `table_names`, `conn`). `vnfeeds build`, `search`, `status` and the
    query feeds start without importing sqlite-utils, which costs 0.13 s (it imports numpy)
    and 0.06 s more loading its plugins: a tenth of an incremental build (bench/feeds.py)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r[0] for r in rows]

    def close(self) -> None:
        self.conn.close()


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # 64 MiB of page cache (the default is 2 MiB): a store of a few hundred thousand articles
    # keeps the B-tree pages a write touches in memory.
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA foreign_keys = ON")


def connect_readonly(path: str | Path) -> ReadOnlyStore:
    """Open the store for reading; never creates or migrates the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no store at {path}: run `vnfeeds crawl` first or point --db / VNFEEDS_DB at it"
        )
    conn = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    _pragmas(conn)
    return ReadOnlyStore(conn)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the store for writing (WAL, `synchronous=NORMAL`)."""
    import sqlite_utils

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    _pragmas(conn)
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise RuntimeError(f"could not put {path} in WAL mode (got {mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Checkpoint the WAL every 8,000 pages (32 MiB) instead of 1,000: a write batch touches
    # thousands of index pages, and a page rewritten by several batches between two
    # checkpoints is copied back once. The file is cut back to 64 MiB after a checkpoint.
    conn.execute("PRAGMA wal_autocheckpoint = 8000")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """`BEGIN IMMEDIATE` … `COMMIT`, retried while another writer holds the lock."""
    conn = db.conn
    deadline = time.monotonic() + WRITE_LOCK_WAIT_S
    delay = 0.05
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise StoreLockedError(
                    f"the store stayed locked by another writer for {WRITE_LOCK_WAIT_S:.0f} s"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


# A connection whose WAL a `Checkpointer` keeps short checkpoints it itself only past this many
# pages (128 MiB): when the checkpointer thread falls behind (readers hold old frames, the disk
# is slow), the WAL stays bounded.
BACKSTOP_AUTOCHECKPOINT = 32_000


class Checkpointer:
    """Copies a store's WAL back into the database file from a thread of its own.

    A checkpoint run by the writing connection (SQLite's auto-checkpoint) runs inside a COMMIT:
    the batch waits while the pages are copied and the file is fsynced twice (a third of the
    time of a write batch's COMMIT on this machine, bench/dedupe.py). Checkpoints need no write
    lock; run from another connection in another thread (sqlite3 releases the GIL meanwhile),
    they overlap with the writer preparing its next batch. `poke()` after each commit: the
    thread checkpoints (PASSIVE: never blocks a reader or the writer) and ends after `idle`
    seconds without a poke.

    SQLite starts the WAL over from its beginning only when a write transaction begins after a
    complete checkpoint, which a writer beginning its next batch while the last one is being
    copied seldom does: the writer's own auto-checkpoint (`BACKSTOP_AUTOCHECKPOINT` pages) does
    that, with little left to copy. (Waiting for the checkpoint in flight before a batch, so as
    to restart the WAL sooner, measured slower.) A checkpoint killed halfway is redone by the
    next one: SQLite's WAL is safe against that by design."""

    def __init__(self, path: str | Path, *, idle: float = 5.0):
        self.path = str(path)
        self.idle = idle
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    @classmethod
    def of(cls, db: sqlite_utils.Database) -> Checkpointer | None:
        """A checkpointer for the file behind this (writable, WAL) connection, which from now
        on auto-checkpoints only as a backstop; None for an in-memory or temporary database."""
        row = db.execute("PRAGMA database_list").fetchone()
        path = row[2] if row else ""
        if not path:
            return None
        db.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_AUTOCHECKPOINT}")
        return cls(path)

    def poke(self) -> None:
        """A transaction committed: checkpoint now."""
        with self._lock:
            if self._stopped:
                return
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="vnfeeds-checkpoint", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Stop the thread (after the checkpoint it is running, if any)."""
        with self._lock:
            self._stopped = True
            self._wake.set()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(self.idle):
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
            with self._lock:
                if self._stopped:
                    return
                self._wake.clear()
            self.checkpoint()

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint, from a connection of its own."""
        # A connection of its own for each checkpoint: none stays open between them, and
        # mode=rw never creates a file that was removed meanwhile.
        try:
            conn = sqlite3.connect(
                f"{Path(self.path).absolute().as_uri()}?mode=rw", uri=True, isolation_level=None
            )
        except sqlite3.Error as exc:
            log.debug("checkpoint of %s: %s", self.path, exc)
            return
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # busy, or the file went away: the next poke retries
            log.debug("checkpoint of %s: %s", self.path, exc)
        finally:
            conn.close()
