"""Writing articles: matching against what the store knows, then inserting or revising.

A crawled page is matched to an existing article by, in order:
1. the portal's native key (unique per source),
2. any URL the article was seen under (`article_urls`),
3. the same content (hash of the normalized text) within the province, above `MIN_HASH_CHARS`.

No match: a new article whose permanent id is a UUID derived from its first canonical URL.
A match whose normalized title or body changed: the old version goes to `revisions`, `updated`
moves, the id stays. Otherwise only `last_seen` moves. Every decision is taken inside the batch's
write transaction, so two crawls writing at once cannot both insert the same story.

Cost (bench/dedupe.py, "Ingest"): the text is normalized once per article and the signatures and
band keys of a batch computed in one numpy pass; the search rows of a batch are written together
just before COMMIT (FTS5 then writes one index segment per batch, not one per article); the WAL
is checkpointed from a thread of its own (crawler.store.db.Checkpointer), not inside COMMIT.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import sqlite_utils

from crawler import dedupe, revisit
from crawler.clock import parse_iso
from crawler.items import Article
from crawler.killpoints import kill_point
from crawler.store.db import Checkpointer, write_transaction
from crawler.textnorm import fold_letters, norm_key, norm_key_words

# Namespace of article ids: uuid5(ARTICLE_NS, first canonical URL).
ARTICLE_NS = uuid.UUID("6f1d9c52-3a57-5e0b-9d1c-2f6a7b1e8c40")
# Below this many characters of text, equal content is not trusted to be the same article
# (short notices share boilerplate wording).
MIN_HASH_CHARS = 400
# Published more than this long before first seen: backfill (store and search, not the feeds).
BACKFILL_AFTER = timedelta(days=30)


def article_id_for(url: str) -> str:
    return str(uuid.uuid5(ARTICLE_NS, url))


def content_hash(text: str) -> str:
    return _hash_key(norm_key(text))


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Keys:
    """An article's normalized forms, computed once per write (normalizing is most of the
    cost of ingest): the hash, the search index and the near-duplicate signature share them."""

    def __init__(self, a: Article):
        self.title = norm_key(a.title)
        self.summary, summary_words = norm_key_words(a.summary)
        self.text, text_words = norm_key_words(a.content_text)
        self.content_hash = _hash_key(self.text)
        # Near-duplicates compare the sapo and body, not the title: portals retitle press
        # releases ("Hội nghị …" vs "Tỉnh tổ chức hội nghị …") and print the sapo inside or
        # outside the body.
        self.dedupe_key = f"{self.summary}\n{self.text}"
        self.words = summary_words + text_words
        self.signature: np.ndarray | None = None
        self.bands: list[int] = []
        self.signed = False

    def dedupe(self) -> tuple[np.ndarray | None, frozenset[str]]:
        """Signature and dates of the sapo and body (and `bands`, the signature's LSH keys)."""
        if not self.signed:
            self.signature = dedupe.signature_of_tokens(self.words)
            self.bands = dedupe.band_keys(self.signature) if self.signature is not None else []
            self.signed = True
        return self.signature, dedupe.dates_of(self.dedupe_key)


def keys_of(articles: list[Article]) -> list[Keys]:
    """Keys of a batch, the signatures and their band keys computed in one numpy pass each."""
    keys = [Keys(a) for a in articles]
    sigs = dedupe.signatures([k.words for k in keys])
    signed = [sig for sig in sigs if sig is not None]
    rows = iter(dedupe.band_key_rows(np.stack(signed)).tolist() if signed else [])
    for k, sig in zip(keys, sigs, strict=True):
        k.signature, k.signed = sig, True
        k.bands = next(rows) if sig is not None else []
    return keys


@dataclass
class BatchResult:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0

    def add(self, other: BatchResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.unchanged += other.unchanged


def _is_backfill(published: str, first_seen: str) -> bool:
    return parse_iso(first_seen) - parse_iso(published) > BACKFILL_AFTER


class ArticleWriter:
    def __init__(self, db: sqlite_utils.Database, run_id: int | None = None):
        self.db = db
        self.run_id = run_id
        self._counters: dict[str, int] = {}
        # Rows of the open transaction written at its end, each table's in key order: one
        # statement per table instead of one per article, and the pages of their random-key
        # indexes visited in order. Read back meanwhile through `_match`, `_cluster_created`,
        # `_update_cluster` and `_refresh_validators`.
        # Search rows: docid -> (exact forms, replaces an indexed row).
        self._search: dict[int, tuple[tuple[str, str, str], bool]] = {}
        self._urls: dict[str, tuple[str, str]] = {}  # url -> (article_id, first_seen)
        # New clusters: id -> [representative, created, merged_into].
        self._clusters: dict[str, list[str | None]] = {}
        self._revisits: dict[str, revisit.Schedule] = {}  # article_id -> its new schedule
        # The band rows as the open transaction sees them (looked up per batch).
        self._bands = dedupe.BandRows(db)
        self._checkpointer: Checkpointer | None = None
        self._checkpointer_checked = False

    def write_batch(
        self, articles: list[Article], rejected: list[Article] | None = None
    ) -> BatchResult:
        """Write a batch in one transaction: all of it lands, or none of it.

        Rejected pages (validation refused them) are archived as raw pages without an article,
        so a later `vnfeeds reextract` can retry them.
        """
        result = BatchResult()
        if not articles and not rejected:
            return result
        keys = keys_of(articles)
        with self._transaction(before_commit="store.batch.commit"):
            self._bands.prefetch(band for k in keys for band in k.bands)
            for i, (article, k) in enumerate(zip(articles, keys, strict=True)):
                result.add(self._write_one(article, k))
                if i == 0:
                    kill_point("store.batch.mid")
            for page in rejected or ():
                self._archive(None, page)
        kill_point("store.batch.committed")
        return result

    @contextlib.contextmanager
    def _transaction(self, before_commit: str | None = None) -> Iterator[None]:
        """One write transaction; what is deferred to its end (the search rows, the merge of
        the near-duplicate index's new band rows) is written just before COMMIT."""
        if not self._checkpointer_checked:
            self._checkpointer = Checkpointer.of(self.db)
            self._checkpointer_checked = True
        with write_transaction(self.db):
            self._counters.clear()
            self._clear_pending()
            self._bands = dedupe.BandRows(self.db)
            try:
                yield
                self._write_pending()
                self._write_search_rows()
                self._bands.flush()
                dedupe.merge_if_due(self.db)
                if before_commit:
                    kill_point(before_commit)
            finally:
                self._clear_pending()
        if self._checkpointer is not None:
            self._checkpointer.poke()

    def _clear_pending(self) -> None:
        self._search.clear()
        self._urls.clear()
        self._clusters.clear()
        self._revisits.clear()

    def _write_pending(self) -> None:
        conn = self.db.conn
        if self._urls:
            conn.executemany(
                "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
                [(url, *row) for url, row in sorted(self._urls.items())],
            )
        if self._clusters:
            conn.executemany(
                "INSERT INTO clusters (id, representative, created, merged_into)"
                " VALUES (?, ?, ?, ?)",
                [(cid, *row) for cid, row in sorted(self._clusters.items())],
            )
        if self._revisits:
            revisit.insert_schedules(self.db, [self._revisits[k] for k in sorted(self._revisits)])

    # -- matching -------------------------------------------------------------------------

    def _match(self, a: Article, chash: str, text_length: int) -> tuple[str | None, str]:
        q = self.db.conn.execute
        if a.native_key:
            row = q(
                "SELECT id FROM articles WHERE source_id = ? AND native_key = ?",
                (a.source_id, a.native_key),
            ).fetchone()
            if row:
                return row[0], "native_key"
        for url in dict.fromkeys([a.url, *a.urls]):
            row = q("SELECT article_id FROM article_urls WHERE url = ?", (url,)).fetchone()
            if row:
                return row[0], "url"
            pending = self._urls.get(url)
            if pending:
                return pending[0], "url"
        if text_length >= MIN_HASH_CHARS:
            row = q(
                "SELECT id FROM articles WHERE province = ? AND content_hash = ? "
                "ORDER BY first_seen, id LIMIT 1",
                (a.province, chash),
            ).fetchone()
            if row:
                return row[0], "content_hash"
        return None, ""

    # -- writing --------------------------------------------------------------------------

    def _next(self, column: str) -> int:
        """The next value of a counter column (seq, docid). Read once per write transaction
        (BEGIN IMMEDIATE: no other writer moves it meanwhile), then counted here."""
        value = self._counters.get(column)
        if value is None:
            value = int(
                self.db.execute(f"SELECT coalesce(max({column}), 0) FROM articles").fetchone()[0]
            )
        self._counters[column] = value + 1
        return value + 1

    def _next_seq(self) -> int:
        return self._next("seq")

    def _write_one(self, a: Article, keys: Keys) -> BatchResult:
        text_length = len(a.content_text)
        existing_id, how = self._match(a, keys.content_hash, text_length)
        if existing_id is None:
            self._insert(a, keys, text_length)
            return BatchResult(new=1)
        changed = self._update(existing_id, a, keys)
        if how == "content_hash":
            return BatchResult(duplicates=1)
        return BatchResult(updated=1) if changed else BatchResult(unchanged=1)

    def _insert(self, a: Article, keys: Keys, text_length: int) -> None:
        article_id = article_id_for(a.url)
        seen = a.fetched_at
        published = a.published or seen
        published_source = a.published_source or "first_seen"
        docid = self._next("docid")
        self.db.conn.execute(
            """
            INSERT INTO articles (id, docid, url, source_id, native_key, province, province_then,
                title, summary, content_html, content_text, author, published, published_source,
                updated, first_seen, last_seen, gone_at, section_url, image_url, content_hash,
                title_key, text_length, backfill, cluster_id, first_run_id, last_run_id, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?,
                ?, ?, ?)
            """,
            (
                article_id,
                docid,
                a.url,
                a.source_id,
                a.native_key,
                a.province,
                a.province_then,
                a.title,
                a.summary,
                a.content_html,
                a.content_text,
                a.author,
                published,
                published_source,
                published,
                seen,
                seen,
                a.section_url,
                a.image_url,
                keys.content_hash,
                keys.title,
                text_length,
                int(_is_backfill(published, seen)),
                article_id,
                self.run_id,
                self.run_id,
                self._next_seq(),
            ),
        )
        self._add_urls(article_id, a, seen)
        self._add_topics(article_id, a)
        if a.attachments:
            self._set_attachments(article_id, a)
        self._index(docid, keys)
        self._archive(article_id, a)
        self._cluster(article_id, docid, keys, seen)
        self._revisits[article_id] = revisit.new_schedule(
            article_id, a.url, seen, a.raw.headers if a.raw else None
        )

    # -- near-duplicate clusters ----------------------------------------------------------

    def _cluster(self, article_id: str, docid: int, keys: Keys, seen: str) -> None:
        """Put a new article in the cluster of its near-duplicates, or in a new one.

        A cluster's id is its first member's id and never changes; when the new article
        matches several clusters they merge into the oldest; the representative (the copy
        aggregated feeds link to) is the earliest-published member."""
        sig, dates = keys.dedupe()
        bands = keys.bands
        matches = (
            dedupe.near_duplicates(
                self.db, sig, self._bands, exclude=docid, dates=dates, bands=bands
            )
            if sig is not None
            else []
        )
        clusters: list[str] = []
        for match_doc, _score in matches:
            row = self.db.execute(
                "SELECT cluster_id FROM articles WHERE docid = ?", (match_doc,)
            ).fetchone()
            if row and row[0] not in clusters:
                clusters.append(row[0])
        if not clusters:
            self._clusters[article_id] = [article_id, seen, None]
        else:
            created = {c: self._cluster_created(c) for c in clusters}
            target = min(clusters, key=lambda c: (created[c], c))
            for other in clusters:
                if other != target:
                    self._update_cluster(other, "merged_into", target)
                    self.db.execute(
                        "UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (target, other)
                    )
            self.db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (target, article_id))
            self._elect_representative(target)
        if sig is not None:
            dedupe.index(self.db, docid, sig, seen, dates, bands=bands, new=True, rows=self._bands)

    def _cluster_created(self, cluster_id: str) -> str:
        pending = self._clusters.get(cluster_id)
        if pending is not None:
            return str(pending[1])
        row = self.db.execute("SELECT created FROM clusters WHERE id = ?", (cluster_id,))
        return str(row.fetchone()[0])

    def _update_cluster(self, cluster_id: str, column: str, value: str) -> None:
        pending = self._clusters.get(cluster_id)
        if pending is not None:
            pending[("representative", "created", "merged_into").index(column)] = value
        else:
            self.db.execute(f"UPDATE clusters SET {column} = ? WHERE id = ?", (value, cluster_id))

    def _elect_representative(self, cluster_id: str) -> None:
        """The earliest-published copy represents the story; every member is marked changed
        (its feed entry now lists the other portals)."""
        rep = self.db.execute(
            "SELECT id FROM articles WHERE cluster_id = ? ORDER BY published, first_seen, id"
            " LIMIT 1",
            (cluster_id,),
        ).fetchone()[0]
        self._update_cluster(cluster_id, "representative", rep)
        for (member,) in self.db.execute(
            "SELECT id FROM articles WHERE cluster_id = ? ORDER BY id", (cluster_id,)
        ).fetchall():
            self.db.execute("UPDATE articles SET seq = ? WHERE id = ?", (self._next_seq(), member))

    _OLD = (
        "docid, title, title_key, summary, content_html, content_text, author, published, "
        "content_hash, first_seen, last_seen, gone_at"
    )

    def _replace_content(
        self,
        article_id: str,
        old: sqlite3.Row,
        a: Article,
        keys: Keys,
        *,
        reason: str,
        seen: str,
    ) -> None:
        """Keep the current version in `revisions`, then store the new one.

        reason "edit": the portal changed the article; `updated` and `last_seen` move.
        reason "reextract": our extraction changed; the portal did not, so `updated` stays."""
        self.db.execute(
            "INSERT INTO revisions (article_id, fetched_at, replaced_at, content_hash, title,"
            " summary, content_html, content_text, author, published, run_id, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                old["last_seen"],
                seen,
                old["content_hash"],
                old["title"],
                old["summary"],
                old["content_html"],
                old["content_text"],
                old["author"],
                old["published"],
                self.run_id,
                reason,
            ),
        )
        new_published = a.published or old["published"]
        edit = reason == "edit"
        self.db.execute(
            f"""
            UPDATE articles SET title = ?, summary = ?, content_html = ?, content_text = ?,
                author = ?, published = ?, published_source = coalesce(?, published_source),
                image_url = coalesce(?, image_url), content_hash = ?, title_key = ?,
                text_length = ?, backfill = ?, seq = ?
                {", updated = ?, last_seen = ?, last_run_id = ?, gone_at = NULL" if edit else ""}
            WHERE id = ?
            """,
            (
                a.title,
                a.summary,
                a.content_html,
                a.content_text,
                a.author,
                new_published,
                a.published_source if a.published else None,
                a.image_url,
                keys.content_hash,
                keys.title,
                len(a.content_text),
                int(_is_backfill(new_published, old["first_seen"])),
                self._next_seq(),
                *((seen, seen, self.run_id) if edit else ()),
                article_id,
            ),
        )
        self._set_attachments(article_id, a)
        self._index(old["docid"], keys, replace=True)
        sig, dates = keys.dedupe()
        if sig is not None:
            # The cluster stays (ids are permanent); matching uses the current text.
            dedupe.index(
                self.db,
                old["docid"],
                sig,
                old["first_seen"],
                dates,
                bands=keys.bands,
                rows=self._bands,
            )

    def _old(self, article_id: str) -> sqlite3.Row:
        cur = self.db.conn.execute(f"SELECT {self._OLD} FROM articles WHERE id = ?", (article_id,))
        cur.row_factory = sqlite3.Row
        row: sqlite3.Row = cur.fetchone()
        return row

    def _update(self, article_id: str, a: Article, keys: Keys) -> bool:
        """Apply a re-fetched page to a known article; True when it was a real edit."""
        old = self._old(article_id)
        seen = a.fetched_at
        self._add_urls(article_id, a, seen)
        topics_changed = self._add_topics(article_id, a)
        self._archive(article_id, a)
        if old["gone_at"] is not None:
            # Taken down, now found again: its revisits start over, at the URL it is back at.
            revisit.restart(self.db, article_id, a.url, seen, a.raw.headers if a.raw else None)
        elif a.raw is not None:
            self._refresh_validators(article_id, a.raw.headers)
        edited = keys.title != old["title_key"] or keys.content_hash != old["content_hash"]
        if edited and seen >= old["last_seen"]:
            self._replace_content(article_id, old, a, keys, reason="edit", seen=seen)
            return True
        # A new topic, or an article taken down that is back: its feeds change (a new seq
        # tells the next build to render them).
        moved = topics_changed or old["gone_at"] is not None
        self.db.execute(
            "UPDATE articles SET last_seen = max(last_seen, ?), last_run_id = ?, gone_at = NULL"
            + (", seq = ?" if moved else "")
            + " WHERE id = ?",
            (seen, self.run_id, *((self._next_seq(),) if moved else ()), article_id),
        )
        return False

    def reextracted(self, article_id: str, a: Article, now: str) -> bool:
        """Store a new extraction of an archived page (after a selector or extractor fix).

        Only a change of the normalized title or text is written (the old version goes to
        `revisions` with reason "reextract"); classified topics are recomputed; `updated`,
        `first_seen` and the id stay: the portal did not edit the article."""
        old = self._old(article_id)
        keys = Keys(a)
        changed = keys.title != old["title_key"] or keys.content_hash != old["content_hash"]
        with self._transaction():
            if changed:
                self._replace_content(article_id, old, a, keys, reason="reextract", seen=now)
            rules = {t for t, origin in a.topics.items() if origin == "rule"}
            current = {
                r[0]
                for r in self.db.execute(
                    "SELECT topic FROM article_topics WHERE article_id = ? AND origin = 'rule'",
                    (article_id,),
                )
            }
            if rules != current:
                self.db.execute(
                    "DELETE FROM article_topics WHERE article_id = ? AND origin = 'rule'",
                    (article_id,),
                )
                self._add_topics(article_id, a)
                if not changed:
                    self.db.execute(
                        "UPDATE articles SET seq = ? WHERE id = ?", (self._next_seq(), article_id)
                    )
        return changed or rules != current

    def _refresh_validators(self, article_id: str, headers: dict[str, str]) -> None:
        pending = self._revisits.get(article_id)
        if pending is None:
            revisit.refresh_validators(self.db, article_id, headers)
            return
        etag, modified = revisit.validators(headers)
        self._revisits[article_id] = (*pending[:3], etag or pending[3], modified or pending[4])

    def _add_urls(self, article_id: str, a: Article, seen: str) -> None:
        # INSERT OR IGNORE at the end of the transaction: a URL already stored keeps its article.
        for url in dict.fromkeys([a.url, *a.urls]):
            self._urls.setdefault(url, (article_id, seen))

    def _add_topics(self, article_id: str, a: Article) -> bool:
        added = 0
        for topic, origin in sorted(a.topics.items()):
            cur = self.db.execute(
                "INSERT OR IGNORE INTO article_topics (article_id, topic, origin) VALUES (?, ?, ?)",
                (article_id, topic, origin),
            )
            added += cur.rowcount
        return added > 0

    def _set_attachments(self, article_id: str, a: Article) -> None:
        self.db.execute("DELETE FROM article_attachments WHERE article_id = ?", (article_id,))
        for att in a.attachments:
            self.db.execute(
                "INSERT OR IGNORE INTO article_attachments (article_id, url, title)"
                " VALUES (?, ?, ?)",
                (article_id, att.url, att.title),
            )

    def _index(self, docid: int, keys: Keys, replace: bool = False) -> None:
        """Queue the article's search rows; they are written at the end of the transaction.

        FTS5 keeps the rows inserted in a transaction in memory and writes them out as one
        segment at COMMIT, unless a statement savepoint comes first: then it writes out what it
        holds. Every statement that fires a trigger opens one (the topic_window triggers on
        `articles` and `article_topics`), so rows inserted one article at a time were written
        one segment per article, and each segment merged again later."""
        earlier = self._search.get(docid)
        self._search[docid] = (
            (keys.title, keys.summary, keys.text),
            replace if earlier is None else earlier[1],
        )

    def _write_search_rows(self) -> None:
        if not self._search:
            return
        rows = sorted(self._search.items())
        old = [(docid,) for docid, (_, replace) in rows if replace]
        exact = [(docid, *forms) for docid, (forms, _) in rows]
        # The folded table's tokenizer drops the diacritics itself (remove_diacritics 2);
        # only đ, a letter of its own in Unicode, is folded here (see textnorm.fold).
        folded = [(docid, *(fold_letters(f) for f in forms)) for docid, (forms, _) in rows]
        for table, values in (("search_exact", exact), ("search_folded", folded)):
            if old:
                self.db.conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", old)
            self.db.conn.executemany(
                f"INSERT INTO {table} (rowid, title, summary, body) VALUES (?, ?, ?, ?)", values
            )

    def _archive(self, article_id: str | None, a: Article) -> None:
        raw = a.raw
        if raw is None:
            return
        self.db.execute(
            "INSERT INTO raw_pages (article_id, source_id, url, run_id, fetched_at, status,"
            " headers, encoding, body_sha256, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                a.source_id,
                raw.url,
                self.run_id,
                raw.fetched_at,
                raw.status,
                json.dumps(raw.headers, ensure_ascii=False, sort_keys=True),
                raw.encoding,
                hashlib.sha256(raw.body).hexdigest(),
                zlib.compress(raw.body, 6),
            ),
        )
