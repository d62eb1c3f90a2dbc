"""The write path's bookkeeping (bench/dedupe.py measures its speed): search rows written at the
end of a batch and still following every edit, the near-duplicate index's two band tables (new
rows merged into `minhash_bands` in key order) finding copies on both sides of a merge, the
migration that adds the second table to an existing store, and the checkpointer thread."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler import dedupe
from crawler.clock import iso, parse_iso
from crawler.items import Article, RawPage
from crawler.store import open_store
from crawler.store.db import BACKSTOP_AUTOCHECKPOINT, Checkpointer
from crawler.store.maintenance import prune_near_duplicate_index
from crawler.store.queries import change_mark, changed_since, search
from crawler.store.writer import ArticleWriter, article_id_for

T0 = parse_iso("2026-03-02T08:00:00+07:00")
# Syllables the random texts are made of (none of them in the marker words below).
VOCABULARY = " ".join(
    [
        "tỉnh huyện xã cán bộ nhân dân công tác kế hoạch triển khai thực hiện năm nay kinh tế",
        "phát triển đầu tư hạ tầng giao thông nông nghiệp sản xuất chương trình mục tiêu quốc gia",
        "hội nghị tổng kết đánh giá kết quả nhiệm vụ giải pháp trọng tâm thời gian tới lãnh đạo",
        "sở ban ngành địa phương doanh nghiệp người dân tham gia đóng góp ý kiến chỉ đạo điều hành",
    ]
).split()


def at(hours: float) -> str:
    return iso(T0 + timedelta(hours=hours))


def text_of(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def copy_of(text: str, seed: int) -> str:
    """A republication: another dateline, three words changed."""
    rng = random.Random(seed)
    words = text.split()
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
    return "(tinh.gov.vn) - " + " ".join(words)


def article(n: int, text: str, *, hours: float, url: str | None = None) -> Article:
    url = url or f"https://portal{n % 7}.gov.vn/tin-tuc/bai-{n}.html"
    return Article(
        source_id=f"portal-{n % 7}",
        province="gia-lai",
        province_then="gia-lai",
        url=url,
        urls=[url],
        title=f"Bài số {n}",
        content_html=f"<p>{text}</p>",
        content_text=text,
        published=at(hours),
        published_source="selector",
        fetched_at=at(hours),
    )


def rows(db: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def cluster_of(db: Any, url: str) -> str:
    return str(rows(db, "SELECT cluster_id FROM articles WHERE url = ?", url)[0][0])


def check_search_index(db: Any) -> None:
    """Every article has exactly its search rows, and FTS5 finds its own index consistent."""
    for table in ("search_exact", "search_folded"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        assert rows(db, f"SELECT rowid FROM {table} ORDER BY rowid") == rows(
            db, "SELECT docid FROM articles ORDER BY docid"
        )


# -- search rows ------------------------------------------------------------------------------


def test_search_rows_follow_edits_in_later_and_in_the_same_batch(tmp_path: Path) -> None:
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    a_url, c_url = "https://a.gov.vn/tin/1.html", "https://c.gov.vn/tin/3.html"
    writer.write_batch(
        [
            article(1, "Khánh thành cầu Thạch Hãn. " + text_of(1), hours=0, url=a_url),
            article(2, "Lễ hội Quýt Hồng mở màn. " + text_of(2), hours=0),
        ]
    )
    # A edited in a later batch; C stored and edited within one batch (the edit is matched to
    # the row written earlier in the same transaction).
    result = writer.write_batch(
        [
            article(1, "Khánh thành cầu Hiền Lương. " + text_of(1), hours=2, url=a_url),
            article(3, "Đón nhận bằng Di tích Quốc gia. " + text_of(3), hours=2, url=c_url),
            article(3, "Đón nhận bằng Di sản Văn hóa. " + text_of(3), hours=3, url=c_url),
        ]
    )
    assert (result.new, result.updated) == (1, 2)

    def found(query: str) -> set[str]:
        return {r["url"] for r in search(db, query).rows}

    assert found("Thạch Hãn") == found("thach han") == set()
    assert found("Hiền Lương") == found("hien luong") == {a_url}
    assert found("Quýt Hồng") == found("quyt hong") != set()
    assert found("Di tích") == found("di tich") == set()
    assert found("Di sản") == found("di san") == {c_url}
    assert found("Đón nhận") == found("don nhan") == {c_url}  # đ folded for the folded index
    check_search_index(db)
    db.close()


def test_a_failed_batch_leaves_no_search_rows_behind(tmp_path: Path) -> None:
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    writer.write_batch([article(1, text_of(1), hours=0)])
    bad = article(2, text_of(2), hours=1)
    bad.source_id = None  # type: ignore[assignment]  # NOT NULL: the INSERT fails
    with pytest.raises(sqlite3.IntegrityError):
        writer.write_batch([article(3, "Hội thi Măng Đen. " + text_of(3), hours=1), bad])
    writer.write_batch([article(4, "Hội thi Kon Tum. " + text_of(4), hours=2)])
    assert {r["title"] for r in search(db, "hoi thi").rows} == {"Bài số 4"}
    check_search_index(db)
    db.close()


# -- rows written at the end of the batch -----------------------------------------------------


def with_page(a: Article, **headers: str) -> Article:
    a.raw = RawPage(a.url, 200, headers, b"<html></html>", "utf-8", a.fetched_at)
    return a


def test_rows_written_at_the_end_of_a_batch_are_read_back_within_it(tmp_path: Path) -> None:
    """URLs, clusters and revisit schedules of a batch's new articles are inserted just before
    COMMIT; what the batch does to them meanwhile (match by URL, join and elect in a cluster,
    refresh the validators) lands as if each had been inserted at once."""
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    writer.write_batch([with_page(article(9, text_of(9), hours=0), ETag='"old"')])
    one, copy = text_of(1), copy_of(text_of(1), 2)
    alias = "https://portal1.gov.vn/tin-tuc/bai-1-alias.html"
    first = with_page(article(1, one, hours=1), ETag='"a"')
    first.urls = [first.url, alias]
    again = with_page(article(1, one, hours=2, url=alias), **{"Last-Modified": "Mon, 02 Mar"})
    result = writer.write_batch(
        [
            first,
            with_page(article(2, copy, hours=1.5), ETag='"c"'),  # a copy: joins 1's cluster
            again,  # found by its second URL, written in this batch
            with_page(article(9, text_of(9), hours=2), ETag='"new"'),  # stored earlier
        ]
    )
    assert (result.new, result.unchanged) == (2, 2)
    ids = {url: aid for url, aid in rows(db, "SELECT url, id FROM articles")}
    owner = {url_of(9): url_of(9), url_of(1): url_of(1), alias: url_of(1), url_of(2): url_of(2)}
    assert dict(rows(db, "SELECT url, article_id FROM article_urls")) == {
        url: ids[article_url] for url, article_url in owner.items()
    }
    assert cluster_of(db, url_of(2)) == cluster_of(db, url_of(1)) == ids[url_of(1)]
    assert rows(
        db,
        "SELECT id, representative, created, merged_into FROM clusters WHERE id = ?",
        ids[url_of(1)],
    ) == [(ids[url_of(1)], ids[url_of(1)], at(1), None)]
    assert dict(
        rows(db, "SELECT article_id, etag || ' ' || coalesce(last_modified, '') FROM revisits")
    ) == {
        ids[url_of(9)]: '"new" ',
        ids[url_of(1)]: '"a" Mon, 02 Mar',
        ids[url_of(2)]: '"c" ',
    }
    db.close()


def test_clusters_made_and_merged_within_one_batch(tmp_path: Path) -> None:
    """tests/test_dedupe.py's merge of two clusters by a copy matching both, with the three
    articles in one batch: both clusters are new rows of the open transaction."""
    from tests.test_dedupe import _article, _golden_body

    paras = _golden_body("hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.json")
    half = len(paras) // 2
    a_text, c_text, b_text = (
        "\n\n".join(paras[: half + 1]),
        "\n\n".join(paras[half:]),
        "\n\n".join(paras),
    )
    db = open_store(tmp_path / "s.db")
    ArticleWriter(db).write_batch(
        [
            _article(1, a_text, published=at(0), seen=at(1)),
            _article(3, c_text, published=at(-2), seen=at(2)),
            _article(2, b_text, published=at(1), seen=at(3)),
        ]
    )
    ids = dict(rows(db, "SELECT source_id, id FROM articles"))
    a_id, c_id = ids["portal-1"], ids["portal-3"]
    assert {r[0] for r in rows(db, "SELECT cluster_id FROM articles")} == {a_id}
    assert sorted(rows(db, "SELECT id, representative, merged_into FROM clusters")) == sorted(
        [(a_id, c_id, None), (c_id, c_id, a_id)]
    )
    db.close()


# -- the near-duplicate index's two band tables -----------------------------------------------


def band_rows(db: Any) -> tuple[int, int]:
    main = rows(db, "SELECT count(*) FROM minhash_bands")[0][0]
    new = rows(db, "SELECT count(*) FROM minhash_bands_new")[0][0]
    return main, new


def url_of(n: int) -> str:
    return article(n, "", hours=0).url


def test_copies_are_found_on_both_sides_of_a_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Merge as soon as two articles' band rows wait in the new table.
    monkeypatch.setattr(dedupe, "MERGE_ROWS", 2 * dedupe.BANDS)
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    originals = {n: text_of(n) for n in range(1, 5)}
    writer.write_batch([article(n, originals[n], hours=n) for n in (1, 2)])
    assert band_rows(db) == (2 * dedupe.BANDS, 0)  # merged at the end of the batch
    writer.write_batch([article(3, originals[3], hours=3)])
    assert band_rows(db) == (2 * dedupe.BANDS, dedupe.BANDS)  # waits in the new table
    # A copy of an article whose rows are in minhash_bands_new, then of one in minhash_bands.
    writer.write_batch([article(13, copy_of(originals[3], 13), hours=4)])
    assert band_rows(db) == (4 * dedupe.BANDS, 0)
    writer.write_batch([article(11, copy_of(originals[1], 11), hours=5)])
    assert band_rows(db) == (4 * dedupe.BANDS, dedupe.BANDS)
    # A copy within its original's batch (found among the rows the open batch wrote).
    writer.write_batch(
        [article(4, originals[4], hours=6), article(14, copy_of(originals[4], 14), hours=6)]
    )
    assert band_rows(db) == (7 * dedupe.BANDS, 0)
    for n in (1, 3, 4):
        assert cluster_of(db, url_of(10 + n)) == cluster_of(db, url_of(n))
    assert len({r[0] for r in rows(db, "SELECT cluster_id FROM articles")}) == 4
    db.close()


def test_an_edit_moves_its_band_rows_and_prune_empties_both_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedupe, "MERGE_ROWS", 2 * dedupe.BANDS)
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    first, second = text_of(1), text_of(2)
    writer.write_batch([article(1, first, hours=0), article(2, second, hours=0)])
    assert band_rows(db) == (2 * dedupe.BANDS, 0)
    # Article 1 is rewritten into another story: its old keys leave minhash_bands, the new ones
    # wait in the new table; a copy of the old text no longer finds it, one of the new text does.
    edited = text_of(3)
    writer.write_batch([article(1, edited, hours=1)])
    assert band_rows(db) == (dedupe.BANDS, dedupe.BANDS)
    [(blob,)] = rows(db, "SELECT signature FROM minhash WHERE docid = 1")
    keys = dedupe.band_keys(dedupe.from_blob(blob))
    assert sorted(r[0] for r in rows(db, "SELECT key FROM minhash_bands_new")) == sorted(keys)
    writer.write_batch([article(21, copy_of(first, 21), hours=2)])
    writer.write_batch([article(31, copy_of(edited, 31), hours=2)])
    assert cluster_of(db, url_of(31)) == cluster_of(db, url_of(1))
    assert cluster_of(db, url_of(21)) != cluster_of(db, url_of(1))
    # Everything leaves the window: both tables and the signatures are emptied.
    dropped = prune_near_duplicate_index(db, T0 + timedelta(days=dedupe.WINDOW_DAYS + 1))
    assert dropped == 4
    assert band_rows(db) == (0, 0)
    assert rows(db, "SELECT count(*) FROM minhash") == [(0,)]
    db.close()


def test_lookups_within_a_batch_see_its_own_edits_and_new_rows(tmp_path: Path) -> None:
    # A batch's band keys are looked up when it begins (BandRows.prefetch); what the batch
    # itself changes afterwards must show in the lookups of its later articles.
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    old2, new2 = text_of(2), text_of(5)
    writer.write_batch([article(2, old2, hours=0)])
    first, edited = text_of(1), text_of(3)
    writer.write_batch(
        [
            # 2 was stored before this batch, so its old rows were looked up when it began;
            # rewritten into another story here, a copy of its old text must not find it.
            article(2, new2, hours=1),
            article(22, copy_of(old2, 22), hours=1),
            article(32, copy_of(new2, 32), hours=1),
            # 1 is stored and rewritten within the batch, then copied (old and new text).
            article(1, first, hours=1),
            article(1, edited, hours=2),
            article(21, copy_of(first, 21), hours=2),
            article(31, copy_of(edited, 31), hours=2),
        ]
    )
    assert cluster_of(db, url_of(32)) == cluster_of(db, url_of(2))
    assert cluster_of(db, url_of(22)) != cluster_of(db, url_of(2))
    assert cluster_of(db, url_of(31)) == cluster_of(db, url_of(1))
    assert cluster_of(db, url_of(21)) != cluster_of(db, url_of(1))
    # The band rows in the tables are exactly those of the stored signatures.
    stored = sorted(
        (key, doc)
        for doc, blob in rows(db, "SELECT docid, signature FROM minhash")
        for key in dedupe.band_keys(dedupe.from_blob(blob))
    )
    written = sorted(
        rows(
            db,
            "SELECT key, docid FROM minhash_bands"
            " UNION ALL SELECT key, docid FROM minhash_bands_new",
        )
    )
    assert written == stored
    db.close()


# -- migration 8 ------------------------------------------------------------------------------


def test_a_store_at_schema_7_keeps_its_index_and_gains_the_new_band_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before migration 8 (band rows in minhash_bands only) is upgraded in
    place: the rows stay where they are, lookups still find them, new rows go to the new table."""
    from crawler.store import schema

    path = tmp_path / "old.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:7])
    db = open_store(path)
    assert schema.current_version(db) == 7
    assert "minhash_bands_new" not in db.table_names()
    # What the writer of schema 7 left: an article with its signature and its 32 band rows.
    original = text_of(1)
    aid, seen = "00000000-0000-5000-8000-000000000001", at(0)
    db.execute(
        "INSERT INTO articles (id, docid, url, source_id, province, title, summary, content_text,"
        " published, published_source, updated, first_seen, last_seen, content_hash, title_key,"
        " text_length, cluster_id, seq) VALUES (?, 1, 'https://a.gov.vn/1.html', 'portal-1',"
        " 'gia-lai', 'Bài 1', '', ?, ?, 'selector', ?, ?, ?, 'h', 'bài 1', ?, ?, 1)",
        (aid, original, seen, seen, seen, seen, len(original), aid),
    )
    db.execute(
        "INSERT INTO clusters (id, representative, created) VALUES (?, ?, ?)", (aid, aid, seen)
    )
    sig, dates = dedupe.fingerprint(original)
    assert sig is not None
    db.execute(
        "INSERT INTO minhash (docid, signature, first_seen, dates) VALUES (1, ?, ?, ?)",
        (dedupe.to_blob(sig), seen, dedupe.to_dates(dates)),
    )
    db.conn.executemany(
        "INSERT INTO minhash_bands (key, docid) VALUES (?, 1)",
        [(k,) for k in dedupe.band_keys(sig)],
    )
    db.close()

    monkeypatch.undo()
    db = open_store(path)
    assert schema.current_version(db) == schema.SCHEMA_VERSION >= 8
    assert band_rows(db) == (dedupe.BANDS, 0)
    for table in ("search_exact", "search_folded"):
        assert rows(db, f"SELECT v FROM {table}_config WHERE k = 'automerge'") == [
            (schema.SEARCH_AUTOMERGE,)
        ]
    ArticleWriter(db).write_batch([article(2, copy_of(original, 2), hours=1)])
    assert cluster_of(db, url_of(2)) == aid
    assert band_rows(db) == (dedupe.BANDS, dedupe.BANDS)
    db.close()


