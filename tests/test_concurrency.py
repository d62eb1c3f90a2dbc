"""Concurrency: everything that touches one store and one output dir at once, with real
processes (the `vnfeeds` CLI, the spider in crawl children, `vnfeeds serve`) on 127.0.0.1.

1. Two `vnfeeds crawl` processes (three crawls) write to one store at once, one article per
   write transaction, while `vnfeeds reextract` rewrites what they stored, analysts read it with
   the sqlite3 module in a loop and `vnfeeds serve` answers query feeds from it: no "database
   is locked" anywhere (crawl_runs, the CLI's output, the readers, the server), and every
   article once.
2. `vnfeeds build --full` rewrites every file again and again (alternating the base URL, so
   every file changes) while readers fetch feeds from `vnfeeds serve`: every answer parses
   (feedparser, json, lxml, a whole HTML page) and is byte for byte a file some build wrote.
   (A rewrite is over in microseconds, so a reader rarely lands in one: that publishing is
   atomic is proven by the kill points of tests/test_crash.py; this test is about the server
   and the builds running together.)

Both are bounded: a few crawls and builds, readers stopped when the writers are done. The counts
of operations go to the file VNFEEDS_RELIABILITY_COUNTS names, when set (bench/reliability.py).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import pytest

from crawler.store import open_store
from tests.conftest import BASE_URL, BUILD_NOW, ROOT, Site

pytestmark = pytest.mark.slow

OTHER_BASE = "http://feeds2.test/"
CRAWL_NOW = "2026-06-10T10:00:00+07:00"
LOCKED = re.compile(r"database is locked|database table is locked|SQLITE_BUSY|StoreLocked", re.I)
# What an analyst runs: counts, a join, full-text search with and without diacritics, runs.
ANALYST_QUERIES = (
    "SELECT count(*) FROM articles",
    "SELECT province, count(*) FROM articles a JOIN article_topics t ON t.article_id = a.id"
    " GROUP BY province",
    "SELECT a.title FROM search_folded s JOIN articles a ON a.docid = s.rowid"
    " WHERE search_folded MATCH 'tinh' ORDER BY a.published DESC LIMIT 5",
    "SELECT a.url FROM search_exact s JOIN articles a ON a.docid = s.rowid"
    " WHERE search_exact MATCH 'tỉnh' LIMIT 5",
    "SELECT id, source_id, status, new FROM crawl_runs ORDER BY id DESC LIMIT 5",
)


@dataclass
class Tally:
    """Operations done by the background workers, and what went wrong."""

    ops: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock = threading.Lock()

    def ok(self, kind: str) -> None:
        with self.lock:
            self.ops[kind] += 1

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class Workers:
    """Threads repeating an operation until stopped."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, fn: Callable[[], None], n: int = 1) -> None:
        def loop() -> None:
            while not self.stop.is_set():
                fn()

        for _ in range(n):
            t = threading.Thread(target=loop, daemon=True)
            t.start()
            self.threads.append(t)

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)
            assert not t.is_alive()


def _env(site: Site, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(site.config(write_batch=1).to_env())
    env.update({"PYTHONUNBUFFERED": "1", **extra})
    return env


@pytest.fixture()
def serve() -> Iterator[Callable[[Site], str]]:
    """Start `vnfeeds serve` on a free port of 127.0.0.1 for a site; yields its base URL."""
    procs: list[subprocess.Popen[str]] = []

    def start(site: Site) -> str:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "crawler.cli", "serve", "--quiet"),
                *("--host", "127.0.0.1", "--port", "0"),
                *("--db", str(site.db), "--out", str(site.config().out)),
            ],
            cwd=ROOT,
            env=_env(site, VNFEEDS_NOW=BUILD_NOW),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
            if found:
                # keep draining its output (a full pipe would block the server)
                threading.Thread(target=_drain, args=(proc, site), daemon=True).start()
                return found.group(1)
            if not line and proc.poll() is not None:
                break
        raise AssertionError(f"vnfeeds serve did not start (exit {proc.poll()})")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _drain(proc: subprocess.Popen[str], site: Site) -> None:
    assert proc.stdout is not None
    with open(site.root / "serve.log", "a", encoding="utf-8") as log:
        for line in proc.stdout:
            log.write(line)


