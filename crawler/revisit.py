"""Revisiting known articles to catch edits and removals.

Portals edit articles after publishing them (a corrected figure, a title reworded, a photo
added) and sometimes take them down. A crawl only fetches links it does not know, so every
article is also revisited on a schedule of growing intervals after it was first seen: about an
hour (typos are fixed fast), a day, a week; then never again. A revisit is a conditional GET
(If-None-Match / If-Modified-Since from the last response), so an unchanged article costs the
portal a 304 where it supports them.

Outcomes (recorded in `revisits`, one row per article):
- 304, or a 200 whose text is the same: nothing changes but the schedule.
- 200 with another normalized title or text: the writer keeps the old version in `revisions`
  and moves `updated` (the feeds show the new version under the same id).
- 410 Gone: `gone_at` is set (the feeds drop the article).
- 404, or a redirect to the site's home or a list page (how many portals answer a removed
  article): `gone_at` after the second such answer an hour apart (a portal's bad minute must
  not remove an article), the first one only schedules the confirmation.
- Anything else (5xx, timeouts): the same step is tried again at the next crawl.

A gone article is checked twice more, a week and a month after it went (`RETURN_CHECKS`),
with a plain GET: portals restore articles taken down by mistake, and a crawl never fetches a
link it knows. An answer with the article brings it back through the writer; a removal again
schedules the next check and changes nothing else (its `gone_at` and the feeds stay).

An article taken down and then found again (by a check, or by a crawl under another URL)
starts its schedule over from that moment, at its current URL: a portal that removed an
article once may edit or remove it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlite_utils

from crawler.clock import iso, parse_iso
from crawler.store.db import write_transaction
from crawler.urls import canonicalize

# Delays after first_seen for step 0, 1, 2; after the last step there is no next revisit.
SCHEDULE = (timedelta(hours=1), timedelta(days=1), timedelta(days=7))
CONFIRM_GONE_AFTER = timedelta(hours=1)
# Delays after gone_at of the checks for a gone article's return; then it is not fetched again.
RETURN_CHECKS = (timedelta(days=7), timedelta(days=30))


@dataclass(frozen=True)
class Due:
    article_id: str
    url: str
    etag: str | None
    last_modified: str | None
    step: int
    strikes: int
    gone: bool = False  # a check for the return of a gone article


def next_at(since: str, step: int) -> str | None:
    """When step `step` of a schedule that started at `since` (the article's first sight, or
    its return after a removal) falls due (None: done)."""
    if step >= len(SCHEDULE):
        return None
    return iso(parse_iso(since) + SCHEDULE[step])


def return_check_after(gone_at: str, now: datetime) -> str | None:
    """The next check for the return of an article gone at `gone_at` (None: no more)."""
    start = parse_iso(gone_at)
    for delay in RETURN_CHECKS:
        if start + delay > now:
            return iso(start + delay)
    return None


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


# A new article's schedule: article_id, url, next_at, etag, last_modified.
Schedule = tuple[str, str, str | None, str | None, str | None]


def new_schedule(
    article_id: str, url: str, first_seen: str, headers: dict[str, str] | None
) -> Schedule:
    """The schedule of a newly stored article, as a row for `insert_schedules` (the writer
    inserts a batch's rows together, inside its transaction)."""
    etag, modified = validators(headers)
    return (article_id, url, next_at(first_seen, 0), etag, modified)


def insert_schedules(db: sqlite_utils.Database, rows: list[Schedule]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO revisits (article_id, url, step, next_at, strikes, etag,"
        " last_modified, last_checked, last_status) VALUES (?, ?, 0, ?, 0, ?, ?, NULL, NULL)",
        rows,
    )


def restart(
    db: sqlite_utils.Database,
    article_id: str,
    url: str,
    seen: str,
    headers: dict[str, str] | None,
) -> None:
    """Start an article's schedule over (it was gone and is back, seen at `seen` under `url`):
    step 0 an hour after `seen`, no strikes, the newest validators."""
    etag, modified = validators(headers)
    db.execute(
        "INSERT INTO revisits (article_id, url, step, next_at, strikes, etag, last_modified,"
        " last_checked, last_status, since) VALUES (?, ?, 0, ?, 0, ?, ?, NULL, NULL, ?)"
        " ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, step = 0,"
        " next_at = excluded.next_at, strikes = 0, since = excluded.since,"
        " etag = coalesce(excluded.etag, etag),"
        " last_modified = coalesce(excluded.last_modified, last_modified)",
        (article_id, url, next_at(seen, 0), etag, modified, seen),
    )


def refresh_validators(
    db: sqlite_utils.Database, article_id: str, headers: dict[str, str] | None
) -> None:
    """Keep the newest ETag / Last-Modified of an article for its next conditional GET."""
    etag, modified = validators(headers)
    if etag or modified:
        db.execute(
            "UPDATE revisits SET etag = coalesce(?, etag), last_modified = coalesce(?,"
            " last_modified) WHERE article_id = ?",
            (etag, modified, article_id),
        )


def validators(headers: dict[str, str] | None) -> tuple[str | None, str | None]:
    """ETag and Last-Modified of a response's headers (any case)."""
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    return lower.get("etag") or None, lower.get("last-modified") or None


def due(db: sqlite_utils.Database, source_id: str, now: datetime, limit: int) -> list[Due]:
    """Revisits of this source due now, the most overdue first (a gone article's are the
    checks for its return)."""
    rows = db.execute(
        "SELECT r.article_id, r.url, r.etag, r.last_modified, r.step, r.strikes,"
        " a.gone_at IS NOT NULL FROM revisits r JOIN articles a ON a.id = r.article_id"
        " WHERE a.source_id = ? AND r.next_at IS NOT NULL AND r.next_at <= ?"
        " ORDER BY r.next_at, r.article_id LIMIT ?",
        (source_id, iso(now), limit),
    ).fetchall()
    return [Due(r[0], r[1], r[2], r[3], r[4], r[5], gone=bool(r[6])) for r in rows]


def request_headers(visit: Due) -> dict[str, str]:
    """A revisit's conditional headers; none for a return check (a 304 would say the article
    is back without its text, which the writer needs to bring it back)."""
    return {} if visit.gone else conditional_headers(visit.etag, visit.last_modified)


def looks_removed(requested: str, final: str, homepage: str, sections: list[str]) -> bool:
    """A revisit redirected to the site's home or one of its list pages: the article is gone
    (portals answer a deleted article that way more often than with a 404)."""
    if canonicalize(final) == canonicalize(requested):
        return False
    path = urlsplit(final).path.rstrip("/")
    if path in {"", "/index.html", "/index.php", "/default.aspx", "/trang-chu"}:
        return True
    targets = {canonicalize(u) for u in [homepage, *sections]}
    return canonicalize(final) in targets


def record(
    db: sqlite_utils.Database,
    visit: Due,
    now: datetime,
    *,
    status: int,
    headers: dict[str, str] | None = None,
    removed: bool = False,
) -> str:
    """Record a revisit's answer; returns the outcome ("unchanged", "fetched", "gone",
    "strike", "retry", or "still-gone" for a return check that found it still removed)."""
    stamp = iso(now)
    since_row = db.execute(
        "SELECT coalesce(r.since, a.first_seen), a.gone_at FROM articles a"
        " LEFT JOIN revisits r ON r.article_id = a.id WHERE a.id = ?",
        (visit.article_id,),
    ).fetchone()
    if since_row is None:
        return "retry"
    since, gone_at = since_row
    gone = status == 410 or ((status == 404 or removed) and visit.strikes >= 1)
    with write_transaction(db):
        if gone_at is not None and (status in (404, 410) or removed):
            # A return check: still gone. Only the next check moves (no new seq: the
            # article's feeds did not change).
            db.execute(
                "UPDATE revisits SET next_at = ?, last_checked = ?, last_status = ?"
                " WHERE article_id = ?",
                (return_check_after(gone_at, now), stamp, status, visit.article_id),
            )
            return "still-gone"
        if gone:
            db.execute(
                "UPDATE articles SET gone_at = ?, seq ="
                " (SELECT coalesce(max(seq), 0) + 1 FROM articles) WHERE id = ?",
                (stamp, visit.article_id),
            )
            db.execute(
                "UPDATE revisits SET next_at = ?, last_checked = ?, last_status = ?,"
                " strikes = strikes + 1 WHERE article_id = ?",
                (iso(now + RETURN_CHECKS[0]), stamp, status, visit.article_id),
            )
            return "gone"
        if status == 404 or removed:
            db.execute(
                "UPDATE revisits SET next_at = ?, last_checked = ?, last_status = ?,"
                " strikes = strikes + 1 WHERE article_id = ?",
                (iso(now + CONFIRM_GONE_AFTER), stamp, status, visit.article_id),
            )
            return "strike"
        if status in (200, 304):
            etag, modified = validators(headers) if status == 200 else (None, None)
            step = visit.step + 1
            db.execute(
                "UPDATE revisits SET step = ?, next_at = ?, strikes = 0, last_checked = ?,"
                " last_status = ?, etag = coalesce(?, etag),"
                " last_modified = coalesce(?, last_modified) WHERE article_id = ?",
                (step, next_at(since, step), stamp, status, etag, modified, visit.article_id),
            )
            return "unchanged" if status == 304 else "fetched"
        db.execute(
            "UPDATE revisits SET last_checked = ?, last_status = ? WHERE article_id = ?",
            (stamp, status, visit.article_id),
        )
        return "retry"
