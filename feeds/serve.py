"""`vnfeeds serve`: the output dir over HTTP, with the manners feed readers rely on.

- the right content types (`application/atom+xml`, `application/rss+xml`,
  `application/feed+json`, `text/x-opml`, `text/html`),
- a strong ETag (a hash of the bytes) and Last-Modified, answered with 304 on a conditional GET,
- gzip when the client asks for it, Cache-Control,
- nothing outside the output dir (`..`, encoded dots and slashes, backslashes, NUL bytes,
  absolute paths, dotfiles and symlinks out: 404),
- a pre-2025 province slug that is no longer a current one answers 301 to the unit it merged into
  (`province/binh-dinh.atom` -> `province/gia-lai.atom`),
- query feeds `search.atom|rss|json?q=&province=&topic=&page=` from the store (feeds/query.py),
  400 for a bad parameter; `/healthz` when the scheduler gives a health callback.

One asyncio event loop serves every connection (HTTP/1.1 keep-alive, pipelining), so a slow or
idle client costs a few hundred bytes, not a thread. What a file answers is kept per file version
(inode, mtime, size: one `stat` per request tells whether it changed): its ETag and
Last-Modified, the header block of its 304, and its body and gzip body within a memory budget.
The store-backed answers (query feeds, health) run in a small thread pool.

Limits (each a constructor argument): request line 8 KiB (414), header section 16 KiB and 100
fields (431), no request bodies (413), the request head must arrive within `header_timeout`
seconds of its first byte (408: one byte a second does not hold a connection), an idle
keep-alive connection is closed after `idle_timeout`, at most `max_connections` at once (503).
Every refusal closes the connection; the server goes on serving the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import socket
import stat
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from isal import igzip

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
HEALTH_PATH = "/healthz"

MAX_REQUEST_LINE = 8192
MAX_HEADER_BYTES = 16384
MAX_HEADER_FIELDS = 100
HEADER_TIMEOUT = 10.0
IDLE_TIMEOUT = 30.0
MAX_CONNECTIONS = 1024
BODY_CACHE_BYTES = 256 * 1024 * 1024  # bodies and gzip bodies kept in memory, all files
REVALIDATE_SECONDS = 1.0  # a cached path is resolved again (symlinks, dirs) at most this often
STORE_THREADS = 4
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


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


def not_modified(
    etag: str, mtime: float | None, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110 13.1: If-None-Match (weak comparison, `*`) first, else If-Modified-Since."""
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    if if_modified_since and mtime is not None:
        try:
            return int(mtime) <= int(parsedate_to_datetime(if_modified_since).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


# -- files ---------------------------------------------------------------------------------------


@dataclass
class _File:
    """What one version of one file answers."""

    real: str  # the resolved path, inside the root
    stamp: tuple[int, int, int]  # inode, mtime_ns, size
    validated: float  # when `real` was last resolved from the URL path
    etag: str
    mtime: float
    headers: bytes  # ETag … X-Content-Type-Options lines, shared by 200 and 304
    content_type: str


class _Files:
    """URL path -> file version, resolved safely and kept while the file does not change."""

    def __init__(self, root: Path, budget: int = BODY_CACHE_BYTES):
        self.root = str(root)
        self.prefix = self.root.rstrip(os.sep) + os.sep
        self.entries: dict[str, _File] = {}
        self.bodies: OrderedDict[tuple[str, tuple[int, int, int], bool], bytes] = OrderedDict()
        self.budget = budget
        self.held = 0

    def resolve(self, url_path: str) -> str | None:
        """The real path of a regular file under the root for a URL path, else None: no NUL,
        no backslash, no dot segment or dotfile (the build's state), nothing that resolves
        (symlinks included) outside the root."""
        rel = unquote(url_path)
        if "\x00" in rel or "\\" in rel:
            return None
        rel = rel.lstrip("/")
        if any(part.startswith(".") for part in rel.split("/")):
            return None
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        real = os.path.realpath(os.path.join(self.root, rel))
        if not real.startswith(self.prefix):
            return None
        return real

    def get(self, url_path: str, now: float) -> _File | None:
        entry = self.entries.get(url_path)
        if entry is not None:
            if now - entry.validated >= REVALIDATE_SECONDS:
                # Resolve the path again now and then: a directory swapped for a symlink.
                if self.resolve(url_path) == entry.real:
                    entry.validated = now
                else:
                    entry = None
            if entry is not None:
                try:
                    st = os.stat(entry.real)
                except OSError:
                    st = None
                if st is not None and (st.st_ino, st.st_mtime_ns, st.st_size) == entry.stamp:
                    return entry
        return self._load(url_path, now)

    def _load(self, url_path: str, now: float) -> _File | None:
        self.entries.pop(url_path, None)
        real = self.resolve(url_path)
        if real is None:
            return None
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read()
        finally:
            os.close(fd)
        stamp = (st.st_ino, st.st_mtime_ns, len(data))
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = (
            f"ETag: {etag}\r\n"
            f"Last-Modified: {formatdate(st.st_mtime, usegmt=True)}\r\n"
            f"Cache-Control: public, max-age={CACHE_SECONDS}\r\n"
            "Vary: Accept-Encoding\r\n"
            "X-Content-Type-Options: nosniff\r\n"
        ).encode("ascii")
        suffix = os.path.splitext(real)[1]
        entry = _File(
            real,
            stamp,
            now,
            etag,
            st.st_mtime,
            headers,
            CONTENT_TYPES.get(suffix, "application/octet-stream"),
        )
        if len(self.entries) > 100_000:  # a crawler of random paths cannot grow this forever
            self.entries.clear()
        self.entries[url_path] = entry
        self._keep((real, stamp, False), data)
        return entry

    def body(self, entry: _File, gzipped: bool) -> bytes | None:
        """The file's bytes (or their gzip) for this version; None if the file changed since."""
        key = (entry.real, entry.stamp, gzipped)
        data = self.bodies.get(key)
        if data is not None:
            self.bodies.move_to_end(key)
            return data
        plain = self.bodies.get((entry.real, entry.stamp, False))
        if plain is None:
            try:
                with open(entry.real, "rb") as f:
                    st = os.fstat(f.fileno())
                    plain = f.read()
            except OSError:
                return None
            if (st.st_ino, st.st_mtime_ns, len(plain)) != entry.stamp:
                return None
            self._keep((entry.real, entry.stamp, False), plain)
        if not gzipped:
            return plain
        data = igzip.compress(plain, compresslevel=3, mtime=0)
        self._keep(key, data)
        return data

    def _keep(self, key: tuple[str, tuple[int, int, int], bool], data: bytes) -> None:
        if len(data) > self.budget // 16:
            return
        old = self.bodies.pop(key, None)
        if old is not None:
            self.held -= len(old)
        self.bodies[key] = data
        self.held += len(data)
        while self.held > self.budget and self.bodies:
            _, dropped = self.bodies.popitem(last=False)
            self.held -= len(dropped)


# -- requests ------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    keep_alive: bool

    @property
    def head(self) -> bool:
        return self.method == "HEAD"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_head(head: bytes) -> Request:
    """A request line and header fields (without the blank line), strictly: RFC 9112 syntax,
    the size limits, Host required in HTTP/1.1, no request body."""
    lines = head.split(b"\n")
    line = lines[0].rstrip(b"\r")
    if len(line) > MAX_REQUEST_LINE:
        raise BadRequest(414, "request line too long")
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise BadRequest(400, "malformed request line")
    method_b, target_b, version_b = parts
    if version_b not in (b"HTTP/1.1", b"HTTP/1.0"):
        if version_b.startswith(b"HTTP/") and len(version_b) == 8:
            raise BadRequest(505, "HTTP/1.0 and HTTP/1.1 only")
        raise BadRequest(400, "malformed request line")
    if not all(c in _TOKEN for c in method_b):
        raise BadRequest(400, "malformed method")
    try:
        target = target_b.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest(400, "non-ASCII request target") from None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        raise BadRequest(400, "control character in request target")
    if len(lines) - 1 > MAX_HEADER_FIELDS:
        raise BadRequest(431, "too many header fields")
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        raw = raw.rstrip(b"\r")
        if len(raw) > MAX_REQUEST_LINE:
            raise BadRequest(431, "header field too long")
        name, colon, value = raw.partition(b":")
        if not colon or not name or not all(c in _TOKEN for c in name):
            raise BadRequest(400, "malformed header field")
        key = name.decode("ascii").lower()
        text = value.strip(b" \t").decode("latin-1")
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in text):
            raise BadRequest(400, "control character in a header field")
        if key in headers:
            if key in ("host", "content-length", "transfer-encoding"):
                raise BadRequest(400, f"repeated {key}")
            headers[key] += ", " + text
        else:
            headers[key] = text
    version = version_b.decode("ascii")
    if version == "HTTP/1.1" and "host" not in headers:
        raise BadRequest(400, "Host header required")
    if "transfer-encoding" in headers:
        raise BadRequest(413, "request bodies are not accepted")
    length = headers.get("content-length")
    if length is not None and length.strip() != "0":
        if not length.strip().isdigit():
            raise BadRequest(400, "malformed Content-Length")
        raise BadRequest(413, "request bodies are not accepted")
    if target.startswith(("http://", "https://")):  # absolute-form
        rest = target.split("//", 1)[1]
        slash = rest.find("/")
        target_path = rest[slash:] if slash >= 0 else "/"
    elif target.startswith("/"):
        target_path = target
    else:
        raise BadRequest(400, "malformed request target")
    path, _, query = target_path.partition("?")
    path = path.partition("#")[0]
    connection = headers.get("connection", "").lower()
    # HTTP/1.1 keeps the connection unless told to close it, HTTP/1.0 only when asked.
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    method = method_b.decode("ascii")
    return Request(method, target, path, query.partition("#")[0], version, headers, keep_alive)


