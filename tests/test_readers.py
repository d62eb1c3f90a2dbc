"""The published feeds as people meet them: index.html rendered by headless Chromium at a phone's
width, and newsboat (a real feed reader) subscribed to index.opml. Both are Debian packages that
.ci/run installs; missing under CI=true, these tests fail rather than skip."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from crawler import places
from crawler.clock import parse_iso
from feeds.build import build
from feeds.serve import FeedServer, make_server
from tests.conftest import BUILD_NOW, Site, require_tool

PHONE_WIDTH = 390

# A test-only page (written next to the feeds for the test, never by the build): it loads
# index.html in a phone-sized frame and writes what a reader would see into its own DOM.
HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="f" src="index.html" style="width:%(w)dpx;height:844px;border:0"></iframe>
<pre id="out"></pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument;
  var rows = Array.from(d.querySelectorAll("tr")).map(function (tr) {
    var cell = tr.querySelector("td");
    return cell ? cell.childNodes[0].textContent.trim() : null;
  }).filter(Boolean);
  var links = Array.from(d.querySelectorAll("a[href]")).map(function (a) { return a.href; });
  document.getElementById("out").textContent = JSON.stringify({
    scrollWidth: d.documentElement.scrollWidth,
    clientWidth: d.documentElement.clientWidth,
    fontSize: parseFloat(getComputedStyle(d.body).fontSize),
    rows: rows,
    links: links
  });
});
</script></body></html>
"""


@pytest.fixture(scope="module")
def served(sample_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedServer]:
    """The sample store's feeds built for the URL they are served at (OPML links must work)."""
    out = tmp_path_factory.mktemp("served")
    server = make_server(out, "127.0.0.1", 0, quiet=True)
    build(sample_site.db, out, base_url=server.url, now=parse_iso(BUILD_NOW))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        return int(response.status)


def test_index_page_in_chromium_at_phone_width(served: FeedServer, tmp_path: Path) -> None:
    chromium = require_tool("chromium")
    (served.root / "_harness.html").write_text(HARNESS % {"w": PHONE_WIDTH}, encoding="utf-8")
    try:
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                served.url + "_harness.html",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        (served.root / "_harness.html").unlink()
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    assert found and found.group(1), result.stdout[-2000:]
    seen: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))

    # Readable on a phone: nothing wider than the screen, text not shrunk.
    assert seen["scrollWidth"] <= seen["clientWidth"] <= PHONE_WIDTH, seen["scrollWidth"]
    assert seen["fontSize"] >= 14
    # Every province is there, by its name, and every topic.
    names = set(seen["rows"])
    assert {p.name for p in places.provinces().values()} <= names
    assert {t.name for t in places.topics().values()} <= names
    # The subscribe links work: every feed and OPML link of the page answers 200.
    feed_links = sorted({u for u in seen["links"] if u.startswith(served.url)})
    assert len(feed_links) >= 3 * (1 + 34 + 16 + 34 * 16)
    assert all(_status(u) == 200 for u in feed_links)


def test_newsboat_reads_the_opml_with_vietnamese_titles_intact(
    served: FeedServer, sample_site: Site, tmp_path: Path
) -> None:
    newsboat = require_tool("newsboat")
    env = {
        **os.environ,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    opml = tmp_path / "index.opml"
    with urllib.request.urlopen(served.url + "index.opml", timeout=10) as response:
        opml.write_bytes(response.read())
    urls, cache, config = tmp_path / "urls", tmp_path / "cache.db", tmp_path / "config.txt"
    urls.write_text("", encoding="utf-8")
    config.write_text("download-timeout 20\nreload-threads 4\n", encoding="utf-8")
    base = [newsboat, "-u", str(urls), "-c", str(cache), "-C", str(config)]
    imported = subprocess.run(
        [*base, "-i", str(opml)], capture_output=True, text=True, env=env, timeout=60
    )
    assert imported.returncode == 0, imported.stderr
    subscribed = [ln for ln in urls.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(subscribed) == 1 + 34 + 16
    reloaded = subprocess.run(
        [*base, "-x", "reload"], capture_output=True, text=True, env=env, timeout=300
    )
    assert reloaded.returncode == 0, reloaded.stderr

    con = sqlite3.connect(cache)
    feeds = dict(con.execute("SELECT rssurl, title FROM rss_feed"))
    items = dict(con.execute("SELECT guid, title FROM rss_item"))
    con.close()
    assert len(feeds) == len(subscribed)
    assert feeds[served.url + "province/gia-lai.atom"] == places.provinces()["gia-lai"].name
    # What the subscribed feeds hold, read with feedparser from the served files. newsboat
    # keys items by id across feeds (a story is in all.atom, its province's and its topics'
    # feeds under one id), so the comparison is over the union.
    expected: dict[str, str] = {}
    for line in subscribed:
        url = line.split()[0]
        with urllib.request.urlopen(url, timeout=10) as response:
            for entry in feedparser.parse(response.read()).entries:
                expected[entry.id] = entry.title
    assert len(expected) > 100
    assert items == expected  # every entry, every title to the character
    seed = "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"
    assert seed in items.values()
    store = sqlite3.connect(sample_site.db)
    titles = {t for (t,) in store.execute("SELECT title FROM articles")}
    store.close()
    assert set(items.values()) <= titles
