"""`vnfeeds sources check --live`: can this machine crawl each source? One list page per source,
fetched politely, and what it tells: reachable or not (DNS, timeout, refused, TLS), the HTTP
status, whether the page is the configured platform (crawler/detect.py), how many list items
the configured selectors find, and the newest date on the list.

Also the small HTTP client `vnfeeds sources detect URL` fetches with.

Politeness, as the crawl's: the crawl's User-Agent (or the source's own); robots.txt read first
and obeyed by RFC 9309 (a 4xx answer means no rules; a 5xx or 429 answer disallows the whole
host; `robots_obey = false` skips it); one request at a time per host (and port), spaced by the
download delay or the robots.txt Crawl-delay / Request-rate if longer (capped like the crawl's);
a bounded pool of workers, one host per worker. Requests go through the crawl's proxy (the
`proxy` setting, else http_proxy/https_proxy/no_proxy), https through CONNECT.

Time is bounded: each network step (resolve, connect, handshake, each read) may wait `timeout`
seconds of silence, a source gets three times that in all (robots.txt, the page, the API its list
loads from), and the whole check a deadline: sources not reached by then are reported as such.

TLS: certificates are verified first. A certificate that cannot be verified (self-signed,
incomplete chain, expired, wrong host) is reported, and the page fetched again without
verification, as the crawl does not verify (crawler/settings.py). A handshake refused for a weak
key (a small DH key, which OpenSSL 3 rejects at its default security level) is retried at
security level 1, and reported with the fix: `tls_seclevel1 = true`.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import SplitResult, unquote, urlencode, urljoin, urlsplit

from protego import Protego

from crawler.clock import iso
from crawler.detect import detect
from crawler.extract.encoding import decode_html
from crawler.platforms import get_platform
from crawler.platforms.base import Page, PageRequest
from crawler.preflight import proxy_for
from crawler.registry import Source

MAX_REDIRECTS = 5
REQUESTS_PER_SOURCE = 3  # robots.txt, the list page, the API a script-filled list loads
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_WEAK_KEY = ("KEY_TOO_SMALL", "too small", "TOO_WEAK", "too weak")


class FetchError(Exception):
    """A request that got no usable answer. `kind`: dns, timeout, connect, tls, robots,
    too-large, redirect, deadline."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        for k, v in self.headers.items():
            if k.lower() == "content-type":
                return v
        return ""

    @property
    def text(self) -> str:
        return decode_html(self.body, self.content_type).text


