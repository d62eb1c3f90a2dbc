"""A portal server that misbehaves on purpose: real HTTP (or HTTPS with a self-signed
certificate) on 127.0.0.1, built on the sample-portal server of crawler/samples.py.

The healthy part is a real sample portal (binhdinh.gov.vn's copy): its robots.txt, its article
pages, and a list page (LIST_PATH) made from its own "Tin tổng hợp" list: two of its articles
and a third link, FAULT_ARTICLE_PATH, which serves a third real article unless a fault answers
there. A fault is declared per URL path and answers that path in place of the portal:

    server = FaultServer().start()
    server.add_fault("/tin-tuc/thu-nghiem/bai-loi.html", http_error(503, retry_after="2"))
    server.add_fault("/robots.txt", hang(3.0))

`Fault.times` makes a fault transient: after that many faulty answers the path is served
normally again. Every request is logged with its arrival time (`timed_log`), so tests can check
how many attempts were made and how far apart.
"""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import lxml.html

from crawler.samples import (
    SAMPLES_DIR,
    PortalServer,
    Route,
    SamplePortal,
    _Handler,
    _Server,
    load_portal,
)

BASE_PORTAL = "binhdinh"
LIST_PATH = "/tin-tuc/thu-nghiem"
FAULT_ARTICLE_PATH = "/tin-tuc/thu-nghiem/bai-loi.html"
# The two real articles of the copy that the list page keeps (slugs of binhdinh's own pages).
HEALTHY_ARTICLES = (
    "/tin-tuc/tin-tong-hop/hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.html",
    "/tin-tuc/tin-tong-hop/ubnd-tinh-hop-danh-gia-tien-do-giai-ngan-von-dau-tu-cong-nam-2023.html",
)
# The real article served at FAULT_ARTICLE_PATH when no fault answers there, and whose page the
# content faults (charset, nesting, size) are made from.
CONTENT_ARTICLE = (
    "/tin-tuc/tin-tong-hop/khoi-dong-chuong-trinh-kich-cau-du-lich-binh-dinh-nam-2023.html"
)

Responder = Callable[["FaultHandler"], None]


@dataclass
class Fault:
    """How one path misbehaves: `respond` writes the whole answer (or none) on the socket."""

    name: str
    respond: Responder
    times: int | None = None  # faulty this many times, then served normally (None = always)
    served: int = 0


@dataclass
class _Logged:
    method: str
    path: str
    at: float  # time.monotonic() when the request line arrived
    headers: dict[str, str] = field(default_factory=dict)


# -- the faults ---------------------------------------------------------------------------------


def http_error(
    status: int, *, retry_after: str | Callable[[], str] | None = None, body: str | None = None
) -> Responder:
    """An error status with a small HTML page; `retry_after` as seconds or an HTTP-date (a
    callable is asked at answer time, for dates relative to that moment)."""
    page = body if body is not None else f"<html><body><h1>Lỗi {status}</h1></body></html>"

    def respond(h: FaultHandler) -> None:
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after() if callable(retry_after) else retry_after
        h.send_bytes(status, page.encode("utf-8"), "text/html; charset=utf-8", headers)

    return respond


def http_date_in(seconds: float) -> Callable[[], str]:
    """An HTTP-date `seconds` after the moment of the answer (for Retry-After)."""
    return lambda: formatdate(time.time() + seconds, usegmt=True)


def hang(seconds: float) -> Responder:
    """Say nothing for `seconds` (past the crawler's download timeout), then answer 200."""

    def respond(h: FaultHandler) -> None:
        if h.server.stopping.wait(seconds):
            return
        try:
            h.send_bytes(200, b"<html><body>qua muon</body></html>", "text/html", {})
        except OSError:
            pass  # the crawler gave up and closed the connection

    return respond


