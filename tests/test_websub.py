"""WebSub: with a hub configured, every feed names it and each build pings a real HTTP endpoint
on 127.0.0.1 with exactly the feeds whose bytes changed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import feedparser
import lxml.etree
import pytest

from crawler.clock import parse_iso
from feeds.build import build
from tests.conftest import BASE_URL, BUILD_NOW, Site

ATOM = "{http://www.w3.org/2005/Atom}"


class _Hub(BaseHTTPRequestHandler):
    server: Any
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qsl(self.rfile.read(length).decode("utf-8"))
        self.server.requests.append((self.headers.get("Content-Type"), form))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture()
def hub() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    server.requests = []
    server.status = 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hub"
    yield server
    server.shutdown()
    server.server_close()


def _build(site: Site, hub_url: str) -> Any:
    return build(site.db, site.out, base_url=BASE_URL, now=parse_iso(BUILD_NOW), hub=hub_url)


def _pinged(hub: Any) -> list[str]:
    urls = []
    for ctype, form in hub.requests:
        assert ctype == "application/x-www-form-urlencoded"
        assert [v for k, v in form if k == "hub.mode"] == ["publish"]
        urls += [v for k, v in form if k == "hub.url"]
    hub.requests.clear()
    return urls


def _changed_feeds(result: Any) -> set[str]:
    return {BASE_URL + p for p in result.written if p.endswith((".atom", ".rss", ".json"))}


def test_feeds_name_the_hub_and_changed_feeds_are_pinged(fresh_site: Site, hub: Any) -> None:
    fresh_site.crawl(["binh-dinh"])
    first = _build(fresh_site, hub.url)
    pinged = _pinged(hub)
    assert len(pinged) == len(set(pinged)) == len(_changed_feeds(first)) > 1000
    assert set(pinged) == _changed_feeds(first) == set(first.pinged)
    assert len(hub.requests) == 0 and first.ping_errors == []

    atom = (fresh_site.out / "province/gia-lai.atom").read_bytes()
    assert feedparser.parse(atom).bozo == 0
    links = lxml.etree.fromstring(atom).findall(f"{ATOM}link")
    assert [ln.get("href") for ln in links if ln.get("rel") == "hub"] == [hub.url]
    rss = lxml.etree.fromstring((fresh_site.out / "province/gia-lai.rss").read_bytes())
    rss_links = rss.find("channel").findall(f"{ATOM}link")
    assert {(ln.get("rel"), ln.get("href")) for ln in rss_links} >= {("hub", hub.url)}
    assert feedparser.parse((fresh_site.out / "province/gia-lai.rss").read_bytes()).bozo == 0
    json_feed = (fresh_site.out / "province/gia-lai.json").read_text(encoding="utf-8")
    assert f'"url": "{hub.url}"' in json_feed

    # Nothing changed: no ping.
    again = _build(fresh_site, hub.url)
    assert _changed_feeds(again) == set() and _pinged(hub) == []

    # Another province's portal crawled: only the feeds it changed are pinged.
    fresh_site.crawl(["hung-yen"])
    third = _build(fresh_site, hub.url)
    pinged = _pinged(hub)
    assert set(pinged) == _changed_feeds(third)
    assert BASE_URL + "province/hung-yen.atom" in pinged
    assert BASE_URL + "all.atom" in pinged
    assert BASE_URL + "province/gia-lai.atom" not in pinged


def test_a_hub_that_fails_does_not_fail_the_build(fresh_site: Site, hub: Any) -> None:
    fresh_site.crawl(["binh-dinh"])
    hub.status = 500
    result = _build(fresh_site, hub.url)
    assert result.written and result.pinged == []
    assert result.ping_errors and all("HTTP 500" in e for e in result.ping_errors)
    down = build(
        fresh_site.db,
        fresh_site.root / "other",
        base_url=BASE_URL,
        now=parse_iso(BUILD_NOW),
        hub="http://127.0.0.1:9/hub",  # nothing listens there
    )
    assert down.written and down.pinged == [] and down.ping_errors
