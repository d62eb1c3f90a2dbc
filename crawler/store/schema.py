"""The store's schema and its migrations. This module owns every table definition.

Migrations are numbered, applied in order inside one write transaction each, and recorded in the
`migrations` table; `meta` holds the schema version and when the file was created. Reference data
(provinces, former provinces, topics) is synchronised from crawler/data/ whenever it changes.

Tables (the analysts' interface, see README "Store schema"):

- provinces, former_provinces, topics, sources
- articles (one row per article; `docid` is the stable integer key of the search index)
- article_topics, article_urls, article_attachments, revisions, raw_pages
- clusters (one near-duplicate cluster per story, see crawler/dedupe.py); minhash,
  minhash_bands and minhash_bands_new (signatures and LSH band hashes of the recent window; the
  latest writes' band hashes wait in the second band table until merged into the first)
- crawl_runs
- search_exact / search_folded: FTS5 over title, summary and text; the first holds the text with
  one tone placement and keeps diacritics ("hòa" does not match "hóa"), the second has them folded
  away by its tokenizer (remove_diacritics 2) after đ -> d ("binh dinh" matches "Bình Định").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import sqlite_utils

from crawler import places
from crawler.clock import now_iso
from crawler.killpoints import kill_point
from crawler.store.db import write_transaction

RUN_STATUSES = ("running", "ok", "partial", "failed", "timeout", "interrupted")


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("provinces").create(
        {"slug": str, "code": str, "name": str, "short_name": str, "kind": str}, pk="slug"
    )
    db.table("former_provinces").create(
        {
            "slug": str,
            "code": str,
            "iso_3166_2": str,
            "name": str,
            "portal": str,
            "merged_into": str,
        },
        pk="slug",
        foreign_keys=[("merged_into", "provinces", "slug")],
    )
    db.table("topics").create({"slug": str, "name": str, "description": str}, pk="slug")
    db.table("sources").create(
        {
            "id": str,
            "province": str,
            "name": str,
            "homepage": str,
            "platform": str,
            "enabled": int,
            "former_province": str,
            "interval": str,
            "notes": str,
            "config": str,  # the whole validated [[source]] as JSON
            "synced": str,
        },
        pk="id",
    )
    db.execute(
        f"""
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL CHECK (status IN ({", ".join(repr(s) for s in RUN_STATUSES)})),
            pages INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            message TEXT,
            pid INTEGER,
            stats TEXT
        )
        """
    )
    db.execute("CREATE INDEX idx_crawl_runs_source ON crawl_runs (source_id, started)")
    db.table("clusters").create(
        {"id": str, "representative": str, "created": str, "merged_into": str}, pk="id"
    )
    db.execute(
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            docid INTEGER NOT NULL UNIQUE,
            url TEXT NOT NULL UNIQUE,
            source_id TEXT NOT NULL,
            native_key TEXT,
            province TEXT NOT NULL,
            province_then TEXT,
            title TEXT NOT NULL,
            summary TEXT,
            content_html TEXT,
            content_text TEXT,
            author TEXT,
            published TEXT NOT NULL,
            published_source TEXT NOT NULL,
            updated TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            gone_at TEXT,
            section_url TEXT,
            image_url TEXT,
            content_hash TEXT NOT NULL,
            title_key TEXT NOT NULL,
            text_length INTEGER NOT NULL,
            backfill INTEGER NOT NULL DEFAULT 0,
            cluster_id TEXT NOT NULL,
            first_run_id INTEGER,
            last_run_id INTEGER,
            seq INTEGER NOT NULL
        )
        """
    )
    for sql in (
        "CREATE UNIQUE INDEX idx_articles_native ON articles (source_id, native_key)"
        " WHERE native_key IS NOT NULL",
        "CREATE INDEX idx_articles_province ON articles (province, published)",
        "CREATE INDEX idx_articles_source ON articles (source_id, first_seen)",
        "CREATE INDEX idx_articles_first_seen ON articles (first_seen)",
        "CREATE INDEX idx_articles_published ON articles (published)",
        "CREATE INDEX idx_articles_cluster ON articles (cluster_id)",
        "CREATE INDEX idx_articles_hash ON articles (province, content_hash)",
        "CREATE UNIQUE INDEX idx_articles_seq ON articles (seq)",
    ):
        db.execute(sql)
    db.execute(
        """
        CREATE TABLE article_topics (
            article_id TEXT NOT NULL REFERENCES articles(id),
            topic TEXT NOT NULL REFERENCES topics(slug),
            origin TEXT NOT NULL,
            PRIMARY KEY (article_id, topic)
        )
        """
    )
    db.execute("CREATE INDEX idx_article_topics_topic ON article_topics (topic, article_id)")
    db.execute(
        """
        CREATE TABLE article_urls (
            url TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            first_seen TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_article_urls_article ON article_urls (article_id)")
    db.execute(
        """
        CREATE TABLE article_attachments (
            article_id TEXT NOT NULL REFERENCES articles(id),
            url TEXT NOT NULL,
            title TEXT,
            PRIMARY KEY (article_id, url)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            fetched_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT,
            summary TEXT,
            content_html TEXT,
            content_text TEXT,
            author TEXT,
            published TEXT,
            run_id INTEGER
        )
        """
    )
    db.execute("CREATE INDEX idx_revisions_article ON revisions (article_id, fetched_at)")
    db.execute(
        """
        CREATE TABLE raw_pages (
            id INTEGER PRIMARY KEY,
            article_id TEXT REFERENCES articles(id),
            source_id TEXT NOT NULL,
            url TEXT NOT NULL,
            run_id INTEGER,
            fetched_at TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,
            encoding TEXT,
            body_sha256 TEXT NOT NULL,
            body BLOB NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_raw_pages_article ON raw_pages (article_id, fetched_at)")
    db.execute("CREATE INDEX idx_raw_pages_fetched ON raw_pages (fetched_at)")
    db.execute(
        "CREATE VIRTUAL TABLE search_exact USING fts5("
        "title, summary, body, tokenize = 'unicode61 remove_diacritics 0')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE search_folded USING fts5("
        "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
    )


def _m2_revision_reason(db: sqlite_utils.Database) -> None:
    # Why a version was replaced: "edit" (the portal changed it) or "reextract" (our
    # extraction changed, after a selector or extractor fix).
    db.execute("ALTER TABLE revisions ADD COLUMN reason TEXT NOT NULL DEFAULT 'edit'")


def _m3_near_duplicates(db: sqlite_utils.Database) -> None:
    # MinHash signatures and LSH band hashes of the articles first seen in the recent window
    # (crawler/dedupe.py); older rows are pruned, so the index stays bounded.
    db.execute(
        "CREATE TABLE minhash (article_id TEXT PRIMARY KEY REFERENCES articles(id),"
        " signature BLOB NOT NULL, first_seen TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE minhash_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL,"
        " article_id TEXT NOT NULL REFERENCES articles(id), first_seen TEXT NOT NULL,"
        " PRIMARY KEY (band, hash, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_minhash_bands_seen ON minhash_bands (first_seen)")
    db.execute("CREATE INDEX idx_minhash_bands_article ON minhash_bands (article_id)")
    db.execute("CREATE INDEX idx_minhash_seen ON minhash (first_seen)")
    # Filled by migration 4 (which also gave the signatures their current form).


def _m4_signature_dates(db: sqlite_utils.Database) -> None:
    # The dates each indexed text prints (a republished release keeps them, a templated
    # periodic notice changes them), and signatures recomputed with the vectorized MinHash:
    # the recent window of articles is indexed again.
    from crawler import dedupe

    # Derived rows, rebuilt here and deleted with their article's signature: no foreign keys
    # (checking one costs more than the insert it guards, on every write).
    # Keyed by the article's docid (an integer: small rows, no text comparisons).
    db.execute("DROP TABLE minhash")
    db.execute(
        "CREATE TABLE minhash (docid INTEGER PRIMARY KEY, signature BLOB NOT NULL,"
        " first_seen TEXT NOT NULL, dates TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX idx_minhash_seen ON minhash (first_seen)")
    # One key column (band number mixed into the hash) and no secondary index: 32 rows per
    # article go into one B-tree instead of three.
    db.execute("DROP TABLE minhash_bands")
    db.execute(
        "CREATE TABLE minhash_bands (key INTEGER NOT NULL, docid INTEGER NOT NULL,"
        " PRIMARY KEY (key, docid)) WITHOUT ROWID"
    )
    dedupe.reindex_recent(db)


def _m5_revisits(db: sqlite_utils.Database) -> None:
    # The revisit schedule of each article (crawler/revisit.py): the step reached, when the
    # next one is due, the validators for a conditional GET, and the last answer.
    db.execute(
        "CREATE TABLE revisits (article_id TEXT PRIMARY KEY REFERENCES articles(id),"
        " url TEXT NOT NULL, step INTEGER NOT NULL, next_at TEXT, strikes INTEGER NOT NULL,"
        " etag TEXT, last_modified TEXT, last_checked TEXT, last_status INTEGER)"
    )
    db.execute("CREATE INDEX idx_revisits_due ON revisits (next_at)")
    # Stores created before this version: the articles of the last week start their schedule.
    newest = db.execute("SELECT max(first_seen) FROM articles").fetchone()[0]
    if newest:
        from datetime import timedelta

        from crawler.clock import iso, parse_iso

        db.execute(
            "INSERT INTO revisits (article_id, url, step, next_at, strikes)"
            " SELECT id, url, 0, first_seen, 0 FROM articles"
            " WHERE gone_at IS NULL AND first_seen >= ?",
            (iso(parse_iso(newest) - timedelta(days=7)),),
        )


def _m6_health(db: sqlite_utils.Database) -> None:
    # Alert episodes (crawler/health.py): one row per episode of one kind for one source, opened
    # once and closed when the source recovers; `evidence` is the raw_pages row of the page that
    # showed the problem (a broken list page, kept as a future test fixture).
    db.execute(
        "CREATE TABLE alerts (id TEXT PRIMARY KEY, source_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " opened TEXT NOT NULL, closed TEXT, run_id INTEGER, detail TEXT NOT NULL,"
        " last_checked TEXT NOT NULL, evidence INTEGER REFERENCES raw_pages(id))"
    )
    db.execute("CREATE INDEX idx_alerts_source ON alerts (source_id, kind, closed)")
    db.execute("CREATE INDEX idx_alerts_opened ON alerts (opened)")
    # Per-host leases shared by every crawl process of this store (crawler/leases.py).
    db.execute(
        "CREATE TABLE host_leases (host TEXT PRIMARY KEY, source_id TEXT NOT NULL,"
        " run_id INTEGER, pid INTEGER NOT NULL, taken TEXT NOT NULL)"
    )


def _m7_feed_window(db: sqlite_utils.Database) -> None:
    # What a feed's window is chosen from (crawler/store/queries.py FeedWindow): the live,
    # non-backfill articles by published date, everywhere and per province, with the columns
    # the choice needs, so choosing never reads an article row (whose bodies spill into
    # overflow pages ahead of `gone_at` and `backfill`). Only the rows feeds can show.
    for name, columns in (
        ("idx_articles_window", "published, id, first_seen, cluster_id, province"),
        ("idx_articles_window_province", "province, published, id, first_seen, cluster_id"),
    ):
        # gone_at and backfill too: the planner takes a partial index as covering only when
        # every column the query names is in it.
        columns += ", gone_at, backfill"
        db.execute(
            f"CREATE INDEX {name} ON articles ({columns}) WHERE gone_at IS NULL AND backfill = 0"
        )
    # The status page's per-source figures (crawler/health.py: article count, newest, cadence,
    # articles per day) read a source's publication and first-seen dates: from this index
    # alone, not from every article row (a build of a million-article store spent 25 s there).
    db.execute(
        "CREATE INDEX idx_articles_source_published ON articles (source_id, published, first_seen)"
    )
    # Topic feeds choose from `topic_window`: one row per (live, non-backfill article, topic)
    # with what choosing needs, ordered by topic, province and date. Scanning the articles of a
    # province by date and probing each one's topics read thousands of rows for a rare topic;
    # this reads the 200 it needs. Triggers keep it in step with every write (new topics, edits
    # of the date, removals, cluster merges), inside the writer's own transaction.
    db.execute(
        "CREATE TABLE topic_window (topic TEXT NOT NULL, province TEXT NOT NULL,"
        " published TEXT NOT NULL, id TEXT NOT NULL, first_seen TEXT NOT NULL,"
        " cluster_id TEXT NOT NULL, PRIMARY KEY (topic, province, published, id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE INDEX idx_topic_window_topic ON topic_window"
        " (topic, published, id, first_seen, cluster_id, province)"
    )
    db.execute("CREATE INDEX idx_topic_window_article ON topic_window (id)")
    row = "t.topic, a.province, a.published, a.id, a.first_seen, a.cluster_id"
    columns = "(topic, province, published, id, first_seen, cluster_id)"
    db.execute(
        f"INSERT INTO topic_window {columns} SELECT {row} FROM articles a"
        " JOIN article_topics t ON t.article_id = a.id"
        " WHERE a.gone_at IS NULL AND a.backfill = 0"
    )
    db.execute(
        "CREATE TRIGGER topic_window_topic_added AFTER INSERT ON article_topics BEGIN"
        f" INSERT OR IGNORE INTO topic_window {columns}"
        " SELECT NEW.topic, a.province, a.published, a.id, a.first_seen, a.cluster_id"
        " FROM articles a WHERE a.id = NEW.article_id AND a.gone_at IS NULL AND a.backfill = 0;"
        " END"
    )
    db.execute(
        "CREATE TRIGGER topic_window_topic_removed AFTER DELETE ON article_topics BEGIN"
        " DELETE FROM topic_window WHERE id = OLD.article_id AND topic = OLD.topic; END"
    )
    changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}"
        for c in ("province", "published", "first_seen", "cluster_id", "gone_at", "backfill")
    )
    db.execute(
        "CREATE TRIGGER topic_window_article_changed AFTER UPDATE OF province, published,"
        f" first_seen, cluster_id, gone_at, backfill ON articles WHEN {changed} BEGIN"
        " DELETE FROM topic_window WHERE id = NEW.id;"
        f" INSERT OR IGNORE INTO topic_window {columns}"
        " SELECT t.topic, NEW.province, NEW.published, NEW.id, NEW.first_seen, NEW.cluster_id"
        " FROM article_topics t"
        " WHERE t.article_id = NEW.id AND NEW.gone_at IS NULL AND NEW.backfill = 0; END"
    )
    db.execute(
        "CREATE TRIGGER topic_window_article_removed AFTER DELETE ON articles BEGIN"
        " DELETE FROM topic_window WHERE id = OLD.id; END"
    )


