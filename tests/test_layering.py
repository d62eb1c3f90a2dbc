"""Layering: feeds/ never imports Scrapy or Twisted; importing crawler does not either."""

from __future__ import annotations

import subprocess
import sys

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