# -- the checkpointer -------------------------------------------------------------------------


def test_the_writer_checkpoints_from_a_thread_of_its_own(tmp_path: Path) -> None:
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    writer.write_batch([article(1, text_of(1), hours=0)])
    checkpointer = writer._checkpointer
    assert checkpointer is not None
    # The writing connection checkpoints only as a backstop.
    assert rows(db, "PRAGMA wal_autocheckpoint") == [(BACKSTOP_AUTOCHECKPOINT,)]
    thread = checkpointer._thread
    assert thread is not None and thread.name == "vnfeeds-checkpoint"
    checkpointer.close()
    assert not thread.is_alive()
    # The thread copied the WAL into the database file: read without the WAL, the file has the
    # article.
    con = sqlite3.connect(f"{(tmp_path / 's.db').as_uri()}?immutable=1", uri=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    con.close()
    db.close()


def test_the_checkpointer_thread_ends_when_idle_and_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    calls: list[str] = []
    done = threading.Event()

    def checkpoint(self: Checkpointer) -> None:
        calls.append(threading.current_thread().name)
        done.set()

    monkeypatch.setattr(Checkpointer, "checkpoint", checkpoint)
    cp = Checkpointer(path, idle=0.05)
    for _ in range(2):
        done.clear()
        cp.poke()
        assert done.wait(5)
        deadline = time.monotonic() + 5
        while cp._thread is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert cp._thread is None  # ended after `idle` seconds without a poke
    assert calls == ["vnfeeds-checkpoint"] * 2
    cp.close()


def test_the_checkpointer_never_creates_a_store(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    Checkpointer(path).checkpoint()
    assert not path.exists()


def test_dates_are_found_from_the_slashes_as_the_regex_finds_them() -> None:
    rng = random.Random(5)
    alphabet = [*"0123456789/ ax", "٣", "²", "//", "12/", "/3", "ngày 5 tháng 9"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(25)))
        assert dedupe._slashed_numbers(text) == dedupe._NUMBERS.findall(text), text
    assert dedupe.dates_of("số 12/2023/nđ-cp ngày 15/9/2025, tháng 10/2025 và 1/2") == {
        "12/2023",
        "15/9",
        "10/2025",
        "1/2",
    }


def test_an_article_taken_down_and_back_moves_its_feeds(tmp_path: Path) -> None:
    # Taken down (a revisit's 410), then crawled again unchanged: it is live again, and its seq
    # moves past the build's change mark so that the next build renders its feeds.
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    a = article(1, text_of(1), hours=0)
    writer.write_batch([a])
    db.execute(
        "UPDATE articles SET gone_at = ?, seq = (SELECT max(seq) + 1 FROM articles)", (at(1),)
    )
    db.conn.commit()
    mark = change_mark(db)
    again = article(1, text_of(1), hours=2)
    assert writer.write_batch([again]).unchanged == 1
    [(gone_at, last_seen)] = rows(db, "SELECT gone_at, last_seen FROM articles")
    assert (gone_at, last_seen) == (None, at(2))
    assert changed_since(db, mark).articles == {article_id_for(a.url)}
    # Crawled once more while live: nothing moves.
    mark = change_mark(db)
    writer.write_batch([article(1, text_of(1), hours=3)])
    assert changed_since(db, mark).articles == set()
    db.close()
