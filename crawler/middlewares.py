"""Downloader middlewares of the portal crawl (registered in crawler/settings.py)."""

from __future__ import annotations

import logging
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from protego import Protego
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.config import Config

logger = logging.getLogger(__name__)


class ProxyMiddleware:
    """Send every request through the `proxy` setting (VNFEEDS_PROXY), robots.txt included.

    It only sets `meta['proxy']`; Scrapy's HttpProxyMiddleware (after this one) turns it into the
    connection and the Proxy-Authorization header. A request that names its own proxy keeps it.
    Without the setting, Scrapy's own use of http_proxy/https_proxy applies.
    """

    def __init__(self, proxy: str):
        # "host:port" is taken as an HTTP proxy, as curl and the http_proxy convention do.
        self.proxy = proxy if not proxy or "://" in proxy else "http://" + proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        return cls(str(crawler.settings.get("VNFEEDS_PROXY") or Config.load().proxy or ""))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy


# -- politeness beyond Scrapy's defaults (DESIGN.md "Politeness") ------------------------------
#
# RobotsPolicyMiddleware  robots.txt read by RFC 9309's rules for failed answers, Crawl-delay
#                         (and Request-rate) honoured as the host's download delay, capped.
# HostBudgetMiddleware    at most VNFEEDS_MAX_REQUESTS_PER_HOST requests to one host per crawl.
# RetryAfterMiddleware    429/503 with Retry-After: the host is left alone for that long, then
#                         the request is retried (Scrapy's retry budget), unless the wait is
#                         longer than VNFEEDS_RETRY_AFTER_MAX.
# CompressedBodyMiddleware  a gzip/deflate body that is cut short or corrupt is refused before
#                         Scrapy's HttpCompressionMiddleware would inflate what it can of it.
#
# What they decide is kept in the crawl's stats under "vnfeeds/politeness/…" (the run's
# `stats` column shows it as "politeness").

POLITENESS_STATS = "vnfeeds/politeness/"

_FAILURE_NAMES = {
    # Scrapy >= 2.14 names, then the Twisted ones older versions raise.
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "CannotResolveHostError": "DNS lookup failed (host does not resolve)",
    "DNSLookupError": "DNS lookup failed (host does not resolve)",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "ResponseDataLossError": "truncated response (connection closed before the whole body)",
    "_DataLoss": "truncated response (connection closed before the whole body)",
    "ConnectionLost": "connection lost (closed or reset by the server before an answer)",
    "ConnectionDone": "connection closed by the server",
    "BadGzipFile": "invalid compressed body (gzip)",
}


