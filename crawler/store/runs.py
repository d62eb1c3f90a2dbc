"""`crawl_runs`: one row per crawl of a source, opened before it starts and closed after.

The crawl process closes its own row (ok / partial / failed / timeout / interrupted). When the
process dies before it can (killed by the hard timeout, SIGKILL, a crash), the parent closes the
row with the reason; a row left `running` by a process that no longer exists is closed as
`interrupted` the next time a crawl starts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.clock import now_iso
from crawler.store.db import write_transaction

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class RunCounts:
    pages: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    dropped: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


def start_run(db: sqlite_utils.Database, source_id: str, pid: int | None = None) -> int:
    with write_transaction(db):
        cur = db.execute(
            "INSERT INTO crawl_runs (source_id, started, status, pid) VALUES (?, ?, 'running', ?)",
            (source_id, now_iso(), pid),
        )
        return int(cur.lastrowid or 0)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    status: str,
    counts: RunCounts | None = None,
    message: str | None = None,
    *,
    only_if_running: bool = False,
) -> bool:
    """Close a run; with only_if_running, leave a run the crawl already closed untouched."""
    assignments = ["finished = ?", "status = ?", "message = ?"]
    params: list[Any] = [now_iso(), status, message]
    if counts is not None:
        assignments += [
            "pages = ?",
            "new = ?",
            "updated = ?",
            "duplicates = ?",
            "errors = ?",
            "dropped = ?",
            "stats = ?",
        ]
        params += [
            counts.pages,
            counts.new,
            counts.updated,
            counts.duplicates,
            counts.errors,
            counts.dropped,
            json.dumps(counts.stats, sort_keys=True, default=str),
        ]
    sql = f"UPDATE crawl_runs SET {', '.join(assignments)} WHERE id = ?"
    params.append(run_id)
    if only_if_running:
        sql += " AND status = 'running'"
    with write_transaction(db):
        cur = db.execute(sql, params)
        return cur.rowcount > 0


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0; another user's process counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_orphaned_runs(db: sqlite_utils.Database) -> int:
    """Runs still 'running' whose process is gone become 'interrupted'."""
    rows = db.execute("SELECT id, pid FROM crawl_runs WHERE status = 'running'").fetchall()
    closed = 0
    for run_id, pid in rows:
        if pid and pid_alive(int(pid)) and int(pid) != os.getpid():
            continue
        if finish_run(
            db,
            run_id,
            "interrupted",
            message="the crawl process ended without closing its run",
            only_if_running=True,
        ):
            closed += 1
    return closed


def get_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run_id]))
    return rows[0] if rows else None
