"""Incremental builds: a build renders only the feeds that may have changed since the previous
one, and its output is byte-for-byte what a full build of the same store at the same time
writes (checked after new articles, after time passes the recent window, after a removal)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

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


def _ids_of(site: Site, source: str) -> set[str]:
    con = sqlite3.connect(site.db)
    rows = con.execute("SELECT id FROM articles WHERE source_id = ?", (source,)).fetchall()
    con.close()
    return {r[0] for r in rows}


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
    descriptors = len(os.listdir("/proc/self/fd"))
    third = _build(fresh_site, now)
    # The files replaced were held open across their renames, and all let go.
    assert len(os.listdir("/proc/self/fd")) == descriptors
    touched = _feeds_of(fresh_site, "hung-yen")
    rendered = {
        (s.province, s.topic)
        for s in all_specs()
        if s.stem in third.entries and (s.province, s.topic) in touched
    }
    assert third.feeds == 3 * len(touched) and third.skipped == total - len(touched)
    assert rendered == touched and ("gia-lai", None) not in touched
    # In those feeds, only the new articles' entries were rendered: the binh-dinh entries
    # beside them (all.*) were kept from the previous files.
    assert third.rendered and third.rendered <= _ids_of(fresh_site, "hung-yen")
    assert first.rendered == _ids_of(fresh_site, "binh-dinh")
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


def test_a_previous_file_that_is_not_what_the_build_wrote_is_not_reused(
    fresh_site: Site, tmp_path: Path
) -> None:
    """Entries are kept from a feed's previous file only when the file is the one the previous
    build wrote: one edited by hand (same size) has its entries rendered again."""
    now = "2026-06-10T12:00:00+07:00"
    fresh_site.crawl(["binh-dinh"])
    _build(fresh_site, now)
    target = fresh_site.out / "all.atom"
    data = target.read_bytes()
    title = data.index(b"<title>", data.index(b"<entry>")) + len(b"<title>")
    target.write_bytes(data[:title] + b"X" + data[title + 1 :])
    fresh_site.crawl(["hung-yen"])  # touches all.*
    result = _build(fresh_site, now)
    assert "all.atom" in result.written
    assert result.rendered & _ids_of(fresh_site, "binh-dinh")
    _same_as_full(fresh_site, now, tmp_path)


def test_twins_compressed_part_by_part_reuse_only_what_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A twin reuses a previous twin's compressed part only when that part and the bytes
    before it (the deflate window) are the same; the result is always the bytes a fresh
    compression gives, and any gzip reader reads the file back."""
    import gzip
    import random
    import zlib

    import feeds.publish
    from feeds.publish import WINDOW, PreviousTwin, segmented_gzip

    rng = random.Random(7)
    words = ["Bình", "Định", "tỉnh", "hội", "nghị", "khoa", "học", "<p>", "&amp;", "</entry>"]

    def entry(n: int) -> bytes:
        return (" ".join(rng.choice(words) for _ in range(300 + n % 7 * 40)) + "\n").encode()

    head, tail = b"<feed>\n" * 30, b"</feed>\n"
    old_entries = [entry(n) for n in range(40)]
    old_parts = [head, *old_entries, tail]
    old_data = b"".join(old_parts)
    old_twin, old_segments = segmented_gzip(old_data, old_parts)
    assert gzip.decompress(old_twin) == old_data
    assert zlib.decompressobj(wbits=31).decompress(old_twin) == old_data
    # Two new entries on top and the oldest gone, a new head: what a build does to a feed.
    new_parts = [b"<feed>\n" * 31, entry(100), entry(101), *old_entries[:-1], tail]
    new_data = b"".join(new_parts)
    previous = PreviousTwin(old_data, old_twin, [len(p) for p in old_parts], old_segments)
    previous.candidates = {0: 0, **{3 + n: 1 + n for n in range(39)}, len(new_parts) - 1: 41}
    compressed: list[int] = []
    deflate = feeds.publish._deflate

    def counting(part: bytes, before: bytes, final: bool) -> bytes:
        compressed.append(len(part))
        return deflate(part, before, final)

    monkeypatch.setattr(feeds.publish, "_deflate", counting)
    reused, _ = segmented_gzip(new_data, new_parts, previous)
    monkeypatch.undo()
    fresh, _ = segmented_gzip(new_data, new_parts)
    assert reused == fresh
    assert gzip.decompress(reused) == new_data
    stream = zlib.decompressobj(wbits=31)
    chunks = [stream.decompress(reused[i : i + 997]) for i in range(0, len(reused), 997)]
    assert b"".join(chunks) == new_data
    # Compressed again: the head, the two new entries, the old ones within WINDOW bytes after
    # them, the tail (the oldest entry left, so the bytes before it changed).
    again = 3 + next(n for n in range(40) if sum(map(len, old_entries[:n])) >= WINDOW) + 1
    assert len(compressed) == again < len(new_parts) / 2, compressed
    # A wrong candidate (another entry of the same length) is never copied.
    swapped = [*new_parts]
    previous.candidates = {3: 2}
    out, _ = segmented_gzip(new_data, swapped, previous)
    assert out == fresh
