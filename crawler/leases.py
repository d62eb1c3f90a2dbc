"""Per-host leases: at most one crawl at a time per portal host, across every process that
crawls into the same store (the scheduler, `vnfeeds run`, a manual `vnfeeds crawl`).

A lease is a row of `host_leases`, taken under the store's write lock. It names the process that
holds it; a lease whose process is gone (killed, crashed) is stale and taken over. The host key
is `host[:port]` of the source's homepage, lower-cased, so two sources on one portal (a current
portal and its archive section, say) never hammer it together, while sample portals served on
127.0.0.1 at different ports stay independent.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import sqlite_utils

from crawler.clock import now_iso
from crawler.store.db import write_transaction
from crawler.store.runs import pid_alive


def host_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        return f"{host}:{parts.port}"
    return host


def acquire(db: sqlite_utils.Database, host: str, source_id: str, pid: int | None = None) -> bool:
    """Take the lease of `host` for `source_id`; False when a live process holds it."""
    holder = os.getpid() if pid is None else pid
    with write_transaction(db):
        row = db.execute("SELECT pid FROM host_leases WHERE host = ?", (host,)).fetchone()
        if row is not None and int(row[0]) != holder and pid_alive(int(row[0])):
            return False
        db.execute(
            "INSERT OR REPLACE INTO host_leases (host, source_id, run_id, pid, taken)"
            " VALUES (?, ?, NULL, ?, ?)",
            (host, source_id, holder, now_iso()),
        )
        return True


def attach_run(db: sqlite_utils.Database, host: str, run_id: int) -> None:
    with write_transaction(db):
        db.execute("UPDATE host_leases SET run_id = ? WHERE host = ?", (run_id, host))


def release(db: sqlite_utils.Database, host: str, pid: int | None = None) -> None:
    holder = os.getpid() if pid is None else pid
    with write_transaction(db):
        db.execute("DELETE FROM host_leases WHERE host = ? AND pid = ?", (host, holder))


def held(db: sqlite_utils.Database) -> dict[str, str]:
    """Hosts leased by a live process -> the source crawling them."""
    return {
        str(host): str(source)
        for host, source, pid in db.execute("SELECT host, source_id, pid FROM host_leases")
        if pid_alive(int(pid))
    }
