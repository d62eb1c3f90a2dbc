"""Source health and alert episodes, from `crawl_runs` and the articles.

Per source: the last run and the last success, new articles per run, field coverage (share of
recent articles with a date, an author, a body), the error rate over 30 days, and the usual
publishing cadence learned from the source's own history (the median gap between consecutive
articles). From those, five kinds of alert:

- `failing`: the last `alert_failures` finished runs all failed (failed, timeout, interrupted);
- `broken`: the last run read a list page that answered 200 but its list container or items were
  missing — the layout changed; "no new articles" is not this;
- `silent`: as of the last crawl, no new article for longer than `silent_factor` × the usual
  gap, and at least `silent_floor`, while the crawls themselves succeed;
- `degraded`: the share of recent articles with a date, author or body fell well below the
  source's earlier share;
- `gap`: the last run could not read older list pages (articles listed only there may be missed).

An alert is an episode with a permanent id (a UUID from source, kind and the moment it opened): it
opens once, stays open while the condition holds, and closes when the source recovers. `evaluate`
updates the `alerts` table; everything else here only reads.
"""

from __future__ import annotations

import itertools
import json
import statistics
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crawler.clock import iso, parse_iso
from crawler.store.db import Reader, write_transaction

if TYPE_CHECKING:
    import sqlite_utils

KINDS = ("failing", "broken", "silent", "degraded", "gap")
FAILED = ("failed", "timeout", "interrupted")
SUCCEEDED = ("ok", "partial")
ALERT_NS = uuid.UUID("6f1d2c3e-8a47-5b0e-9c1d-7e2f3a4b5c6d")
CHART_DAYS = 30
COVERAGE_RECENT = 20  # articles
COVERAGE_BASELINE = 100  # articles before the recent ones
COVERAGE_DROP = 0.3  # a drop of this share (e.g. 0.9 -> 0.55) is "degraded"
CADENCE_ARTICLES = 40


@dataclass(frozen=True)
class Thresholds:
    failures: int = 3
    silent_factor: float = 5.0
    silent_floor: timedelta = timedelta(days=3)

    @classmethod
    def from_config(cls, config: Any) -> Thresholds:
        from crawler.clock import parse_duration

        return cls(
            failures=max(1, int(config.alert_failures)),
            silent_factor=float(config.silent_factor),
            silent_floor=parse_duration(str(config.silent_floor)),
        )


def _stats(value: Any) -> dict[str, Any]:
    try:
        out = json.loads(value) if value else {}
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def _finished_runs(db: Reader, source_id: str, limit: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, started, finished, status, pages, new, updated, errors, dropped, message,"
            " stats FROM crawl_runs WHERE source_id = ? AND status != 'running'"
            " ORDER BY id DESC LIMIT ?",
            [source_id, limit],
        )
    )


def cadence(db: Reader, source_id: str) -> timedelta | None:
    """The usual gap between two articles of the source: the median of the gaps between the
    publication times of its latest articles (None with fewer than 5 dated articles)."""
    times = sorted(
        {
            parse_iso(r[0])
            for r in db.execute(
                "SELECT published FROM articles WHERE source_id = ? AND published IS NOT NULL"
                " ORDER BY published DESC LIMIT ?",
                (source_id, CADENCE_ARTICLES),
            )
        }
    )
    if len(times) < 5:
        return None
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    return timedelta(seconds=max(60.0, statistics.median(gaps)))


def coverage(rows: Iterable[tuple[Any, Any, Any]]) -> dict[str, float] | None:
    """Shares of (published, author, body) present among rows; None when there are none."""
    items = list(rows)
    if not items:
        return None
    n = len(items)
    return {
        "date": sum(1 for p, _, _ in items if p) / n,
        "author": sum(1 for _, a, _ in items if a and str(a).strip()) / n,
        "body": sum(1 for _, _, b in items if b and int(b) >= 200) / n,
    }