@dataclass
class _Origin:
    """What the client knows about one scheme://host:port."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = 0.0  # monotonic time of the last request
    robots: Protego | None = None
    robots_read: bool = False
    robots_disallow: bool = False  # robots.txt answered 5xx or 429
    robots_note: str = ""
    tls: bool = False  # a TLS connection was made
    verify: bool = True  # False once the certificate failed verification
    cert_problem: str = ""
    weak_key: bool = False  # the handshake needed security level 1
    weak_key_problem: str = ""

    @property
    def tls_note(self) -> str:
        """TLS problems met on this origin (and worked around), for reports."""
        return "; ".join(p for p in (self.cert_problem, self.weak_key_problem) if p)


def _is_reserved_invalid(host: str) -> bool:
    # RFC 6761 6.4: resolution APIs should answer names under "invalid." negatively at once.
    return host.rstrip(".").lower().split(".")[-1] == "invalid"


def resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """getaddrinfo with a time limit (the system resolver has none of its own)."""
    if _is_reserved_invalid(host):
        raise FetchError("dns", f"DNS: {host} does not resolve (a reserved .invalid name)")
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["addrs"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:  # UnicodeError: a label IDNA cannot encode
            result["error"] = exc

    thread = threading.Thread(target=work, name=f"resolve-{host}", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.01))
    if thread.is_alive():
        raise FetchError("dns", f"DNS: no answer for {host} within {timeout:.0f} s")
    if "error" in result or not result.get("addrs"):
        exc = result.get("error")
        reason = getattr(exc, "strerror", None) or str(exc or "no address")
        raise FetchError("dns", f"DNS: {host} does not resolve ({reason})")
    return [info[4] for info in result["addrs"]]


def _tls_context(verify: bool, seclevel1: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if seclevel1:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=1")
    return ctx


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in {"gzip", "x-gzip", "deflate"}:
        for wbits in (47, -15):  # gzip or zlib header; raw deflate
            try:
                d = zlib.decompressobj(wbits)
                out = d.decompress(body, limit + 1)
                if len(out) > limit:
                    raise FetchError("too-large", f"answer larger than {limit} bytes")
                return out
            except zlib.error:
                continue
    return body


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:  # "host:abc": reported when the request is made
        return None


def robots_verdict(status: int) -> str:
    """How a robots.txt answer is used (RFC 9309 2.3.1, as the crawl does): "rules" for 2xx,
    "disallow" for 429 and 5xx (the host is unreachable: assume complete disallow), "allow" for
    other answers (no robots.txt: no rules)."""
    if 200 <= status < 300:
        return "rules"
    if status == 429 or status >= 500:
        return "disallow"
    return "allow"


class Client:
    """A polite, time-bounded HTTP client for checks (not for crawling: the crawl is Scrapy)."""

    def __init__(
        self,
        user_agent: str,
        timeout: float = 30.0,
        *,
        delay: float = 0.0,
        robots_obey: bool = True,
        max_bytes: int = 16 * 1024 * 1024,
        max_crawl_delay: float = 30.0,
        proxy: str = "",
        deadline: float | None = None,
    ):
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.robots_obey = robots_obey
        self.max_bytes = max_bytes
        self.max_crawl_delay = max_crawl_delay
        self.proxy = proxy
        self.deadline = deadline  # time.monotonic() value
        self._origins: dict[str, _Origin] = {}
        self._guard = threading.Lock()

    def origin(self, url: str) -> _Origin:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{(parts.hostname or '').lower()}:{_port(parts) or ''}"
        with self._guard:
            return self._origins.setdefault(key, _Origin())

    # -- public -------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        form: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        seclevel1: bool = False,
        until: float | None = None,
        user_agent: str | None = None,
    ) -> Response:
        """GET/POST `url` after robots.txt allows it, following redirects."""
        ua = user_agent or self.user_agent
        return self._follow(url, method, form, headers, seclevel1, until, ua, robots=True)

    def _follow(
        self,
        url: str,
        method: str,
        form: list[tuple[str, str]] | None,
        headers: dict[str, str] | None,
        seclevel1: bool,
        until: float | None,
        ua: str,
        *,
        robots: bool,
    ) -> Response:
        for _ in range(MAX_REDIRECTS + 1):
            if robots and self.robots_obey:
                self._check_robots(url, ua, seclevel1, until)
            response = self._request(url, method, form, headers, seclevel1, until, ua)
            location = next(
                (v for k, v in response.headers.items() if k.lower() == "location"), None
            )
            if response.status in {301, 302, 303, 307, 308} and location:
                url = urljoin(url, location)
                if response.status == 303 or (response.status in {301, 302} and method != "GET"):
                    method, form = "GET", None
                continue
            return response
        raise FetchError("redirect", f"more than {MAX_REDIRECTS} redirects")

    # -- robots.txt ---------------------------------------------------------------------------

    def _check_robots(self, url: str, ua: str, seclevel1: bool, until: float | None) -> None:
        origin = self.origin(url)
        parts = urlsplit(url)
        if not origin.robots_read:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            try:
                answer: Response | None = self._follow(
                    robots_url, "GET", None, None, seclevel1, until, ua, robots=False
                )
            except FetchError as exc:
                if exc.kind not in {"too-large", "redirect"}:
                    raise  # the host itself cannot be reached: nor can the page
                answer = None
                origin.robots_note = f"robots.txt unusable ({exc.message}): no rules"
            if answer is not None:
                verdict = robots_verdict(answer.status)
                if verdict == "rules":
                    text = answer.body.decode("utf-8", "replace").lstrip("\ufeff")
                    origin.robots = Protego.parse(text)
                elif verdict == "disallow":
                    origin.robots_disallow = True
                    origin.robots_note = (
                        f"robots.txt answered HTTP {answer.status}: the crawl treats the host "
                        "as disallowed (RFC 9309 2.3.1.4)"
                    )
                else:
                    origin.robots_note = f"robots.txt answered HTTP {answer.status}: no rules"
            origin.robots_read = True
        if origin.robots_disallow:
            raise FetchError("robots", origin.robots_note)
        if origin.robots is not None and not origin.robots.can_fetch(url, ua):
            raise FetchError("robots", f"robots.txt disallows {parts.path or '/'} for {ua}")

    # -- one request --------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        method: str,
        form: list[tuple[str, str]] | None,
        headers: dict[str, str] | None,
        seclevel1: bool,
        until: float | None,
        ua: str,
    ) -> Response:
        origin = self.origin(url)
        with origin.lock:  # one request per host at a time
            wait = origin.last + self._delay(origin, ua) - time.monotonic()
            if wait > 0:
                if self._remaining(until) < wait:
                    raise FetchError("deadline", "the time allowed ran out (polite delay)")
                time.sleep(wait)
            try:
                return self._exchange(url, method, form, headers, seclevel1, until, ua, origin)
            finally:
                origin.last = time.monotonic()

    def _delay(self, origin: _Origin, ua: str) -> float:
        asked = 0.0
        if origin.robots is not None:
            asked = float(origin.robots.crawl_delay(ua) or 0.0)
            rate = origin.robots.request_rate(ua)
            if rate is not None and rate.requests:
                asked = max(asked, float(rate.seconds) / float(rate.requests))
        return max(self.delay, min(asked, self.max_crawl_delay))

    def _step(self, ends: float) -> float:
        """Seconds one network step (resolve, connect, handshake, read) may wait."""
        return max(min(self.timeout, ends - time.monotonic()), 0.01)

    def _remaining(self, until: float | None) -> float:
        ends = [t for t in (until, self.deadline) if t is not None]
        return min(ends) - time.monotonic() if ends else float("inf")

    def _exchange(
        self,
        url: str,
        method: str,
        form: list[tuple[str, str]] | None,
        headers: dict[str, str] | None,
        seclevel1: bool,
        until: float | None,
        ua: str,
        origin: _Origin,
    ) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise FetchError("connect", f"not an http(s) URL: {url}")
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("connect", f"not a valid URL: {url} ({exc})") from exc
        started = time.monotonic()
        remaining = self._remaining(until)
        if remaining <= 0.05:
            raise FetchError("deadline", "the time allowed ran out before this request")
        # Each network step may wait `timeout` seconds (silence, not work: a busy machine does
        # not time out a portal that answered); the whole request, the source's time left.
        ends = started + min(remaining, REQUESTS_PER_SOURCE * self.timeout)
        via = proxy_for(url, self.proxy)
        proxy_auth = ""
        if via:
            pparts = urlsplit(via)
            if not pparts.hostname:
                raise FetchError("connect", f"not a proxy URL: {via}")
            conn_host, conn_port = pparts.hostname, _port(pparts) or 80
            if pparts.username is not None:
                user = f"{unquote(pparts.username)}:{unquote(pparts.password or '')}"
                proxy_auth = "Basic " + base64.b64encode(user.encode()).decode("ascii")
        else:
            conn_host, conn_port = host, port
        addrs = resolve(conn_host, conn_port, self._step(ends))

        def open_socket() -> socket.socket:
            sock = self._connect(addrs, conn_host, conn_port, ends)
            if via and parts.scheme == "https":
                self._tunnel(sock, host, port, proxy_auth, ends)
            return sock

        sock = open_socket()
        if parts.scheme == "https":
            sock = self._handshake(sock, open_socket, host, ends, origin, seclevel1)
        body = urlencode(form).encode() if form is not None else None
        default_port = 443 if parts.scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        request_headers = {
            "Host": host_header if port == default_port else f"{host_header}:{port}",
            "User-Agent": ua,
            "Accept": ACCEPT,
            "Accept-Language": "vi,en;q=0.5",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
            **(headers or {}),
        }
        if body is not None:
            request_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if via and parts.scheme == "http":
            target = url.split("#", 1)[0]  # a proxy is asked for the absolute URL
            if proxy_auth:
                request_headers["Proxy-Authorization"] = proxy_auth
        conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        conn.sock = sock
        try:
            sock.settimeout(self._step(ends))
            conn.request(method, target, body=body, headers=request_headers)
            answer = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() >= ends:
                    raise FetchError(
                        "timeout", f"timed out: the answer took over {ends - started:.1f} s"
                    )
                sock.settimeout(self._step(ends))
                chunk = answer.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError("too-large", f"answer larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except TimeoutError as exc:
            raise FetchError("timeout", f"timed out: no answer within {self.timeout:g} s") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise FetchError(
                "connect", f"connection broken: {exc.__class__.__name__}: {exc}"
            ) from exc
        finally:
            conn.close()
        response_headers = {k: v for k, v in answer.getheaders()}
        data = _decompress(
            b"".join(chunks), answer.getheader("Content-Encoding") or "", self.max_bytes
        )
        return Response(url, answer.status, response_headers, data)

    def _connect(
        self, addrs: list[tuple[Any, ...]], host: str, port: int, ends: float
    ) -> socket.socket:
        last: OSError | None = None
        for addr in addrs:
            if time.monotonic() >= ends:
                break
            family = socket.AF_INET6 if len(addr) == 4 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(self._step(ends))
            try:
                sock.connect(addr)
                return sock
            except TimeoutError as exc:
                sock.close()
                raise FetchError(
                    "timeout", f"timed out: {host}:{port} did not accept within {self.timeout:g} s"
                ) from exc
            except OSError as exc:
                sock.close()
                last = exc
        reason = last.strerror if last is not None and last.strerror else str(last or "no address")
        raise FetchError("connect", f"cannot connect to {host}:{port} ({reason})")

    def _tunnel(self, sock: socket.socket, host: str, port: int, auth: str, ends: float) -> None:
        """HTTP CONNECT through a proxy to host:port."""
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        if auth:
            lines.append(f"Proxy-Authorization: {auth}")
        try:
            sock.settimeout(self._step(ends))
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                sock.settimeout(self._step(ends))
                chunk = sock.recv(4096)
                if not chunk:
                    break
                head += chunk
        except TimeoutError as exc:
            sock.close()
            raise FetchError("timeout", f"timed out: the proxy did not open {authority}") from exc
        except OSError as exc:
            sock.close()
            raise FetchError("connect", f"proxy tunnel to {authority} failed: {exc}") from exc
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        fields = status_line.split()
        if len(fields) < 2 or fields[1] != "200":
            sock.close()
            raise FetchError(
                "connect",
                f"the proxy refused a tunnel to {authority}: {status_line or 'no answer'}",
            )

    def _handshake(
        self,
        sock: socket.socket,
        reopen: Callable[[], socket.socket],
        host: str,
        ends: float,
        origin: _Origin,
        seclevel1: bool,
    ) -> socket.socket:
        """TLS, verified when possible; see the module docstring for the fallbacks."""
        while True:
            level1 = seclevel1 or origin.weak_key
            ctx = _tls_context(origin.verify, level1)
            sock.settimeout(self._step(ends))
            try:
                wrapped = ctx.wrap_socket(sock, server_hostname=host)
                origin.tls = True
                return wrapped
            except ssl.SSLCertVerificationError as exc:
                sock.close()
                origin.verify = False
                detail = exc.verify_message or exc.reason or str(exc)
                origin.cert_problem = f"certificate verify failed: {detail}"
            except ssl.SSLError as exc:
                sock.close()
                text = f"{exc.reason or ''} {exc}"
                if not level1 and any(w in text for w in _WEAK_KEY):
                    origin.weak_key = True
                    kind = "weak DH key" if "DH" in text.upper() else "weak key"
                    origin.weak_key_problem = (
                        f"{kind} ({exc.reason or exc}): refused at OpenSSL's default security "
                        "level, accepted at level 1"
                    )
                else:
                    raise FetchError("tls", f"TLS handshake failed: {exc.reason or exc}") from exc
            except TimeoutError as exc:
                sock.close()
                raise FetchError(
                    "timeout", f"timed out: no TLS handshake within {self.timeout:g} s"
                ) from exc
            except OSError as exc:
                sock.close()
                raise FetchError("tls", f"TLS handshake failed: {exc}") from exc
            sock = reopen()


# -- checking sources -------------------------------------------------------------------------


@dataclass
class SourceCheck:
    id: str
    platform: str  # configured
    url: str  # the first list page
    result: str = "fail"  # "ok", "warn" or "fail"
    problem: str | None = None  # dns, timeout, connect, tls, http, robots, layout, deadline…
    message: str = ""
    reachable: bool = False
    final_url: str | None = None
    http_status: int | None = None
    tls: str | None = None  # TLS problems met (and worked around, or not)
    certificate_verified: bool | None = None  # None: not https, or no handshake completed
    weak_tls_key: bool = False  # the host needs tls_seclevel1 = true
    detected: str | None = None
    detected_confidence: str | None = None
    platform_match: bool | None = None  # None: not fetched, or the page shows no family
    items: int | None = None
    newest: str | None = None
    advice: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_source(client: Client, source: Source, until: float) -> SourceCheck:
    """Fetch a source's first list page (and the API its list loads from) and judge it."""
    started = time.monotonic()
    platform = get_platform(source.platform)
    first = platform.section_requests(source.section[0].url)[0]
    out = SourceCheck(source.id, source.platform, first.url)
    try:
        response = client.fetch(
            first.url,
            method=first.method,
            form=first.form,
            headers=first.headers,
            seclevel1=source.tls_seclevel1,
            until=until,
            user_agent=source.user_agent,
        )
    except FetchError as exc:
        _tls_report(client, source, out)
        out.problem, out.message = exc.kind, exc.message
        out.reachable = exc.kind in {"robots", "too-large", "redirect"}
        out.seconds = round(time.monotonic() - started, 2)
        return out
    out.reachable = True
    out.final_url = response.url
    out.http_status = response.status
    _tls_report(client, source, out)
    if response.status >= 400:
        out.problem, out.message = "http", f"HTTP {response.status}"
        out.seconds = round(time.monotonic() - started, 2)
        return out
    text = response.text
    detection = detect(text, response.url, response.headers)
    out.detected, out.detected_confidence = detection.platform, detection.confidence
    if detection.platform == "generic" and detection.cms is None and source.platform != "generic":
        out.platform_match = None  # no family signature on the page: no evidence either way
    else:
        out.platform_match = source.platform == detection.platform
    selectors = platform.selectors(source.selectors)
    page = Page(response.url, text, response.status, response.headers, dict(first.context))
    try:
        listed = platform.parse_list(page, selectors)
        entries = list(listed.entries or [])
        if not entries and listed.more:
            entries, api_note = _follow_api(client, source, listed.more[0], until)
            if api_note:
                out.message = api_note
    except FetchError as exc:
        out.problem, out.message = exc.kind, f"list API: {exc.message}"
        out.seconds = round(time.monotonic() - started, 2)
        return out
    except Exception as exc:  # a page the platform cannot read: a finding, not a crash
        entries = []
        out.message = f"the list could not be read: {exc.__class__.__name__}: {exc}"
    out.items = len(entries)
    dates = [e.date for e in entries if e.date is not None]
    if dates:
        out.newest = iso(max(dates))
    if not entries:
        out.problem = "layout"
        out.message = out.message or (
            f"no list items with the configured selectors (list_item {selectors.list_item!r}, "
            f"link {selectors.link!r})"
        )
        if detection.platform != source.platform:
            out.advice.append(
                f"the page looks like platform {detection.platform!r}: try "
                f"`vnfeeds sources detect {response.url}`"
            )
    out.seconds = round(time.monotonic() - started, 2)
    _judge(out, source)
    return out


