"""`vnfeeds serve`: the output dir over HTTP, with the manners feed readers rely on.

- the right content types (`application/atom+xml`, `application/rss+xml`,
  `application/feed+json`, `text/x-opml`, `text/html`),
- a strong ETag (a hash of the bytes) and Last-Modified, answered with 304 on a conditional GET,
- gzip when the client asks for it, Cache-Control,
- nothing outside the output dir (`..`, encoded dots, absolute paths and symlinks out: 404),
- a pre-2025 province slug that is no longer a current one answers 301 to the unit it merged into
  (`province/binh-dinh.atom` -> `province/gia-lai.atom`),
- query feeds `search.atom|rss|json?q=&province=&topic=&page=` from the store (feeds/query.py),
  400 for a bad parameter.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler import places

CONTENT_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
CACHE_SECONDS = 300
GZIP_MIN_BYTES = 1024
QUERY_FEEDS = {"search.atom", "search.rss", "search.json"}
QUERY_CACHE_SECONDS = 60
# The `updated` of a query feed with no match (any fixed instant: same store, same bytes).
QUERY_FALLBACK_UPDATED = "2025-07-01T00:00:00+07:00"


class _FileCache:
    """ETag and gzip body per (path, mtime, size): computed once per file version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[tuple[int, int], str, bytes | None]] = {}

    def get(
        self, path: Path, data: bytes, stamp: tuple[int, int], want_gzip: bool
    ) -> tuple[str, bytes | None]:
        key = str(path)
        with self._lock:
            hit = self._entries.get(key)
        if hit and hit[0] == stamp and (hit[2] is not None or not want_gzip):
            return hit[1], hit[2]
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        gz = gzip.compress(data, mtime=0) if want_gzip else (hit[2] if hit else None)
        with self._lock:
            self._entries[key] = (stamp, etag, gz)
        return etag, gz


def redirect_target(path: str) -> str | None:
    """`/province/binh-dinh.atom` -> `/province/gia-lai.atom` (a retired slug), else None."""
    parts = path.lstrip("/").split("/")
    if len(parts) < 2 or parts[0] != "province":
        return None
    head, dot, ext = parts[1].partition(".")
    retired = places.retired_slugs()
    if head not in retired:
        return None
    parts[1] = retired[head] + (dot + ext if dot else "")
    return "/" + "/".join(parts)


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"
    server_version = "vnfeeds"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.quiet:
            return
        super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_GET(self) -> None:
        self._handle(head=False)

    def _plain(
        self, status: int, text: str, head: bool, headers: dict[str, str] | None = None
    ) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _resolve(self, url_path: str) -> Path | None:
        root = self.server.root
        rel = unquote(url_path)
        if "\x00" in rel:
            return None
        rel = rel.lstrip("/")
        if any(part.startswith(".") for part in rel.split("/")):
            return None  # dotfiles (the build's state) and dot segments are never served
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        candidate = (root / rel).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        return candidate if candidate.is_file() else None

    def _handle(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path.lstrip("/") in QUERY_FEEDS:
            self._query_feed(path.lstrip("/"), urlsplit(self.path).query, head)
            return
        target = redirect_target(unquote(path))
        if target:
            location = target
            query = urlsplit(self.path).query
            if query:
                location += "?" + query
            self._plain(301, f"moved to {location}\n", head, {"Location": location})
            return
        file = self._resolve(path)
        if file is None:
            self._plain(404, "not found\n", head)
            return
        try:
            data = file.read_bytes()
            st = file.stat()
        except OSError:
            self._plain(404, "not found\n", head)
            return
        accept = self.headers.get("Accept-Encoding", "")
        want_gzip = "gzip" in accept.lower() and len(data) >= GZIP_MIN_BYTES
        etag, gz = self.server.cache.get(file, data, (st.st_mtime_ns, st.st_size), want_gzip)
        last_modified = formatdate(st.st_mtime, usegmt=True)
        headers = {
            "ETag": etag,
            "Last-Modified": last_modified,
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if self._not_modified(etag, st.st_mtime):
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        body = data
        if want_gzip and gz is not None:
            body = gz
            headers["Content-Encoding"] = "gzip"
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(file.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _query_feed(self, name: str, query_string: str, head: bool) -> None:
        """`search.atom?q=…` from the store (feeds/query.py): 400 for a bad parameter, ETag
        of the document and 304, gzip, a short Cache-Control."""
        from feeds.query import FORMATS, QueryError, parse_query, render_query

        db_path = self.server.db
        if db_path is None or not Path(db_path).exists():
            self._plain(404, "query feeds need the store: vnfeeds serve --db PATH\n", head)
            return
        try:
            query = parse_query(query_string)
        except QueryError as exc:
            self._plain(400, f"bad query: {exc}\n", head)
            return
        from crawler.store import open_readonly

        db = open_readonly(Path(db_path))
        try:
            data = render_query(
                db,
                query,
                FORMATS[name],
                base_url=self.server.base_url,
                fallback_updated=QUERY_FALLBACK_UPDATED,
            )
        finally:
            db.close()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={QUERY_CACHE_SECONDS}",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if self._not_modified(etag, None):
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        body = data
        accept = self.headers.get("Accept-Encoding", "")
        if "gzip" in accept.lower() and len(data) >= GZIP_MIN_BYTES:
            body = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES["." + name.rsplit(".", 1)[1]])
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str, mtime: float | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return etag in tags or "*" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and mtime is not None:
            try:
                return int(mtime) <= int(parsedate_to_datetime(ims).timestamp())
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
        return False


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        root: Path,
        host: str,
        port: int,
        *,
        quiet: bool = False,
        db: str | os.PathLike[str] | None = None,
        base_url: str | None = None,
    ):
        self.root = Path(root).resolve()
        self.cache = _FileCache()
        self.quiet = quiet
        self.db = db
        super().__init__((host, port), FeedHandler)
        self.base_url = base_url or self.url

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def make_server(
    root: str | os.PathLike[str],
    host: str,
    port: int,
    *,
    quiet: bool = False,
    db: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
) -> FeedServer:
    """The server of an output dir; with `db`, also the query feeds (`search.atom?q=…`), whose
    self and next links start with `base_url` (default: the server's own URL)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    return FeedServer(Path(root), host, port, quiet=quiet, db=db, base_url=base_url)