def _coverage_windows(
    db: Reader, source_id: str
) -> tuple[dict[str, float] | None, dict[str, float] | None, int, int]:
    rows = db.execute(
        "SELECT published, author, text_length FROM articles WHERE source_id = ?"
        " ORDER BY first_seen DESC, docid DESC LIMIT ?",
        (source_id, COVERAGE_RECENT + COVERAGE_BASELINE),
    ).fetchall()
    recent, baseline = rows[:COVERAGE_RECENT], rows[COVERAGE_RECENT:]
    return coverage(recent), coverage(baseline), len(recent), len(baseline)


def per_day(db: Reader, source_id: str, now: datetime) -> list[int]:
    """Articles published per day over the last CHART_DAYS days, oldest first."""
    start = (now - timedelta(days=CHART_DAYS - 1)).date()
    counts = [0] * CHART_DAYS
    for day, n in db.execute(
        "SELECT substr(published, 1, 10) AS day, count(*) FROM articles"
        " WHERE source_id = ? AND published >= ? GROUP BY day",
        (source_id, start.isoformat()),
    ):
        try:
            i = (datetime.fromisoformat(day).date() - start).days
        except ValueError:
            continue
        if 0 <= i < CHART_DAYS:
            counts[i] += int(n)
    return counts


def article_stats(db: Reader, source_id: str) -> dict[str, Any]:
    """What a source's report takes from its articles (and nothing else: unchanged articles,
    same figures; a build keeps them between builds for the sources whose articles did not
    change)."""
    # Three queries, not one: alone, each is answered by an index (the max() ones by one
    # lookup), together they read every index entry of the source twice over.
    articles, newest_seen, newest_published = (
        db.execute(
            f"SELECT {aggregate} FROM articles WHERE source_id = ?", (source_id,)
        ).fetchone()[0]
        for aggregate in ("count(*)", "max(first_seen)", "max(published)")
    )
    usual = cadence(db, source_id)
    recent_cov, base_cov, n_recent, n_base = _coverage_windows(db, source_id)
    return {
        "articles": articles,
        "newest_seen": newest_seen,
        "newest_published": newest_published,
        "usual": usual.total_seconds() if usual is not None else None,
        "recent_coverage": recent_cov,
        "baseline_coverage": base_cov,
        "recent": n_recent,
        "baseline": n_base,
    }


