"""Sample portals (crawler/sampleportals/): saved copies of real portals served on 127.0.0.1.

`vnfeeds demo` and the tests serve them with `PortalServer`, a real HTTP server (standard
library, one thread per connection) that maps a URL path to a file of the copy, honours the
copy's explicit routes (exact path plus query parameters, status, content type, headers, delay)
and logs every request so tests can check what the crawler asked for.
"""

from __future__ import annotations

import hashlib
import mimetypes
import ssl
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import tomli_w

from crawler.clock import parse_iso

SAMPLES_DIR = Path(__file__).resolve().parent / "sampleportals"


@dataclass
class Route:
    path: str
    file: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    status: int = 200
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    delay: float = 0.0
    method: str = "GET"  # GET routes answer HEAD too
    form: dict[str, str] = field(default_factory=dict)  # POST: these form fields must match
    headers_required: dict[str, str] = field(default_factory=dict)  # e.g. X-Requested-With

    def matches(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        form: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> bool:
        wanted = self.method.upper()
        if method != wanted and not (method == "HEAD" and wanted == "GET"):
            return False
        return (
            path == self.path
            and all(query.get(k) == v for k, v in self.query.items())
            and all(form.get(k) == v for k, v in self.form.items())
            and all(headers.get(k) == v for k, v in self.headers_required.items())
        )


@dataclass
class SamplePortal:
    name: str
    root: Path
    stands_for: str
    captured: datetime
    replay_at: datetime
    provenance: str
    routes: list[Route]
    sources: list[dict[str, Any]]

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def golden_dir(self) -> Path:
        return self.root / "golden"

    def file_for(self, url: str) -> Path | None:
        """The file a GET of `url` (path and query) is answered with, if any."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for route in _by_specificity(self.routes):
            if route.matches("GET", path, query, {}, {}):
                return (self.root / route.file).resolve() if route.file else None
        site = self.site.resolve()
        candidate = (site / path.lstrip("/")).resolve()
        if site not in (candidate, *candidate.parents):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def sources_toml(self, base: str) -> str:
        """This copy's [[source]] tables with {base} replaced by the server's origin."""
        return tomli_w.dumps({"source": _substitute(self.sources, base.rstrip("/"))})


def _by_specificity(routes: list[Route]) -> list[Route]:
    """Routes with more conditions first: `/list?id=5` wins over `/list`."""
    return sorted(routes, key=lambda r: -(len(r.query) + len(r.form) + len(r.headers_required)))


def _substitute(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [_substitute(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, base) for k, v in value.items()}
    return value


def load_portal(root: Path) -> SamplePortal:
    data = tomllib.loads((root / "portal.toml").read_text(encoding="utf-8"))
    meta = data.get("portal", {})
    captured = parse_iso(str(meta["captured"]))
    return SamplePortal(
        name=root.name,
        root=root,
        stands_for=str(meta.get("stands_for", "")),
        captured=captured,
        replay_at=parse_iso(str(meta.get("replay_at", meta["captured"]))),
        provenance=str(meta.get("provenance", "")),
        routes=[Route(**r) for r in data.get("route", [])],
        sources=list(data.get("source", [])),
    )


def sample_portals(directory: Path = SAMPLES_DIR) -> list[SamplePortal]:
    return [load_portal(p) for p in sorted(directory.iterdir()) if (p / "portal.toml").is_file()]


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".json": "application/json",
    ".pdf": "application/pdf",
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_POST(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form: dict[str, str] = {}
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 1_000_000)).decode("utf-8", "replace")
            form = dict(parse_qsl(raw, keep_blank_values=True))
        headers = dict(self.headers.items())
        self.server.log.append((self.command, self.path, headers))
        portal = self.server.portal
        for route in [*self.server.extra_routes, *_by_specificity(portal.routes)]:
            if route.matches(self.command, path, query, form, headers):
                if route.delay:
                    time.sleep(route.delay)
                if route.body is not None:
                    body = route.body.encode("utf-8")
                    ctype = route.content_type or "text/html; charset=utf-8"
                elif route.file:
                    file = (portal.root / route.file).resolve()
                    body = file.read_bytes()
                    ctype = route.content_type or _TYPES.get(
                        file.suffix.lower(), mimetypes.guess_type(file.name)[0] or "text/html"
                    )
                else:
                    body, ctype = b"", route.content_type or "text/plain"
                if route.status == 200 and route.file and self._not_modified(body, headers):
                    return
                self._send(route.status, body, ctype, route.headers, head)
                return
        found = self.server.portal.file_for(self.path) if self.command != "POST" else None
        if found is None:
            self._send(
                404, b"<html><body><h1>404</h1></body></html>", "text/html; charset=utf-8", {}, head
            )
            return
        ctype = _TYPES.get(
            found.suffix.lower(), mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        )
        body = found.read_bytes()
        if self._not_modified(body, headers):
            return
        self._send(200, body, ctype, self._validators(body), head)

    def _validators(self, body: bytes) -> dict[str, str]:
        """ETag (of the bytes) and Last-Modified (the copy's capture time), as IIS and nginx
        send them for static files."""
        return {
            "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            "Last-Modified": formatdate(self.server.portal.replay_at.timestamp(), usegmt=True),
        }

    def _not_modified(self, body: bytes, request_headers: Mapping[str, str]) -> bool:
        """Answer a conditional GET whose validators still hold with 304 (True when sent)."""
        lower = {k.lower(): v for k, v in request_headers.items()}
        mine = self._validators(body)
        etag, since = lower.get("if-none-match"), lower.get("if-modified-since")
        if etag is not None:
            fresh = mine["ETag"] in [t.strip() for t in etag.split(",")] or etag.strip() == "*"
        elif since is not None:
            try:
                fresh = parsedate_to_datetime(since) >= self.server.portal.replay_at
            except (TypeError, ValueError):
                fresh = False
        else:
            return False
        if fresh:
            self._send(304, b"", "", mine, head=True)
        return fresh

    def _send(
        self, status: int, body: bytes, ctype: str, headers: Mapping[str, str], head: bool
    ) -> None:
        self.send_response(
            status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        )
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, portal: SamplePortal, host: str, port: int):
        self.portal = portal
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.extra_routes: list[Route] = []
        super().__init__((host, port), _Handler)


class PortalServer:
    """Serve one sample portal on 127.0.0.1 in a background thread."""

    def __init__(
        self,
        portal: SamplePortal,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ):
        self.portal = portal
        self._server = _Server(portal, host, port)
        self._scheme = "http"
        if tls is not None:  # serve over HTTPS (tests of TLS problems)
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"portal-{portal.name}", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    @property
    def log(self) -> list[tuple[str, str, dict[str, str]]]:
        return self._server.log

    def add_route(self, route: Route) -> None:
        """Routes added here win over the copy's own (fault injection in tests)."""
        self._server.extra_routes.insert(0, route)

    def clear_routes(self) -> None:
        """Back to the copy's own routes (a fault that ends)."""
        self._server.extra_routes.clear()

    def start(self) -> PortalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_portals(portals: list[SamplePortal]) -> Iterator[PortalServer]:
    for portal in portals:
        yield PortalServer(portal).start()
