"""The store's read API: what feeds, `serve`, `search` and `status` ask of the store.

Feeds never write; they read through these functions on a read-only connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from crawler.clock import iso
from crawler.store.db import Reader
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
    # What the renderer derived from this entry, shared by the three formats of a feed (and by
    # the feeds of a build that show the same article, see FeedWindow).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

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


def _rows(db: Reader, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class FeedWindow:
    """The window of DESIGN.md for any number of feeds read in one transaction (a build): the
    newest `newest` by published date plus every entry first seen since `now - recent`,
    backfill excepted, one entry per near-duplicate cluster, at most `limit`.

    Candidates are chosen from narrow rows (id, published, first_seen, cluster, province: the
    partial index `idx_articles_window*` holds them all), the recently seen articles are read
    once for all feeds, and the full rows, topics, attachments and other copies of the chosen
    entries are read in batches and kept: an article shows in up to five feeds of a build
    (all, its province, its topics, its province's topic feeds) and is read once."""

    _NARROW = "a.id, a.published, a.first_seen, a.cluster_id, a.province"
    # Articles whose rows and renderings are kept between the feeds of a build (about 40 KB
    # each with their three renderings).
    KEEP_ARTICLES = 5000

    def __init__(
        self,
        db: Reader,
        *,
        now: datetime,
        newest: int = NEWEST,
        recent: timedelta = RECENT,
        limit: int = MAX_ENTRIES,
    ):
        self.db = db
        self.newest = newest
        self.limit = limit
        self.cutoff = iso(now - recent)
        self._recent: list[tuple[str, str, str, str, str]] | None = None
        self._recent_topics: dict[str, set[str]] = {}
        self._recent_by: (
            dict[tuple[str | None, str | None], list[tuple[str, str, str, str, str]]] | None
        ) = None
        self._rows: dict[str, dict[str, Any]] = {}
        # What the renderer derived from an article (its entry in each format), shared by the
        # feeds of the build that show it: same row, topics and copies, so the same text.
        self._memos: dict[str, dict[Any, Any]] = {}
        self._reps: dict[str, str | None] = {}
        self._details = Details(db)
        self._has_topic_window: bool | None = None

    def _recently_seen(self) -> list[tuple[str, str, str, str, str]]:
        if self._recent is None:
            # By first_seen: without the store's statistics SQLite would rather scan the
            # whole covering window index (45 ms on a million articles, against 1.5).
            rows = self.db.execute(
                f"SELECT {self._NARROW} FROM articles a INDEXED BY idx_articles_first_seen"
                " WHERE a.gone_at IS NULL AND a.backfill = 0 AND a.first_seen >= ?",
                (self.cutoff,),
            ).fetchall()
            self._recent = [tuple(r) for r in rows]
            ids = [r[0] for r in rows]
            for chunk in _chunks(ids):
                for aid, topic in self.db.execute(
                    f"SELECT article_id, topic FROM article_topics"
                    f" WHERE article_id IN ({_marks(len(chunk))})",
                    chunk,
                ):
                    self._recent_topics.setdefault(aid, set()).add(topic)
        return self._recent

    def _recent_of(
        self, province: str | None, topic: str | None
    ) -> list[tuple[str, str, str, str, str]]:
        """The recently seen articles of a feed (indexed once per build by province, topic and
        both: a build asks for some 600 feeds)."""
        if self._recent_by is None:
            by: dict[tuple[str | None, str | None], list[tuple[str, str, str, str, str]]] = {}
            for row in self._recently_seen():
                by.setdefault((None, None), []).append(row)
                by.setdefault((row[4], None), []).append(row)
                for t in sorted(self._recent_topics.get(row[0], ())):
                    by.setdefault((None, t), []).append(row)
                    by.setdefault((row[4], t), []).append(row)
            self._recent_by = by
        return self._recent_by.get((province, topic), [])

    def _representatives(self, clusters: list[str]) -> None:
        missing = [c for c in dict.fromkeys(clusters) if c not in self._reps]
        for chunk in _chunks(missing):
            found = dict(
                self.db.execute(
                    f"SELECT id, representative FROM clusters WHERE id IN ({_marks(len(chunk))})",
                    chunk,
                ).fetchall()
            )
            for c in chunk:
                self._reps[c] = found.get(c)

    def _full_rows(self, ids: list[str]) -> None:
        missing = [i for i in dict.fromkeys(ids) if i not in self._rows]
        for chunk in _chunks(missing):
            cur = self.db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s"
                f" ON s.id = a.source_id WHERE a.id IN ({_marks(len(chunk))})",
                chunk,
            )
            keys = [d[0] for d in cur.description]
            for row in cur:
                self._rows[row[0]] = dict(zip(keys, row, strict=True))

    def _newest(self, province: str | None, topic: str | None) -> list[tuple[Any, ...]]:
        """Enough candidates to fill `newest` clusters even when copies collapse: the newest
        live, non-backfill articles of the feed by published date, ties by id."""
        limit = self.newest * 4
        if topic is not None and self._topic_window():
            where, params = "topic = ?", [topic]
            if province is not None:
                where, params = "topic = ? AND province = ?", [topic, province]
            return self.db.execute(
                "SELECT id, published, first_seen, cluster_id, province FROM topic_window"
                f" WHERE {where} ORDER BY published DESC, id LIMIT ?",
                [*params, limit],
            ).fetchall()
        terms, values = _filters(province, topic)
        return self.db.execute(
            f"SELECT {self._NARROW} FROM articles a WHERE {' AND '.join(terms)}"
            " ORDER BY a.published DESC, a.id LIMIT ?",
            [*values, limit],
        ).fetchall()

    def _topic_window(self) -> bool:
        """Whether the store has `topic_window` (a store not yet migrated is read without)."""
        if self._has_topic_window is None:
            self._has_topic_window = (
                self.db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'topic_window'"
                ).fetchone()
                is not None
            )
        return self._has_topic_window

    def items(self, province: str | None = None, topic: str | None = None) -> list[FeedItem]:
        """The entries of one feed, newest first (ties by id), one per near-duplicate cluster."""
        return self.load([row[0] for row in self.choose(province, topic)])

    def choose(
        self, province: str | None = None, topic: str | None = None
    ) -> list[tuple[str, str, str, str, str]]:
        """The articles `items` gives, in its order, as (id, published, first_seen, cluster,
        province)."""
        newest_rows = self._newest(province, topic)
        recent_rows = self._recent_of(province, topic)
        # (id, published, first_seen, cluster, province) per cluster, each article once.
        by_cluster: dict[str, dict[str, tuple[str, str, str, str, str]]] = {}
        for row in [*newest_rows, *recent_rows]:
            by_cluster.setdefault(row[3], {}).setdefault(row[0], tuple(row))
        if province is None:
            self._representatives([c for c, found in by_cluster.items() if len(found) > 1])
        chosen: list[tuple[tuple[str, str, str, str, str], bool]] = []
        for cluster_id, found in by_cluster.items():
            if len(found) == 1:  # most stories: one copy, the one linked to
                (row,) = found.values()
                chosen.append((row, row[2] >= self.cutoff))
                continue
            members = list(found.values())
            chosen.append(
                (
                    self._link_copy(cluster_id, members, province),
                    any(m[2] >= self.cutoff for m in members),
                )
            )
        # Newest first, ties by id.
        chosen.sort(key=lambda c: c[0][0])
        chosen.sort(key=lambda c: c[0][1], reverse=True)
        window = [c for i, c in enumerate(chosen) if i < self.newest or c[1]][: self.limit]
        return [row for row, _ in window]

    def load(self, ids: list[str]) -> list[FeedItem]:
        """Feed items of these articles, in this order."""
        if len(self._rows) + len(ids) > self.KEEP_ARTICLES:
            self._rows.clear()  # bounded memory on a big store; later feeds read theirs again
            self._memos.clear()
        self._full_rows(ids)
        items = [
            FeedItem(
                entry_id=self._rows[i]["cluster_id"],
                article=self._rows[i],
                memo=self._memos.setdefault(i, {}),
            )
            for i in ids
        ]
        self._details.attach(items)
        return items

    def _link_copy(
        self,
        cluster_id: str,
        members: list[tuple[str, str, str, str, str]],
        province: str | None,
    ) -> tuple[str, str, str, str, str]:
        """The copy a feed links to: the province's own copy in province feeds, else the
        cluster's representative (falling back to the earliest-published member)."""
        if province:
            own = [m for m in members if m[4] == province]
            if own:
                return min(own, key=lambda m: (m[1], m[0]))
        rep = self._reps.get(cluster_id)
        if rep:
            for m in members:
                if m[0] == rep:
                    return m
        return min(members, key=lambda m: (m[1], m[0]))