# FTS5 merges a level's index segments once this many have accumulated (its default is 4).
SEARCH_AUTOMERGE = 16


def _m8_ingest(db: sqlite_utils.Database) -> None:
    # The band rows of the latest writes wait in a small table of the same shape, merged into
    # minhash_bands in key order every dedupe.MERGE_ROWS rows (crawler/dedupe.py: the big
    # table's pages were rewritten by every write batch).
    db.execute(
        "CREATE TABLE minhash_bands_new (key INTEGER NOT NULL, docid INTEGER NOT NULL,"
        " PRIMARY KEY (key, docid)) WITHOUT ROWID"
    )
    # Fewer, larger merges of the search indexes: each batch's rows are one new segment, and
    # with 16 segments a level instead of 4 a row is rewritten by half as many merges. Measured
    # at 200,000 articles: a fifth to a third less time per article written, the same time per
    # query (bench/BENCH.md, "Near-duplicates"). Results do not depend on it.
    for table in ("search_exact", "search_folded"):
        db.execute(
            f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)", (SEARCH_AUTOMERGE,)
        )


def _m9_revisit_since(db: sqlite_utils.Database) -> None:
    # When an article's current revisit schedule started: NULL for its first sight; the time
    # it was found again after it had been taken down (its schedule starts over from there).
    db.execute("ALTER TABLE revisits ADD COLUMN since TEXT")


