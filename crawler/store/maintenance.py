"""Housekeeping of the store: raw-page retention and WAL checkpoints."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from crawler.clock import iso
from crawler.store.db import write_transaction


def prune_raw_pages(db: sqlite_utils.Database, days: int, now: datetime) -> int:
    """Delete raw pages fetched more than `days` ago, except each article's newest one (which
    `vnfeeds reextract` needs) and the pages kept as evidence of an alert (a broken list page).
    days <= 0 keeps everything. Returns the number deleted."""
    if days <= 0:
        return 0
    cutoff = iso(now - timedelta(days=days))
    with write_transaction(db):
        cur = db.execute(
            """
            DELETE FROM raw_pages
            WHERE fetched_at < ?
              AND id NOT IN (SELECT evidence FROM alerts WHERE evidence IS NOT NULL)
              AND (article_id IS NULL OR id != (
                  SELECT max(r2.id) FROM raw_pages r2 WHERE r2.article_id = raw_pages.article_id))
            """,
            (cutoff,),
        )
        return int(cur.rowcount or 0)


def prune_near_duplicate_index(db: sqlite_utils.Database, now: datetime) -> int:
    """Keep the MinHash band index to the recent window (crawler/dedupe.py)."""
    from crawler import dedupe

    with write_transaction(db):
        return dedupe.prune(db, iso(now))


def checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL back into the database file (keeps the -wal file from growing)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
