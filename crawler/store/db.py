"""Connections to the SQLite store.

WAL mode (readers never block the writer), `synchronous=NORMAL` (consistent after kill -9; the
last commits may be lost only on power loss), a busy timeout on every connection, and one writer
at a time: writes go through `write_transaction`, which takes the write lock up front with
`BEGIN IMMEDIATE`, so two crawls never interleave their dedupe decisions and a batch commits whole
or not at all.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000
# BEGIN IMMEDIATE returns SQLITE_BUSY at once when another writer holds the lock and the busy
# handler gives up; we retry for this long before reporting the store as locked.
WRITE_LOCK_WAIT_S = 300.0


class StoreLockedError(RuntimeError):
    pass


def connect(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open the store. Read-only connections never create or migrate the file."""
    path = Path(path)
    if readonly:
        if not path.exists():
            raise FileNotFoundError(
                f"no store at {path}: run `vnfeeds crawl` first or point --db / VNFEEDS_DB at it"
            )
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise RuntimeError(f"could not put {path} in WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache (the default is 2 MiB): a store of a few hundred thousand articles
    # keeps the B-tree pages a write touches in memory.
    conn.execute("PRAGMA cache_size = -65536")
    if not readonly:
        # Checkpoint the WAL every 8,000 pages (32 MiB) instead of 1,000: a write batch touches
        # thousands of index pages, and a page rewritten by several batches between two
        # checkpoints is copied back once. The file is cut back to 64 MiB after a checkpoint.
        conn.execute("PRAGMA wal_autocheckpoint = 8000")
        conn.execute("PRAGMA journal_size_limit = 67108864")
    conn.execute("PRAGMA foreign_keys = ON")
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
