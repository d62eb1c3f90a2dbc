"""`vnfeeds sources check --live` (crawler/livecheck.py) against portals on 127.0.0.1: a healthy
sample portal, the same kind of portal behind a self-signed certificate, one behind a weak DH
key, a server that accepts and never answers, and a host that does not resolve.

Expected figures (items, newest date) are read off the sample pages by hand: sotttt-hanoi's
list shows ten Asset Publisher items, the newest "21/07/2022 | 10:00 AM"; binhdinh's
tin-tong-hop eight rows, the newest "17/03/2023"; hue's Tin-tuc-su-kien six items, the newest
"(04/10/2026)".
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import selectors
import socket
import socketserver
import ssl
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import tomli_w

from crawler.livecheck import Client, FetchError, check_sources, report_table
from crawler.registry import load_registry
from crawler.samples import PortalServer, Route, SamplePortal, sample_portals
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "livecheck"
UA = "vnfeeds/test (+https://example.invalid/contact)"


def _portal(name: str) -> SamplePortal:
    return next(p for p in sample_portals() if p.name == name)


@dataclass
class Cert:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A certificate for 127.0.0.1 signed by its own key (no CA vouches for it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    root = tmp_path_factory.mktemp("tls")
    out = Cert(root / "cert.pem", root / "key.pem")
    out.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return out


def _tls(cert: Cert, weak_dh: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert.cert, cert.key)
    if weak_dh:
        # TLS 1.2, DHE key exchange only, over a 1024-bit group (a legacy government host).
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0")
        ctx.load_dh_params(DATA / "dh1024.pem")
    return ctx


class Silent:
    """A server that accepts connections (the kernel completes them) and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


def _sources(portal: SamplePortal, base: str, **changes: Any) -> list[dict[str, Any]]:
    toml = portal.sources_toml(base)
    entries = tomllib.loads(toml)["source"]
    for entry in entries:
        entry.update(changes)
    return entries


def _hand_written(source_id: str, url: str, platform: str = "generic") -> dict[str, Any]:
    return {
        "id": source_id,
        "province": "ha-noi",
        "name": source_id,
        "homepage": url.rsplit("/", 1)[0] + "/",
        "platform": platform,
        "section": [{"url": url}],
    }


@pytest.fixture()
def portals(self_signed: Cert) -> Iterator[dict[str, Any]]:
    healthy = PortalServer(_portal("sotttt-hanoi")).start()
    tls = PortalServer(_portal("binhdinh"), tls=_tls(self_signed)).start()
    weak = PortalServer(_portal("hue"), tls=_tls(self_signed, weak_dh=True)).start()
    silent = Silent()
    yield {"healthy": healthy, "tls": tls, "weak": weak, "silent": silent}
    for server in (healthy, tls, weak):
        server.stop()
    silent.close()