class _Date:
    """The Date header, formatted once per second."""

    def __init__(self) -> None:
        self.second = -1
        self.line = b""

    def get(self) -> bytes:
        now = int(time.time())
        if now != self.second:
            self.second = now
            self.line = f"Date: {formatdate(now, usegmt=True)}\r\n".encode("ascii")
        return self.line


# -- connections ---------------------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    def __init__(self, server: FeedServer):
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.busy = False  # a store-backed answer is being computed
        self.closing = False
        self.paused_writing = False
        self.deadline = 0.0
        self.waiting_head = False  # the deadline is the header timeout, not the idle one
        self.lingering = False  # refused: reading and dropping what the client still sends
        self.dropped = 0
        self.eof = False
        self.peer = "-"

    # asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        server = self.server
        peer = transport.get_extra_info("peername")
        if peer:
            self.peer = str(peer[0])
        server.connections.add(self)
        if len(server.connections) > server.max_connections:
            self._refuse(503, "too many connections\n")
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.deadline = server.loop_time() + server.idle_timeout

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.server.connections.discard(self)

    def pause_writing(self) -> None:
        self.paused_writing = True
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.paused_writing = False
        if self.transport is not None and not self.closing:
            self.transport.resume_reading()
            self._process()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self.dropped += len(data)
            if self.dropped > LINGER_BYTES and self.transport is not None:
                self.transport.abort()
            return
        if self.closing:
            return
        if not self.buffer and not self.waiting_head:
            self.waiting_head = True
            self.deadline = self.server.loop_time() + self.server.header_timeout
        self.buffer += data
        if not self.busy and not self.paused_writing:
            self._process()

    def eof_received(self) -> bool | None:
        if self.lingering or not self.busy:
            return None  # close once what was answered is written
        self.eof = True  # answer the request in progress, then close
        return True

    # requests

    def _process(self) -> None:
        server = self.server
        while not self.busy and not self.closing and not self.paused_writing and self.buffer:
            buf = self.buffer
            end = buf.find(b"\r\n\r\n")
            skip = 4
            if end < 0:
                end = buf.find(b"\n\n")
                skip = 2
            first = buf.find(b"\n", 0, MAX_REQUEST_LINE + 2)
            if first < 0 and len(buf) > MAX_REQUEST_LINE + 1:
                self._refuse(414, "request line too long\n")
                return
            if end < 0:
                if len(buf) > MAX_HEADER_BYTES:
                    self._refuse(431, "request header section too large\n")
                return
            if end > MAX_HEADER_BYTES:
                self._refuse(431, "request header section too large\n")
                return
            head = bytes(buf[:end])
            del buf[: end + skip]
            if not head.strip():
                continue  # blank lines between requests (RFC 9112 2.2)
            try:
                request = parse_head(head)
            except BadRequest as exc:
                self._refuse(exc.status, exc.message + "\n")
                return
            self.waiting_head = bool(self.buffer)
            now = server.loop_time()
            self.deadline = now + (server.header_timeout if self.buffer else server.idle_timeout)
            self._handle(request)

    def _handle(self, request: Request) -> None:
        server = self.server
        if request.method not in ("GET", "HEAD"):
            self._send_plain(
                request, 405, "GET and HEAD only\n", extra=b"Allow: GET, HEAD\r\n", close=True
            )
            return
        path = request.path
        if path == HEALTH_PATH and server.health is not None:
            self._offload(request, server.health_answer)
            return
        if path.lstrip("/") in QUERY_FEEDS:
            self._offload(request, lambda: server.query_answer(request))
            return
        decoded = unquote(path)
        target = redirect_target(decoded)
        if target:
            location = target + ("?" + request.query if request.query else "")
            if any(ord(c) < 0x21 or ord(c) > 0x7E for c in location):
                self._send_plain(request, 404, "not found\n")
                return
            self._send_plain(
                request, 301, f"moved to {location}\n", extra=f"Location: {location}\r\n".encode()
            )
            return
        entry = server.files.get(path, server.loop_time())
        if entry is None:
            self._send_plain(request, 404, "not found\n")
            return
        h = request.headers
        inm, ims = h.get("if-none-match"), h.get("if-modified-since")
        if (inm is not None or ims) and not_modified(entry.etag, entry.mtime, inm, ims):
            self._write(request, 304, entry.headers, b"", head=True, length=None)
            return
        accepts = "gzip" in h.get("accept-encoding", "").lower()
        gzipped = accepts and entry.stamp[2] >= GZIP_MIN_BYTES
        body = server.files.body(entry, gzipped)
        if body is None:  # replaced between the stat and the read: answer the new version
            entry = server.files.get(path, server.loop_time() + REVALIDATE_SECONDS * 2)
            body = server.files.body(entry, gzipped) if entry is not None else None
            if entry is None or body is None:
                self._send_plain(request, 404, "not found\n")
                return
        headers = f"Content-Type: {entry.content_type}\r\n".encode() + entry.headers
        if gzipped:
            headers += b"Content-Encoding: gzip\r\n"
        self._write(request, 200, headers, body, head=request.head, length=len(body))

    def _offload(self, request: Request, work: Callable[[], tuple[int, bytes, bytes]]) -> None:
        """A store-backed answer, computed in the thread pool; pipelined requests wait."""
        self.busy = True
        if self.transport is not None:
            self.transport.pause_reading()
        future = asyncio.get_running_loop().run_in_executor(self.server.executor, work)

        def done(f: asyncio.Future[tuple[int, bytes, bytes]]) -> None:
            self.busy = False
            if self.closing:
                return
            try:
                status, headers, body = f.result()
            except Exception as exc:  # a failing store must not take the server down
                self.server.log_error(f"{request.path}: {exc!r}")
                status, headers, body = (
                    500,
                    b"Content-Type: text/plain; charset=utf-8\r\n",
                    (b"internal error\n"),
                )
            self._write(request, status, headers, body, head=request.head, length=len(body))
            if self.transport is not None and not self.closing:
                self.transport.resume_reading()
                self._process()

        future.add_done_callback(done)

    def _send_plain(
        self,
        request: Request | None,
        status: int,
        text: str,
        *,
        extra: bytes = b"",
        close: bool = False,
        linger: bool = False,
    ) -> None:
        body = text.encode("utf-8")
        headers = b"Content-Type: text/plain; charset=utf-8\r\n" + extra
        head = request.head if request is not None else False
        self._write(
            request, status, headers, body, head=head, length=len(body), close=close, linger=linger
        )

    def _refuse(self, status: int, text: str) -> None:
        """Answer a request that cannot be read, then close the connection: after a FIN, what
        the client is still sending is read and dropped for a moment (closing a socket with
        unread data sends a reset, which can destroy the answer before the client reads it)."""
        self.buffer.clear()
        transport = self.transport
        self._send_plain(None, status, text, close=True, linger=True)
        if transport is not None and self.lingering:
            self.deadline = self.server.loop_time() + LINGER_SECONDS

    def _write(
        self,
        request: Request | None,
        status: int,
        headers: bytes,
        body: bytes,
        *,
        head: bool,
        length: int | None,
        close: bool = False,
        linger: bool = False,
    ) -> None:
        transport = self.transport
        if transport is None or self.closing:
            return
        server = self.server
        close = (
            close
            or request is None
            or not request.keep_alive
            or server.stopping
            or (self.eof and not self.buffer)
        )
        out = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "").encode()),
            server.date.get(),
            b"Server: vnfeeds\r\n",
            headers,
        ]
        if length is not None:
            out.append(b"Content-Length: %d\r\n" % length)
        if close:
            out.append(b"Connection: close\r\n")
        out.append(b"\r\n")
        if not head and body:
            out.append(body)
        transport.write(b"".join(out))
        if not server.quiet:
            line = f"{request.method} {request.target} {request.version}" if request else "-"
            server.log(f'{self.peer} - - "{line}" {status} {len(body) if not head else "-"}')
        if close:
            self.closing = True
            if linger and transport.can_write_eof():
                self.lingering = True
                transport.write_eof()
            else:
                transport.close()
            return
        if not self.buffer:
            self.waiting_head = False
            self.deadline = server.loop_time() + server.idle_timeout

    def expire(self, now: float) -> None:
        """Called about once a second: close a connection past its deadline."""
        if now < self.deadline:
            return
        if self.lingering:
            if self.transport is not None:
                self.transport.abort()
            return
        if self.closing or self.busy:
            return
        if self.waiting_head:
            self._refuse(408, "request head not received in time\n")
        elif self.transport is not None:
            self.closing = True
            self.transport.close()


