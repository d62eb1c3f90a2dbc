"""The SQLite store: schema and migrations (`schema`), connections (`db`), article writes
(`writer`), crawl runs (`runs`) and the read API the feeds and the CLI use (`queries`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crawler.store.db import ReadOnlyStore, connect, connect_readonly, write_transaction

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["connect", "open_readonly", "open_store", "write_transaction"]


def open_store(path: str | Path) -> sqlite_utils.Database:
    """Open (creating and migrating when needed) the store for writing."""
    from crawler.store.schema import migrate

    db = connect(path)
    migrate(db)
    return db


def open_readonly(path: str | Path) -> ReadOnlyStore:
    """Open the store for reading (no sqlite-utils: see `ReadOnlyStore`)."""
    return connect_readonly(path)
