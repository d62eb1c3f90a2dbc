"""Crash safety: kill -9 at named moments (crawler/killpoints.py), then check what is left.

Each case SIGKILLs a real process at one kill point, on one passage of it:

- `store.batch.*`: the crawl child (the real spider, writing batches of 3 articles) dies inside
  a write batch, just before its COMMIT, or between two batches;
- `schema.migration.*`: `vnfeeds crawl` dies while migrating a new store, inside a migration or
  between two;
- `publish.*`: `vnfeeds build --full` (publishing every file under a new base URL) dies with a
  temporary file written but not renamed, or between two published files.

The marker file the kill point writes proves the process died there and not elsewhere. After
each kill: `PRAGMA integrity_check`, foreign keys, cross-table consistency (every article has
its URL, topics, cluster, search rows, signature and raw page; no orphan rows anywhere), the
published files are each a whole old or a whole new file, then a rerun completes without
duplicates and its feeds parse (feedparser, lxml) and equal those of a crawl never killed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest

import feeds.publish
from crawler.clock import parse_iso
from crawler.killpoints import KILL_ENV, MARKER_ENV, POINTS, kill_point
from crawler.registry import load_registry
from crawler.runner import CrawlOutcome, crawl_sources
from crawler.samples import PortalServer, sample_portals
from crawler.store.schema import SCHEMA_VERSION
from feeds.build import build
from tests.conftest import BUILD_NOW, Site, load_golden, run_cli

pytestmark = pytest.mark.slow

BATCH = 3  # articles per write transaction: binhdinh's 10 articles are batches of 3, 3, 3, 1
KILL_NOW = "2023-03-18T09:00:00+07:00"  # binhdinh's capture time
RERUN_NOW = "2023-03-18T09:30:00+07:00"  # before the first revisits fall due
NEW_BASE = "http://feeds2.test/"
# Threads the publisher writes files from (feeds/publish.py; 1 when it has none).
PUBLISH_THREADS = int(getattr(feeds.publish, "PUBLISH_THREADS", 1))
# A temporary file of feeds/publish.py: ".<target name>.<pid>.<random>.tmp"
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.(?P<pid>[0-9]+)\.[a-z0-9_]+\.tmp")

# (kill point, passage) -> the 20 runs.
CASES = [
    ("store.batch.mid", 1),
    ("store.batch.mid", 2),
    ("store.batch.mid", 3),
    ("store.batch.mid", 4),
    ("store.batch.commit", 1),
    ("store.batch.commit", 3),
    ("store.batch.committed", 1),
    ("store.batch.committed", 2),
    ("store.batch.committed", 4),
    ("schema.migration.applied", 1),
    ("schema.migration.applied", 3),
    ("schema.migration.applied", 5),
    ("schema.migration.committed", 2),
    ("schema.migration.committed", 4),
    ("publish.tmp_written", 1),
    ("publish.tmp_written", 2),
    ("publish.tmp_written", 1500),
    ("publish.file_done", 1),
    ("publish.file_done", 37),
    ("publish.file_done", 900),
]

# Articles in the store after a kill of the crawl: only whole batches (written by hand from the
# batch sizes 3, 3, 3, 1).
STORED_AFTER_KILL = {
    ("store.batch.mid", 1): 0,
    ("store.batch.mid", 2): 3,
    ("store.batch.mid", 3): 6,
    ("store.batch.mid", 4): 9,
    ("store.batch.commit", 1): 0,
    ("store.batch.commit", 3): 6,
    ("store.batch.committed", 1): 3,
    ("store.batch.committed", 2): 6,
    ("store.batch.committed", 4): 10,
}

# The store a killed migration leaves: the versions recorded, tables and columns that must be
# there and tables that must not (a migration's DDL is rolled back with it).
MIGRATION_STATE: dict[tuple[str, int], dict[str, Any]] = {
    ("schema.migration.applied", 1): {"versions": [], "absent": ["articles", "meta"]},
    ("schema.migration.applied", 3): {
        "versions": [1, 2],
        "columns": [("revisions", "reason")],
        "absent": ["minhash", "minhash_bands", "revisits"],
    },
    ("schema.migration.applied", 5): {
        "versions": [1, 2, 3, 4],
        "columns": [("minhash", "docid"), ("minhash_bands", "key")],
        "absent": ["revisits"],
    },
    ("schema.migration.committed", 2): {
        "versions": [1, 2],
        "columns": [("revisions", "reason")],
        "absent": ["minhash", "revisits"],
    },
    ("schema.migration.committed", 4): {
        "versions": [1, 2, 3, 4],
        "columns": [("minhash", "docid")],
        "absent": ["revisits"],
    },
}


# `VNFEEDS_CRASH_LONG=1` (bench/reliability.py --long) adds every other passage of the store and
# migration kill points, and publishing kills at ten more places (fractions of a build's files).
LONG_ENV = "VNFEEDS_CRASH_LONG"


def _long_cases() -> list[tuple[str, int | str]]:
    if os.environ.get(LONG_ENV) != "1":
        return []
    extra: list[tuple[str, int | str]] = [
        (p, n)
        for p in ("store.batch.mid", "store.batch.commit", "store.batch.committed")
        for n in range(1, 5)
    ]
    extra += [
        (p, n)
        for p in ("schema.migration.applied", "schema.migration.committed")
        for n in range(1, SCHEMA_VERSION + 1)
    ]
    rng = random.Random(8)
    extra += [
        (p, f"{rng.randrange(1, 100)}%")
        for p in ("publish.tmp_written", "publish.file_done")
        for _ in range(5)
    ]
    return [c for c in extra if c not in CASES]


def _stored_after_kill(point: str, nth: int) -> int:
    """Whole batches of 3 of the 10 articles (the table above, for any passage)."""
    if (point, nth) in STORED_AFTER_KILL:
        return STORED_AFTER_KILL[(point, nth)]
    committed = nth if point == "store.batch.committed" else nth - 1
    return min(10, 3 * committed)


def test_kill_points_are_inert_unless_armed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KILL_ENV, raising=False)
    for name in POINTS:
        kill_point(name)  # not armed: returns
    monkeypatch.setenv(KILL_ENV, "store.batch.mid@1000000")
    for name in POINTS:
        kill_point(name)  # another point, or a passage not reached: returns


def test_every_kill_point_is_exercised() -> None:
    assert {p for p, _ in CASES} == set(POINTS)
    assert len(CASES) == 20


# -- the portal, the never-killed reference --------------------------------------------------------


def _scratch_root() -> Path | None:
    """tmpfs when the machine has one. kill -9 ends a process, not the machine: what survives
    it is what the kernel already holds, on tmpfs as on a disk; fsync (power loss) is not what
    these tests test, and without it the 20 runs' crawls and builds take half the time."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