def reset() -> Responder:
    """Read the request, then reset the TCP connection (RST, no answer at all)."""

    def respond(h: FaultHandler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.abort()

    return respond


def truncated(body: bytes, *, sent_fraction: float = 0.5) -> Responder:
    """Declare the whole body's Content-Length, send part of it, close the connection."""

    def respond(h: FaultHandler) -> None:
        cut = int(len(body) * sent_fraction)
        h.send_head(200, "text/html; charset=utf-8", {"Content-Length": str(len(body))})
        h.wfile.write(body[:cut])
        h.wfile.flush()
        h.abort()

    return respond


def raw(
    body: bytes | Callable[[], bytes],
    content_type: str | None,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> Responder:
    """These exact bytes (a legacy encoding, a BOM, a compressed body) with these headers."""

    def respond(h: FaultHandler) -> None:
        data = body() if callable(body) else body
        h.send_bytes(status, data, content_type, headers or {})

    return respond


def gzipped(body: bytes, *, corrupt: str | None = None, cut_at: int | None = None) -> Responder:
    """`Content-Encoding: gzip`. corrupt="garbage": not gzip at all after the magic bytes;
    "cut": a valid stream that stops after body[:cut_at] (default: half), without its last
    block and trailer, as when the server dies while compressing (the Content-Length is right).
    """
    if corrupt == "cut":
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        end = len(body) // 2 if cut_at is None else cut_at
        data = packer.compress(body[:end]) + packer.flush(zlib.Z_SYNC_FLUSH)
    else:
        data = gzip.compress(body, mtime=0)
    if corrupt == "garbage":
        data = data[:3] + bytes((i * 37 + 11) % 256 for i in range(len(data) - 3))
    return raw(data, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})


@cache
def gzip_bomb_bytes(decompressed_mib: int = 1024) -> bytes:
    """A small gzip body that inflates to `decompressed_mib` MiB: the start of an HTML page, then
    zeros, in 16 MiB gzip members one after another (valid gzip; quick to build)."""
    member = gzip.compress(b"\0" * (16 << 20), compresslevel=9, mtime=0)
    head = gzip.compress(b"<html><head><title>bom</title></head><body><p>", mtime=0)
    return head + member * (decompressed_mib // 16)


def gzip_bomb(decompressed_mib: int = 1024) -> Responder:
    return raw(
        lambda: gzip_bomb_bytes(decompressed_mib),
        "text/html; charset=utf-8",
        {"Content-Encoding": "gzip"},
    )


def oversize(total_bytes: int, *, declare_length: bool) -> Responder:
    """A page of `total_bytes` bytes. With declare_length the Content-Length says so up front;
    without it the body streams until the connection closes (HTTP/1.0 style), so the crawler
    only learns the size while reading."""
    chunk = ("<p>" + "Nội dung rất dài của báo cáo tổng kết. " * 200 + "</p>\n").encode("utf-8")

    def respond(h: FaultHandler) -> None:
        headers = {"Content-Length": str(total_bytes)} if declare_length else {}
        h.send_head(200, "text/html; charset=utf-8", headers)
        head = b"<html><body>"
        sent = len(head)
        try:
            h.wfile.write(head)
            while sent < total_bytes and not h.server.stopping.is_set():
                piece = chunk[: total_bytes - sent]
                h.wfile.write(piece)
                sent += len(piece)
        except OSError:
            pass  # the crawler hung up once it had enough: the point of the test
        h.abort()

    return respond


def redirect(location: str | Callable[[FaultHandler], str], status: int = 302) -> Responder:
    def respond(h: FaultHandler) -> None:
        target = location(h) if callable(location) else location
        h.send_bytes(status, b"", "text/html", {"Location": target})

    return respond


def endless_list(entries: list[tuple[str, str]], per_page: int = 2) -> Responder:
    """A list whose every page (?trang=N) holds `per_page` articles, taken in turn from
    `entries` (round and round), and a "next" link to page N+1, for ever."""

    def respond(h: FaultHandler) -> None:
        parts = urlsplit(h.path)
        n = int(dict(parse_qsl(parts.query)).get("trang", "1") or 1)
        rows = [entries[(per_page * (n - 1) + k) % len(entries)] for k in range(per_page)]
        page = list_page(rows, next_href=f"{parts.path}?trang={n + 1}")
        h.send_bytes(200, page.encode("utf-8"), "text/html; charset=utf-8", {})

    return respond


# -- pages made from the sample portal -----------------------------------------------------------


def base_portal() -> SamplePortal:
    return load_portal(SAMPLES_DIR / BASE_PORTAL)


def _site_file(path: str) -> Path:
    return base_portal().site / path.lstrip("/")


@cache
def _list_template() -> str:
    return (_site_file("/tin-tuc/tin-tong-hop/index.html")).read_text(encoding="utf-8")


def list_page(entries: list[tuple[str, str]], next_href: str | None = None) -> str:
    """binhdinh's own list page with its rows replaced by one per (href, title) entry: the real
    row of that article (by link or title) when the page lists it (thumbnail, date, brief as
    published), else a
    copy of the first real row with the link and title changed; an optional `a.next` pager link
    after the rows."""
    root = lxml.html.document_fromstring(_list_template())
    rows = root.cssselect("article.article-news-default")
    real = {}
    for row in rows:
        link = row.cssselect("a.article-title")[0]
        real[link.get("href")] = real[link.text_content().strip()] = row
    model = rows[0]
    parent = model.getparent()
    assert parent is not None
    at = parent.index(model)
    for row in rows:
        row.drop_tree()
    for i, (href, title) in enumerate(entries):
        found = real.get(href)
        if found is None:
            found = real.get(title)
        row = copy.deepcopy(model if found is None else found)
        for a in row.cssselect("a"):
            a.set("href", href)
            a.set("title", title)
        for a in row.cssselect("a.article-title"):
            a.text = title
        for img in row.cssselect("img"):
            img.set("alt", title)
        row.tail = "\n"
        parent.insert(at + i, row)
    if next_href:
        pager = lxml.html.fragment_fromstring(
            f'<div class="pagination"><a class="next" href="{next_href}">Trang sau »</a></div>'
        )
        parent.insert(at + len(entries), pager)
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def golden(path: str) -> dict[str, Any]:
    """The hand-written golden record of one of the copy's article pages."""
    file = base_portal().golden_dir / (Path(path).stem + ".json")
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return data


def portal_articles() -> list[tuple[str, str]]:
    """(path, title) of every article page of the copy, newest first, from its goldens."""
    records = [
        json.loads(f.read_text(encoding="utf-8")) for f in base_portal().golden_dir.glob("*.json")
    ]
    records.sort(key=lambda r: (r["published"], r["url"]), reverse=True)
    return [(r["url"], r["title"]) for r in records]


def content_article_html() -> str:
    """The real page of CONTENT_ARTICLE (UTF-8 text), for faults that alter its content."""
    return _site_file(CONTENT_ARTICLE).read_text(encoding="utf-8")


def with_inserted_content(fragment: str) -> str:
    """CONTENT_ARTICLE's page with `fragment` inserted into its body after the first paragraph
    (the rest of the article stays around it)."""
    page = content_article_html()
    body = page.index('<div class="article-content')
    first_p_end = page.index("</p>", body) + len("</p>")
    return page[:first_p_end] + fragment + page[first_p_end:]


# -- the server ----------------------------------------------------------------------------------


class FaultHandler(_Handler):
    server: FaultServer._Inner

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True

    def _serve(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.server.timed_log.append(
            _Logged(self.command, self.path, time.monotonic(), dict(self.headers.items()))
        )
        fault = self.server.faults.get(path)
        if fault is not None and (fault.times is None or fault.served < fault.times):
            fault.served += 1
            fault.respond(self)
            return
        super()._serve(head)

    # helpers for the responders

    def send_head(self, status: int, content_type: str | None, headers: dict[str, str]) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            # No length: the body ends when the connection closes.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def send_bytes(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
    ) -> None:
        self.send_head(status, content_type, {**headers, "Content-Length": str(len(body))})
        if self.command != "HEAD":
            self.wfile.write(body)

    def abort(self) -> None:
        """Close the connection now (after a reset or a partial body)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass


class FaultServer(PortalServer):
    """A sample portal (binhdinh's copy by default) served with per-path faults; over HTTPS
    with `tls=(cert file, key file)`. The list page at LIST_PATH holds the two healthy articles
    and FAULT_ARTICLE_PATH until `set_list` changes it."""

    class _Inner(_Server):
        def __init__(self, portal: SamplePortal, host: str, port: int):
            self.faults: dict[str, Fault] = {}
            self.timed_log: list[_Logged] = []
            self.stopping = threading.Event()
            self.tls_context: ssl.SSLContext | None = None
            super().__init__(portal, host, port)
            self.RequestHandlerClass = FaultHandler

        def get_request(self) -> tuple[Any, Any]:
            sock, addr = super().get_request()
            if self.tls_context is not None:
                # The handshake happens in the handler's thread, on its first read.
                sock = self.tls_context.wrap_socket(
                    sock, server_side=True, do_handshake_on_connect=False
                )
            return sock, addr

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # broken connections are what this server is for

    _server: FaultServer._Inner

    def __init__(
        self,
        portal: SamplePortal | None = None,
        *,
        tls: tuple[Path, Path] | None = None,
        host: str = "127.0.0.1",
    ):
        self.portal = portal or base_portal()
        self._server = self._Inner(self.portal, host, 0)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.tls_context = ctx
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-portal", daemon=True
        )
        self.add_route(Route(path=LIST_PATH, body=self.default_list()))
        self.add_route(
            Route(path=FAULT_ARTICLE_PATH, file="site" + CONTENT_ARTICLE)  # healthy by default
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    @property
    def timed_log(self) -> list[_Logged]:
        return self._server.timed_log

    def requests_to(self, path: str) -> list[_Logged]:
        return [r for r in self.timed_log if unquote(urlsplit(r.path).path) == path]

    def add_fault(
        self, path: str, respond: Responder, *, times: int | None = None, name: str = ""
    ) -> Fault:
        fault = Fault(name or path, respond, times)
        self._server.faults[path] = fault
        return fault

    def set_list(self, entries: list[tuple[str, str]], next_href: str | None = None) -> None:
        """Replace the list page's rows."""
        self._server.extra_routes[:] = [r for r in self._server.extra_routes if r.path != LIST_PATH]
        self.add_route(Route(path=LIST_PATH, body=list_page(entries, next_href)))

    @staticmethod
    def default_entries() -> list[tuple[str, str]]:
        healthy = [(p, golden(p)["title"]) for p in HEALTHY_ARTICLES]
        return [*healthy, (FAULT_ARTICLE_PATH, golden(CONTENT_ARTICLE)["title"])]

    def default_list(self) -> str:
        return list_page(self.default_entries())

    def start(self) -> FaultServer:
        super().start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        super().stop()


def source_toml(source_id: str, base: str, *, max_pages: int = 3, section: str = LIST_PATH) -> str:
    """The [[source]] that crawls the fault portal (upload-cms, like binhdinh.gov.vn)."""
    return f"""
[[source]]
id = "{source_id}"
province = "gia-lai"
former_province = "binh-dinh"
name = "Cổng thông tin điện tử tỉnh Bình Định (bản thử lỗi)"
homepage = "{base}/"
platform = "upload-cms"
max_pages = {max_pages}
notes = "binhdinh.gov.vn sample copy served with injected faults (tests/faultserver.py)."

[[source.section]]
url = "{base}{section}"
topics = []
"""


# -- TLS ------------------------------------------------------------------------------------------


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate for `host` (PEM cert and key files), made with `cryptography`
    (a Scrapy dependency, so no system tool is needed)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND tinh Binh Dinh (test)"),
            x509.NameAttribute(NameOID.COMMON_NAME, host),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
