"""Building the output dir from the store: every feed in the catalog in three formats, the OPML
lists, index.html and the status page and feed. Files whose bytes did not change are left alone;
with a WebSub hub configured, the hub is pinged for the feeds that changed (feeds/websub.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from crawler import places
from crawler.clock import iso
from crawler.store import open_readonly
from crawler.store.queries import (
    failure_alerts,
    feed_items,
    last_activity,
    source_health,
    store_created,
)
from feeds import pages, websub
from feeds.catalog import FORMATS, all_specs
from feeds.publish import Publisher
from feeds.render import feed_updated, render


@dataclass
class BuildResult:
    feeds: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    entries: dict[str, int] = field(default_factory=dict)
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
    """Build the output dir; `full` rewrites every file, changed or not."""
    db = open_readonly(db_path)
    try:
        return build_from(db, Path(out_dir), base_url=base_url, now=now, hub=hub, full=full)
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
    newest_overall = fallback
    # One read transaction: every feed of a build sees the same store.
    db.execute("BEGIN")
    try:
        for spec in all_specs():
            items = feed_items(db, now=now, province=spec.province, topic=spec.topic)
            result.entries[spec.stem] = len(items)
            counts[spec.stem] = (len(items), max((i.published for i in items), default=None))
            if items:
                newest_overall = max(newest_overall, iso(feed_updated(items, fallback)))
            for fmt in FORMATS:
                data = render(
                    spec, items, fmt, base_url=base_url, hub=hub, fallback_updated=fallback
                )
                publisher.publish(spec.path(fmt), data)
                result.feeds += 1
        publisher.publish("index.opml", pages.index_opml(base_url))
        for province in places.provinces():
            publisher.publish(f"province/{province}.opml", pages.province_opml(province, base_url))
        publisher.publish("index.html", pages.index_html(counts, base_url, newest_overall))
        health = source_health(db)
        alerts = failure_alerts(db)
        as_of = last_activity(db) or fallback
        publisher.publish("status.html", pages.status_html(health, base_url, as_of))
        publisher.publish("status.atom", pages.status_atom(alerts, base_url, fallback))
    finally:
        db.execute("COMMIT")
    publisher.finish()
    result.written = publisher.written
    result.unchanged = publisher.unchanged
    if hub:
        changed = websub.changed_feeds(result.written, base_url)
        if changed:
            pinged = websub.ping(hub, changed)
            result.pinged, result.ping_errors = pinged.urls, pinged.errors
    return result