Migration = tuple[int, str, Callable[[sqlite_utils.Database], None]]

MIGRATIONS: tuple[Migration, ...] = (
    (1, "initial schema", _m1_initial),
    (2, "revisions.reason", _m2_revision_reason),
    (3, "near-duplicate index", _m3_near_duplicates),
    (4, "near-duplicate dates, vectorized signatures", _m4_signature_dates),
    (5, "revisit schedule", _m5_revisits),
    (6, "alert episodes, host leases", _m6_health),
    (7, "feed window: indexes, topic_window", _m7_feed_window),
    (8, "ingest: band rows merged in key order, search index automerge", _m8_ingest),
    (
        9,
        "revisits.since: a schedule starts over when a removed article comes back",
        _m9_revisit_since,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(db: sqlite_utils.Database) -> int:
    if "migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM migrations").fetchone()
    return int(row[0] or 0)


def migrate(db: sqlite_utils.Database) -> int:
    """Apply pending migrations (each in its own write transaction); return the version."""
    if "migrations" not in db.table_names():
        with write_transaction(db):
            if "migrations" not in db.table_names():
                db.execute(
                    "CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    " applied TEXT NOT NULL)"
                )
    for version, name, apply in MIGRATIONS:
        if current_version(db) >= version:
            continue
        with write_transaction(db):
            # Re-check under the write lock: another process may have just applied it.
            if current_version(db) >= version:
                continue
            apply(db)
            kill_point("schema.migration.applied")
            stamp = now_iso()
            db.execute(
                "INSERT INTO migrations (version, name, applied) VALUES (?, ?, ?)",
                (version, name, stamp),
            )
            db.table("meta").upsert({"key": "schema_version", "value": str(version)}, pk="key")
            if version == 1:
                db.table("meta").upsert({"key": "created", "value": stamp}, pk="key")
        kill_point("schema.migration.committed")
    sync_reference_data(db)
    return current_version(db)