def source_report(
    db: Reader,
    source: dict[str, Any],
    now: datetime,
    t: Thresholds,
    known: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the health of one source is judged on, and the alert conditions it meets.
    `known`: its `article_stats`, when the caller has them."""
    sid = str(source["id"])
    runs = _finished_runs(db, sid, 50)
    running = db.execute(
        "SELECT id, started FROM crawl_runs WHERE source_id = ? AND status = 'running'"
        " ORDER BY id DESC LIMIT 1",
        (sid,),
    ).fetchone()
    last = runs[0] if runs else None
    streak = 0
    for run in runs:
        if run["status"] not in FAILED:
            break
        streak += 1
    last_success = next((r for r in runs if r["status"] in SUCCEEDED), None)
    month_ago = iso(now - timedelta(days=30))
    month = [r for r in runs if (r["started"] or "") >= month_ago]
    error_rate = (sum(1 for r in month if r["status"] in FAILED) / len(month)) if month else None
    good = [int(r["new"] or 0) for r in runs[:20] if r["status"] in SUCCEEDED]
    stats = article_stats(db, sid) if known is None else known
    articles, newest_seen, newest_published = (
        stats["articles"],
        stats["newest_seen"],
        stats["newest_published"],
    )
    usual = timedelta(seconds=stats["usual"]) if stats["usual"] is not None else None
    recent_cov, base_cov = stats["recent_coverage"], stats["baseline_coverage"]
    n_recent, n_base = stats["recent"], stats["baseline"]

    conditions: dict[str, str] = {}
    if streak >= t.failures and last is not None:
        lines = (last["message"] or "").splitlines()
        conditions["failing"] = (
            f"{streak} lần chạy lỗi liên tiếp ({streak} failed runs in a row): "
            f"{last['status']}: {lines[0][:300] if lines else ''}"
        )
    last_stats = _stats(last["stats"]) if last else {}
    if last is not None and last_stats.get("broken_lists"):
        pages = ", ".join(last_stats["broken_lists"][:3])
        conditions["broken"] = (
            "trang danh sách trả lời 200 nhưng không còn khung danh sách/bài "
            f"(list page answered but its list container or items are missing): {pages}"
        )
    if last is not None and last_stats.get("gap_pages"):
        pages = ", ".join(last_stats["gap_pages"][:3])
        conditions["gap"] = (
            "không đọc được các trang danh sách cũ hơn, có thể sót bài "
            f"(older list pages unreachable, articles may be missed): {pages}"
        )
    if (
        usual is not None
        and newest_seen
        and last is not None
        and last["status"] in SUCCEEDED
        and "broken" not in conditions
    ):
        # Measured as of the last crawl (what it found), not of the clock of whoever asks.
        limit = max(t.silent_floor, usual * t.silent_factor)
        quiet = parse_iso(last["started"]) - parse_iso(newest_seen)
        if quiet > limit:
            conditions["silent"] = (
                f"không có bài mới từ {newest_seen[:16].replace('T', ' ')} "
                f"(no new article for {quiet.days} d {quiet.seconds // 3600} h; usual gap "
                f"{_span(usual)}, limit {_span(limit)})"
            )
    if recent_cov and base_cov and n_recent >= 10 and n_base >= 20:
        drops = [
            f"{field} {base_cov[field]:.0%} → {recent_cov[field]:.0%}"
            for field in ("date", "author", "body")
            if base_cov[field] >= 0.5 and base_cov[field] - recent_cov[field] >= COVERAGE_DROP
        ]
        if drops:
            conditions["degraded"] = (
                "tỉ lệ bài có đủ trường giảm (field coverage dropped): " + ", ".join(drops)
            )

    state = "never"
    if running:
        state = "running"
    elif last is not None:
        state = str(last["status"])
    return {
        "id": sid,
        "name": source.get("name"),
        "province": source.get("province"),
        "homepage": source.get("homepage"),
        "platform": source.get("platform"),
        "enabled": bool(source.get("enabled", True)),
        "state": state,
        "last_run": (
            {k: last[k] for k in ("id", "started", "finished", "status", "new", "message")}
            if last
            else None
        ),
        "last_success": last_success["finished"] if last_success else None,
        "consecutive_failures": streak,
        "runs_30d": len(month),
        "error_rate_30d": error_rate,
        "new_per_run": statistics.median(good) if good else None,
        "articles": int(articles or 0),
        "newest_seen": newest_seen,
        "newest_published": newest_published,
        "usual_gap_hours": round(usual.total_seconds() / 3600, 2) if usual else None,
        "coverage": recent_cov,
        "per_day": per_day(db, sid, now),
        "conditions": conditions,
    }


def _span(d: timedelta) -> str:
    hours = d.total_seconds() / 3600
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"


def _sources(db: Reader, registry: Any | None) -> list[dict[str, Any]]:
    """Sources of the registry (enabled ones; their config as now) and of the store."""
    rows: dict[str, dict[str, Any]] = {
        r["id"]: dict(r)
        for r in db.query("SELECT id, province, name, homepage, platform, enabled FROM sources")
    }
    if registry is not None:
        for s in registry:
            rows[s.id] = {
                "id": s.id,
                "province": s.province,
                "name": s.name,
                "homepage": s.homepage,
                "platform": s.platform,
                "enabled": s.enabled,
            }
    return [rows[k] for k in sorted(rows)]


def reports(
    db: Reader,
    now: datetime,
    t: Thresholds | None = None,
    registry: Any | None = None,
    stats: Callable[[str], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every source's report; `stats`: a source's `article_stats` (e.g. kept by a build)."""
    thresholds = t or Thresholds()
    return [
        source_report(db, s, now, thresholds, stats(str(s["id"])) if stats else None)
        for s in _sources(db, registry)
    ]


def episode_id(source_id: str, kind: str, opened: str, run_id: int | None) -> str:
    return str(uuid.uuid5(ALERT_NS, f"{source_id}:{kind}:{opened}:{run_id}"))


def evaluate(
    db: sqlite_utils.Database,
    now: datetime,
    t: Thresholds | None = None,
    registry: Any | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, list[str]]:
    """Open the alert episodes whose condition now holds and close those that recovered.
    Returns the ids opened and closed. Sources disabled in the registry have their alerts
    closed (an operator turned them off)."""
    thresholds = t or Thresholds()
    wanted = set(only) if only is not None else None
    stamp = iso(now)
    opened: list[str] = []
    closed: list[str] = []
    for source in _sources(db, registry):
        if wanted is not None and source["id"] not in wanted:
            continue
        report = source_report(db, source, now, thresholds)
        conditions = report["conditions"] if report["enabled"] else {}
        last_run = report["last_run"]["id"] if report["last_run"] else None
        with write_transaction(db):
            current = {
                row[1]: row[0]
                for row in db.execute(
                    "SELECT id, kind FROM alerts WHERE source_id = ? AND closed IS NULL",
                    (source["id"],),
                )
            }
            for kind, detail in conditions.items():
                if kind in current:
                    db.execute(
                        "UPDATE alerts SET last_checked = ? WHERE id = ?", (stamp, current[kind])
                    )
                    continue
                aid = episode_id(source["id"], kind, stamp, last_run)
                evidence = None
                if kind == "broken" and last_run is not None:
                    row = db.execute(
                        "SELECT max(id) FROM raw_pages WHERE run_id = ? AND article_id IS NULL"
                        " AND source_id = ?",
                        (last_run, source["id"]),
                    ).fetchone()
                    evidence = row[0] if row else None
                db.execute(
                    "INSERT OR IGNORE INTO alerts (id, source_id, kind, opened, closed, run_id,"
                    " detail, last_checked, evidence) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)",
                    (aid, source["id"], kind, stamp, last_run, detail, stamp, evidence),
                )
                opened.append(aid)
            for kind, aid in current.items():
                if kind not in conditions:
                    db.execute(
                        "UPDATE alerts SET closed = ?, last_checked = ? WHERE id = ?",
                        (stamp, stamp, aid),
                    )
                    closed.append(aid)
    return {"opened": opened, "closed": closed}


def alerts(
    db: Reader, now: datetime, keep_closed: timedelta = timedelta(days=30)
) -> list[dict[str, Any]]:
    """Open episodes and those closed within `keep_closed`, newest change first."""
    since = iso(now - keep_closed)
    rows = db.query(
        "SELECT a.*, s.name AS source_name FROM alerts a LEFT JOIN sources s"
        " ON s.id = a.source_id WHERE a.closed IS NULL OR a.closed >= ?"
        " ORDER BY coalesce(a.closed, a.opened) DESC, a.id",
        [since],
    )
    return [dict(r) for r in rows]


def open_alerts(db: Reader) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in db.query(
            "SELECT * FROM alerts WHERE closed IS NULL ORDER BY opened, id",
        )
    ]


def evidence_page(db: Reader, alert_id: str) -> tuple[str, bytes] | None:
    """The kept page of an alert (URL, raw bytes), e.g. to turn into a test fixture."""
    import zlib

    row = db.execute(
        "SELECT r.url, r.body FROM alerts a JOIN raw_pages r ON r.id = a.evidence WHERE a.id = ?",
        (alert_id,),
    ).fetchone()
    if not row:
        return None
    return str(row[0]), zlib.decompress(row[1])
