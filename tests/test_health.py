"""Health and alert episodes on crawled fixture portals: a portal whose list markup changes is
*broken*, one that stops publishing is *silent*, one that keeps failing is *failing*, one whose
older list pages are dead has a *gap*; each episode appears once in status.atom, keeps its id and
closes when the source recovers. Field coverage drops (*degraded*) are checked on the store."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import feedparser

from crawler import health
from crawler.clock import iso, parse_iso
from crawler.samples import Route
from crawler.store import open_store
from tests.conftest import Site, run_cli

LIST = "/tin-tuc/tin-tong-hop"
REPLAY = "2023-03-18T09:00:00+07:00"
SEED_SLUG = "hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023"


def _site_file(site: Site, rel: str) -> str:
    portal = site.servers["binhdinh"].portal
    return (portal.site / rel).read_text(encoding="utf-8")


def _alerts(site: Site) -> list[dict[str, object]]:
    con = sqlite3.connect(site.db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM alerts ORDER BY opened, id")]
    con.close()
    return rows


def _status_feed(site: Site, now: str) -> feedparser.FeedParserDict:
    site.build(now=now)
    parsed = feedparser.parse((site.out / "status.atom").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def _when(start: str, **delta: float) -> str:
    return iso(parse_iso(start) + timedelta(**delta))


def test_a_changed_list_layout_is_broken_once_and_closes_on_recovery(fresh_site: Site) -> None:
    server = fresh_site.servers["binhdinh"]
    fresh_site.crawl(["binh-dinh"], now=REPLAY)
    assert _alerts(fresh_site) == []

    # The portal's redesign renames the list markup: the page answers 200, the items are gone.
    redesigned = (
        _site_file(fresh_site, "tin-tuc/tin-tong-hop/index.html")
        .replace("article-news-default", "news-card")
        .replace("article-title common-title", "news-card__title")
    )
    server.add_route(Route(path=LIST, body=redesigned, content_type="text/html; charset=utf-8"))
    for hours in (1, 2):  # two runs while it stays broken: one episode
        fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, hours=hours))
    alerts = _alerts(fresh_site)
    assert [(a["source_id"], a["kind"], a["closed"]) for a in alerts] == [
        ("binh-dinh", "broken", None)
    ]
    broken = alerts[0]
    assert "tin-tuc/tin-tong-hop" in str(broken["detail"])
    feed = _status_feed(fresh_site, _when(REPLAY, hours=2))
    assert [e.id for e in feed.entries] == [f"urn:uuid:{broken['id']}"]
    assert "broken" in feed.entries[0].title

    # The page that broke is kept, to become a fixture of the new layout.
    shown = run_cli("status", "--db", str(fresh_site.db), "--evidence", str(broken["id"]))
    assert shown.returncode == 0, shown.stderr
    assert 'class="news-card' in shown.stdout and "article-news-default" not in shown.stdout

    # `status` reports it; the source is not failing (the crawl itself succeeded).
    status = run_cli(
        "status", "--db", str(fresh_site.db), "--sources", str(fresh_site.sources_dir), "--json"
    )
    report = json.loads(status.stdout)
    row = next(s for s in report["sources"] if s["id"] == "binh-dinh")
    assert "broken" in row["conditions"]
    assert [a["id"] for a in report["alerts"]] == [broken["id"]]

    server.clear_routes()
    fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, hours=3))
    (closed,) = _alerts(fresh_site)
    assert closed["id"] == broken["id"] and closed["closed"] == _when(REPLAY, hours=3)
    feed = _status_feed(fresh_site, _when(REPLAY, hours=3))
    assert [e.id for e in feed.entries] == [f"urn:uuid:{broken['id']}"]
    assert feed.entries[0].title.startswith("[đã khắc phục]")


def test_a_portal_that_stops_publishing_is_silent_until_a_new_article(fresh_site: Site) -> None:
    server = fresh_site.servers["binhdinh"]
    fresh_site.crawl(["binh-dinh"], now=REPLAY)
    # Ten articles from 3 to 17 March: the usual gap is about a day and a half, so the
    # 3-day floor applies... 5 x gap = ~7 days. Ten days of nothing new is silence.
    fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, days=4))
    assert _alerts(fresh_site) == []
    later = _when(REPLAY, days=10)
    fresh_site.crawl(["binh-dinh"], now=later)
    (silent,) = _alerts(fresh_site)
    assert (silent["kind"], silent["closed"]) == ("silent", None)
    assert "2023-03-18 09:00" in str(silent["detail"])
    feed = _status_feed(fresh_site, later)
    assert [e.id for e in feed.entries] == [f"urn:uuid:{silent['id']}"]

    # A new article appears at the top of the list: the source has recovered.
    new_slug = "hoi-nghi-tong-ket-hoat-dong-khoa-hoc-va-cong-nghe-quy-i-nam-2023"
    page = (
        _site_file(fresh_site, f"tin-tuc/tin-tong-hop/{SEED_SLUG}.html")
        .replace(SEED_SLUG, new_slug)
        .replace(
            "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023",
            "Hội nghị tổng kết hoạt động khoa học và công nghệ quý I năm 2023",
        )
        .replace("Thứ Sáu, 17/03/2023 16:30", "Thứ Ba, 28/03/2023 08:00")
        .replace("2023-03-17T16:30:00+07:00", "2023-03-28T08:00:00+07:00")
        .replace("Ngày 17/3", "Ngày 27/3")
        .replace(
            "Tham dự hội nghị, đại diện Bộ Khoa học và Công nghệ có đồng chí",
            "Chủ trì hội nghị tổng kết quý I là lãnh đạo Sở Khoa học và Công nghệ tỉnh; tham"
            " dự có đại diện Bộ Khoa học và Công nghệ là đồng chí",
        )
    )
    listing = _site_file(fresh_site, "tin-tuc/tin-tong-hop/index.html").replace(SEED_SLUG, new_slug)
    server.add_route(Route(path=f"{LIST}/{new_slug}.html", body=page))
    server.add_route(Route(path=LIST, body=listing))
    recovered = _when(REPLAY, days=10, hours=2)
    outcome = fresh_site.crawl(["binh-dinh"], now=recovered)[0]
    assert outcome.new == 1
    (closed,) = _alerts(fresh_site)
    assert closed["id"] == silent["id"] and closed["closed"] == recovered


def test_consecutive_failures_open_one_failing_episode(fresh_site: Site) -> None:
    server = fresh_site.servers["binhdinh"]
    fresh_site.crawl(["binh-dinh"], now=REPLAY)
    for path in (LIST, "/tin-tuc/thong-bao"):
        server.add_route(Route(path=path, status=503, body="Service Unavailable"))
    for hours in (1, 2):
        fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, hours=hours))
    assert _alerts(fresh_site) == []  # two failures: below the threshold of three
    failing_since = _when(REPLAY, hours=3)
    fresh_site.crawl(["binh-dinh"], now=failing_since)
    fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, hours=4))
    (failing,) = _alerts(fresh_site)
    assert (failing["kind"], failing["opened"], failing["closed"]) == (
        "failing",
        failing_since,
        None,
    )
    assert "503" in str(failing["detail"])
    server.clear_routes()
    fresh_site.crawl(["binh-dinh"], now=_when(REPLAY, hours=5))
    (closed,) = _alerts(fresh_site)
    assert closed["closed"] == _when(REPLAY, hours=5)


def test_dead_older_list_pages_are_a_gap(fresh_site: Site) -> None:
    # The hungyen copy's pager links a page 3 that answers 404 (see its portal.toml).
    outcome = fresh_site.crawl(["hung-yen"])[0]
    assert outcome.status == "partial"
    kinds = [(a["source_id"], a["kind"]) for a in _alerts(fresh_site)]
    assert kinds == [("hung-yen", "gap")]


def test_field_coverage_that_drops_is_degraded(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = open_store(path)
    db.execute(
        "INSERT INTO sources (id, province, name, homepage, platform, enabled) VALUES"
        " ('thu-nghiem', 'gia-lai', 'Thử nghiệm', 'https://thunghiem.gov.vn/', 'generic', 1)"
    )
    db.execute(
        "INSERT INTO crawl_runs (source_id, started, finished, status, new) VALUES"
        " ('thu-nghiem', '2024-02-01T08:00:00+07:00', '2024-02-01T08:01:00+07:00', 'ok', 5)"
    )
    db.close()
    _bulk(path, 60, author=True, start=0)
    now = parse_iso("2024-02-02T08:00:00+07:00")
    db = open_store(path)
    assert health.evaluate(db, now)["opened"] == []
    db.close()
    _bulk(path, 20, author=False, start=60)  # the portal's new template hides the byline
    db = open_store(path)
    opened = health.evaluate(db, now)["opened"]
    (alert,) = health.open_alerts(db)
    assert alert["id"] in opened and alert["kind"] == "degraded"
    assert "author 100% → 0%" in alert["detail"]
    db.close()


def _bulk(path: Path, n: int, *, author: bool, start: int) -> None:
    """Articles of a test source through the store's own writer."""
    from crawler.items import Article
    from crawler.store.writer import ArticleWriter

    body = (
        "UBND tỉnh vừa ban hành kế hoạch triển khai nhiệm vụ phát triển kinh tế - xã hội năm "
        "2024, trong đó tập trung cải thiện môi trường đầu tư, đẩy mạnh chuyển đổi số và nâng "
        "cao chất lượng dịch vụ công trực tuyến cho người dân, doanh nghiệp. "
    )
    db = open_store(path)
    items = []
    for i in range(start, start + n):
        day = iso(parse_iso("2024-01-01T08:00:00+07:00") + timedelta(hours=12 * i))
        items.append(
            Article(
                url=f"https://thunghiem.gov.vn/tin/{i}.html",
                urls=[f"https://thunghiem.gov.vn/tin/{i}.html"],
                source_id="thu-nghiem",
                province="gia-lai",
                province_then="gia-lai",
                title=f"Tin số {i}: kế hoạch của huyện {i}",
                content_text=body + f"Mã văn bản {i}/KH-UBND, số thứ tự {i * 7919}." * 3,
                content_html=f"<p>{body}</p>",
                author="Văn Thành" if author else None,
                published=day,
                published_source="selector",
                fetched_at=day,
            )
        )
    ArticleWriter(db).write_batch(items)
    db.close()


def test_status_page_charts_articles_per_day_without_script(fresh_site: Site) -> None:
    import re

    from tests.conftest import load_golden

    fresh_site.crawl(["binh-dinh"], now=REPLAY)
    fresh_site.build(now=REPLAY)
    page = (fresh_site.out / "status.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()

    (row,) = [r for r in page.split("<tr>") if "<code>binh-dinh</code>" in r]
    bars = re.findall(r"<rect [^>]*/>", row)
    # The golden pages, written by hand: the days the portal published in the 30 days to
    # the build (3 to 17 March 2023), one bar per day.
    portal = fresh_site.servers["binhdinh"].portal
    days = {load_golden(p)["published"][:10] for p in sorted(portal.golden_dir.glob("*.json"))}
    assert len(bars) == len(days) == 10
    label = re.search(r'<svg [^>]*aria-label="([^"]*)"', row)
    assert label is not None and label.group(1).startswith("10 bài trong 30 ngày")