def _follow_api(
    client: Client, source: Source, req: PageRequest, until: float
) -> tuple[list[Any], str]:
    platform = get_platform(source.platform)
    answer = client.fetch(
        req.url,
        method=req.method,
        form=req.form,
        headers=req.headers,
        seclevel1=source.tls_seclevel1,
        until=until,
        user_agent=source.user_agent,
    )
    if answer.status >= 400:
        raise FetchError("http", f"HTTP {answer.status} from {req.url}")
    page = Page(answer.url, answer.text, answer.status, answer.headers, dict(req.context))
    listed = platform.parse_list(page, platform.selectors(source.selectors))
    api = urlsplit(req.url).path
    return list(listed.entries or []), f"list read from its API ({req.method} {api})"


def _tls_report(client: Client, source: Source, out: SourceCheck) -> None:
    origin = client.origin(out.final_url or out.url)
    if origin.tls:
        out.certificate_verified = origin.verify
    out.weak_tls_key = origin.weak_key
    out.tls = origin.tls_note or None
    if origin.weak_key and not source.tls_seclevel1:
        out.advice.append(f"set tls_seclevel1 = true for source '{source.id}' in {source.file}")


def _judge(out: SourceCheck, source: Source) -> None:
    if out.problem:
        out.result = "fail"
    elif out.weak_tls_key and not source.tls_seclevel1:
        out.result, out.problem = "fail", "tls"
        out.message = "the crawl's TLS settings refuse this host (a weak key)"
    elif out.tls or out.platform_match is False:
        out.result = "warn"
    else:
        out.result = "ok"
    notes = []
    if out.certificate_verified is False:
        notes.append("certificate not verifiable: no obstacle, the crawl does not verify them")
    if out.platform_match is False:
        notes.append(f"the page looks like {out.detected} ({out.detected_confidence} confidence)")
    if notes:
        out.message = "; ".join([m for m in (out.message, *notes) if m])


