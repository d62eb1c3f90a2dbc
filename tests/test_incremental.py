"""Incremental builds: a build renders only the feeds that may have changed since the previous
one, and its output is byte-for-byte what a full build of the same store at the same time
writes (checked after new articles, after time passes the recent window, after a removal)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.clock import iso, parse_iso
from feeds.build import BuildResult, build
from feeds.catalog import all_specs
from tests.conftest import BASE_URL, Site


def _build(site: Site, now: str, out: Path | None = None, full: bool = False) -> BuildResult:
    return build(site.db, out or site.out, base_url=BASE_URL, now=parse_iso(now), full=full)


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _same_as_full(site: Site, now: str, tmp: Path) -> None:
    reference = tmp / f"full-{now[:13]}"
    _build(site, now, out=reference, full=True)
    assert _files(site.out) == _files(reference)


def _feeds_of(site: Site, source: str) -> set[tuple[str | None, str | None]]:
    con = sqlite3.connect(site.db)
    rows = con.execute(
        "SELECT a.province, t.topic FROM articles a LEFT JOIN article_topics t"
        " ON t.article_id = a.id WHERE a.source_id = ?",
        (source,),
    ).fetchall()
    con.close()
    out: set[tuple[str | None, str | None]] = {(None, None)}
    for province, topic in rows:
        out.add((province, None))
        if topic:
            out |= {(None, topic), (province, topic)}
    return out


def test_only_touched_feeds_are_rendered_and_the_output_equals_a_full_build(
    fresh_site: Site, tmp_path: Path
) -> None:
    total = len(list(all_specs()))
    now = "2026-06-10T12:00:00+07:00"
    fresh_site.crawl(["binh-dinh"])
    first = _build(fresh_site, now)
    assert (first.skipped, first.feeds) == (0, 3 * total)

    again = _build(fresh_site, now)
    assert (again.skipped, again.feeds, again.written) == (total, 0, [])

    # A portal of another province: only its feeds (and all.*) are rendered.
    fresh_site.crawl(["hung-yen"])
    third = _build(fresh_site, now)
    touched = _feeds_of(fresh_site, "hung-yen")
    rendered = {
        (s.province, s.topic)
        for s in all_specs()
        if s.stem in third.entries and (s.province, s.topic) in touched
    }
    assert third.feeds == 3 * len(touched) and third.skipped == total - len(touched)
    assert rendered == touched and ("gia-lai", None) not in touched
    _same_as_full(fresh_site, now, tmp_path)


def test_time_passing_the_recent_window_re_renders_what_it_moves(
    fresh_site: Site, tmp_path: Path
) -> None:
    fresh_site.crawl(["sotttt-hanoi"])
    con = sqlite3.connect(fresh_site.db)
    newest_seen = con.execute("SELECT max(first_seen) FROM articles").fetchone()[0]
    con.close()
    start = parse_iso(newest_seen)
    from datetime import timedelta

    _build(fresh_site, iso(start + timedelta(hours=1)))
    later = iso(start + timedelta(days=3))  # everything has left the 48-hour window
    result = _build(fresh_site, later)
    assert result.feeds > 0 and result.skipped > 0
    _same_as_full(fresh_site, later, tmp_path)


def test_a_removal_re_renders_its_feeds(fresh_site: Site, tmp_path: Path) -> None:
    from crawler.samples import Route

    fresh_site.crawl(["binh-dinh"])
    now = "2023-03-18T12:00:00+07:00"
    _build(fresh_site, now)
    path = (
        "/tin-tuc/tin-tong-hop/"
        "hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.html"
    )
    fresh_site.servers["binhdinh"].add_route(Route(path=path, status=410, body="gone"))
    fresh_site.crawl(["binh-dinh"], now="2023-03-18T10:05:00+07:00")
    result = _build(fresh_site, now)
    assert "topic/khoa-hoc-cong-nghe.atom" in result.written
    assert "province/gia-lai.atom" in result.written
    _same_as_full(fresh_site, now, tmp_path)


def test_a_changed_base_url_or_a_missing_file_falls_back_to_rendering(
    fresh_site: Site,
) -> None:
    fresh_site.crawl(["binh-dinh"])
    now = "2023-03-18T12:00:00+07:00"
    total = len(list(all_specs()))
    _build(fresh_site, now)
    (fresh_site.out / "topic/y-te.rss").unlink()
    assert _build(fresh_site, now).feeds == 3  # that feed alone
    assert (fresh_site.out / "topic/y-te.rss").is_file()
    other = build(
        fresh_site.db, fresh_site.out, base_url="https://feeds.example.vn/", now=parse_iso(now)
    )
    assert (other.skipped, other.feeds) == (0, 3 * total)
    # A source renamed in the registry: its name is printed in entries, so all is rendered.
    con = sqlite3.connect(fresh_site.db)
    con.execute("UPDATE sources SET name = name || ' (mới)' WHERE id = 'binh-dinh'")
    con.commit()
    con.close()
    renamed = build(
        fresh_site.db, fresh_site.out, base_url="https://feeds.example.vn/", now=parse_iso(now)
    )
    assert (renamed.skipped, renamed.feeds) == (0, 3 * total)
