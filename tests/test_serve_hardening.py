"""`vnfeeds serve` against hostile clients, over real sockets on 127.0.0.1: path traversal in
every spelling (dot segments, encoded dots and slashes, double encoding, backslashes, NUL bytes,
absolute paths and URIs, dotfiles, symlinks out of the dir), oversized request lines and
headers, malformed requests, request bodies, slow clients (slowloris), idle connections, more
connections than allowed, and a bounded load run with zero errors.

Every refusal is checked the same way: the status answered, nothing from outside the output dir
in the answer, the connection closed when the request could not be read, and the server still
serving a normal request afterwards. `VNFEEDS_RELIABILITY_JSON=<path>` makes the load run write
{"requests": N, "errors": M, "seconds": S} there (bench/reliability.py collects it).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.store import open_store
from feeds.serve import FeedServer, make_server
from tests.conftest import ROOT

SECRET = "TOP-SECRET-OUTSIDE-THE-OUTPUT-DIR"
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    + (b"<!-- padding -->" * 200)
    + b"</feed>\n"
)


def _site(base: Path) -> Path:
    """An output dir with feeds, a dotfile, and symlinks pointing out of it; secrets beside it."""
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    (base / "vnfeeds.db").write_text("SQLite format 3 " + SECRET, encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    root = base / "public"
    (root / "province").mkdir(parents=True)
    (root / "all.atom").write_bytes(FEED)
    (root / "province" / "gia-lai.atom").write_bytes(FEED)
    (root / "index.html").write_text("<!doctype html><title>vnfeeds</title>", encoding="utf-8")
    (root / ".vnfeeds-build.json").write_text(json.dumps({"secret": SECRET}), encoding="utf-8")
    os.symlink(base / "secret.txt", root / "leak.atom")
    os.symlink(outside, root / "linkdir")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hardening")
    root = _site(base)
    open_store(base / "store.db").close()  # an empty store: query feeds parse their parameters
    return root


def _start(root: Path, **options: object) -> FeedServer:
    srv = make_server(
        root,
        "127.0.0.1",
        0,
        quiet=True,
        db=root.parent / "store.db",
        **options,  # type: ignore[arg-type]
    )
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[FeedServer]:
    srv = _start(site)
    yield srv
    srv.shutdown()
    srv.server_close()


@dataclass
class Reply:
    status: int
    raw: bytes
    closed: bool  # the server closed the connection after answering


def exchange(srv: FeedServer, data: bytes, timeout: float = 5.0) -> Reply:
    """Send raw bytes, read until the server closes the connection (or `timeout`)."""
    host, port = srv.server_address[:2]
    chunks: list[bytes] = []
    closed = False
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and not _wants_more(b"".join(chunks)):
                # A whole answer on a connection the server keeps open.
                sock.settimeout(0.3)
    raw = b"".join(chunks)
    line = raw.split(b"\r\n", 1)[0]
    status = int(line.split(b" ")[1]) if line.startswith(b"HTTP/1.") else 0
    return Reply(status, raw, closed)


def _wants_more(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) < int(line.split(b":")[1])
    return False


def get(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}\r\n".encode()


BIG = "a" * 70_000
ATTACKS: list[tuple[str, bytes, set[int], bool]] = [
    # (id, bytes sent, statuses accepted, the connection must be closed)
    ("dot-dot", get("/../secret.txt"), {404}, True),
    ("dot-dot-deep", get("/province/../../../../etc/passwd"), {404}, True),
    ("dot-dot-db", get("/../vnfeeds.db"), {404}, True),
    ("encoded-dots", get("/%2e%2e/secret.txt"), {404}, True),
    ("encoded-dots-upper", get("/%2E%2E/%2E%2E/etc/passwd"), {404}, True),
    ("encoded-dot-segments-mixed", get("/.%2e/secret.txt"), {404}, True),
    ("encoded-slash", get("/..%2fsecret.txt"), {404}, True),
    ("encoded-slash-deep", get("/province%2f..%2f..%2fsecret.txt"), {404}, True),
    ("double-encoded-dots", get("/%252e%252e/secret.txt"), {404}, True),
    ("double-encoded-slash", get("/..%252fsecret.txt"), {404}, True),
    ("overlong-utf8-dots", get("/%c0%ae%c0%ae/secret.txt"), {404}, True),
    ("backslash", get("/..\\secret.txt"), {404}, True),
    ("encoded-backslash", get("/..%5csecret.txt"), {404}, True),
    ("nul-encoded", get("/all.atom%00.html"), {404}, True),
    ("nul-raw", b"GET /all.atom\x00 HTTP/1.1\r\nHost: t\r\n\r\n", {400}, True),
    ("absolute-path", get("//etc/passwd"), {404}, True),
    ("absolute-path-root", get("/etc/passwd"), {404}, True),
    ("absolute-uri", get("http://t/../secret.txt"), {404}, True),
    ("dotfile-state", get("/.vnfeeds-build.json"), {404}, True),
    ("dotfile-encoded", get("/%2evnfeeds-build.json"), {404}, True),
    ("symlink-file-out", get("/leak.atom"), {404}, True),
    ("symlink-dir-out", get("/linkdir/secret.txt"), {404}, True),
    ("oversized-request-line", f"GET /{BIG} HTTP/1.1\r\nHost: t\r\n\r\n".encode(), {414}, True),
    (
        "oversized-request-line-unterminated",
        f"GET /{BIG}".encode(),
        {414},
        True,
    ),
    ("oversized-header-field", get("/all.atom", f"X-Big: {'b' * 20_000}\r\n"), {431}, True),
    (
        "oversized-header-section",
        get("/all.atom", "".join(f"X-H{i}: {'c' * 900}\r\n" for i in range(30))),
        {431},
        True,
    ),
    (
        "too-many-header-fields",
        get("/all.atom", "".join(f"X-{i}: v\r\n" for i in range(150))),
        {431},
        True,
    ),
    ("malformed-request-line", b"GARBAGE\r\n\r\n", {400}, True),
    ("http-0.9", b"GET /all.atom\r\n\r\n", {400}, True),
    ("unknown-version", b"GET /all.atom HTTP/2.0\r\nHost: t\r\n\r\n", {505}, True),
    ("not-http", b"GET /all.atom FOO/1.1\r\nHost: t\r\n\r\n", {400}, True),
    ("missing-host", b"GET /all.atom HTTP/1.1\r\n\r\n", {400}, True),
    ("header-folding", get("/all.atom", " folded: value\r\n"), {400}, True),
    ("header-without-colon", get("/all.atom", "NoColonHere\r\n"), {400}, True),
    ("header-control-character", get("/all.atom", "X-Evil: a\x01b\r\n"), {400}, True),
    ("repeated-host", get("/all.atom", "Host: other\r\n"), {400}, True),
    (
        "request-body",
        b"POST /all.atom HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        {413},
        True,
    ),
    (
        "chunked-body",
        b"POST /all.atom HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        {413},
        True,
    ),
    ("method-not-allowed", b"DELETE /all.atom HTTP/1.1\r\nHost: t\r\n\r\n", {405}, True),
    ("non-ascii-target", "GET /tỉnh.atom HTTP/1.1\r\nHost: t\r\n\r\n".encode(), {400}, True),
    ("crlf-injection", get("/province/binh-dinh%0d%0aSet-Cookie:%20x=1.atom"), {404}, True),
    ("query-feed-nul", get("/search.atom?q=%00"), {400}, True),
    ("query-feed-sql", get("/search.atom?province=gia-lai%27%20OR%201=1--"), {400}, True),
    ("query-feed-huge", get("/search.atom?q=" + "x" * 5000), {400}, True),
]


@pytest.mark.parametrize(
    ("data", "statuses", "closes"),
    [pytest.param(d, s, c, id=i) for i, d, s, c in ATTACKS],
)
def test_attack_is_refused(
    server: FeedServer, data: bytes, statuses: set[int], closes: bool
) -> None:
    reply = exchange(server, data)
    assert reply.status in statuses, reply.raw[:300]
    assert SECRET.encode() not in reply.raw and b"root:" not in reply.raw
    assert b"Set-Cookie" not in reply.raw.split(b"\r\n\r\n")[0]
    if closes:
        assert reply.closed, "the connection stays open after a refusal"
    # The server goes on serving.
    ok = exchange(server, get("/all.atom"))
    assert ok.status == 200 and ok.raw.endswith(FEED)


def test_a_slow_client_does_not_block_others_and_is_cut_off(site: Path) -> None:
    """Slowloris: a client trickling its request head one byte at a time holds no one up, and
    is answered 408 and disconnected `header_timeout` after its first byte."""
    srv = _start(site, header_timeout=1.0)
    host, port = srv.server_address[:2]
    try:
        slow = socket.create_connection((host, port), timeout=10)
        started = time.monotonic()
        request = b"GET /all.atom HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"z" * 100
        served = 0
        reply = b""
        for i, byte in enumerate(request):
            try:
                slow.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            # Meanwhile other clients are served at once.
            if i % 5 == 0:
                t0 = time.monotonic()
                assert exchange(srv, get("/all.atom")).status == 200
                assert time.monotonic() - t0 < 2.0
                served += 1
            time.sleep(0.1)
            if time.monotonic() - started > 4:
                break
        slow.settimeout(5)
        try:
            while chunk := slow.recv(4096):
                reply += chunk
        except ConnectionResetError:
            pass
        slow.close()
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:100]
        assert time.monotonic() - started < 6
        assert served >= 2
    finally:
        srv.shutdown()
        srv.server_close()


def test_idle_keep_alive_connections_are_closed(site: Path) -> None:
    srv = _start(site, idle_timeout=1.0)
    host, port = srv.server_address[:2]
    try:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GET /all.atom HTTP/1.1\r\nHost: t\r\n\r\n")
            data = b""
            while not data.endswith(FEED):
                data += sock.recv(65536)
            assert data.startswith(b"HTTP/1.1 200 ")
            t0 = time.monotonic()
            assert sock.recv(10) == b""  # closed by the server, not by our timeout
            assert 0.5 < time.monotonic() - t0 < 5
    finally:
        srv.shutdown()
        srv.server_close()


def test_connections_are_bounded(site: Path) -> None:
    """Past `max_connections` open at once, a new connection is answered 503 and closed; the
    ones within the limit are served, and so is everyone once the crowd has gone."""
    limit = 20
    srv = _start(site, max_connections=limit)
    host, port = srv.server_address[:2]
    held: list[socket.socket] = []
    try:
        for _ in range(limit):
            held.append(socket.create_connection((host, port), timeout=5))
        time.sleep(0.2)
        refused = 0
        for _ in range(10):
            reply = exchange(srv, get("/all.atom"))
            refused += reply.status == 503 and reply.closed
        assert refused == 10
        # The held connections are live keep-alive connections.
        for sock in held[:5]:
            sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()
    try:
        time.sleep(0.3)
        assert exchange(srv, get("/all.atom")).status == 200
    finally:
        srv.shutdown()
        srv.server_close()


# -- the load run ----------------------------------------------------------------------------------

LOAD_REQUESTS = 20_000
LOAD_CONNECTIONS = 50
LOAD_DEADLINE_S = 120.0  # a stalled server fails the run instead of hanging it


async def _client(port: int, count: int, etag: str, counts: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    paths = ["/all.atom", "/province/gia-lai.atom", "/index.html"]
    try:
        for i in range(count):
            path = paths[i % len(paths)]
            conditional = i % 2 == 0 and path == "/all.atom"
            headers = f"If-None-Match: {etag}\r\n" if conditional else "Accept-Encoding: gzip\r\n"
            writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\n{headers}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            expected = 304 if conditional else 200
            counts["requests"] += 1
            if status != expected:
                counts["errors"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        counts["errors"] += count - (counts["requests"] % max(count, 1))
    finally:
        writer.close()


def test_bounded_load_run_has_no_errors(site: Path) -> None:
    """20,000 requests over 50 keep-alive connections (half of /all.atom's conditional, the rest
    gzip GETs) against `vnfeeds serve` in its own process: every answer as expected."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "crawler.cli", "serve", "--quiet"),
            *("--out", str(site), "--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "vnfeeds serve did not start"
                time.sleep(0.1)
        probe = exchange_port(port, get("/all.atom"))
        etag = next(
            line.split(b":", 1)[1].strip().decode()
            for line in probe.split(b"\r\n")
            if line.lower().startswith(b"etag:")
        )
        counts = {"requests": 0, "errors": 0}
        per = LOAD_REQUESTS // LOAD_CONNECTIONS

        async def run() -> None:
            await asyncio.wait_for(
                asyncio.gather(
                    *(_client(port, per, etag, counts) for _ in range(LOAD_CONNECTIONS))
                ),
                LOAD_DEADLINE_S,
            )

        t0 = time.monotonic()
        asyncio.run(run())
        seconds = time.monotonic() - t0
        report = os.environ.get("VNFEEDS_RELIABILITY_JSON")
        if report:
            Path(report).write_text(
                json.dumps(
                    {
                        "requests": counts["requests"],
                        "errors": counts["errors"],
                        "seconds": round(seconds, 2),
                    }
                ),
                encoding="utf-8",
            )
        assert counts == {"requests": LOAD_REQUESTS, "errors": 0}
        assert proc.poll() is None, "the server died under load"
    finally:
        proc.terminate()
        proc.wait(10)


def exchange_port(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out
