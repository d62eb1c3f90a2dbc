"""One entry per story across portals: the conference news of binhdinh.gov.vn republished by two
departments' portals (tests/data/republish/, labels in its EXPECTED.md) is crawled with the real
spider, clustered in the store and published once per feed under one permanent entry id."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from crawler.clock import iso, parse_iso
from crawler.items import Article
from crawler.samples import PortalServer, load_portal, sample_portals
from crawler.store import open_store
from crawler.store.writer import ArticleWriter
from tests.conftest import ROOT, Site

REPUBLISH = ROOT / "tests" / "data" / "republish"
SEED = (
    "/tin-tuc/tin-tong-hop/hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.html"
)
COPY_BD = (
    "/news/tin-tuc-su-kien/"
    "binh-dinh-dang-cai-to-chuc-hoi-nghi-giam-doc-so-kh-cn-toan-quoc-nam-2023-1282.html"
)
COPY_HY = (
    "/tin-tuc-su-kien/"
    "bo-kh-cn-to-chuc-hoi-nghi-giam-doc-cac-so-kh-cn-toan-quoc-nam-2023-tai-binh-dinh.html"
)
BUILD = "2023-03-18T12:00:00+07:00"


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    portals = [p for p in sample_portals() if p.name == "binhdinh"]
    portals += [load_portal(REPUBLISH / name) for name in ("skhcn-binhdinh", "skhcn-hungyen")]
    servers = {p.name: PortalServer(p).start() for p in portals}
    yield Site(tmp_path, servers)
    for server in servers.values():
        server.stop()


def _rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _id(site: Site, portal: str, path: str) -> str:
    url = site.url(portal, path)
    return str(_rows(site.db, "SELECT id FROM articles WHERE url = ?", url)[0][0])


def _feed(site: Site, name: str) -> list[Any]:
    parsed = feedparser.parse((site.out / name).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return list(parsed.entries)


def _conference(entries: list[Any], entry_id: str) -> list[Any]:
    return [e for e in entries if e.id == entry_id]


def _multi_member_clusters(db: Path) -> dict[str, set[str]]:
    clusters: dict[str, set[str]] = {}
    for cluster, url in _rows(db, "SELECT cluster_id, url FROM articles"):
        clusters.setdefault(cluster, set()).add(url)
    return {c: urls for c, urls in clusters.items() if len(urls) > 1}


def test_copies_of_one_story_are_one_entry_everywhere(site: Site) -> None:
    # The provincial portal first, then the Hưng Yên department relaying the Ministry's copy.
    for source in ("binh-dinh", "skhcn-hung-yen"):
        (outcome,) = site.crawl([source])
        assert outcome.status == "ok", outcome
    seed, copy_hy = _id(site, "binhdinh", SEED), _id(site, "skhcn-hungyen", COPY_HY)
    cluster = _rows(
        site.db, "SELECT id, representative, merged_into FROM clusters WHERE id = ?", seed
    )
    assert cluster == [(seed, seed, None)]  # the first-seen copy's id; earliest published
    assert _multi_member_clusters(site.db) == {
        seed: {site.url("binhdinh", SEED), site.url("skhcn-hungyen", COPY_HY)}
    }
    assert _rows(site.db, "SELECT cluster_id FROM articles WHERE id = ?", copy_hy) == [(seed,)]

    site.build(now=BUILD)
    entry_id = f"urn:uuid:{seed}"
    for feed in (
        "all.atom",
        "topic/khoa-hoc-cong-nghe.atom",
        "province/gia-lai.atom",
        "province/hung-yen.atom",
        "province/gia-lai/khoa-hoc-cong-nghe.atom",
    ):
        entries = _conference(_feed(site, feed), entry_id)
        assert len(entries) == 1, feed
    # Aggregated feeds link to the representative; a province feed to its own copy; each
    # entry names the other portal.
    (in_all,) = _conference(_feed(site, "all.atom"), entry_id)
    assert in_all.link == site.url("binhdinh", SEED)
    (in_hy,) = _conference(_feed(site, "province/hung-yen.atom"), entry_id)
    assert in_hy.link == site.url("skhcn-hungyen", COPY_HY)
    content = in_hy.content[0].value
    assert "Cũng đăng trên" in content and site.url("binhdinh", SEED) in content
    titles = [e.title for e in _feed(site, "all.atom")]
    assert len(titles) == len(set(titles))
    json_feed = json.loads((site.out / "all.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in json_feed["items"]].count(entry_id) == 1


def test_an_earlier_copy_crawled_later_moves_the_representative_not_the_id(site: Site) -> None:
    for source in ("binh-dinh", "skhcn-hung-yen"):
        site.crawl([source])
    site.build(now=BUILD)
    seed = _id(site, "binhdinh", SEED)
    entry_id = f"urn:uuid:{seed}"
    before = {
        f: _conference(_feed(site, f), entry_id) for f in ("all.atom", "province/gia-lai.atom")
    }

    # The department had posted its copy at 11:45, before the provincial portal (16:30).
    (outcome,) = site.crawl(["skhcn-binh-dinh"])
    assert outcome.status == "ok", outcome
    copy_bd = _id(site, "skhcn-binhdinh", COPY_BD)
    assert _rows(site.db, "SELECT id, representative FROM clusters WHERE id = ?", seed) == [
        (seed, copy_bd)
    ]
    members = _multi_member_clusters(site.db)
    assert list(members) == [seed] and len(members[seed]) == 3

    site.build(now=BUILD)
    for feed, was in before.items():
        (now_entry,) = _conference(_feed(site, feed), entry_id)
        assert now_entry.id == was[0].id
        assert now_entry.link == site.url("skhcn-binhdinh", COPY_BD)  # the earliest copy
    (in_gl,) = _conference(_feed(site, "province/gia-lai.atom"), entry_id)
    content = in_gl.content[0].value
    assert site.url("binhdinh", SEED) in content
    assert site.url("skhcn-hungyen", COPY_HY) in content


def test_templated_notices_and_unrelated_news_never_cluster(site: Site) -> None:
    """Two monthly notices of one template (EXPECTED.md: different stories), binhdinh.gov.vn's
    own monthly notice, and the unrelated news of all three portals stay single."""
    for source in ("binh-dinh", "skhcn-hung-yen", "skhcn-binh-dinh"):
        site.crawl([source])
    multi = _multi_member_clusters(site.db)
    assert len(multi) == 1
    (urls,) = multi.values()
    assert urls == {
        site.url("binhdinh", SEED),
        site.url("skhcn-binhdinh", COPY_BD),
        site.url("skhcn-hungyen", COPY_HY),
    }
    total = _rows(site.db, "SELECT count(*) FROM articles")[0][0]
    assert _rows(site.db, "SELECT count(*) FROM clusters WHERE merged_into IS NULL")[0][0] == (
        total - 2
    )


def test_recrawling_changes_no_cluster_and_no_feed_byte(site: Site) -> None:
    for source in ("binh-dinh", "skhcn-hung-yen", "skhcn-binh-dinh"):
        site.crawl([source])
    site.build(now=BUILD)
    state = _rows(site.db, "SELECT id, cluster_id, content_hash FROM articles ORDER BY id")
    clusters = _rows(site.db, "SELECT * FROM clusters ORDER BY id")
    files = {
        p.relative_to(site.out): p.read_bytes()
        for p in site.out.rglob("*")
        if p.is_file() and not p.name.startswith("status.html")
    }
    # Half an hour later, before any revisit is due: only the list pages are read.
    for source in ("binh-dinh", "skhcn-hung-yen", "skhcn-binh-dinh"):
        (o,) = site.crawl([source], now="2023-03-18T11:30:00+07:00")
        assert (o.new, o.updated, o.duplicates, o.errors) == (0, 0, 0, 0)
    site.build(now=BUILD)
    assert _rows(site.db, "SELECT id, cluster_id, content_hash FROM articles ORDER BY id") == state
    assert _rows(site.db, "SELECT * FROM clusters ORDER BY id") == clusters
    after = {
        p.relative_to(site.out): p.read_bytes()
        for p in site.out.rglob("*")
        if p.is_file() and not p.name.startswith("status.html")
    }
    assert after == files


# -- merging clusters (the writer, on a real store) ---------------------------------------------


def _golden_body(name: str) -> list[str]:
    path = ROOT / "crawler" / "sampleportals" / "binhdinh" / "golden" / name
    body: list[str] = json.loads(path.read_text(encoding="utf-8"))["body"]
    return [b for b in body if len(b) > 150]  # the paragraphs, not the captions


def _article(n: int, text: str, published: str, seen: str) -> Article:
    url = f"https://portal{n}.gov.vn/tin-tuc/bai-{n}.html"
    return Article(
        source_id=f"portal-{n}",
        province="gia-lai",
        province_then="gia-lai",
        url=url,
        urls=[url],
        title=f"Bài {n}",
        summary="",
        content_html="".join(f"<p>{p}</p>" for p in text.split("\n\n")),
        content_text=text,
        published=published,
        published_source="selector",
        fetched_at=seen,
    )


def test_a_copy_matching_two_clusters_merges_them_into_the_older(tmp_path: Path) -> None:
    """A (the first half of a long release) and C (its second half) share little and are two
    clusters; B (the whole release) matches both: they merge into A's cluster, the older."""
    paras = _golden_body("hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.json")
    assert len(paras) >= 6
    half = len(paras) // 2
    a_text = "\n\n".join(paras[: half + 1])
    c_text = "\n\n".join(paras[half:])
    b_text = "\n\n".join(paras)
    t0 = parse_iso("2023-03-17T17:00:00+07:00")

    def at(hours: int) -> str:
        from datetime import timedelta

        return iso(t0 + timedelta(hours=hours))

    db = open_store(tmp_path / "store.db")
    writer = ArticleWriter(db)
    writer.write_batch([_article(1, a_text, published=at(0), seen=at(1))])
    writer.write_batch([_article(3, c_text, published=at(-2), seen=at(2))])
    ids = {aid: cluster for aid, cluster in db.execute("SELECT id, cluster_id FROM articles")}
    assert len(set(ids.values())) == 2  # A and C alone
    a_id = db.execute("SELECT id FROM articles WHERE source_id = 'portal-1'").fetchone()[0]
    c_id = db.execute("SELECT id FROM articles WHERE source_id = 'portal-3'").fetchone()[0]

    writer.write_batch([_article(2, b_text, published=at(1), seen=at(3))])
    clusters = {cluster for (cluster,) in db.execute("SELECT cluster_id FROM articles")}
    assert clusters == {a_id}  # the older cluster's id survives
    assert db.execute("SELECT merged_into FROM clusters WHERE id = ?", (c_id,)).fetchone() == (
        a_id,
    )
    # The representative is the earliest-published member: C (published at -2 h).
    assert db.execute("SELECT representative FROM clusters WHERE id = ?", (a_id,)).fetchone() == (
        c_id,
    )
    db.close()