def _write(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "sources"
    path.mkdir(exist_ok=True)
    (path / "live.toml").write_text(tomli_w.dumps({"source": entries}), encoding="utf-8")
    return path


def test_live_check_reports_each_kind_of_portal(tmp_path: Path, portals: dict[str, Any]) -> None:
    hue = _sources(_portal("hue"), portals["weak"].base_url)[0]
    hue_level1 = {**hue, "id": "hue-seclevel1", "tls_seclevel1": True}
    entries = [
        *_sources(_portal("sotttt-hanoi"), portals["healthy"].base_url),
        *_sources(_portal("binhdinh"), portals["tls"].base_url),
        hue,
        hue_level1,
        _hand_written("silent-portal", portals["silent"].base_url + "/tin-tuc"),
        _hand_written("gone-portal", "https://portal.invalid/tin-tuc"),
    ]
    sources = _write(tmp_path, entries)
    started = time.monotonic()
    result = run_cli(
        "sources", "check", "--live", "--json", "--sources", str(sources),
        "--timeout", "1", "--deadline", "30",
        env={"VNFEEDS_DOWNLOAD_DELAY": "0"}, timeout=120,
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr  # some sources fail
    report = json.loads(result.stdout)
    rows = {r["id"]: r for r in report["sources"]}
    assert set(rows) == {
        "sotttt-hanoi", "binh-dinh", "hue", "hue-seclevel1", "silent-portal", "gone-portal",
    }  # fmt: skip
    assert (report["ok"], report["warn"], report["fail"]) == (1, 2, 3)

    ok = rows["sotttt-hanoi"]
    assert ok["result"] == "ok" and ok["problem"] is None and ok["reachable"]
    assert ok["http_status"] == 200
    assert (ok["detected"], ok["platform_match"]) == ("liferay", True)
    assert ok["items"] == 10
    assert ok["newest"] == "2022-07-21T10:00:00+07:00"
    assert ok["tls"] is None and ok["certificate_verified"] is None

    cert = rows["binh-dinh"]  # self-signed: reported, and crawlable (the crawl does not verify)
    assert cert["result"] == "warn"
    assert cert["certificate_verified"] is False
    assert "certificate verify failed: self-signed certificate" in cert["tls"]
    assert cert["final_url"].startswith("https://127.0.0.1:")
    assert (cert["detected"], cert["platform_match"], cert["items"]) == ("upload-cms", True, 8)
    assert cert["newest"] == "2023-03-17T00:00:00+07:00"

    weak = rows["hue"]  # refused by the crawl's TLS settings: fails, with the fix
    assert (weak["result"], weak["problem"]) == ("fail", "tls")
    assert weak["weak_tls_key"] is True
    assert "weak DH key" in weak["tls"] and "DH_KEY_TOO_SMALL" in weak["tls"]
    assert any("tls_seclevel1 = true" in a and "'hue'" in a for a in weak["advice"])
    assert (weak["detected"], weak["items"]) == ("dnn", 6)  # read at level 1 all the same
    level1 = rows["hue-seclevel1"]  # already configured: only the certificate warning is left
    assert level1["result"] == "warn" and level1["advice"] == []
    assert (level1["items"], level1["newest"]) == (6, "2026-10-04T00:00:00+07:00")

    silent = rows["silent-portal"]
    assert (silent["result"], silent["problem"], silent["reachable"]) == ("fail", "timeout", False)
    assert "timed out" in silent["message"]
    assert silent["seconds"] < 3

    gone = rows["gone-portal"]
    assert (gone["result"], gone["problem"], gone["reachable"]) == ("fail", "dns", False)
    assert "portal.invalid" in gone["message"] and "resolve" in gone["message"]
    assert gone["http_status"] is None and gone["items"] is None

    assert took < 20  # bounded: one short timeout, everything else answers at once


def test_live_check_table_and_exit_status(tmp_path: Path, portals: dict[str, Any]) -> None:
    healthy = _sources(_portal("sotttt-hanoi"), portals["healthy"].base_url)
    sources = _write(tmp_path, healthy)
    result = run_cli(
        "sources", "check", "--live", "--sources", str(sources), "--timeout", "2",
        env={"VNFEEDS_DOWNLOAD_DELAY": "0"}, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["source", "result", "http", "platform", "items", "newest", "notes"]
    assert lines[1].split()[:8] == [
        "sotttt-hanoi", "ok", "200", "liferay", "=", "liferay", "10", "2022-07-21",
    ]  # fmt: skip
    assert "1 sources checked" in lines[-1] and "1 ok, 0 warn, 0 fail" in lines[-1]
    # Politely: robots.txt, then the list page, with the crawl's User-Agent.
    log = portals["healthy"].log
    assert [path for _, path, _ in log] == ["/robots.txt", "/cong-nghe-thong-tin"]
    assert all(h["User-Agent"].startswith("vnfeeds/") for _, _, h in log)


def test_offline_check_is_unchanged_and_ids_need_live(tmp_path: Path) -> None:
    entries = _sources(_portal("sotttt-hanoi"), "http://127.0.0.1:9")
    sources = _write(tmp_path, entries)
    result = run_cli("sources", "check", "--sources", str(sources), timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith(f"ok: 1 sources in {sources}")
    result = run_cli("sources", "check", "--sources", str(sources), "sotttt-hanoi", timeout=60)
    assert result.returncode == 2 and "only used with --live" in result.stderr


def _check(tmp_path: Path, entries: list[dict[str, Any]], **kw: Any) -> Any:
    registry = load_registry(_write(tmp_path, entries))
    options: dict[str, Any] = {"user_agent": UA, "timeout": 2.0, "deadline": 20.0}
    options.update(kw)
    return check_sources(list(registry), **options)


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    with PortalServer(_portal("daklak")) as server:
        server.add_route(
            Route(path="/robots.txt", body="User-agent: *\nDisallow: /tin-tuc\n",
                  content_type="text/plain")
        )  # fmt: skip
        report = _check(tmp_path, _sources(_portal("daklak"), server.base_url))
        paths = [path for _, path, _ in server.log]
    check = report.checks[0]
    assert (check.result, check.problem, check.reachable) == ("fail", "robots", True)
    assert "robots.txt disallows /tin-tuc-su-kien" in check.message
    assert paths == ["/robots.txt"]


def test_http_error_and_a_list_the_configured_platform_cannot_read(tmp_path: Path) -> None:
    with PortalServer(_portal("hue")) as server:
        server.add_route(Route(path="/Tin-tuc/Tin-tuc-su-kien", status=503, body="busy"))
        broken = _sources(_portal("hue"), server.base_url)[0]
        with PortalServer(_portal("sotttt-hanoi")) as liferay:
            # A Liferay list configured as NukeViet: nothing read, and the detected family named.
            wrong = _hand_written("wrong-platform", liferay.base_url + "/cong-nghe-thong-tin",
                                  platform="nukeviet")  # fmt: skip
            # A Liferay list configured as generic: read, with a warning.
            loose = _hand_written("loose-platform", liferay.base_url + "/cong-nghe-thong-tin")
            with PortalServer(_portal("daklak")) as plain:
                # A page with no family signature, configured as a family with its own list
                # selectors (ten div.news-item rows on daklak's list): nothing to contradict.
                unsure = _hand_written("no-signature", plain.base_url + "/tin-tuc-su-kien",
                                       platform="upload-cms")  # fmt: skip
                unsure["selectors"] = {
                    "list_item": "div.news-item",
                    "link": "a.news-title::attr(href)",
                    "list_date": "span.news-date",
                }
                report = _check(tmp_path, [broken, wrong, loose, unsure])
    rows = {c.id: c for c in report.checks}
    assert (rows["hue"].result, rows["hue"].problem, rows["hue"].http_status) == (
        "fail", "http", 503,
    )  # fmt: skip
    assert (rows["wrong-platform"].result, rows["wrong-platform"].problem) == ("fail", "layout")
    assert rows["wrong-platform"].items == 0 and rows["wrong-platform"].detected == "liferay"
    assert any("sources detect" in a for a in rows["wrong-platform"].advice)
    assert rows["loose-platform"].result == "warn"
    assert rows["loose-platform"].platform_match is False
    assert rows["loose-platform"].items == 10
    assert "looks like liferay" in rows["loose-platform"].message
    unsure = rows["no-signature"]
    assert (unsure.result, unsure.platform_match, unsure.detected) == ("ok", None, "generic")
    assert (unsure.items, unsure.newest) == (10, "2026-06-30T15:20:00+07:00")
    table = report_table(report)
    assert "liferay ≠ generic" not in table and "generic ≠ liferay" in table


def test_a_script_filled_list_is_read_from_its_api(tmp_path: Path) -> None:
    # congan.hanoi.gov.vn (DNN): the category page holds no items; they come from listnew.
    with PortalServer(_portal("congan-hanoi")) as server:
        report = _check(tmp_path, _sources(_portal("congan-hanoi"), server.base_url))
        paths = [path.split("?")[0] for _, path, _ in server.log]
    check = report.checks[0]
    assert check.result == "ok" and check.items and check.items > 0
    assert paths == [
        "/robots.txt",
        "/tin-tuc/tin-an-ninh-trat-tu",
        "/DesktopModules/cmsview/api/NewsContent/listnew",
    ]


def test_deadline_bounds_the_whole_check(tmp_path: Path) -> None:
    silent = [Silent() for _ in range(3)]
    try:
        entries = [
            _hand_written(f"silent-{i}", s.base_url + "/tin-tuc") for i, s in enumerate(silent)
        ]
        started = time.monotonic()
        report = _check(tmp_path, entries, timeout=1.0, deadline=1.5, concurrency=1)
        took = time.monotonic() - started
    finally:
        for s in silent:
            s.close()
    assert took < 2.5
    assert [c.result for c in report.checks] == ["fail", "fail", "fail"]
    assert report.checks[0].problem == "timeout"
    assert report.checks[-1].problem == "deadline"
    assert "deadline" in report.checks[-1].message


def test_one_request_at_a_time_per_host_with_the_delay(tmp_path: Path) -> None:
    # Two sources on one host: robots.txt is read once, and requests are spaced by the delay.
    with PortalServer(_portal("binhdinh")) as server:
        first = _sources(_portal("binhdinh"), server.base_url)[0]
        second = {**first, "id": "binh-dinh-thong-bao",
                  "section": [{"url": server.base_url + "/tin-tuc/thong-bao"}]}  # fmt: skip
        started = time.monotonic()
        report = _check(tmp_path, [first, second], delay=0.3, concurrency=4)
        took = time.monotonic() - started
        paths = [path for _, path, _ in server.log]
    assert [c.result for c in report.checks] == ["ok", "ok"]
    assert paths == ["/robots.txt", "/tin-tuc/tin-tong-hop", "/tin-tuc/thong-bao"]
    assert took >= 0.6


def test_client_fetch_errors_name_the_cause() -> None:
    client = Client(UA, 1.0)
    with pytest.raises(FetchError) as err:
        client.fetch("https://portal.invalid/")
    assert err.value.kind == "dns"
    with pytest.raises(FetchError) as err:
        client.fetch("http://bad..host/")  # no DNS query: the name cannot even be encoded
    assert err.value.kind == "dns" and "bad..host does not resolve" in err.value.message
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(FetchError) as err:
        client.fetch(f"http://127.0.0.1:{port}/")
    assert err.value.kind == "connect" and "refused" in err.value.message.lower()


def test_robots_txt_that_fails_disallows_the_host(tmp_path: Path) -> None:
    # RFC 9309 2.3.1.4, as the crawl reads it: a 5xx robots.txt means "assume complete disallow".
    with PortalServer(_portal("daklak")) as server:
        server.add_route(Route(path="/robots.txt", status=503, body="Service Unavailable"))
        report = _check(tmp_path, _sources(_portal("daklak"), server.base_url))
        paths = [path for _, path, _ in server.log]
    check = report.checks[0]
    assert (check.result, check.problem) == ("fail", "robots")
    assert "robots.txt answered HTTP 503" in check.message and "disallowed" in check.message
    assert paths == ["/robots.txt"]


class Proxy:
    """A minimal forward proxy on 127.0.0.1: absolute-URI requests for http, CONNECT for https.
    It logs each request line."""

    def __init__(self) -> None:
        log: list[str] = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                line, _, rest = head.partition(b"\r\n")
                method, target, version = line.decode("latin-1").split(" ", 2)
                log.append(f"{method} {target}")
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    upstream = socket.create_connection((host, int(port)), timeout=5)
                    self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                else:
                    parts = urlsplit(target)
                    upstream = socket.create_connection(
                        (parts.hostname, parts.port or 80), timeout=5
                    )
                    path = parts.path + (f"?{parts.query}" if parts.query else "")
                    upstream.sendall(f"{method} {path} {version}\r\n".encode() + rest)
                self._relay(upstream)

            def _relay(self, upstream: socket.socket) -> None:
                sel = selectors.DefaultSelector()
                sel.register(self.request, selectors.EVENT_READ, upstream)
                sel.register(upstream, selectors.EVENT_READ, self.request)
                try:
                    while True:
                        for key, _ in sel.select(timeout=5):
                            data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                            if not data:
                                return
                            key.data.sendall(data)
                finally:
                    upstream.close()

        self.log = log
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_requests_go_through_the_crawls_proxy(tmp_path: Path, self_signed: Cert) -> None:
    proxy = Proxy()
    try:
        with (
            PortalServer(_portal("sotttt-hanoi")) as plain,
            PortalServer(_portal("binhdinh"), tls=_tls(self_signed)) as tls,
        ):
            entries = [
                *_sources(_portal("sotttt-hanoi"), plain.base_url),
                *_sources(_portal("binhdinh"), tls.base_url),
            ]
            report = _check(tmp_path, entries, proxy=proxy.url)
    finally:
        proxy.close()
    rows = {c.id: c for c in report.checks}
    assert (rows["sotttt-hanoi"].result, rows["sotttt-hanoi"].items) == ("ok", 10)
    assert (rows["binh-dinh"].result, rows["binh-dinh"].items) == ("warn", 8)
    assert rows["binh-dinh"].certificate_verified is False
    assert f"GET {plain.base_url}/robots.txt" in proxy.log
    assert f"GET {plain.base_url}/cong-nghe-thong-tin" in proxy.log
    tunnel = f"CONNECT {tls.base_url.removeprefix('https://')}"
    # Verified first, then again without verification: two tunnels for robots.txt, one more
    # for the page.
    assert proxy.log.count(tunnel) == 3
