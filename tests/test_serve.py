"""`vnfeeds serve` over real HTTP on 127.0.0.1: content types, ETag / Last-Modified and 304,
gzip, Cache-Control, nothing outside the output dir, 301 for retired province slugs."""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from feeds.serve import FeedServer, make_server
from tests.conftest import Site


@pytest.fixture(scope="module")
def server(sample_site: Site) -> Iterator[FeedServer]:
    srv = make_server(sample_site.out, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(
    srv: FeedServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/all.atom", "application/atom+xml"),
        ("/province/gia-lai.rss", "application/rss+xml"),
        ("/topic/y-te.json", "application/feed+json"),
        ("/index.opml", "text/x-opml"),
        ("/province/gia-lai.opml", "text/x-opml"),
        ("/index.html", "text/html"),
        ("/", "text/html"),
        ("/status.atom", "application/atom+xml"),
    ],
)
def test_content_types(server: FeedServer, path: str, ctype: str) -> None:
    status, headers, body = get(server, path)
    assert status == 200
    assert headers["content-type"].split(";")[0] == ctype
    assert int(headers["content-length"]) == len(body)
    assert "max-age" in headers["cache-control"]


def test_conditional_get_answers_304(server: FeedServer) -> None:
    status, headers, body = get(server, "/province/gia-lai.atom")
    assert status == 200 and feedparser.parse(body).bozo == 0
    etag, modified = headers["etag"], headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    status, h304, body304 = get(server, "/province/gia-lai.atom", {"If-None-Match": etag})
    assert (status, body304) == (304, b"")
    assert h304["etag"] == etag
    status, _, body304 = get(server, "/province/gia-lai.atom", {"If-Modified-Since": modified})
    assert (status, body304) == (304, b"")
    status, _, _ = get(server, "/province/gia-lai.atom", {"If-None-Match": '"other"'})
    assert status == 200
    # The same bytes keep the same ETag across requests.
    assert get(server, "/province/gia-lai.atom")[1]["etag"] == etag


def test_gzip_when_asked(server: FeedServer) -> None:
    plain = get(server, "/all.atom")[2]
    status, headers, body = get(server, "/all.atom", {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain
    assert "accept-encoding" in headers["vary"].lower()


def test_head(server: FeedServer) -> None:
    status, headers, body = get(server, "/all.rss", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/../vnfeeds.db",
        "/%2e%2e/vnfeeds.db",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/province/../../vnfeeds.db",
        "//etc/passwd",
        "/etc/passwd",
        "/nope.atom",
        "/province/nowhere.atom",
        "/%00.atom",
    ],
)
def test_nothing_outside_the_output_dir(server: FeedServer, path: str) -> None:
    status, _, body = get(server, path)
    assert status == 404
    assert b"SQLite" not in body and b"root:" not in body


def test_symlink_out_of_the_dir_is_not_followed(sample_site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve", encoding="utf-8")
    root = tmp_path / "out"
    root.mkdir()
    (root / "ok.atom").write_text("<feed/>", encoding="utf-8")
    os.symlink(secret, root / "leak.atom")
    srv = make_server(root, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        assert get(srv, "/ok.atom")[0] == 200
        assert get(srv, "/leak.atom")[0] == 404
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/province/binh-dinh.atom", "/province/gia-lai.atom"),
        ("/province/binh-dinh/y-te.rss", "/province/gia-lai/y-te.rss"),
        ("/province/ha-giang.opml", "/province/tuyen-quang.opml"),
        ("/province/ba-ria-vung-tau.json", "/province/ho-chi-minh.json"),
    ],
)
def test_retired_province_slugs_redirect(server: FeedServer, path: str, target: str) -> None:
    status, headers, _ = get(server, path)
    assert status == 301 and headers["location"] == target
    assert get(server, target)[0] == 200


def test_a_slug_both_former_and_current_is_served(server: FeedServer) -> None:
    # Old Gia Lai merged into new Gia Lai: same slug, no redirect.
    assert get(server, "/province/gia-lai.atom")[0] == 200


def test_oversized_request_line_is_refused(server: FeedServer) -> None:
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), port), timeout=5) as sock:
        sock.sendall(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = sock.recv(200)
    assert reply.startswith(b"HTTP/1.") and b" 414 " in reply.split(b"\r\n")[0]
