"""`vnfeeds run` with the bundled registry when no portal can be reached.

The test machine may or may not have internet, so the portals are made unreachable on purpose:
VNFEEDS_PROXY points at a 127.0.0.1 port nobody listens on, and every request (robots.txt
included) must go through that proxy. Nothing leaves 127.0.0.1. The run must finish well inside
its deadline, record every enabled source as failed with the reason, and still publish valid
(empty) feeds and the status page.
"""

from __future__ import annotations

import csv
import json
import socket
import socketserver
import sqlite3
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from crawler import preflight
from crawler.config import BUNDLED_SOURCES
from crawler.registry import Source
from tests.conftest import ROOT, run_cli

NOW = "2026-07-01T08:00:00+07:00"
# No proxy from the machine's environment may take part (getproxies() ignores empty values).
NO_ENV_PROXY = {
    k: "" for k in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")
}
with open(ROOT / "crawler" / "data" / "provinces.csv", encoding="utf-8") as _f:
    PROVINCES = [row["slug"] for row in csv.DictReader(_f)]  # the 34 units' feeds


def _bundled_enabled() -> list[str]:
    """Ids of the enabled bundled sources, read from the TOML files themselves."""
    ids = []
    for path in sorted(BUNDLED_SOURCES.glob("*.toml")):
        for table in tomllib.loads(path.read_text(encoding="utf-8"))["source"]:
            if table.get("enabled", True):
                ids.append(table["id"])
    return ids


@pytest.fixture()
def closed_port() -> Iterator[int]:
    """A 127.0.0.1 port that refuses connections: bound (so no one else takes it), not listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_offline_run_records_every_portal_and_publishes(tmp_path: Path, closed_port: int) -> None:
    proxy = f"http://127.0.0.1:{closed_port}"
    enabled = _bundled_enabled()
    assert len(enabled) >= 34
    env = {
        **NO_ENV_PROXY,
        "VNFEEDS_SOURCES": "",  # the bundled registry
        "VNFEEDS_PROXY": proxy,
        "VNFEEDS_DB": str(tmp_path / "vnfeeds.db"),
        "VNFEEDS_OUT": str(tmp_path / "public"),
        "VNFEEDS_BASE_URL": "http://feeds.test/",
        "VNFEEDS_NOW": NOW,
        "VNFEEDS_RUN_DEADLINE": "60",
    }
    started = time.monotonic()
    result = run_cli("run", env=env, timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert elapsed < 60, f"the offline run took {elapsed:.0f} s"
    out = result.stdout
    assert f"crawling {len(enabled)} sources" in out
    assert f"{len(enabled)} of {len(enabled)} sources failed:" in out
    for source_id in enabled:
        assert f"\n  {source_id}: failed: list https://" in out, source_id
    assert out.count(f"proxy {proxy} unreachable: connection refused") >= len(enabled)

    con = sqlite3.connect(tmp_path / "vnfeeds.db")
    runs = con.execute("SELECT source_id, status, message FROM crawl_runs").fetchall()
    assert sorted(r[0] for r in runs) == sorted(enabled)  # one run each, none for disabled ones
    for source_id, status, message in runs:
        assert status == "failed", (source_id, status, message)
        assert f"proxy {proxy} unreachable: connection refused" in message, message
        assert "deadline" not in message
    listed = {r[0] for r in con.execute("SELECT id FROM sources")}
    assert set(enabled) <= listed  # so status shows them
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    con.close()

    public = tmp_path / "public"
    assert len(PROVINCES) == 34
    for name in ("all.atom", "all.rss", *(f"province/{p}.atom" for p in PROVINCES)):
        parsed = feedparser.parse((public / name).read_bytes())
        assert parsed.bozo == 0 and parsed.entries == [], name
    json_feed = json.loads((public / "all.json").read_text(encoding="utf-8"))
    assert json_feed["items"] == []
    opml = etree.fromstring((public / "index.opml").read_bytes())
    assert len(opml.findall(".//outline[@xmlUrl]")) >= 1 + 34 + 16
    status_page = (public / "status.html").read_text(encoding="utf-8")
    for source_id in enabled:
        assert f"<code>{source_id}</code>" in status_page, source_id
    assert feedparser.parse((public / "status.atom").read_bytes()).bozo == 0

    status = run_cli("status", "--json", env=env, timeout=60)
    assert status.returncode == 1  # failing sources
    health = {h["id"]: h for h in json.loads(status.stdout)["sources"]}
    for source_id in enabled:
        assert health[source_id]["last_run"]["status"] == "failed"


class _RecordingProxy(socketserver.ThreadingTCPServer):
    """A forward proxy on 127.0.0.1 that forwards nothing: it records each request line and
    answers 404 to robots.txt (no rules), 502 to everything else, CONNECT included."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.lines: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: _RecordingProxy

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1").strip()
        while self.rfile.readline(8192).strip():  # the headers
            pass
        if not line:
            return
        self.server.lines.append(line)
        robots = line.split(" ")[1].endswith("/robots.txt")
        status = "404 Not Found" if robots else "502 Bad Gateway"
        self.wfile.write(
            f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )


LOCAL_HTTP = """
[[source]]
id = "http-portal"
province = "ca-mau"
name = "Một cổng http (chỉ qua proxy)"
homepage = "http://127.0.0.1:{port}/"
platform = "generic"
notes = "Reached only through the proxy: the port itself refuses connections."

[[source.section]]
url = "http://127.0.0.1:{port}/tin-tuc"
"""


def test_the_proxy_setting_carries_every_request(tmp_path: Path, closed_port: int) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lai-chau.toml").write_bytes((BUNDLED_SOURCES / "lai-chau.toml").read_bytes())
    (sources / "ca-mau.toml").write_text(LOCAL_HTTP.format(port=closed_port), encoding="utf-8")
    proxy = _RecordingProxy()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        env = {
            **NO_ENV_PROXY,
            "VNFEEDS_SOURCES": str(sources),
            "VNFEEDS_PROXY": f"http://127.0.0.1:{proxy.server_address[1]}",
            "VNFEEDS_DB": str(tmp_path / "vnfeeds.db"),
            "VNFEEDS_NOW": NOW,
            "VNFEEDS_RETRY_TIMES": "0",
            "VNFEEDS_DOWNLOAD_DELAY": "0",
            "VNFEEDS_AUTOTHROTTLE": "false",
            "VNFEEDS_DOWNLOAD_TIMEOUT": "5",
            "VNFEEDS_CRAWL_TIMEOUT": "60",
        }
        result = run_cli("crawl", "lai-chau", "http-portal", "--json", env=env, timeout=120)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.returncode == 1, result.stderr[-2000:]  # both failed
    lines = proxy.lines
    # https goes through a CONNECT tunnel; http in absolute form, robots.txt first.
    assert "CONNECT laichau.gov.vn:443 HTTP/1.1" in lines, lines
    base = f"http://127.0.0.1:{closed_port}"
    assert f"GET {base}/robots.txt HTTP/1.1" in lines, lines
    assert f"GET {base}/tin-tuc HTTP/1.1" in lines, lines
    assert lines.index(f"GET {base}/robots.txt HTTP/1.1") < lines.index(
        f"GET {base}/tin-tuc HTTP/1.1"
    )
    outcomes = {o["source_id"]: o for o in json.loads(result.stdout)}
    assert outcomes["http-portal"]["status"] == "failed"
    assert f"list {base}/tin-tuc: HTTP 502" in outcomes["http-portal"]["message"]
    assert outcomes["lai-chau"]["status"] == "failed"
    assert "proxy" in outcomes["lai-chau"]["message"].lower()


def _source(*urls: str) -> Source:
    return Source(
        id="probe",
        province="ca-mau",
        name="probe",
        homepage=urls[0],
        platform="generic",
        section=tuple({"url": u} for u in urls),  # type: ignore[arg-type]
    )


def test_preflight_skips_only_sources_none_of_whose_lists_answer(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in NO_ENV_PROXY:
        monkeypatch.delenv(key, raising=False)
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        open_port = listening.getsockname()[1]
        dead = f"http://127.0.0.1:{closed_port}/tin-tuc"
        alive = f"http://127.0.0.1:{open_port}/tin-tuc"
        found = preflight.unreachable([_source(dead)], timeout=5)
        assert found == {
            "probe": f"list {dead}: connection refused (found before crawling: no request was "
            "sent, the crawl was not started)"
        }
        assert preflight.unreachable([_source(alive)], timeout=5) == {}
        # One list that answers is enough: the crawl runs and reports the other.
        assert preflight.unreachable([_source(dead, alive)], timeout=5) == {}
        via_dead_proxy = preflight.unreachable(
            [_source(alive)], proxy=f"http://user:secret@127.0.0.1:{closed_port}", timeout=5
        )
    # The proxy's credentials are not written into the store or printed.
    assert via_dead_proxy == {
        "probe": f"list {alive}: proxy http://127.0.0.1:{closed_port} unreachable: connection "
        "refused (found before crawling: no request was sent, the crawl was not started)"
    }


def test_resolver_errors_are_named() -> None:
    nxdomain = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    no_dns = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert preflight.describe_socket_error(nxdomain, 10) == (
        "DNS lookup failed (host does not resolve)"
    )
    assert preflight.describe_socket_error(no_dns, 10) == (
        "DNS lookup failed (no answer from the DNS server: offline?)"
    )
    assert preflight.describe_socket_error(TimeoutError(), 10) == (
        "timed out connecting (no answer in 10 s)"
    )
