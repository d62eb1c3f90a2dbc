"""The feed renderer (feeds/render.py) writes Atom and RSS itself; these tests hold it to the
bytes feedgen and lxml write for the same feed (tests/feedgen_reference.py), on every feed of
the sample store and on hostile entries, and hold the JSON writer to `json.dumps`."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import lxml.etree
import pytest

from crawler.clock import parse_iso
from crawler.store import open_readonly
from crawler.store.queries import Copy, FeedItem, FeedWindow, store_created
from feeds.catalog import FeedSpec, all_specs
from feeds.query import Query, QuerySpec
from feeds.render import _json_text, render
from tests.conftest import BASE_URL, BUILD_NOW, Site
from tests.feedgen_reference import render_feedgen

LINKS = [("next", BASE_URL + "search.atom?q=a&page=2")]


def test_every_sample_feed_matches_feedgen_byte_for_byte(sample_site: Site) -> None:
    db = open_readonly(sample_site.db)
    try:
        window = FeedWindow(db, now=parse_iso(BUILD_NOW))
        fallback = store_created(db)
        compared = entries = 0
        for spec in all_specs():
            items = window.items(spec.province, spec.topic)
            entries += len(items)
            for fmt in ("atom", "rss"):
                for hub, links in ((None, []), ("https://hub.example/?a=1&b=2", LINKS)):
                    ours = render(
                        spec,
                        items,
                        fmt,
                        base_url=BASE_URL,
                        hub=hub,
                        fallback_updated=fallback,
                        links=links,
                    )
                    theirs = render_feedgen(
                        spec,
                        items,
                        fmt,
                        base_url=BASE_URL,
                        hub=hub,
                        fallback_updated=fallback,
                        links=links,
                    )
                    assert ours == theirs, (spec.stem, fmt, hub)
                    compared += 1
        assert compared == 4 * len(list(all_specs())) and entries > 100
    finally:
        db.close()


def _item(n: int, **article: Any) -> FeedItem:
    base: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "url": f"https://gialai.gov.vn/tin-tuc/bai-{n}.html",
        "source_id": "gia-lai",
        "province": "gia-lai",
        "province_then": "gia-lai",
        "title": f"Bài {n}",
        "summary": "Tóm tắt.",
        "content_html": "<p>Nội dung.</p>",
        "content_text": "Nội dung.",
        "author": "Minh Châu",
        "published": "2026-06-01T08:30:00+07:00",
        "published_source": "selector",
        "updated": "2026-06-02T09:00:00+07:00",
        "first_seen": "2026-06-01T08:40:00+07:00",
        "image_url": None,
        "cluster_id": f"10000000-0000-4000-8000-{n:012d}",
        "seq": n,
        "source_name": "Cổng thông tin điện tử tỉnh Gia Lai",
        "source_homepage": "https://gialai.gov.vn/",
    }
    base.update(article)
    return FeedItem(
        entry_id=base["cluster_id"],
        article=base,
        topics=["chuyen-doi-so", "y-te"],
        others=[
            Copy(
                url="https://hungyen.gov.vn/a?x=1&y=2",
                source_name='Sở "A" & B',
                province="hung-yen",
            )
        ],
        attachments=[("https://gialai.gov.vn/vb.pdf", "Văn bản <1>")],
    )


HOSTILE: list[dict[str, Any]] = [
    {"title": "Ký tự & < > \" ' ]]> \t tab\nnewline\r\ncrlf"},
    {"title": "điều khiển \x00\x01\x08\x0b\x0c\x1f\x7f \ufffe\uffff \ud800 lẻ"},
    {"content_html": "<p>a]]>b &amp; &lt;script&gt; <b>đậm</b>\r\n</p>" + "x" * 5000},
    {"summary": ""},
    {"summary": "\x01\x02"},  # a summary of illegal characters only
    {"summary": "", "content_text": "chữ " * 200},  # summary made from the text
    {"author": None},
    {"author": ""},
    {"author": "\x01"},
    {"source_name": None},
    {"source_name": "Nguồn <b>&</b> \x02", "source_homepage": None},
    {"url": 'https://gialai.gov.vn/a?b=1&c="2"&d=<3>\t'},
    {"province": "binh-dinh"},  # a former slug: no province category
]


@pytest.mark.parametrize("article", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
@pytest.mark.parametrize("stem", ["all", "province/gia-lai", "topic/y-te"])
def test_hostile_entries_match_feedgen_and_parse(article: dict[str, Any], stem: str) -> None:
    spec = FeedSpec(stem, province="gia-lai" if "province" in stem else None)
    items = [_item(1, **article), _item(2)]
    for fmt in ("atom", "rss"):
        for hub in (None, "https://hub.example/"):
            ours = render(
                spec,
                items,
                fmt,
                base_url=BASE_URL,
                hub=hub,
                fallback_updated="2025-07-01T00:00:00+07:00",
            )
            theirs = render_feedgen(
                spec,
                items,
                fmt,
                base_url=BASE_URL,
                hub=hub,
                fallback_updated="2025-07-01T00:00:00+07:00",
            )
            assert ours == theirs, fmt
            lxml.etree.fromstring(ours)
            assert feedparser.parse(ours).bozo == 0


def test_query_feed_specs_match_feedgen() -> None:
    spec = QuerySpec("search", query=Query(q='a & "b" <c>', province="gia-lai", page=3))
    items = [_item(i) for i in range(5)]
    for fmt in ("atom", "rss"):
        assert render(
            spec, items, fmt, base_url=BASE_URL, fallback_updated=BUILD_NOW, links=LINKS
        ) == render_feedgen(
            spec, items, fmt, base_url=BASE_URL, fallback_updated=BUILD_NOW, links=LINKS
        )


def test_an_empty_feed_matches_feedgen() -> None:
    spec = FeedSpec("topic/doi-ngoai", topic="doi-ngoai")
    for fmt in ("atom", "rss"):
        assert render(spec, [], fmt, base_url=BASE_URL, fallback_updated=BUILD_NOW) == (
            render_feedgen(spec, [], fmt, base_url=BASE_URL, fallback_updated=BUILD_NOW)
        )


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [1, -2, 2.5, 1e300, None, True, False]},
        {"s": 'quote " backslash \\ \n\r\t \x00\x1f \u2028\u2029 é đ 😀 \ud800'},
        {"nested": [{"x": [[], [{}], [[1]]]}, "y"], "k": {"l": {"m": "n"}}},
        {"ké y": "giá trị", "": ""},
    ],
)
def test_json_writer_equals_json_dumps(value: Any) -> None:
    assert _json_text(value) == json.dumps(value, ensure_ascii=False, indent=1)


def test_absolute_joins_as_urljoin_does() -> None:
    """`absolute` appends plain catalog paths to the base URL without urljoin; anything else
    goes through urljoin, and the two agree on every input."""
    from urllib.parse import urljoin

    from feeds.catalog import absolute

    bases = [
        BASE_URL,
        "https://feeds.example.vn/vn/",
        "http://127.0.0.1:8080/a/b/",
        "https://feeds.example.vn/x",
        "https://feeds.example.vn/?q=1",
        "https://feeds.example.vn/#top",
    ]
    paths = [p for spec in all_specs() for p in (spec.path("atom"), spec.path("json"))]
    paths += ["index.html", "topic/", "province/", "search.atom?q=a", "./all.atom", "../x.atom"]
    paths += ["a/./b", "a/../b", "a//b", "/root.atom", "//host/x", "a/.", "a/..", ".hidden"]
    paths += ["https://other.example/x", "mailto:x@example.vn", "#frag", "", "a b.atom"]
    for base in bases:
        for path in paths:
            assert absolute(base, path) == urljoin(base, path), (base, path)
