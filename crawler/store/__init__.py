"""The SQLite store: schema and migrations (`schema`), connections (`db`), article writes
(`writer`), crawl runs (`runs`) and the read API the feeds and the CLI use (`queries`)."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from crawler.store.db import connect, write_transaction
from crawler.store.schema import migrate

__all__ = ["connect", "open_readonly", "open_store", "write_transaction"]


def open_store(path: str | Path) -> sqlite_utils.Database:
    """Open (creating and migrating when needed) the store for writing."""
    db = connect(path)
    migrate(db)
    return db


def open_readonly(path: str | Path) -> sqlite_utils.Database:
    return connect(path, readonly=True)
