"""Query feeds (`search.atom?q=&province=&topic=&page=`) from `vnfeeds serve` over real HTTP on
127.0.0.1, on the store of every sample portal: matches with and without diacritics, filters,
paging back through the whole history, ETag/304, gzip, and a 400 for every bad parameter."""

from __future__ import annotations

import gzip
import http.client
import json
import sqlite3
import threading
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import feedparser
import pytest

from feeds.serve import FeedServer, make_server
from tests.conftest import BASE_URL, Site


@pytest.fixture(scope="module")
def server(sample_site: Site) -> Iterator[FeedServer]:
    srv = make_server(
        sample_site.out, "127.0.0.1", 0, quiet=True, db=sample_site.db, base_url=BASE_URL
    )
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(
    srv: FeedServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def feed(srv: FeedServer, path: str) -> feedparser.FeedParserDict:
    status, _, body = get(srv, path)
    assert status == 200, body
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


SEED_TITLE = "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"


def test_search_finds_with_and_without_diacritics(server: FeedServer) -> None:
    for q in ("binh dinh khoa hoc", "Bình Định khoa học"):
        parsed = feed(server, f"/search.atom?q={quote(q)}")
        assert SEED_TITLE in [e.title for e in parsed.entries]
    assert parsed.feed.title == "Tìm kiếm: “Bình Định khoa học”"


def _all_pages(srv: FeedServer, path: str) -> list[str]:
    ids: list[str] = []
    next_path: str | None = path
    while next_path:
        parsed = feed(srv, next_path)
        ids += [e.id for e in parsed.entries]
        nxt = next((ln.href for ln in parsed.feed.links if ln.rel == "next"), None)
        next_path = None
        if nxt:
            parts = urlsplit(nxt)
            next_path = f"{parts.path}?{parts.query}"
    return ids


def _stories_with(site: Site, word: str) -> set[str]:
    con = sqlite3.connect(site.db)
    rows = con.execute(
        "SELECT DISTINCT a.cluster_id FROM articles a WHERE a.gone_at IS NULL AND a.docid IN"
        " (SELECT rowid FROM search_exact WHERE search_exact MATCH ?)",
        (f'"{word}"',),
    ).fetchall()
    con.close()
    return {f"urn:uuid:{c}" for (c,) in rows}


def test_typed_diacritics_match_exactly(server: FeedServer, sample_site: Site) -> None:
    hoa_acute, hoa_grave = _stories_with(sample_site, "hóa"), _stories_with(sample_site, "hòa")
    assert hoa_grave - hoa_acute  # stories with "hòa" and no "hóa" exist in the corpus
    got = _all_pages(server, "/search.atom?q=" + quote("hóa"))
    assert len(got) == len(set(got))
    assert set(got) == hoa_acute
    # Typed without diacritics, both are found.
    folded = set(_all_pages(server, "/search.atom?q=hoa"))
    assert hoa_acute | hoa_grave <= folded


def test_filters_and_formats(server: FeedServer, sample_site: Site) -> None:
    con = sqlite3.connect(sample_site.db)
    expected = {
        f"urn:uuid:{c}"
        for (c,) in con.execute(
            "SELECT DISTINCT a.cluster_id FROM articles a JOIN article_topics t ON"
            " t.article_id = a.id WHERE a.province = 'gia-lai' AND t.topic ="
            " 'khoa-hoc-cong-nghe' AND a.gone_at IS NULL"
        )
    }
    con.close()
    atom = feed(server, "/search.atom?province=gia-lai&topic=khoa-hoc-cong-nghe")
    assert {e.id for e in atom.entries} == expected
    rss = feed(server, "/search.rss?province=gia-lai&topic=khoa-hoc-cong-nghe")
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    status, headers, body = get(server, "/search.json?province=gia-lai&topic=khoa-hoc-cong-nghe")
    assert status == 200 and headers["content-type"].startswith("application/feed+json")
    doc = json.loads(body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"] for i in doc["items"]] == [e.id for e in atom.entries]
    # A pre-2025 province's slug means the unit it merged into.
    old = feed(server, "/search.atom?province=binh-dinh&topic=khoa-hoc-cong-nghe")
    assert [e.id for e in old.entries] == [e.id for e in atom.entries]


def test_paging_goes_back_through_the_whole_history(server: FeedServer, sample_site: Site) -> None:
    con = sqlite3.connect(sample_site.db)
    everything = {
        f"urn:uuid:{c}"
        for (c,) in con.execute("SELECT DISTINCT cluster_id FROM articles WHERE gone_at IS NULL")
    }
    con.close()
    assert len(everything) > 50  # more than one page
    for fmt in ("atom", "rss", "json"):
        seen: list[str] = []
        path: str | None = "/search." + fmt + "?q=" + quote("năm")
        pages = 0
        while path:
            pages += 1
            status, _, body = get(server, path)
            assert status == 200
            if fmt == "json":
                doc = json.loads(body)
                seen += [i["id"] for i in doc["items"]]
                nxt = doc.get("next_url")
            else:
                parsed = feedparser.parse(body)
                assert parsed.bozo == 0
                seen += [e.id for e in parsed.entries]
                nxt = next((ln.href for ln in parsed.feed.links if ln.rel == "next"), None)
            path = None
            if nxt:
                assert nxt.startswith(BASE_URL)
                parts = urlsplit(nxt)
                path = f"{parts.path}?{parts.query}"
        assert len(seen) == len(set(seen)), fmt  # no story on two pages
        assert pages >= 2, fmt
    # Without a query word every story of a filter is reachable by paging.
    status, _, body = get(server, "/search.json?topic=thong-bao")
    assert status == 200


def test_conditional_get_and_gzip(server: FeedServer) -> None:
    path = "/search.atom?q=" + quote("binh dinh")
    status, headers, body = get(server, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"].startswith("application/atom+xml")
    assert "max-age" in headers["cache-control"]
    plain = gzip.decompress(body)
    _, headers2, body2 = get(server, path)
    assert body2 == plain and headers2["etag"] == headers["etag"]  # same store, same bytes
    status3, _, body3 = get(server, path, {"If-None-Match": headers["etag"]})
    assert (status3, body3) == (304, b"")


@pytest.mark.parametrize(
    "query",
    [
        "",  # nothing to search
        "q=",
        "x=1",  # unknown parameter
        "q=a&q=b",  # repeated
        "q=" + "a" * 201,  # too long
        "q=%00abc",  # control character
        "q=%1b%5b31m",  # escape sequence
        "q=a%e2%80%aeb",  # bidi override
        "province=atlantis",
        "province=gia-lai%27%20OR%201=1--",  # SQL injection attempt
        "topic=%3Cscript%3E",
        "q=a&page=0",
        "q=a&page=-1",
        "q=a&page=abc",
        "q=a&page=99999999999999999999",
        "q=a&" + "&".join(f"p{i}=1" for i in range(50)),
    ],
)
def test_bad_parameters_get_400(server: FeedServer, query: str) -> None:
    status, headers, body = get(server, "/search.atom?" + query)
    assert status == 400, (query, body)
    assert headers["content-type"].startswith("text/plain")
    assert body.startswith(b"bad query:")


def test_fts_syntax_in_q_is_only_words(server: FeedServer) -> None:
    """FTS5 operators and quotes in q are words to find, never query syntax."""
    for q in ('"binh', "binh OR dinh", "binh* NEAR(dinh)", "title:binh", "-binh", "binh)"):
        status, _, body = get(server, "/search.atom?q=" + quote(q))
        assert status == 200, (q, body)
        assert feedparser.parse(body).bozo == 0