def _inner_reasons(exc: BaseException) -> list[BaseException]:
    """The Twisted failures a wrapped download error stands for (ResponseFailed.reasons)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 5:
        for reason in getattr(current, "reasons", None) or []:
            value = getattr(reason, "value", reason)
            if isinstance(value, BaseException):
                seen.append(value)
        current = current.__cause__
    return seen


def describe_exception(exc: BaseException) -> str:
    """A short, operator-readable reason for a request that got no usable answer."""
    name = type(exc).__name__
    text = str(exc)
    if name in _FAILURE_NAMES:
        return _FAILURE_NAMES[name]
    if isinstance(exc, IgnoreRequest):
        # Ours and Scrapy's say what happened ("max redirections reached", robots.txt, size).
        return text[:300] or "request dropped"
    if name == "DownloadCancelledError":
        # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE while it streams in.
        return "download cancelled: " + (text or "the body grew past the size limit")
    if name == "error" and type(exc).__module__ == "zlib":
        return f"invalid compressed body ({text})"
    inner = _inner_reasons(exc)
    if inner:
        names = [type(r).__name__ for r in inner]
        if any("SSL" in n or "TLS" in n for n in names):
            return f"TLS handshake failed ({', '.join(names)})"
        for n in names:
            if n in _FAILURE_NAMES:
                return _FAILURE_NAMES[n]
        return f"no response ({', '.join(names)})"
    if "SSL" in name or "TLS" in name or "ssl" in text.lower() or "certificate" in text.lower():
        return f"TLS handshake failed ({name}: {text[:120]})"
    return f"{name}: {text[:160]}"


def _slot_key(request: Request) -> str:
    """The downloader slot a request goes through (Scrapy's rule: meta, else the hostname)."""
    return str(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")


def _downloader_clock() -> float:
    """The clock Scrapy's downloader keeps `Slot.lastseen` in (monotonic since 2.19, before
    that the wall clock)."""
    from scrapy.core import downloader

    clock: Any = getattr(downloader, "monotonic", None) or getattr(downloader, "time", time.time)
    return float(clock())


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


# -- robots.txt ---------------------------------------------------------------------------------


@dataclass
class RobotsRules:
    """What one origin's robots.txt decided for this crawl."""

    verdict: str  # "rules" (parsed), "allow" (no usable file), "disallow" (RFC 9309 §2.3.1.4)
    note: str  # for the stats and the error messages
    parser: Protego | None = None
    crawl_delay: float | None = None  # seconds, as declared (Crawl-delay or Request-rate)


def robots_verdict(status: int) -> str:
    """RFC 9309 §2.3.1: how a robots.txt answer of this status is used.

    2xx: the rules apply. 4xx ("unavailable"): no rules, everything allowed, except 429, which
    like 5xx means "unreachable": assume complete disallow (a server too busy to say what it
    allows is asked again at the next crawl). Redirects are followed by Scrapy first; a chain
    that ends in a 3xx counts as unavailable (§2.3.1.2)."""
    if 200 <= status < 300:
        return "rules"
    if status == 429 or status >= 500:
        return "disallow"
    return "allow"


def _robots_delay(rp: Protego, user_agent: str) -> float | None:
    """The delay a robots.txt asks of this User-Agent: Crawl-delay, or the interval Request-rate
    implies (1/5 -> 5 s), whichever is longer."""
    delays: list[float] = []
    crawl_delay = rp.crawl_delay(user_agent)
    if crawl_delay is not None:
        delays.append(float(crawl_delay))
    rate = rp.request_rate(user_agent)
    if rate is not None and rate.requests:
        delays.append(float(rate.seconds) / float(rate.requests))
    return max(delays) if delays else None


class RobotsPolicyMiddleware:
    """robots.txt, in place of Scrapy's RobotsTxtMiddleware (which allows everything when
    robots.txt cannot be fetched and parses an error page as if it were robots.txt).

    - 2xx: the rules are obeyed (Protego, the parser Scrapy uses).
    - 4xx other than 429: no rules, the host is crawled (RFC 9309 §2.3.1.3).
    - 5xx, 429, or no answer at all (timeout, refused, reset, TLS failure; after Scrapy's
      retries): the whole origin is treated as disallowed for this crawl (RFC 9309 §2.3.1.4).
      "For a while" is this crawl: the next scheduled crawl asks again.
    - Crawl-delay (or Request-rate) becomes the download delay of the host's downloader slot,
      never lowered by AutoThrottle, capped at VNFEEDS_MAX_CRAWL_DELAY seconds; the declared and
      the applied values are recorded in the stats.
    """

    PRIORITY = 1000  # robots.txt before anything else of its host

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("VNFEEDS_MAX_CRAWL_DELAY", 30.0)
        self._rules: dict[str, RobotsRules] = {}
        self._waiting: dict[str, list[Deferred[RobotsRules]]] = {}
        self._floors: dict[str, float] = {}  # slot key -> delay it must not go below
        crawler.signals.connect(self._keep_floor, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsPolicyMiddleware:
        return cls(crawler)

    def _user_agent(self, request: Request) -> str:
        configured = self.crawler.settings.get("ROBOTSTXT_USER_AGENT")
        if configured:
            return str(configured)
        header = request.headers.get(b"User-Agent")
        if header:
            return header.decode("latin-1")
        return str(self.crawler.settings.get("USER_AGENT") or "")

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt") or not request.url.startswith("http"):
            return
        rules = await self._rules_for(request)
        if rules.verdict == "disallow":
            self._stats_inc("refused_by_failed_robots")
            raise IgnoreRequest(rules.note)
        if rules.parser is not None and not rules.parser.can_fetch(
            request.url, self._user_agent(request)
        ):
            self._stats_inc("forbidden_by_robots")
            raise IgnoreRequest("forbidden by robots.txt")

    async def _rules_for(self, request: Request) -> RobotsRules:
        parts = urlparse_cached(request)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._rules.get(origin)
        if known is not None:
            return known
        if origin in self._waiting:  # another request of this origin is fetching it
            waiter: Deferred[RobotsRules] = Deferred()
            self._waiting[origin].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._waiting[origin] = []
        rules = RobotsRules("allow", "robots.txt not read")
        try:
            rules = await self._fetch(origin, request)
        finally:
            self._rules[origin] = rules
            for waiter in self._waiting.pop(origin):
                waiter.callback(rules)
        return rules

    async def _fetch(self, origin: str, request: Request) -> RobotsRules:
        robots = Request(
            origin + "/robots.txt",
            priority=self.PRIORITY,
            meta={"dont_obey_robotstxt": True, "kind": "robots"},
            callback=NO_CALLBACK,
        )
        engine: Any = self.crawler.engine
        stats = self.crawler.stats
        try:
            if hasattr(engine, "download_async"):
                response = await engine.download_async(robots)
            else:  # Scrapy < 2.14
                response = await maybe_deferred_to_future(engine.download(robots))
        except Exception as exc:  # no answer at all: RFC 9309 "unreachable"
            if isinstance(exc, IgnoreRequest) and "redirection" in str(exc):
                # Endless redirects: RFC 9309 §2.3.1.2 lets a crawler take it as unavailable.
                rules = RobotsRules("allow", "robots.txt redirects without end: no rules")
                self._record(origin, rules)
                return rules
            reason = describe_exception(exc)
            rules = RobotsRules(
                "disallow",
                f"{reason} (robots.txt unreachable: the host is treated as disallowed for this "
                "crawl, RFC 9309 §2.3.1.4)",
            )
            self._record(origin, rules)
            return rules
        if stats:
            stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        verdict = robots_verdict(response.status)
        if verdict == "disallow":
            rules = RobotsRules(
                "disallow",
                f"robots.txt answered HTTP {response.status}: the host is treated as disallowed "
                "for this crawl (RFC 9309 §2.3.1.4)",
            )
        elif verdict == "allow":
            rules = RobotsRules("allow", f"robots.txt answered HTTP {response.status}: no rules")
        else:
            text = response.body.decode("utf-8", "replace").lstrip("\ufeff")
            parser = Protego.parse(text)
            rules = RobotsRules(
                "rules", "robots.txt read", parser, _robots_delay(parser, self._user_agent(request))
            )
            if rules.crawl_delay:
                self._apply_delay(origin, _slot_key(request), rules.crawl_delay)
        self._record(origin, rules)
        return rules

    def _apply_delay(self, origin: str, key: str, declared: float) -> None:
        applied = min(declared, self.max_delay)
        downloader: Any = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        configured = float(self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
        floor = max(applied, configured, self._floors.get(key, 0.0))
        self._floors[key] = floor
        # Slots are made (and garbage-collected after a minute idle) by the downloader: the
        # per-slot settings make every future slot of this host start at the floor, without
        # the random ±50 % that would let half the requests come early.
        slot_settings = downloader.per_slot_settings.setdefault(key, {})
        slot_settings.update({"delay": floor, "jitter": 0.0, "randomize_delay": False})
        slot = downloader.slots.get(key)
        if slot is not None:
            self._raise_slot(slot, floor)
        if self.crawler.stats:
            self.crawler.stats.set_value(
                f"{POLITENESS_STATS}crawl_delay/{origin}",
                {"declared": declared, "applied": applied},
            )
        if declared > applied:
            logger.warning(
                "%s asks for Crawl-delay %.0f s; capped at %.0f s (VNFEEDS_MAX_CRAWL_DELAY)",
                origin,
                declared,
                applied,
            )

    @staticmethod
    def _raise_slot(slot: Any, floor: float) -> None:
        slot.delay = max(float(slot.delay), floor)
        if hasattr(slot, "jitter"):
            slot.jitter = 0.0
        else:  # Scrapy < 2.19
            slot.randomize_delay = False

    def _keep_floor(self, response: Response, request: Request, spider: Any = None) -> None:
        """After AutoThrottle has adjusted the slot (it may lower the delay to the latency)."""
        key = request.meta.get("download_slot")
        if key is None or key not in self._floors or self.crawler.engine is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            self._raise_slot(slot, self._floors[key])

    def _record(self, origin: str, rules: RobotsRules) -> None:
        if self.crawler.stats:
            self.crawler.stats.set_value(f"{POLITENESS_STATS}robots/{origin}", rules.note)
        if rules.verdict == "disallow":
            logger.warning("%s: %s", origin, rules.note)

    def _stats_inc(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(POLITENESS_STATS + key)


# -- per-host budget ----------------------------------------------------------------------------


class HostBudgetMiddleware:
    """At most VNFEEDS_MAX_REQUESTS_PER_HOST requests to one host in one crawl (robots.txt,
    retries and revisits included); the next ones are refused with a stated reason, so a portal
    that links endlessly (calendars, session ids in URLs) costs a bounded number of requests."""

    def __init__(self, crawler: Crawler, limit: int):
        self.crawler = crawler
        self.limit = limit
        self.sent: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBudgetMiddleware:
        limit = crawler.settings.getint("VNFEEDS_MAX_REQUESTS_PER_HOST", 0)
        if limit <= 0:
            raise NotConfigured
        return cls(crawler, limit)

    def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).hostname or ""
        if self.sent[host] >= self.limit:
            if self.crawler.stats:
                self.crawler.stats.inc_value(f"{POLITENESS_STATS}host_budget_refused")
            raise IgnoreRequest(
                f"per-host request budget reached: {self.limit} requests to {host} in this "
                "crawl (VNFEEDS_MAX_REQUESTS_PER_HOST)"
            )
        self.sent[host] += 1


# -- Retry-After --------------------------------------------------------------------------------


def retry_after_seconds(
    value: str, date: str | None = None, now: float | None = None
) -> float | None:
    """Retry-After as seconds from the answer: delta-seconds, or an HTTP-date measured against
    the answer's own Date header (so a server clock that is off does not matter), else against
    our clock. None when it cannot be read."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    reference: float | None = None
    if date:
        try:
            sent = parsedate_to_datetime(date)
            if sent is not None and sent.tzinfo is not None:
                reference = sent.timestamp()
        except (TypeError, ValueError, IndexError):
            reference = None
    if reference is None:
        reference = time.time() if now is None else now
    return max(0.0, when.timestamp() - reference)


class RetryAfterMiddleware:
    """429 and 503 answers that carry Retry-After (seconds or an HTTP-date).

    Within VNFEEDS_RETRY_AFTER_MAX seconds: no request goes to that host until the time is up,
    then the request is retried; the retry counts against RETRY_TIMES like any other. Longer: the
    request ends at once as an error that says so (waiting would hold the crawl), and Scrapy's
    RetryMiddleware does not hammer the host with immediate retries. Without Retry-After, the
    RetryMiddleware's ordinary retries apply (and AutoThrottle slows down on errors).

    Sits after RetryMiddleware in the response chain (a higher number), so it sees these answers
    first.
    """

    CODES = frozenset({429, 503})

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("VNFEEDS_RETRY_AFTER_MAX", 120.0)
        self._paused: dict[str, float] = {}  # slot key -> time.monotonic() it may be asked again
        # The pause must start before the downloader sends the next queued request, which it
        # does as soon as this answer is in: before the answer reaches process_response.
        crawler.signals.connect(self._on_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def _wait_of(self, response: Response) -> float | None:
        """Seconds the answer asks us to wait (None: not a 429/503 with a readable Retry-After)."""
        if response.status not in self.CODES:
            return None
        header = response.headers.get(b"Retry-After")
        if not header:
            return None
        date = response.headers.get(b"Date")
        return retry_after_seconds(
            header.decode("latin-1"), date.decode("latin-1") if date else None
        )

    def _on_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        wait = self._wait_of(response)
        if wait is None or wait > self.max_wait or request.meta.get("dont_retry"):
            return
        key = _slot_key(request)
        self._paused[key] = max(self._paused.get(key, 0.0), time.monotonic() + wait)
        self._hold_slot(key, wait)

    def _hold_slot(self, key: str, wait: float) -> None:
        """Requests already queued in the host's downloader slot have passed process_request:
        hold them there too. The slot sends its next request `delay` after `lastseen`, so
        `lastseen` moves to the end of the wait (a slot without delay never looks at it: it gets
        a negligible one)."""
        engine = self.crawler.engine
        slot: Any = engine.downloader.slots.get(key) if engine is not None else None
        if slot is None:
            return
        if not slot.delay:
            slot.delay = 0.001
        slot.lastseen = max(float(slot.lastseen), _downloader_clock() + wait)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        """Requests that reach the downloader during a pause of their host wait it out."""
        until = self._paused.get(_slot_key(request))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await _sleep(wait)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry"):
            return response
        wait = self._wait_of(response)
        if wait is None:
            return response
        stats = self.crawler.stats
        if wait > self.max_wait:
            if stats:
                stats.inc_value(f"{POLITENESS_STATS}retry_after/gave_up")
            request.meta["dont_retry"] = True
            request.meta["vnfeeds_gave_up"] = (
                f"Retry-After {wait:.0f} s is longer than the {self.max_wait:.0f} s this crawl "
                "waits (VNFEEDS_RETRY_AFTER_MAX)"
            )
            return response
        assert self.crawler.spider is not None
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=f"HTTP {response.status} Retry-After"
        )
        if retry is None:  # retries used up: the answer goes on as the error it is
            request.meta["dont_retry"] = True
            return response
        if stats:
            stats.inc_value(f"{POLITENESS_STATS}retry_after/waits")
            total = float(stats.get_value(f"{POLITENESS_STATS}retry_after/seconds", 0.0) or 0.0)
            stats.set_value(f"{POLITENESS_STATS}retry_after/seconds", round(total + wait, 3))
        logger.info(
            "%s answered %s: retried after %.1f s (Retry-After)", request.url, response.status, wait
        )
        return retry


# -- compressed bodies --------------------------------------------------------------------------


def compressed_body_problem(body: bytes, encoding: bytes, max_size: int) -> str | None:
    """Why a gzip/deflate body cannot be used whole (None when it can, or when it inflates past
    `max_size`: HttpCompressionMiddleware refuses that one itself, with its own message).

    Scrapy inflates what it can of a cut or corrupt stream and passes the part on as if it were
    the page; an article cut halfway would then be stored. A wrong CRC at the very end is
    tolerated (Scrapy's choice: some servers write it wrong; the data is all there)."""
    encoding = encoding.strip().lower()
    if encoding in (b"gzip", b"x-gzip"):
        wbits_choices = [31]
    elif encoding == b"deflate":
        wbits_choices = [15, -15]  # zlib-wrapped, else raw deflate (both are sent as "deflate")
    else:
        return None
    name = encoding.decode("ascii", "replace")
    last_error = ""
    for wbits in wbits_choices:
        data = body
        inflated = 0
        try:
            while True:
                d = zlib.decompressobj(wbits)
                chunk = d.decompress(data, 1 << 16)
                while True:
                    inflated += len(chunk)
                    if inflated > max_size > 0:
                        return None
                    if not d.unconsumed_tail:
                        break
                    chunk = d.decompress(d.unconsumed_tail, 1 << 16)
                if not d.eof:
                    return f"compressed body ({name}) is cut short: refused"
                data = d.unused_data
                if wbits != 31 or not data.startswith(b"\x1f\x8b"):
                    return None  # one stream (gzip may chain members), trailing bytes ignored
        except zlib.error as exc:
            last_error = str(exc)
            if "incorrect data check" in last_error or "incorrect length check" in last_error:
                return None
            continue
    return f"invalid compressed body ({name}: {last_error}): refused"


class CompressedBodyMiddleware:
    """Refuse a gzip/deflate body that is cut short or corrupt (see compressed_body_problem);
    a refused answer is retried like a broken download, then counted as an error."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CompressedBodyMiddleware:
        if not crawler.settings.getbool("COMPRESSION_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.method == "HEAD":
            return response
        encodings = response.headers.getlist(b"Content-Encoding")
        if len(encodings) != 1 or b"," in encodings[0]:
            return response  # layered encodings: left to HttpCompressionMiddleware
        max_size = int(request.meta.get("download_maxsize", self.max_size))
        problem = compressed_body_problem(response.body, encodings[0], max_size)
        if problem is None:
            return response
        if self.crawler.stats:
            self.crawler.stats.inc_value("vnfeeds/corrupt_compressed_bodies")
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason="corrupt body")
        if retry is not None:
            return retry
        raise IgnoreRequest(problem)
