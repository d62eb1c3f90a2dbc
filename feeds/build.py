"""Building the output dir from the store: every feed in the catalog in three formats, the OPML
lists, index.html and the status page and feed. A build renders only the feeds that may have
changed since the previous one (articles changed since its change mark, or aged out of the
recent window since its clock; `full` renders all); files whose bytes did not change are left
alone;
with a WebSub hub configured, the hub is pinged for the feeds that changed (feeds/websub.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import __version__, health, places
from crawler.clock import iso, parse_iso
from crawler.store import open_readonly
from crawler.store.queries import (
    RECENT,
    FeedWindow,
    change_mark,
    last_activity,
    store_created,
    touched_feeds,
)
from feeds import pages, websub
from feeds.catalog import FORMATS, all_specs
from feeds.publish import Publisher, write_atomic
from feeds.render import feed_updated, render

# What the last build saw, for the next one to render only the feeds that may have changed
# (a dotfile: neither `vnfeeds serve` nor the nginx config serves it).
STATE_FILE = ".vnfeeds-build.json"
LOCK_FILE = ".vnfeeds-build.lock"
STATE_VERSION = 2


def _sources_digest(db: sqlite_utils.Database) -> dict[str, str]:
    """What feeds print of each source (name, homepage, province), hashed per source. A source
    added since the last build changes nothing by itself (its articles are new, so their feeds
    are touched anyway); a changed or removed one re-renders everything."""
    rows = db.execute("SELECT id, name, homepage, province FROM sources ORDER BY id").fetchall()
    return {
        str(row[0]): hashlib.sha256(json.dumps(row, ensure_ascii=False).encode()).hexdigest()[:16]
        for row in rows
    }


def _load_state(
    out: Path, base_url: str, hub: str | None, now: datetime, sources: dict[str, str]
) -> dict[str, Any] | None:
    """The previous build's state when this build can start from it: same vnfeeds version
    (rendering may have changed), base URL, hub and sources, and a clock that did not go back
    (the recent window would grow back)."""
    try:
        state: dict[str, Any] = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        state.get("version") != STATE_VERSION
        or state.get("vnfeeds") != __version__
        or not isinstance(state.get("sources"), dict)
        or any(sources.get(k) != v for k, v in state["sources"].items())
        or state.get("base_url") != base_url
        or state.get("hub") != hub
        or not isinstance(state.get("feeds"), dict)
        or parse_iso(str(state.get("now"))) > now
    ):
        return None
    return state


def _save_state(out: Path, state: dict[str, Any]) -> None:
    data = json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    target = out / STATE_FILE
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(target, data)


@dataclass
class BuildResult:
    feeds: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    entries: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # feeds not rendered: nothing that could move them changed
    pinged: list[str] = field(default_factory=list)  # feed URLs announced to the WebSub hub
    ping_errors: list[str] = field(default_factory=list)


def build(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    base_url: str,
    now: datetime,
    hub: str | None = None,
    full: bool = False,
) -> BuildResult:
    """Build the output dir; `full` rewrites every file, changed or not. One build at a time
    per output dir, across processes (the service's builds and a manual `vnfeeds build` wait
    for each other on a lock file, `.vnfeeds-build.lock`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        db = open_readonly(db_path)
        try:
            return build_from(db, out, base_url=base_url, now=now, hub=hub, full=full)
        finally:
            db.close()


def build_from(
    db: sqlite_utils.Database,
    out: Path,
    *,
    base_url: str,
    now: datetime,
    hub: str | None = None,
    full: bool = False,
) -> BuildResult:
    if not base_url.endswith("/"):
        base_url += "/"
    publisher = Publisher(out, force=full)
    result = BuildResult()
    fallback = store_created(db)
    counts: dict[str, tuple[int, str | None]] = {}
    updated: dict[str, str | None] = {}
    # One read transaction: every feed of a build sees the same store.
    db.execute("BEGIN")
    try:
        sources = _sources_digest(db)
        previous = None if full else _load_state(out, base_url, hub, now, sources)
        mark = change_mark(db)
        touched: set[tuple[str | None, str | None]] = set()
        if previous is not None:
            touched = touched_feeds(
                db,
                int(previous["seq"]),
                iso(parse_iso(previous["now"]) - RECENT),
                iso(now - RECENT),
            )
        window = FeedWindow(db, now=now)
        for spec in all_specs():
            known = previous["feeds"].get(spec.stem) if previous is not None else None
            if (
                known is not None
                and (spec.province, spec.topic) not in touched
                and all((out / spec.path(fmt)).is_file() for fmt in FORMATS)
            ):
                # Nothing that could move this feed happened since the last build.
                counts[spec.stem] = (known[0], known[1])
                updated[spec.stem] = known[2]
                result.entries[spec.stem] = known[0]
                result.skipped += 1
                continue
            items = window.items(spec.province, spec.topic)
            result.entries[spec.stem] = len(items)
            counts[spec.stem] = (len(items), max((i.published for i in items), default=None))
            updated[spec.stem] = iso(feed_updated(items, fallback)) if items else None
            for fmt in FORMATS:
                data = render(
                    spec, items, fmt, base_url=base_url, hub=hub, fallback_updated=fallback
                )
                publisher.publish(spec.path(fmt), data)
                result.feeds += 1
        publisher.publish("index.opml", pages.index_opml(base_url))
        for province in places.provinces():
            publisher.publish(f"province/{province}.opml", pages.province_opml(province, base_url))
        newest_overall = max([fallback, *(u for u in updated.values() if u)])
        publisher.publish("index.html", pages.index_html(counts, base_url, newest_overall))
        reports = health.reports(db, now)
        episodes = health.alerts(db, now) if "alerts" in db.table_names() else []
        as_of = last_activity(db) or fallback
        publisher.publish("status.html", pages.status_html(reports, episodes, base_url, as_of))
        publisher.publish("status.atom", pages.status_atom(episodes, base_url, fallback))
    finally:
        db.execute("COMMIT")
    publisher.finish()
    _save_state(
        out,
        {
            "version": STATE_VERSION,
            "vnfeeds": __version__,
            "sources": sources,
            "base_url": base_url,
            "hub": hub,
            "seq": mark,
            "now": iso(now),
            "feeds": {stem: [*counts[stem], updated[stem]] for stem in counts},
        },
    )
    result.written = publisher.written
    result.unchanged = publisher.unchanged
    if hub:
        changed = websub.changed_feeds(result.written, base_url)
        if changed:
            pinged = websub.ping(hub, changed)
            result.pinged, result.ping_errors = pinged.urls, pinged.errors
    return result