def test_the_republish_portals_are_read_as_their_goldens_say(site: Site) -> None:
    """The fixtures' own goldens (written from the pages): title, date, author and text of every
    article, so the clustering above is decided on the text a reader sees."""
    from crawler.textnorm import clean_text

    for source in ("skhcn-hung-yen", "skhcn-binh-dinh"):
        (outcome,) = site.crawl([source])
        assert outcome.status == "ok", outcome
    con = sqlite3.connect(site.db)
    con.row_factory = sqlite3.Row
    checked = 0
    for name in ("skhcn-binhdinh", "skhcn-hungyen"):
        for golden_path in sorted((REPUBLISH / name / "golden").glob("*.json")):
            gold = json.loads(golden_path.read_text(encoding="utf-8"))
            row = con.execute(
                "SELECT * FROM articles WHERE url = ?", (site.url(name, gold["url"]),)
            ).fetchone()
            assert row is not None, gold["url"]
            assert row["title"] == gold["title"]
            assert row["published"] == gold["published"]
            assert row["author"] == gold["author"]
            text = clean_text(" ".join(row["content_text"].split("\n\n")))
            assert text == clean_text(" ".join(gold["body"]))
            checked += 1
    con.close()
    assert checked == 7


def test_a_copy_removed_re_renders_the_entries_that_named_it(site: Site, tmp_path: Path) -> None:
    """The Hưng Yên copy is taken down: the provincial copy's row does not change, but its
    entries no longer name the department, so the next (incremental) build renders them again
    and writes what a full build writes."""
    from crawler.samples import Route
    from feeds.build import build
    from tests.conftest import BASE_URL

    for source in ("binh-dinh", "skhcn-hung-yen"):
        site.crawl([source])
    site.build(now=BUILD)
    seed, copy_hy = _id(site, "binhdinh", SEED), _id(site, "skhcn-hungyen", COPY_HY)
    entry_id = f"urn:uuid:{seed}"
    (in_gl,) = _conference(_feed(site, "province/gia-lai.atom"), entry_id)
    assert site.url("skhcn-hungyen", COPY_HY) in in_gl.content[0].value
    seq_before = _rows(site.db, "SELECT seq FROM articles WHERE id = ?", seed)

    site.servers["skhcn-hungyen"].add_route(Route(path=COPY_HY, status=410, body="gone"))
    site.crawl(["skhcn-hung-yen"], now="2023-03-18T11:00:00+07:00")
    assert _rows(site.db, "SELECT gone_at IS NOT NULL FROM articles WHERE id = ?", copy_hy) == [
        (1,)
    ]
    assert _rows(site.db, "SELECT seq FROM articles WHERE id = ?", seed) == seq_before

    result = site.build(now=BUILD)
    assert seed in result.rendered
    assert "province/gia-lai.atom" in result.written
    (in_gl,) = _conference(_feed(site, "province/gia-lai.atom"), entry_id)
    assert "Cũng đăng trên" not in in_gl.content[0].value
    assert site.url("skhcn-hungyen", COPY_HY) not in in_gl.content[0].value
    reference = tmp_path / "full"
    build(site.db, reference, base_url=BASE_URL, now=parse_iso(BUILD), full=True)
    for path in sorted(reference.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            assert (site.out / path.relative_to(reference)).read_bytes() == path.read_bytes()
