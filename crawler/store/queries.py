"""The store's read API: what feeds, `serve`, `search` and `status` ask of the store.

Feeds never write; they read through these functions on a read-only connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crawler.clock import iso
from crawler.textnorm import fold, has_diacritics, norm_key

# The window of DESIGN.md: newest 50 by published date, plus everything first seen in the last
# 48 hours (backfill excepted), at most 200 entries.
NEWEST = 50
RECENT = timedelta(hours=48)
MAX_ENTRIES = 200

_ARTICLE_COLUMNS = (
    "a.id, a.url, a.source_id, a.province, a.province_then, a.title, a.summary, a.content_html,"
    " a.content_text, a.author, a.published, a.published_source, a.updated, a.first_seen,"
    " a.image_url, a.cluster_id, a.seq, s.name AS source_name, s.homepage AS source_homepage"
)


@dataclass
class Copy:
    """Another portal's copy of the same story (same near-duplicate cluster)."""

    url: str
    source_name: str
    province: str


@dataclass
class FeedItem:
    entry_id: str  # the cluster id: one entry per story
    article: dict[str, Any]
    topics: list[str] = field(default_factory=list)
    others: list[Copy] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)

    @property
    def published(self) -> str:
        return str(self.article["published"])

    @property
    def updated(self) -> str:
        return str(self.article["updated"])


def _filters(
    province: str | None, topic: str | None, *, backfill: bool = False
) -> tuple[list[str], list[Any]]:
    """WHERE terms (and their parameters) for live articles of a province and/or topic."""
    where = ["a.gone_at IS NULL"] if backfill else ["a.gone_at IS NULL", "a.backfill = 0"]
    params: list[Any] = []
    if province:
        where.append("a.province = ?")
        params.append(province)
    if topic:
        where.append(
            "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = ?)"
        )
        params.append(topic)
    return where, params


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def feed_items(
    db: sqlite_utils.Database,
    *,
    now: datetime,
    province: str | None = None,
    topic: str | None = None,
    newest: int = NEWEST,
    recent: timedelta = RECENT,
    limit: int = MAX_ENTRIES,
) -> list[FeedItem]:
    """The entries of one feed, newest first (ties by id), one per near-duplicate cluster."""
    where, params = _filters(province, topic)
    base = (
        f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
        f" WHERE {' AND '.join(where)}"
    )
    # Enough candidates to fill `newest` clusters even when copies collapse.
    newest_rows = _rows(
        db, base + " ORDER BY a.published DESC, a.id LIMIT ?", [*params, newest * 4]
    )
    recent_rows = _rows(
        db,
        base + " AND a.first_seen >= ? ORDER BY a.published DESC, a.id",
        [*params, iso(now - recent)],
    )
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for row in [*newest_rows, *recent_rows]:
        members = by_cluster.setdefault(row["cluster_id"], [])
        if all(m["id"] != row["id"] for m in members):
            members.append(row)
    cutoff = iso(now - recent)
    chosen: list[tuple[dict[str, Any], bool]] = []
    for cluster_id, members in by_cluster.items():
        link = _link_copy(db, cluster_id, members, province)
        is_recent = any(m["first_seen"] >= cutoff for m in members)
        chosen.append((link, is_recent))
    # Newest first, ties by id (two stable sorts).
    chosen.sort(key=lambda c: c[0]["id"])
    chosen.sort(key=lambda c: c[0]["published"], reverse=True)
    window = [c for i, c in enumerate(chosen) if i < newest or c[1]][:limit]
    items = [FeedItem(entry_id=row["cluster_id"], article=row) for row, _ in window]
    _attach_details(db, items)
    return items