@pytest.fixture()
def scratch(tmp_path: Path) -> Iterator[Path]:
    root = _scratch_root()
    if root is None:
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="vnfeeds-crash-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def binhdinh() -> Iterator[PortalServer]:
    [portal] = [p for p in sample_portals() if p.name == "binhdinh"]
    with PortalServer(portal) as server:
        yield server


def _golden() -> dict[str, dict[str, Any]]:
    [portal] = [p for p in sample_portals() if p.name == "binhdinh"]
    return {load_golden(g)["url"]: load_golden(g) for g in sorted(portal.golden_dir.glob("*.json"))}


def crawl(site: Site, now: str, env: dict[str, str] | None = None) -> CrawlOutcome:
    """Crawl binh-dinh (the parent here, the spider in a child process with `env`)."""
    config = site.config(write_batch=BATCH)
    sources = load_registry(config.sources_path).select(["binh-dinh"])
    saved = os.environ.get("VNFEEDS_NOW")
    os.environ["VNFEEDS_NOW"] = now
    try:
        [outcome] = crawl_sources(
            config, sources, env_for=lambda _: {"VNFEEDS_NOW": now, **(env or {})}
        )
    finally:
        if saved is None:
            del os.environ["VNFEEDS_NOW"]
        else:
            os.environ["VNFEEDS_NOW"] = saved
    return outcome


def snapshot(out: Path) -> dict[str, bytes]:
    """Every published file (dotfiles, the build state and temporary files, are not published)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def store_summary(db: Path) -> dict[str, tuple[Any, ...]]:
    """What a crawl decided per article URL: id, title, text hash, date, cluster, topics."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT a.url, a.id, a.title, a.content_hash, a.published, a.author, a.cluster_id,"
        " (SELECT group_concat(topic, ',') FROM (SELECT topic FROM article_topics t"
        "  WHERE t.article_id = a.id ORDER BY topic)) FROM articles a"
    ).fetchall()
    con.close()
    return {r[0]: tuple(r[1:]) for r in rows}


