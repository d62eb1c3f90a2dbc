"""The SQLite store as analysts see it: schema of DESIGN.md, migrations recorded, WAL, the one
timestamp format, permanent ids, full-text search with and without diacritics."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
import uuid
from pathlib import Path

import pytest

from crawler.store import open_readonly, open_store
from crawler.store.queries import search
from crawler.store.schema import SCHEMA_VERSION
from crawler.store.writer import ARTICLE_NS
from tests.conftest import Site, run_cli

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