def feed_items(
    db: Reader,
    *,
    now: datetime,
    province: str | None = None,
    topic: str | None = None,
    newest: int = NEWEST,
    recent: timedelta = RECENT,
    limit: int = MAX_ENTRIES,
) -> list[FeedItem]:
    """The entries of one feed (see FeedWindow, which a build uses for all its feeds)."""
    window = FeedWindow(db, now=now, newest=newest, recent=recent, limit=limit)
    return window.items(province, topic)


def items_for(db: Reader, rows: list[dict[str, Any]]) -> list[FeedItem]:
    """Feed items for article rows (a search page): one per cluster, in the rows' order."""
    seen: set[str] = set()
    items = []
    for row in rows:
        if row["cluster_id"] in seen:
            continue
        seen.add(row["cluster_id"])
        items.append(FeedItem(entry_id=row["cluster_id"], article=row))
    Details(db).attach(items)
    return items


class Details:
    """Topics, attachments and the other copies of articles, read in batches and kept."""

    def __init__(self, db: Reader):
        self.db = db
        self.topics: dict[str, list[str]] = {}
        self.attachments: dict[str, list[tuple[str, str]]] = {}
        # cluster -> its live members (id, url, source name, province), by published then id
        self.members: dict[str, list[tuple[str, str, str, str]]] = {}

    def _load(self, ids: list[str], clusters: list[str]) -> None:
        ids = [i for i in dict.fromkeys(ids) if i not in self.topics]
        for chunk in _chunks(ids):
            marks = _marks(len(chunk))
            for aid in chunk:
                self.topics[aid] = []
                self.attachments[aid] = []
            for aid, topic in self.db.execute(
                f"SELECT article_id, topic FROM article_topics WHERE article_id IN ({marks})"
                " ORDER BY article_id, topic",
                chunk,
            ):
                self.topics[aid].append(topic)
            for aid, url, title in self.db.execute(
                f"SELECT article_id, url, title FROM article_attachments"
                f" WHERE article_id IN ({marks}) ORDER BY article_id, url",
                chunk,
            ):
                self.attachments[aid].append((url, title or ""))
        self.load_members(clusters)

    def load_members(self, clusters: list[str]) -> None:
        clusters = [c for c in dict.fromkeys(clusters) if c not in self.members]
        for chunk in _chunks(clusters):
            for c in chunk:
                self.members[c] = []
            for cid, aid, url, name, province in self.db.execute(
                "SELECT a.cluster_id, a.id, a.url, s.name, a.province FROM articles a"
                " LEFT JOIN sources s ON s.id = a.source_id"
                f" WHERE a.cluster_id IN ({_marks(len(chunk))}) AND a.gone_at IS NULL"
                " ORDER BY a.cluster_id, a.published, a.id",
                chunk,
            ):
                self.members[cid].append((aid, url, name or "", province))

    def attach(self, items: list[FeedItem]) -> None:
        self._load([i.article["id"] for i in items], [i.entry_id for i in items])
        for item in items:
            aid = item.article["id"]
            item.topics = list(self.topics[aid])
            item.attachments = list(self.attachments[aid])
            item.others = [
                Copy(url=url, source_name=name, province=province)
                for other, url, name, province in self.members[item.entry_id]
                if other != aid
            ]