@dataclass
class LiveReport:
    checks: list[SourceCheck]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        return {r: sum(1 for c in self.checks if c.result == r) for r in ("ok", "warn", "fail")}

    @property
    def failed(self) -> bool:
        return any(c.result == "fail" for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": len(self.checks),
            **self.counts,
            "seconds": round(self.seconds, 2),
            "sources": [c.to_dict() for c in self.checks],
        }


def check_sources(
    sources: Iterable[Source],
    *,
    user_agent: str,
    timeout: float,
    deadline: float,
    concurrency: int = 8,
    delay: float = 0.0,
    robots_obey: bool = True,
    max_bytes: int = 16 * 1024 * 1024,
    max_crawl_delay: float = 30.0,
    proxy: str = "",
) -> LiveReport:
    """Check sources in parallel, one host at a time per worker, all within `deadline` s."""
    started = time.monotonic()
    ends = started + deadline
    client = Client(
        user_agent,
        timeout,
        delay=delay,
        robots_obey=robots_obey,
        max_bytes=max_bytes,
        max_crawl_delay=max_crawl_delay,
        proxy=proxy,
        deadline=ends,
    )
    ordered = list(sources)
    by_host: dict[str, list[Source]] = {}
    for s in ordered:
        parts = urlsplit(s.section[0].url)
        by_host.setdefault(parts.netloc.lower(), []).append(s)
    results: dict[str, SourceCheck] = {}
    lock = threading.Lock()

    def work(group: list[Source]) -> None:
        for s in group:
            if time.monotonic() >= ends - 0.05:
                check = SourceCheck(s.id, s.platform, s.section[0].url, problem="deadline")
                check.message = f"not checked: the check's deadline ({deadline:g} s) came first"
            else:
                until = min(ends, time.monotonic() + REQUESTS_PER_SOURCE * timeout)
                try:
                    check = check_source(client, s, until)
                except Exception as exc:  # one source's surprise must not hide the others
                    check = SourceCheck(s.id, s.platform, s.section[0].url, problem="error")
                    check.message = f"{exc.__class__.__name__}: {exc}"
            with lock:
                results[s.id] = check

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="check") as pool:
        futures = [pool.submit(work, group) for group in by_host.values()]
        for f in futures:
            f.result()
    checks = [results[s.id] for s in ordered]
    return LiveReport(checks, time.monotonic() - started)