def _link_copy(
    db: sqlite_utils.Database,
    cluster_id: str,
    members: list[dict[str, Any]],
    province: str | None,
) -> dict[str, Any]:
    """The copy a feed links to: the province's own copy in province feeds, else the
    cluster's representative (falling back to the earliest-published member)."""
    if province:
        own = [m for m in members if m["province"] == province]
        if own:
            return min(own, key=lambda m: (m["published"], m["id"]))
    rep = db.execute("SELECT representative FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
    if rep:
        for m in members:
            if m["id"] == rep[0]:
                return m
    return min(members, key=lambda m: (m["published"], m["id"]))


def items_for(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> list[FeedItem]:
    """Feed items for article rows (a search page): one per cluster, in the rows' order."""
    seen: set[str] = set()
    items = []
    for row in rows:
        if row["cluster_id"] in seen:
            continue
        seen.add(row["cluster_id"])
        items.append(FeedItem(entry_id=row["cluster_id"], article=row))
    _attach_details(db, items)
    return items


def _attach_details(db: sqlite_utils.Database, items: list[FeedItem]) -> None:
    for item in items:
        aid = item.article["id"]
        item.topics = [
            r[0]
            for r in db.execute(
                "SELECT topic FROM article_topics WHERE article_id = ? ORDER BY topic", (aid,)
            )
        ]
        item.attachments = [
            (r[0], r[1] or "")
            for r in db.execute(
                "SELECT url, title FROM article_attachments WHERE article_id = ? ORDER BY url",
                (aid,),
            )
        ]
        item.others = [
            Copy(url=r[0], source_name=r[1] or "", province=r[2])
            for r in db.execute(
                "SELECT a.url, s.name, a.province FROM articles a"
                " LEFT JOIN sources s ON s.id = a.source_id"
                " WHERE a.cluster_id = ? AND a.id != ? AND a.gone_at IS NULL"
                " ORDER BY a.published, a.id",
                (item.entry_id, aid),
            )
        ]


def change_mark(db: sqlite_utils.Database) -> int:
    """The store's change counter: `articles.seq` grows with every change that can move a feed
    (new, edited, reclassified, gone, a cluster's members re-listed)."""
    return int(db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])


def touched_feeds(
    db: sqlite_utils.Database, since_seq: int, aged_from: str, aged_to: str
) -> set[tuple[str | None, str | None]]:
    """(province, topic) pairs of the feeds that may have changed: those of articles changed
    after `since_seq`, and of articles whose first_seen left the recent window between two
    builds (first_seen in (aged_from, aged_to]). (None, None) is `all`, (p, None) a province,
    (None, t) a topic."""
    rows = db.execute(
        "SELECT a.province, t.topic FROM articles a LEFT JOIN article_topics t"
        " ON t.article_id = a.id WHERE a.seq > ? OR (a.first_seen > ? AND a.first_seen <= ?)",
        (since_seq, aged_from, aged_to),
    ).fetchall()
    out: set[tuple[str | None, str | None]] = set()
    for province, topic in rows:
        out |= {(None, None), (province, None)}
        if topic:
            out |= {(None, topic), (province, topic)}
    return out


def store_created(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = 'created'").fetchone()
    return str(row[0]) if row else "2025-07-01T00:00:00+07:00"


# -- search ----------------------------------------------------------------------------------

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchPage:
    rows: list[dict[str, Any]]
    next_offset: int | None


def fts_query(text: str) -> tuple[str, str]:
    """(table, MATCH expression): typed with diacritics -> exact index, else the folded one."""
    exact = has_diacritics(text.replace("đ", "d").replace("Đ", "D")) or "đ" in text.lower()
    table = "search_exact" if exact else "search_folded"
    form = norm_key(text) if exact else fold(text)
    tokens = _FTS_TOKEN.findall(form)
    if not tokens:
        return table, ""
    return table, " ".join(f'"{t}"' for t in tokens)


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    province: str | None = None,
    topic: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Full-text search, newest first; every word must match (as a phrase when quoted)."""
    table, match = fts_query(query)
    where, params = _filters(province, topic, backfill=True)
    if match:
        where.append(f"a.docid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
        params.append(match)
    sql = (
        f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.published DESC, a.id LIMIT ? OFFSET ?"
    )
    rows = _rows(db, sql, [*params, limit + 1, offset])
    more = len(rows) > limit
    return SearchPage(rows=rows[:limit], next_offset=offset + limit if more else None)


# -- runs and sources ------------------------------------------------------------------------


def latest_runs(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    rows = db.query(
        "SELECT r.* FROM crawl_runs r JOIN (SELECT source_id, max(id) AS id FROM crawl_runs"
        " GROUP BY source_id) last ON last.id = r.id"
    )
    return {r["source_id"]: r for r in rows}


def source_health(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per source: last run, last success, articles, recent failures."""
    out = []
    last = latest_runs(db)
    for s in db.query(
        "SELECT id, province, name, homepage, platform, enabled FROM sources ORDER BY id"
    ):
        sid = s["id"]
        ok = db.execute(
            "SELECT max(finished) FROM crawl_runs"
            " WHERE source_id = ? AND status IN ('ok', 'partial')",
            (sid,),
        ).fetchone()[0]
        failures = 0
        for (status,) in db.execute(
            "SELECT status FROM crawl_runs WHERE source_id = ? AND status != 'running'"
            " ORDER BY id DESC LIMIT 20",
            (sid,),
        ):
            if status in ("ok", "partial"):
                break
            failures += 1
        articles, newest = db.execute(
            "SELECT count(*), max(published) FROM articles WHERE source_id = ?", (sid,)
        ).fetchone()
        out.append(
            {
                **s,
                "last_run": last.get(sid),
                "last_success": ok,
                "consecutive_failures": failures,
                "articles": articles,
                "newest_article": newest,
            }
        )
    return out


FAILED = ("failed", "timeout", "interrupted")


def failure_alerts(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Sources whose latest finished runs failed: one alert per unbroken streak of failures,
    identified by the streak's first run (so the alert keeps its id until the source recovers)."""
    alerts = []
    for s in db.query("SELECT id, name FROM sources ORDER BY id"):
        streak: list[dict[str, Any]] = []
        for run in db.query(
            "SELECT id, started, status, message FROM crawl_runs WHERE source_id = ?"
            " AND status != 'running' ORDER BY id DESC LIMIT 50",
            [s["id"]],
        ):
            if run["status"] not in FAILED:
                break
            streak.append(run)
        if streak:
            first, last = streak[-1], streak[0]
            alerts.append(
                {
                    "source_id": s["id"],
                    "name": s["name"],
                    "episode": f"{s['id']}:{first['id']}",
                    "since": first["started"],
                    "status": last["status"],
                    "failures": len(streak),
                    "message": last["message"],
                }
            )
    return alerts


def last_activity(db: sqlite_utils.Database) -> str | None:
    """When the last crawl run started or finished (the status page's 'as of')."""
    row = db.execute("SELECT max(coalesce(finished, started)) FROM crawl_runs").fetchone()
    return str(row[0]) if row and row[0] else None