# -- the server ----------------------------------------------------------------------------------


class FeedServer:
    """The server of an output dir, listening from construction (the port is known, and a
    taken port raises OSError at once). `serve_forever` runs its event loop in the calling
    thread until `shutdown` (from another thread) or KeyboardInterrupt."""

    def __init__(
        self,
        root: Path,
        host: str,
        port: int,
        *,
        quiet: bool = False,
        db: str | os.PathLike[str] | None = None,
        base_url: str | None = None,
        health: Callable[[], dict[str, Any]] | None = None,
        max_connections: int = MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ):
        self.root = Path(root).resolve()
        self.quiet = quiet
        self.db = db
        self.health = health
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=1024)
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.base_url = base_url or self.url
        self.files = _Files(self.root)
        self.date = _Date()
        self.connections: set[_Connection] = set()
        self.executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="serve-store")
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._finished = threading.Event()
        self._shutdown_requested = False

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    def log(self, message: str) -> None:
        stamp = time.strftime("%d/%b/%Y %H:%M:%S")
        sys.stderr.write(f"[{stamp}] {message}\n")

    def log_error(self, message: str) -> None:
        self.log(f"error: {message}")

    # running

    def serve_forever(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            try:
                for conn in list(self.connections):
                    if conn.transport is not None:
                        conn.transport.abort()
                loop.run_until_complete(asyncio.sleep(0))
            finally:
                loop.close()
                self._finished.set()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await loop.create_server(lambda: _Connection(self), sock=self.socket)
        sweeper = loop.create_task(self._sweep())
        self._started.set()
        if self._shutdown_requested:
            self._stop.set()
        try:
            await self._stop.wait()
        finally:
            self.stopping = True
            sweeper.cancel()
            server.close()

    async def _sweep(self) -> None:
        interval = max(0.05, min(1.0, self.header_timeout / 4, self.idle_timeout / 4))
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            now = loop.time()
            for conn in list(self.connections):
                conn.expire(now)

    def shutdown(self) -> None:
        """Stop `serve_forever` (called from another thread) and wait until it returned."""
        self._shutdown_requested = True
        loop, stop = self._loop, self._stop
        if loop is None or not self._started.is_set() or stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(stop.set)
        self._finished.wait(10)

    def server_close(self) -> None:
        self.socket.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # store-backed answers (thread pool)

    def health_answer(self) -> tuple[int, bytes, bytes]:
        """The service's liveness for monitoring: 200 with a JSON body, 503 when stopping or
        when the status callback itself fails."""
        assert self.health is not None
        try:
            state = self.health()
            code = 200 if state.get("status") == "ok" else 503
        except Exception as exc:  # the endpoint must answer even then
            state, code = {"status": "error", "error": repr(exc)[:200]}, 503
        body = (json.dumps(state, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        headers = b"Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n"
        return code, headers, body

    def query_answer(self, request: Request) -> tuple[int, bytes, bytes]:
        """`search.atom?q=…` from the store (feeds/query.py): 400 for a bad parameter, ETag
        of the document and 304, gzip, a short Cache-Control."""
        from feeds.query import FORMATS, QueryError, parse_query, render_query

        plain = b"Content-Type: text/plain; charset=utf-8\r\n"
        name = request.path.lstrip("/")
        if self.db is None or not Path(self.db).exists():
            return 404, plain, b"query feeds need the store: vnfeeds serve --db PATH\n"
        try:
            query = parse_query(request.query)
        except QueryError as exc:
            return 400, plain, f"bad query: {exc}\n".encode()
        from crawler.store import open_readonly

        db = open_readonly(Path(self.db))
        try:
            data = render_query(
                db,
                query,
                FORMATS[name],
                base_url=self.base_url,
                fallback_updated=QUERY_FALLBACK_UPDATED,
            )
        finally:
            db.close()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = (
            f"ETag: {etag}\r\nCache-Control: public, max-age={QUERY_CACHE_SECONDS}\r\n"
            "Vary: Accept-Encoding\r\nX-Content-Type-Options: nosniff\r\n"
        ).encode()
        h = request.headers
        if not_modified(etag, None, h.get("if-none-match"), None):
            return 304, headers, b""
        body = data
        if "gzip" in h.get("accept-encoding", "").lower() and len(data) >= GZIP_MIN_BYTES:
            body = igzip.compress(data, compresslevel=3, mtime=0)
            headers += b"Content-Encoding: gzip\r\n"
        ctype = CONTENT_TYPES["." + name.rsplit(".", 1)[1]]
        return 200, f"Content-Type: {ctype}\r\n".encode() + headers, body


def make_server(
    root: str | os.PathLike[str],
    host: str,
    port: int,
    *,
    quiet: bool = False,
    db: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    health: Callable[[], dict[str, Any]] | None = None,
    max_connections: int = MAX_CONNECTIONS,
    header_timeout: float = HEADER_TIMEOUT,
    idle_timeout: float = IDLE_TIMEOUT,
) -> FeedServer:
    """The server of an output dir; with `db`, also the query feeds (`search.atom?q=…`), whose
    self and next links start with `base_url` (default: the server's own URL); with `health`
    (the scheduler's), `/healthz` answers its JSON."""
    Path(root).mkdir(parents=True, exist_ok=True)
    return FeedServer(
        Path(root),
        host,
        port,
        quiet=quiet,
        db=db,
        base_url=base_url,
        health=health,
        max_connections=max_connections,
        header_timeout=header_timeout,
        idle_timeout=idle_timeout,
    )