def _get(base: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=20)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _parses(path: str, body: bytes) -> str | None:
    """Why a fetched document is not whole (None when it parses)."""
    try:
        if path.split("?")[0].endswith((".atom", ".rss")):
            parsed = feedparser.parse(body)
            if parsed.bozo:
                return f"feedparser: {parsed.get('bozo_exception')!r}"
        elif ".json" in path:
            json.loads(body)
        elif path.endswith((".opml", ".xml")):
            lxml.etree.fromstring(body)
        elif not body.rstrip().endswith(b"</html>"):
            return "HTML page cut short"
    except (ValueError, lxml.etree.XMLSyntaxError) as exc:
        return repr(exc)
    return None


COUNTS_ENV = "VNFEEDS_RELIABILITY_COUNTS"


def report_counts(test: str, ops: dict[str, int], errors: int) -> None:
    """Append what a test did to the JSON-lines file named by VNFEEDS_RELIABILITY_COUNTS, when
    set (bench/reliability.py sets it); nothing otherwise."""
    path = os.environ.get(COUNTS_ENV)
    if not path:
        return
    line = {"test": test, "operations": sum(ops.values()), "errors": errors, "detail": ops}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")


def _scratch_root() -> Path | None:
    """tmpfs for the output dir of the rewrite test when the machine has one: atomic renames
    are the same there, and builds without fsync costs keep the test to seconds."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


# -- 1. two crawls, analysts and the server on one store -------------------------------------------


def test_two_crawls_readers_and_server_share_the_store(
    fresh_site: Site, serve: Callable[[Site], str]
) -> None:
    site = fresh_site
    open_store(site.db).close()  # created and migrated: analysts can open it from the start
    site.build(now=BUILD_NOW)
    base = serve(site)
    tally = Tally()
    workers = Workers()

    def analyst(uri: bool) -> Callable[[], None]:
        def read() -> None:
            try:
                con = (
                    sqlite3.connect(f"file:{site.db}?mode=ro", uri=True)
                    if uri
                    else sqlite3.connect(site.db)
                )
                try:
                    for sql in ANALYST_QUERIES:
                        con.execute(sql).fetchall()
                        tally.ok("analyst queries")
                finally:
                    con.close()
            except sqlite3.Error as exc:
                tally.fail(f"analyst: {exc!r}")
            time.sleep(0.005)

        return read

    def query_feeds() -> None:
        for path in ("/search.atom?q=tinh", "/search.json?q=t%E1%BB%89nh", "/all.atom"):
            try:
                status, body = _get(base, path)
            except OSError as exc:
                tally.fail(f"GET {path}: {exc!r}")
                continue
            if status != 200:
                tally.fail(f"GET {path}: HTTP {status}: {body[:200]!r}")
            elif (why := _parses(path, body)) is not None:
                tally.fail(f"GET {path}: {why}")
            else:
                tally.ok("HTTP requests")

    workers.start(analyst(uri=False), 2)
    workers.start(analyst(uri=True), 1)
    workers.start(query_feeds, 2)

    # Two crawl processes at once, one article per write transaction.
    crawls = [
        subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", *ids],
            cwd=ROOT,
            env=_env(site, VNFEEDS_NOW=CRAWL_NOW),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for ids in (["binh-dinh"], ["hung-yen", "sotttt-hanoi"])
    ]
    # A third writer meanwhile: an operator re-running extraction over the archived pages
    # (one write transaction per article), again and again until the crawls are done.
    reextracts: list[str] = []

    def reextract() -> None:
        while any(proc.poll() is None for proc in crawls):
            done = subprocess.run(
                [sys.executable, "-m", "crawler.cli", "reextract"],
                cwd=ROOT,
                env=_env(site, VNFEEDS_NOW=CRAWL_NOW),
                capture_output=True,
                text=True,
                timeout=120,
            )
            reextracts.append(f"exit {done.returncode}\n{done.stdout}{done.stderr}")

    operator = threading.Thread(target=reextract, daemon=True)
    operator.start()
    outputs = [proc.communicate(timeout=240)[0] for proc in crawls]
    operator.join(120)
    workers.join()

    for proc, out in zip(crawls, outputs, strict=True):
        assert proc.returncode == 0, out
        assert not LOCKED.search(out), out
    assert reextracts, "the operator's reextract never ran"
    for out in reextracts:
        assert out.startswith("exit 0") and not LOCKED.search(out), out
    con = sqlite3.connect(site.db)
    runs = con.execute("SELECT source_id, status, errors, message FROM crawl_runs").fetchall()
    stored = dict(
        con.execute("SELECT source_id, count(*) FROM articles GROUP BY source_id").fetchall()
    )
    duplicates = con.execute("SELECT count(*) - count(DISTINCT content_hash) FROM articles")
    assert duplicates.fetchone()[0] == 0
    con.close()
    # (the hungyen copy's pager links to list pages it does not hold: one 404, a partial run)
    assert sorted((s, st, e) for s, st, e, _ in runs) == [
        ("binh-dinh", "ok", 0),
        ("hung-yen", "partial", 1),
        ("sotttt-hanoi", "ok", 0),
    ], [m for *_, m in runs if m]
    messages = [m for *_, m in runs if m]
    assert len(messages) == 1 and "c1051-3.html: HTTP 404" in messages[0], messages
    assert stored == {"binh-dinh": 10, "hung-yen": 10, "sotttt-hanoi": 14}
    log = site.root / "serve.log"
    serve_log = log.read_text(encoding="utf-8") if log.exists() else ""
    assert not LOCKED.search(serve_log) and "Traceback" not in serve_log, serve_log
    assert tally.errors == []
    assert tally.ops["analyst queries"] > 0 and tally.ops["HTTP requests"] > 0
    report_counts(
        "two_crawls_readers_and_server",
        {**tally.ops, "article writes": sum(stored.values()), "reextract runs": len(reextracts)},
        errors=len(tally.errors),
    )


# -- 2. rewrites while readers fetch ---------------------------------------------------------------

FETCHED = (
    "/all.atom",
    "/all.rss",
    "/all.json",
    "/province/gia-lai.atom",
    "/province/gia-lai.rss",
    "/province/gia-lai.json",
    "/topic/thong-bao.atom",
    "/index.html",
    "/status.html",
    "/status.atom",
    "/index.opml",
)
BUILDS = 2


@pytest.fixture()
def rewrite_site(tmp_path: Path, fresh_site: Site) -> Iterator[Site]:
    """binh-dinh crawled and built, the output dir on tmpfs when there is one."""
    root = _scratch_root()
    out_root = Path(tempfile.mkdtemp(prefix="vnfeeds-rewrite-", dir=root)) if root else tmp_path
    site = Site(fresh_site.root, fresh_site.servers, {"out": str(out_root / "public")})
    try:
        yield site
    finally:
        if root:
            shutil.rmtree(out_root, ignore_errors=True)


def test_feed_rewrites_never_serve_half_a_file(
    rewrite_site: Site, serve: Callable[[Site], str]
) -> None:
    site = rewrite_site
    out = Path(site.config().out)
    assert site.crawl(["binh-dinh"])[0].status == "ok"
    site.build(now=BUILD_NOW, out=out)
    base = serve(site)
    tally = Tally()
    fetched: Counter[str] = Counter()  # sha256 of each all.atom served
    versions = {hashlib.sha256((out / "all.atom").read_bytes()).hexdigest()}
    workers = Workers()

    def fetch() -> None:
        for path in FETCHED:
            try:
                status, body = _get(base, path)
            except OSError as exc:
                tally.fail(f"GET {path}: {exc!r}")
                continue
            why = _parses(path, body) if status == 200 else f"HTTP {status}"
            if why is not None:
                tally.fail(f"GET {path}: {why}")
                continue
            tally.ok("feed fetches")
            if path == "/all.atom":
                with tally.lock:
                    fetched[hashlib.sha256(body).hexdigest()] += 1

    workers.start(fetch, 2)
    for i in range(BUILDS):
        result = subprocess.run(
            [
                *(sys.executable, "-m", "crawler.cli", "build", "--full"),
                *("--db", str(site.db), "--out", str(out)),
                *("--base-url", OTHER_BASE if i % 2 == 0 else BASE_URL),
            ],
            cwd=ROOT,
            env=_env(site, VNFEEDS_NOW=BUILD_NOW),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        tally.ok("full rebuilds")
        versions.add(hashlib.sha256((out / "all.atom").read_bytes()).hexdigest())
    # One more pass of every reader after the last build.
    time.sleep(0.5)
    workers.join()

    assert tally.errors == [], tally.errors[:10]
    # Every all.atom served was one of the builds' files, byte for byte; the readers saw it
    # before and after a rewrite (two versions: one per base URL).
    assert len(versions) == 2
    assert set(fetched) == versions, (fetched, versions)
    assert tally.ops["feed fetches"] >= len(FETCHED)
    report_counts("feed_rewrites_while_fetching", dict(tally.ops), errors=len(tally.errors))
