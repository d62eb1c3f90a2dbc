"""The feed window of DESIGN.md on a real store: the newest 50 by published date, plus everything
first seen in the last 48 hours, except backfill; at most 200; newest first, ties by id."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser

from crawler.clock import iso, parse_iso
from crawler.items import Article
from crawler.store import open_readonly, open_store, write_transaction
from crawler.store.queries import FeedWindow, feed_items, search
from crawler.store.writer import ArticleWriter, article_id_for
from feeds.catalog import FeedSpec
from feeds.render import render

NOW = parse_iso("2026-06-10T12:00:00+07:00")
TEXT = (
    "Sáng nay, UBND tỉnh tổ chức hội nghị sơ kết công tác chuyển đổi số quý II, đánh giá "
    "kết quả triển khai các nhiệm vụ trọng tâm và đề ra giải pháp trong thời gian tới. "
)


VOCAB = (
    TEXT + "Người dân, doanh nghiệp được hướng dẫn sử dụng dịch vụ công trực tuyến, thanh toán "
    "không dùng tiền mặt và các nền tảng số dùng chung của tỉnh trong năm nay, với sự tham gia "
    "của các sở, ngành, địa phương và đoàn thể."
).split()


def _text(n: int) -> str:
    """A distinct text per article (they must not be near-duplicates of each other)."""
    rng = random.Random(n)
    return " ".join(rng.choice(VOCAB) for _ in range(80)) + f" bài {n}."


def _article(
    n: int, published: datetime, first_seen: datetime, province: str = "gia-lai"
) -> Article:
    url = f"https://gialai.gov.vn/tin-tuc/bai-{n}.html"
    text = _text(n)
    return Article(
        source_id="gia-lai",
        province=province,
        province_then=province,
        url=url,
        urls=[url],
        title=f"Bài số {n}: hội nghị chuyển đổi số",
        summary=f"Tóm tắt bài {n}.",
        content_html=f"<p>{text}</p>",
        content_text=text,
        published=iso(published),
        published_source="selector",
        fetched_at=iso(first_seen),
        topics={"chuyen-doi-so": "rule"},
    )


def _store(path: Path, articles: list[Article]) -> None:
    db = open_store(path)
    ArticleWriter(db).write_batch(articles)
    db.close()


def test_newest_fifty_plus_late_arrivals_minus_backfill(tmp_path: Path) -> None:
    old = NOW - timedelta(days=3)
    articles = [
        _article(i, old - timedelta(hours=6 * i), old - timedelta(hours=6 * i - 1))
        for i in range(60)
    ]
    # Crawled late (first seen yesterday) but published 20 days ago: still reaches readers.
    late = [
        _article(100 + i, NOW - timedelta(days=20, hours=i), NOW - timedelta(hours=20))
        for i in range(3)
    ]
    # Published 40 days before it was first seen: backfill, store and search only.
    backfill = _article(200, NOW - timedelta(days=40), NOW - timedelta(hours=1))
    _store(tmp_path / "s.db", [*articles, *late, backfill])
    db = open_readonly(tmp_path / "s.db")

    items = feed_items(db, now=NOW, province="gia-lai")
    titles = [i.article["title"] for i in items]
    assert len(items) == 53
    assert titles[:50] == [a.title for a in articles[:50]]
    assert set(titles[50:]) == {a.title for a in late}
    assert backfill.title not in titles
    published = [i.published for i in items]
    assert published == sorted(published, reverse=True)
    # Backfill is still searchable.
    assert search(db, "bai so 200").rows[0]["title"] == backfill.title

    data = render(
        FeedSpec("province/gia-lai", province="gia-lai"),
        items,
        "atom",
        base_url="http://feeds.test/",
        fallback_updated="2026-01-01T00:00:00+07:00",
    )
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0 and len(parsed.entries) == 53
    assert parsed.feed.updated == items[0].updated
    db.close()


def test_at_most_two_hundred_entries_and_one_megabyte(tmp_path: Path) -> None:
    articles = [
        _article(i, NOW - timedelta(minutes=10 * i), NOW - timedelta(minutes=10 * i))
        for i in range(260)
    ]
    for n, a in enumerate(articles):  # about 6 KB of text each: 200 of them would pass 1 MB
        long = " ".join(_text(n * 1000 + k) for k in range(12))
        a.content_html = "<p>" + long + "</p>"
        a.content_text = long
    _store(tmp_path / "s.db", articles)
    db = open_readonly(tmp_path / "s.db")
    items = feed_items(db, now=NOW, province="gia-lai")
    assert len(items) == 200
    data = render(
        FeedSpec("province/gia-lai", province="gia-lai"),
        items,
        "atom",
        base_url="http://feeds.test/",
        fallback_updated="2026-01-01T00:00:00+07:00",
    )
    assert len(data) <= 1_000_000
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert 50 < len(parsed.entries) < 200
    # What was dropped for size is the oldest.
    assert parsed.entries[0].title == items[0].article["title"]
    db.close()


def test_ties_are_ordered_by_id(tmp_path: Path) -> None:
    same = NOW - timedelta(hours=2)
    _store(tmp_path / "s.db", [_article(i, same, same) for i in range(5)])
    db = open_readonly(tmp_path / "s.db")
    ids = [i.article["id"] for i in feed_items(db, now=NOW)]
    assert ids == sorted(ids)
    db.close()


def _topic_window_matches(db: Any) -> int:
    """topic_window holds exactly the (topic, article) pairs feeds may show; returns its size."""
    expected = set(
        db.execute(
            "SELECT t.topic, a.province, a.published, a.id, a.first_seen, a.cluster_id"
            " FROM articles a JOIN article_topics t ON t.article_id = a.id"
            " WHERE a.gone_at IS NULL AND a.backfill = 0"
        ).fetchall()
    )
    held = db.execute(
        "SELECT topic, province, published, id, first_seen, cluster_id FROM topic_window"
    ).fetchall()
    assert len(held) == len(set(held))
    assert set(held) == expected
    return len(held)


def test_topic_window_follows_every_write(tmp_path: Path) -> None:
    """The table topic feeds choose from is kept in step by the store's triggers: new articles
    and topics, an edit that moves the published date, a removal, a cluster merge, backfill,
    a topic taken away, a deleted article; and the topic feeds read from it equal the feeds
    computed from articles and article_topics."""
    db = open_store(tmp_path / "s.db")
    writer = ArticleWriter(db)
    articles = [
        _article(i, NOW - timedelta(hours=3 * i), NOW - timedelta(hours=3 * i - 1))
        for i in range(40)
    ]
    for i, a in enumerate(articles):
        a.topics = {"chuyen-doi-so": "rule", **({"y-te": "rule"} if i % 3 == 0 else {})}
    backfill = _article(200, NOW - timedelta(days=40), NOW - timedelta(hours=1))
    writer.write_batch([*articles, backfill])
    assert _topic_window_matches(db) == 40 + 14

    edited = _article(3, NOW - timedelta(minutes=30), NOW)
    edited.content_text += " Cập nhật."
    edited.content_html += "<p>Cập nhật.</p>"
    edited.topics = {"chuyen-doi-so": "rule", "giao-duc": "rule"}  # one more topic
    writer.write_batch([edited])
    ids = [article_id_for(a.url) for a in articles]
    with write_transaction(db):
        db.execute("UPDATE articles SET gone_at = ? WHERE id = ?", (iso(NOW), ids[5]))
        db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (ids[1], ids[2]))
        db.execute("DELETE FROM article_topics WHERE article_id = ? AND topic = 'y-te'", (ids[6],))
        for table in ("article_topics", "article_urls", "raw_pages", "revisits"):
            db.execute(f"DELETE FROM {table} WHERE article_id = ?", (ids[7],))
        db.execute("DELETE FROM articles WHERE id = ?", (ids[7],))
    size = _topic_window_matches(db)
    # + giao-duc on the edited one; - the removed one, - a topic taken away, - the deleted one
    assert size == 40 + 14 + 1 - 1 - 1 - 1

    window = FeedWindow(db, now=NOW)
    for topic in ("chuyen-doi-so", "y-te", "giao-duc"):
        for province in (None, "gia-lai"):
            fast = [i.article["id"] for i in window.items(province, topic)]
            slow = FeedWindow(db, now=NOW)
            slow._has_topic_window = False  # the same feed chosen from articles alone
            assert fast == [i.article["id"] for i in slow.items(province, topic)]
    db.close()