@dataclass
class Reference:
    site: Site
    files: dict[str, bytes]  # the output dir built at BASE_URL
    new_files: dict[str, bytes]  # the same store built at NEW_BASE
    store: dict[str, tuple[Any, ...]]


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, binhdinh: PortalServer
) -> Iterator[Reference]:
    root = _scratch_root()
    path = (
        Path(tempfile.mkdtemp(prefix="vnfeeds-crash-ref-", dir=root))
        if root
        else tmp_path_factory.mktemp("reference")
    )
    try:
        yield _reference(path, binhdinh)
    finally:
        if root:
            shutil.rmtree(path, ignore_errors=True)


def _reference(path: Path, binhdinh: PortalServer) -> Reference:
    site = Site(path, {"binhdinh": binhdinh})
    outcome = crawl(site, KILL_NOW)
    assert (outcome.status, outcome.new) == ("ok", 10), outcome
    site.build()
    new_out = site.root / "public-new"
    build(site.db, new_out, base_url=NEW_BASE, now=parse_iso(BUILD_NOW))
    ref = Reference(site, snapshot(site.out), snapshot(new_out), store_summary(site.db))
    # Every published file mentions where it is served, so the two builds differ everywhere:
    # after a killed rebuild each file tells which of the two it is.
    assert ref.files.keys() == ref.new_files.keys()
    assert all(ref.files[k] != ref.new_files[k] for k in ref.files)
    check_published(site.out)
    check_published(new_out)
    return ref


# -- checks ----------------------------------------------------------------------------------------

_VERIFIED: set[str] = set()  # sha256 of bytes already parsed and found whole


def _check_bytes(name: str, data: bytes) -> None:
    """One published file parses as what its name says (the same bytes are parsed once)."""
    key = hashlib.sha256(name.rsplit(".", 1)[-1].encode() + b"\0" + data).hexdigest()
    if key in _VERIFIED:
        return
    if name.endswith(".gz"):
        _check_bytes(name[: -len(".gz")], gzip.decompress(data))
    elif name.endswith((".atom", ".rss")):
        lxml.etree.fromstring(data)
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)), (name, "duplicate entry ids")
    elif name.endswith(".json"):
        feed = json.loads(data)
        assert feed["version"] == "https://jsonfeed.org/version/1.1", name
        ids = [i["id"] for i in feed["items"]]
        assert len(ids) == len(set(ids)), (name, "duplicate item ids")
    elif name.endswith((".opml", ".xml")):
        lxml.etree.fromstring(data)
    elif name.endswith(".html"):
        assert data.rstrip().endswith(b"</html>"), (name, "cut short")
        lxml.html.document_fromstring(data)
    else:
        raise AssertionError(f"unexpected published file {name}")
    _VERIFIED.add(key)


def check_published(out: Path) -> dict[str, bytes]:
    files = snapshot(out)
    for name, data in files.items():
        _check_bytes(name, data)
    return files


def temp_files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*.tmp"))