def _short_date(value: str | None) -> str:
    if not value:
        return "-"
    day, _, time_of_day = value.partition("T")
    return day if time_of_day.startswith("00:00:00") else f"{day} {time_of_day[:5]}"


def report_table(report: LiveReport) -> str:
    """The table `vnfeeds sources check --live` prints."""
    rows = [("source", "result", "http", "platform", "items", "newest", "notes")]
    for c in report.checks:
        if c.detected is None:
            plat = c.platform
        elif c.platform_match is None:
            plat = f"{c.platform} ?"
        else:
            plat = f"{c.platform} {'=' if c.platform_match else '≠'} {c.detected}"
        notes = c.message
        if c.tls and c.tls not in notes:
            notes = f"TLS {c.tls}; {notes}" if notes else f"TLS {c.tls}"
        if c.advice:
            notes = (
                f"{notes}; fix: {'; '.join(c.advice)}" if notes else "fix: " + "; ".join(c.advice)
            )
        rows.append(
            (
                c.id,
                c.result + (f" ({c.problem})" if c.problem else ""),
                str(c.http_status) if c.http_status is not None else "-",
                plat,
                str(c.items) if c.items is not None else "-",
                _short_date(c.newest),
                notes,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:6])) + "  " + r[6] for r in rows
    ]
    counts = report.counts
    lines.append(
        f"{len(report.checks)} sources checked in {report.seconds:.1f} s: {counts['ok']} ok, "
        f"{counts['warn']} warn, {counts['fail']} fail"
    )
    return "\n".join(line.rstrip() for line in lines)
