"""The SQLite store as analysts see it: schema of DESIGN.md, migrations recorded, WAL, the one
timestamp format, permanent ids, full-text search with and without diacritics."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest

from crawler.store import open_readonly, open_store
from crawler.store.queries import search
from crawler.store.schema import SCHEMA_VERSION
from crawler.store.writer import ARTICLE_NS
from tests.conftest import ROOT, Site, run_cli

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
DESIGN_COLUMNS = {
    "articles": {
        "id",
        "url",
        "source_id",
        "native_key",
        "province",
        "province_then",
        "title",
        "summary",
        "content_html",
        "content_text",
        "author",
        "published",
        "published_source",
        "updated",
        "first_seen",
        "last_seen",
        "gone_at",
        "section_url",
        "image_url",
        "content_hash",
        "cluster_id",
        "first_run_id",
        "last_run_id",
        "seq",
    },
    "clusters": {"id", "representative", "created", "merged_into"},
    "article_topics": {"article_id", "topic"},
    "article_urls": {"url", "article_id"},
    "revisions": {"article_id", "fetched_at", "content_hash", "title"},
    "raw_pages": {"url", "status", "headers", "fetched_at", "body"},
    "crawl_runs": {
        "id",
        "source_id",
        "started",
        "finished",
        "status",
        "pages",
        "new",
        "updated",
        "duplicates",
        "errors",
        "message",
    },
    "sources": {"id", "province", "name", "homepage", "platform", "enabled"},
    "provinces": {"slug", "code", "name"},
    "former_provinces": {"slug", "code", "name", "merged_into"},
    "topics": {"slug", "name"},
    "meta": {"key", "value"},
}


def test_schema_has_the_design_columns(sample_site: Site) -> None:
    con = sqlite3.connect(sample_site.db)
    for table, columns in DESIGN_COLUMNS.items():
        have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        assert columns <= have, (table, columns - have)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT max(version) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION) and ISO.match(meta["created"])
    assert con.execute("SELECT count(*) FROM provinces").fetchone()[0] == 34
    assert con.execute("SELECT count(*) FROM former_provinces").fetchone()[0] == 63
    assert con.execute("SELECT count(*) FROM topics").fetchone()[0] == 16
    indexes = {r[1] for r in con.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    for wanted in (
        "idx_articles_province",
        "idx_articles_cluster",
        "idx_articles_hash",
        "idx_articles_seq",
        "idx_article_topics_topic",
        "idx_articles_first_seen",
    ):
        assert wanted in indexes
    con.close()


def test_timestamps_are_one_format(sample_site: Site) -> None:
    con = sqlite3.connect(sample_site.db)
    for table, cols in {
        "articles": ("published", "updated", "first_seen", "last_seen"),
        "crawl_runs": ("started", "finished"),
        "raw_pages": ("fetched_at",),
    }.items():
        for col in cols:
            values = [r[0] for r in con.execute(f"SELECT {col} FROM {table}")]
            assert values and all(ISO.match(v) for v in values), (table, col)
    con.close()


def test_ids_are_uuids_of_the_first_canonical_url(sample_site: Site) -> None:
    con = sqlite3.connect(sample_site.db)
    for article_id, url, cluster in con.execute("SELECT id, url, cluster_id FROM articles"):
        assert article_id == str(uuid.uuid5(ARTICLE_NS, url))
        assert cluster == article_id  # every article its own cluster until near-dup clustering
    seqs = [r[0] for r in con.execute("SELECT seq FROM articles ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    con.close()


def test_raw_pages_are_kept_compressed(sample_site: Site) -> None:
    import zlib

    con = sqlite3.connect(sample_site.db)
    _url, body, status = con.execute(
        "SELECT r.url, r.body, r.status FROM raw_pages r JOIN articles a ON a.id = r.article_id"
        " WHERE a.author = 'DTD'"
    ).fetchone()
    html = zlib.decompress(body).decode("utf-8")
    assert status == 200 and "Tăng tương phản" in html and len(body) < len(html.encode())
    con.close()


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("binh dinh", "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"),
        ("Bình Định", "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"),
        (
            "khoa hoc va cong nghe",
            "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023",
        ),
        (
            unicodedata.normalize("NFD", "Huỳnh Thành Đạt"),
            "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023",
        ),
        ("OCOP", "Hưng Yên công nhận thêm 52 sản phẩm đạt chuẩn OCOP"),
        ("khong dung tien mat", "Chính thức kích hoạt Sự kiện không dùng tiền mặt năm 2022"),
    ],
)
def test_search_with_and_without_diacritics(sample_site: Site, query: str, expect: str) -> None:
    db = open_readonly(sample_site.db)
    titles = [r["title"] for r in search(db, query, limit=500).rows]
    db.close()
    assert expect in titles


def test_diacritics_typed_match_exactly(tmp_path: Path) -> None:
    from crawler.items import Article
    from crawler.store.writer import ArticleWriter

    db = open_store(tmp_path / "s.db")
    texts = {
        "hoa": "Cây hoa nở rộ khắp các con đường của thành phố trong mùa xuân năm nay.",
        "hòa": "Hội nghị hòa giải ở cơ sở được tổ chức tại xã trong tháng ba năm nay.",
        "hóa": "Chương trình hóa học cho học sinh được đổi mới theo chương trình mới.",
    }
    ArticleWriter(db).write_batch(
        [
            Article(
                source_id="s",
                province="gia-lai",
                province_then="gia-lai",
                url=f"https://x.gov.vn/{i}",
                title=t,
                content_text=t,
                content_html=f"<p>{t}</p>",
                fetched_at="2026-01-01T00:00:00+07:00",
                published="2026-01-01T00:00:00+07:00",
            )
            for i, t in enumerate(texts.values())
        ]
    )
    found = lambda q: {r["title"] for r in search(db, q).rows}  # noqa: E731
    assert found("hòa") == {texts["hòa"]}
    assert found("hoà") == {texts["hòa"]}  # the other tone placement is the same word
    assert found("hóa") == {texts["hóa"]}
    assert found("hoa") == set(texts.values())
    db.close()


def test_search_cli(sample_site: Site) -> None:
    result = run_cli("search", "thong bao lich tiep cong dan", "--db", str(sample_site.db))
    assert result.returncode == 0, result.stderr
    assert "Thông báo lịch tiếp công dân định kỳ tháng 3/2023" in result.stdout


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    open_store(path).close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_a_store_of_an_earlier_version_is_upgraded(tmp_path: Path, monkeypatch: Any) -> None:
    """A store at schema 3 (the first near-duplicate index) is migrated on open: the index is
    rebuilt in its current form from the recent articles, revisit schedules start for the last
    week's, and a republished copy written afterwards joins the migrated article's cluster."""
    import json as _json

    from crawler.store import schema
    from crawler.store.writer import ArticleWriter, content_hash
    from crawler.textnorm import norm_key
    from tests.test_dedupe import _article

    golden = _json.loads(
        (
            ROOT / "crawler/sampleportals/binhdinh/golden/"
            "hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.json"
        ).read_text(encoding="utf-8")
    )
    text = "\n\n".join(golden["body"])
    path = tmp_path / "old.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    db = open_store(path)
    assert schema.current_version(db) == 3
    seen = "2023-03-18T09:00:00+07:00"
    for n, (first_seen, body) in enumerate(
        [(seen, text), ("2023-02-01T09:00:00+07:00", "Một thông báo cũ. " * 30)], start=1
    ):
        aid = f"00000000-0000-5000-8000-00000000000{n}"
        db.execute(
            "INSERT INTO articles (id, docid, url, source_id, province, title, summary,"
            " content_text, published, published_source, updated, first_seen, last_seen,"
            " content_hash, title_key, text_length, cluster_id, seq) VALUES"
            " (?, ?, ?, 'binh-dinh', 'gia-lai', ?, '', ?, ?, 'selector', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                aid,
                n,
                f"https://binhdinh.gov.vn/tin-tuc/{n}.html",
                f"Bài {n}",
                body,
                first_seen,
                first_seen,
                first_seen,
                first_seen,
                content_hash(body),
                norm_key(f"Bài {n}"),
                len(body),
                aid,
                n,
            ),
        )
        db.execute(
            "INSERT INTO clusters (id, representative, created) VALUES (?, ?, ?)",
            (aid, aid, first_seen),
        )
    db.close()

    monkeypatch.undo()
    db = open_store(path)
    assert schema.current_version(db) == schema.SCHEMA_VERSION >= 5
    # Only the article of the last 30 days is in the index; only last week's gets revisits.
    assert [r[0] for r in db.execute("SELECT docid FROM minhash")] == [1]
    assert [r[0] for r in db.execute("SELECT article_id FROM revisits")] == [
        "00000000-0000-5000-8000-000000000001"
    ]
    copy = "(SKHCN) - " + "\n\n".join(golden["body"][:-1])  # a republication, edited
    ArticleWriter(db).write_batch([_article(7, copy, published=seen, seen=seen)])
    clusters = {r[0] for r in db.execute("SELECT cluster_id FROM articles WHERE docid != 2")}
    assert clusters == {"00000000-0000-5000-8000-000000000001"}
    db.close()