def check_store(db: Path) -> None:
    """Integrity, foreign keys and cross-table consistency of a store (0 violations)."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = (
            con.execute("SELECT max(version) FROM migrations").fetchone()[0]
            if "migrations" in tables
            else None
        )
        if version != SCHEMA_VERSION:
            # A migration was killed: nothing was crawled into this store yet.
            assert (
                "articles" not in tables
                or not con.execute("SELECT count(*) FROM articles").fetchone()[0]
            )
            return
        for fts in ("search_exact", "search_folded"):
            con.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
        checks = {
            **CONSISTENCY,
            **(TOPIC_WINDOW_CONSISTENCY if "topic_window" in tables else {}),
        }
        violations = {name: con.execute(sql).fetchone()[0] for name, sql in checks.items()}
        assert violations == dict.fromkeys(checks, 0)
    finally:
        con.close()


CONSISTENCY = {
    # every article has what a write gives it
    "article without its URL": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM article_urls u WHERE u.url = a.url AND u.article_id = a.id)",
    "article without topics": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM article_topics t WHERE t.article_id = a.id)",
    "article without cluster": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM clusters c WHERE c.id = a.cluster_id)",
    "article without raw page": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM raw_pages r WHERE r.article_id = a.id)",
    "article without revisit schedule": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM revisits v WHERE v.article_id = a.id)",
    "article without signature": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM minhash m WHERE m.docid = a.docid)",
    "article without exact search row": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM search_exact s WHERE s.rowid = a.docid)",
    "article without folded search row": "SELECT count(*) FROM articles a WHERE NOT EXISTS"
    " (SELECT 1 FROM search_folded s WHERE s.rowid = a.docid)",
    # nothing points at an article that is not there
    "orphan article_urls": "SELECT count(*) FROM article_urls u WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = u.article_id)",
    "orphan article_topics": "SELECT count(*) FROM article_topics t WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = t.article_id)",
    "orphan article_attachments": "SELECT count(*) FROM article_attachments t WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = t.article_id)",
    "orphan revisions": "SELECT count(*) FROM revisions r WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = r.article_id)",
    "orphan raw_pages": "SELECT count(*) FROM raw_pages r WHERE r.article_id IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = r.article_id)",
    "orphan revisits": "SELECT count(*) FROM revisits v WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = v.article_id)",
    "orphan minhash": "SELECT count(*) FROM minhash m WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.docid = m.docid)",
    "orphan minhash_bands": "SELECT count(*) FROM minhash_bands b WHERE NOT EXISTS"
    " (SELECT 1 FROM minhash m WHERE m.docid = b.docid)",
    "orphan exact search rows": "SELECT count(*) FROM search_exact s WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.docid = s.rowid)",
    "orphan folded search rows": "SELECT count(*) FROM search_folded s WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.docid = s.rowid)",
    "cluster without members": "SELECT count(*) FROM clusters c WHERE c.merged_into IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.cluster_id = c.id)",
    "cluster represented by no article": "SELECT count(*) FROM clusters c WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = c.representative)",
    # no duplicates
    "same text stored twice": "SELECT count(*) - count(DISTINCT province || content_hash)"
    " FROM articles",
}


# The feed window of the topic feeds (migration 7), kept by triggers in the writer's transaction.
TOPIC_WINDOW_CONSISTENCY = {
    "orphan topic_window rows": "SELECT count(*) FROM topic_window w WHERE NOT EXISTS"
    " (SELECT 1 FROM articles a WHERE a.id = w.id)",
    "live article topic missing from topic_window": "SELECT count(*) FROM article_topics t"
    " JOIN articles a ON a.id = t.article_id WHERE a.gone_at IS NULL AND a.backfill = 0"
    " AND NOT EXISTS (SELECT 1 FROM topic_window w WHERE w.id = a.id AND w.topic = t.topic)",
}


def read_marker(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.split(" pid=")[0] for line in path.read_text().splitlines()]


def _check_rerun(
    site: Site, reference: Reference, stored: int, run_status: str, now: str = RERUN_NOW
) -> None:
    """A crawl after the kill completes, stores each article once, and gives the same articles
    and the same feeds as the crawl that was never killed."""
    outcome = crawl(site, now)
    assert (outcome.status, outcome.new, outcome.errors) == ("ok", 10 - stored, 0), outcome
    check_store(site.db)
    con = sqlite3.connect(site.db)
    runs = con.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
    con.close()
    assert [s for (s,) in runs] == [*([run_status] if run_status else []), "ok"]
    golden = _golden()
    summary = store_summary(site.db)
    assert {site.url("binhdinh", path) for path in golden} == set(summary)
    for path, g in golden.items():
        topics = summary[site.url("binhdinh", path)][-1].split(",")
        assert set(g["topics"]) & set(topics), (path, topics)
    assert summary == reference.store
    site.build()
    files = check_published(site.out)
    assert temp_files(site.out) == []
    status_pages = {"status.html", "status.html.gz", "status.atom", "status.atom.gz"}
    assert {k: v for k, v in files.items() if k not in status_pages} == {
        k: v for k, v in reference.files.items() if k not in status_pages
    }
    province = feedparser.parse(files["province/gia-lai.atom"])
    assert len(province.entries) == 10


# -- the cases -------------------------------------------------------------------------------------


def _kill_store(point: str, nth: int, site: Site, reference: Reference) -> None:
    marker = site.root / "killed"
    outcome = crawl(site, KILL_NOW, {KILL_ENV: f"{point}@{nth}", MARKER_ENV: str(marker)})
    assert read_marker(marker) == [f"{point}@{nth}"]
    assert outcome.status == "interrupted", outcome
    check_store(site.db)
    con = sqlite3.connect(site.db)
    stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    assert stored == _stored_after_kill(point, nth), "a partial batch was committed"
    _check_rerun(site, reference, stored, "interrupted")


def _kill_migration(point: str, nth: int, site: Site, reference: Reference) -> None:
    marker = site.root / "killed"
    env = {
        **site.config().to_env(),
        "VNFEEDS_NOW": KILL_NOW,
        KILL_ENV: f"{point}@{nth}",
        MARKER_ENV: str(marker),
    }
    result = run_cli("crawl", "binh-dinh", env=env)
    assert result.returncode == -9, (result.stdout, result.stderr)
    assert read_marker(marker) == [f"{point}@{nth}"]
    check_store(site.db)
    last = nth if point == "schema.migration.committed" else nth - 1
    state = MIGRATION_STATE.get((point, nth), {"versions": list(range(1, last + 1))})
    con = sqlite3.connect(site.db)
    versions = [v for (v,) in con.execute("SELECT version FROM migrations ORDER BY version")]
    assert versions == state["versions"]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    absent = set(state.get("absent", []))
    assert not tables & absent, tables & absent
    for table, column in state.get("columns", []):
        assert column in {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    if versions:
        meta = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert meta == (str(versions[-1]),)
    con.close()
    # (at the time of the killed run: a store whose first migration was killed is created by
    # the rerun, and its creation time shows in the empty feeds)
    _check_rerun(site, reference, 0, "", now=KILL_NOW)
    con = sqlite3.connect(site.db)
    assert con.execute("SELECT max(version) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    con.close()


def _kill_publish(point: str, nth: int, site: Site, reference: Reference) -> None:
    # The reference store and its output dir, then a full rebuild at another base URL, killed.
    site.db.write_bytes(reference.site.db.read_bytes())
    for name, data in reference.files.items():
        (site.out / name).parent.mkdir(parents=True, exist_ok=True)
        (site.out / name).write_bytes(data)
    state = reference.site.out / ".vnfeeds-build.json"
    (site.out / state.name).write_bytes(state.read_bytes())
    marker = site.root / "killed"
    args = ["--db", str(site.db), "--out", str(site.out), "--base-url", NEW_BASE]
    env = {"VNFEEDS_NOW": BUILD_NOW, KILL_ENV: f"{point}@{nth}", MARKER_ENV: str(marker)}
    result = run_cli("build", "--full", *args, env=env)
    assert result.returncode == -9, (result.stdout, result.stderr)
    assert read_marker(marker) == [f"{point}@{nth}"]
    check_store(site.db)

    # Every file is whole: the old one or the new one, the new ones exactly those published
    # before the kill.
    files = check_published(site.out)
    assert files.keys() == reference.files.keys()
    new = {k for k, v in files.items() if v == reference.new_files[k]}
    old = {k for k, v in files.items() if v == reference.files[k]}
    assert new | old == files.keys() and not new & old
    # How many: with one publishing thread, exactly the passages counted; with T threads, the
    # other T - 1 may each be one step further (a rename done, its passage not yet counted) or
    # behind (a passage counted, its rename not yet done) when the signal lands.
    slack = PUBLISH_THREADS - 1
    temps = temp_files(site.out)
    if point == "publish.file_done":
        # n files renamed into place (each after its gzip twin)
        renamed = len([k for k in new if not k.endswith(".gz")])
        assert nth <= renamed <= nth + slack, (renamed, nth)
        assert len(temps) <= slack, temps
    else:
        # n - 1 renames (twins count), and the n-th file's complete temporary copy
        assert nth - 1 - slack <= len(new) <= nth - 1, (len(new), nth)
        assert 1 <= len(temps) <= 1 + slack, temps
        whole = []
        for tmp in temps:
            name = TEMP_NAME.fullmatch(Path(tmp).name)
            assert name is not None, tmp
            target = str(Path(tmp).parent / name["target"]).removeprefix("./")
            assert target not in new
            whole.append((site.out / tmp).read_bytes() == reference.new_files[target])
        assert any(whole), "the killed writer's temporary file is not whole"

    # The next build publishes everything new and leaves no temporary file behind.
    result = run_cli("build", *args, env={"VNFEEDS_NOW": BUILD_NOW})
    assert result.returncode == 0, result.stderr
    assert check_published(site.out) == reference.new_files
    assert temp_files(site.out) == []


@pytest.mark.parametrize(
    ("point", "nth"), [pytest.param(p, n, id=f"{p}@{n}") for p, n in [*CASES, *_long_cases()]]
)
def test_kill_point_leaves_consistent_state(
    point: str, nth: int | str, scratch: Path, binhdinh: PortalServer, reference: Reference
) -> None:
    site = Site(scratch, {"binhdinh": binhdinh})
    if isinstance(nth, str):  # a fraction of the files a full build writes (--long)
        targets = [k for k in reference.new_files if not k.endswith(".gz")]
        total = len(targets) if point == "publish.file_done" else len(reference.new_files)
        nth = max(1, total * int(nth.rstrip("%")) // 100)
    kind = point.split(".")[0]
    if kind == "store":
        _kill_store(point, nth, site, reference)
    elif kind == "schema":
        _kill_migration(point, nth, site, reference)
    else:
        _kill_publish(point, nth, site, reference)
