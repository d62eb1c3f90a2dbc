"""Layering: feeds/ never imports Scrapy or Twisted; importing crawler does not either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PROBE = """
import sys
import crawler, crawler.cli, crawler.store.queries, feeds.build, feeds.serve, feeds.render
bad = sorted(m for m in sys.modules if m.split('.')[0] in {'scrapy', 'twisted'})
print(','.join(bad))
"""


def test_feeds_and_cli_do_not_import_scrapy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


READERS = """
import sys
import crawler.cli, crawler.health, crawler.store, crawler.store.queries, feeds.build, feeds.query
from crawler.store import open_readonly
db = open_readonly(sys.argv[1])
heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlite_utils', 'numpy'})
print(db.table_names()[:1], heavy)
"""


def test_reading_the_store_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    """`vnfeeds build`, `search`, `status` and the query feeds read through the lighter
    ReadOnlyStore: sqlite-utils (which imports numpy) adds 0.2 s to every incremental build."""
    import sqlite3

    sqlite3.connect(tmp_path / "s.db").execute("CREATE TABLE t (x)").connection.commit()
    result = subprocess.run(
        [sys.executable, "-c", READERS, str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['t'] []"