def change_mark(db: Reader) -> int:
    """The store's change counter: `articles.seq` grows with every change that can move a feed
    (new, edited, reclassified, gone, a cluster's members re-listed)."""
    return int(db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])


class Changes(NamedTuple):
    """The articles changed after a change mark (new, edited, reclassified, gone, their
    story's copies re-listed), their clusters and their sources: an article in none of them
    renders as it did then, and a source in none has the same articles."""

    articles: set[str]
    clusters: set[str]
    sources: set[str]


def changed_since(db: Reader, since_seq: int) -> Changes:
    rows = db.execute(
        "SELECT id, cluster_id, source_id FROM articles WHERE seq > ?", (since_seq,)
    ).fetchall()
    return Changes({r[0] for r in rows}, {r[1] for r in rows}, {r[2] for r in rows})


def touched_feeds(
    db: Reader, since_seq: int, aged_from: str, aged_to: str
) -> set[tuple[str | None, str | None]]:
    """(province, topic) pairs of the feeds that may have changed: those of articles changed
    after `since_seq`, of the other copies of their stories (an entry names the other portals
    that published it: a copy taken down changes them), and of articles whose first_seen left
    the recent window between two builds (first_seen in (aged_from, aged_to]). (None, None) is
    `all`, (p, None) a province, (None, t) a topic."""
    rows = db.execute(
        "WITH moved(id) AS ("
        " SELECT id FROM articles WHERE seq > :seq"
        " UNION SELECT id FROM articles WHERE first_seen > :aged_from AND first_seen <= :aged_to"
        " UNION SELECT m.id FROM articles m WHERE m.cluster_id IN"
        " (SELECT cluster_id FROM articles WHERE seq > :seq))"
        " SELECT a.province, t.topic FROM moved JOIN articles a ON a.id = moved.id"
        " LEFT JOIN article_topics t ON t.article_id = a.id",
        {"seq": since_seq, "aged_from": aged_from, "aged_to": aged_to},
    ).fetchall()
    out: set[tuple[str | None, str | None]] = set()
    for province, topic in rows:
        out |= {(None, None), (province, None)}
        if topic:
            out |= {(None, topic), (province, topic)}
    return out


def store_created(db: Reader) -> str:
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
    db: Reader,
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


def last_activity(db: Reader) -> str | None:
    """When the last crawl run started or finished (the status page's 'as of')."""
    row = db.execute("SELECT max(coalesce(finished, started)) FROM crawl_runs").fetchone()
    return str(row[0]) if row and row[0] else None