def _reference_rows() -> dict[str, list[dict[str, str]]]:
    return {
        "provinces": [
            {
                "slug": p.slug,
                "code": p.code,
                "name": p.name,
                "short_name": p.short_name,
                "kind": p.kind,
            }
            for p in places.provinces().values()
        ],
        "former_provinces": [
            {
                "slug": f.slug,
                "code": f.code,
                "iso_3166_2": f.iso_3166_2,
                "name": f.name,
                "portal": f.portal,
                "merged_into": f.merged_into,
            }
            for f in places.former_provinces().values()
        ],
        "topics": [
            {"slug": t.slug, "name": t.name, "description": t.description}
            for t in places.topics().values()
        ],
    }


def sync_reference_data(db: sqlite_utils.Database) -> None:
    """Write provinces/topics from crawler/data/ when they differ from what the store holds."""
    rows = _reference_rows()
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    row = db.execute("SELECT value FROM meta WHERE key = 'reference_data'").fetchone()
    if row and row[0] == digest:
        return
    with write_transaction(db):
        for table in ("provinces", "topics", "former_provinces"):
            db.table(table).upsert_all(rows[table], pk="slug")
        db.table("meta").upsert({"key": "reference_data", "value": digest}, pk="key")


def sync_sources(db: sqlite_utils.Database, sources: list[dict[str, object]]) -> None:
    """Record the registry's sources (for analysts' joins); rows of removed sources stay."""
    if not sources:
        return
    with write_transaction(db):
        for s in sources:
            existing = db.execute("SELECT config FROM sources WHERE id = ?", (s["id"],)).fetchone()
            if existing and existing[0] == s["config"]:
                continue
            db.table("sources").upsert({**s, "synced": now_iso()}, pk="id")
