"""`vnfeeds nginx-conf` with real nginx (Debian's package; .ci/run installs it) on 127.0.0.1,
serving the sample store's output dir: content types, 304 on ETag and Last-Modified, the
build's gzip twins, 301 for retired province slugs, query feeds passed to `vnfeeds serve`,
nothing outside the dir."""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feeds.serve import make_server
from tests.conftest import BASE_URL, Site, require_tool, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def nginx(sample_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = require_tool("nginx")
    work = tmp_path_factory.mktemp("nginx")
    api = make_server(
        sample_site.out, "127.0.0.1", 0, quiet=True, db=sample_site.db, base_url=BASE_URL
    )
    threading.Thread(target=api.serve_forever, daemon=True).start()
    port = _free_port()
    result = run_cli(
        "nginx-conf",
        "--out",
        str(sample_site.out),
        "--listen",
        f"127.0.0.1:{port}",
        "--upstream",
        api.url.rstrip("/"),
    )
    assert result.returncode == 0, result.stderr
    (work / "vnfeeds.conf").write_text(result.stdout, encoding="utf-8")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / sub).mkdir()
    user = "user root;" if os.geteuid() == 0 else ""  # workers read the test's tmp dir
    (work / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/vnfeeds.conf;
}}
""",
        encoding="utf-8",
    )
    check = subprocess.run(
        [binary, "-t", "-p", str(work), "-c", str(work / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"nginx did not start: {err}") from None
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    api.shutdown()
    api.server_close()


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/all.atom", "application/atom+xml; charset=utf-8"),
        ("/province/gia-lai.rss", "application/rss+xml; charset=utf-8"),
        ("/topic/khoa-hoc-cong-nghe.json", "application/feed+json; charset=utf-8"),
        ("/index.opml", "text/x-opml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_files_with_their_types_and_validators(
    nginx: int, sample_site: Site, path: str, ctype: str
) -> None:
    status, headers, body = get(nginx, path)
    assert status == 200 and headers["content-type"] == ctype
    local = sample_site.out / (path.lstrip("/") or "index.html")
    assert body == local.read_bytes()
    assert headers["cache-control"] == "public, max-age=300"
    etag, modified = headers["etag"], headers["last-modified"]
    assert get(nginx, path, {"If-None-Match": etag})[0] == 304
    assert get(nginx, path, {"If-Modified-Since": modified})[0] == 304
    assert get(nginx, path, {"If-None-Match": '"other"'})[0] == 200


def test_gzip_twins_are_sent(nginx: int, sample_site: Site) -> None:
    status, headers, body = get(nginx, "/province/gia-lai.atom", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    twin = (sample_site.out / "province/gia-lai.atom.gz").read_bytes()
    assert body == twin  # the build's own twin, not a fresh compression
    assert gzip.decompress(body) == (sample_site.out / "province/gia-lai.atom").read_bytes()
    assert "Accept-Encoding" in headers.get("vary", "")


def test_retired_province_slugs_redirect(nginx: int) -> None:
    for old, new in (
        ("/province/binh-dinh.atom", "/province/gia-lai.atom"),
        ("/province/bac-giang/y-te.rss", "/province/bac-ninh/y-te.rss"),
        ("/province/binh-dinh.opml?x=1", "/province/gia-lai.opml?x=1"),
    ):
        status, headers, _ = get(nginx, old)
        assert status == 301 and headers["location"].endswith(new), (old, headers)
    assert get(nginx, "/province/gia-lai.atom")[0] == 200


def test_query_feeds_go_to_vnfeeds_serve(nginx: int) -> None:
    status, headers, body = get(nginx, "/search.atom?q=binh+dinh")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0 and parsed.entries
    assert get(nginx, "/search.atom?q=a&q=b")[0] == 400
    assert get(nginx, "/search.atom?q=binh", {"If-None-Match": headers["etag"]})[0] == 200
    status, _, _ = get(nginx, "/search.atom?q=binh+dinh", {"If-None-Match": headers["etag"]})
    assert status == 304


@pytest.mark.parametrize(
    "path",
    [
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/province/../../etc/passwd",
        "/.hidden",
        "/province/",
        "/nonexistent.atom",
    ],
)
def test_nothing_outside_the_output_dir(nginx: int, sample_site: Site, path: str) -> None:
    (sample_site.out / ".hidden").write_text("secret", encoding="utf-8")
    status, _, body = get(nginx, path)
    assert status in (400, 403, 404), (path, status)
    assert b"root:" not in body and b"secret" not in body
    Path(sample_site.out / ".hidden").unlink(missing_ok=True)
