"""Can a portal be reached at all? Checked once per batch before any crawl process starts.

Starting a crawl costs a Scrapy process (about 2 s of CPU) and, for a host that does not resolve
or refuses connections, several more seconds of retries (robots.txt, then each list page). On a
machine without internet that is minutes for the bundled registry. So `crawl_sources` first opens
one TCP connection to every distinct host:port its sources' sections use (or to the proxy those
requests would go through), all in parallel, and closes it at once: no HTTP request is sent. A
source none of whose sections can be reached is recorded as failed with the reason, without
starting its crawl; every other source is crawled as usual (the crawl still reports what goes
wrong later: TLS, HTTP errors, timeouts after the connection).

A probe that does not answer within the wait is "unknown": that source is crawled normally.
"""

from __future__ import annotations

import errno
import queue
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from crawler.registry import Source

MAX_PROBE_SECONDS = 10.0
WORKERS = 32
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where a section's requests open their TCP connection: the portal, or a proxy."""

    host: str
    port: int
    proxy: str | None = None  # the proxy URL (credentials removed) when it goes through one


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc


def proxy_for(url: str, proxy: str = "") -> str | None:
    """The proxy a request for `url` goes through: the `proxy` setting, else http_proxy /
    https_proxy from the environment unless no_proxy exempts the host (Scrapy's own rule)."""
    if proxy:
        return proxy if "://" in proxy else "http://" + proxy
    parts = urlsplit(url)
    env = getproxies()
    if parts.scheme in env and parts.hostname and not proxy_bypass(parts.hostname):
        via = str(env[parts.scheme])
        return via if "://" in via else "http://" + via
    return None


def target_of(url: str, proxy: str = "") -> Target | None:
    via = proxy_for(url, proxy)
    parts = urlsplit(via if via else url)
    if via and "://" not in via:
        parts = urlsplit("http://" + via)
    if not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:
        return None
    return Target(parts.hostname, port, _without_credentials(via) if via else None)


def describe_socket_error(exc: BaseException, timeout: float) -> str:
    """An operator-readable reason for a failed connection, worded like the crawl's own."""
    if isinstance(exc, socket.gaierror):
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            return "DNS lookup failed (host does not resolve)"
        if exc.errno == socket.EAI_AGAIN:
            return "DNS lookup failed (no answer from the DNS server: offline?)"
        return f"DNS lookup failed ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return f"timed out connecting (no answer in {timeout:.0f} s)"
    if isinstance(exc, OSError) and exc.errno == errno.ENETUNREACH:
        return "network unreachable (no route: offline?)"
    if isinstance(exc, OSError) and exc.errno == errno.EHOSTUNREACH:
        return "host unreachable (no route)"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot connect ({exc.strerror})"
    return f"cannot connect ({type(exc).__name__}: {exc})"


def probe(target: Target, timeout: float) -> str | None:
    """None when a TCP connection opens; else why not."""
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout):
            return None
    except (OSError, UnicodeError) as exc:
        return describe_socket_error(exc, timeout)


def probe_all(targets: Iterable[Target], timeout: float) -> dict[Target, str | None]:
    """Probe every target in parallel (daemon threads: a resolver that hangs never holds up the
    run). Targets without an answer after the wait are left out (unknown)."""
    todo: queue.Queue[Target] = queue.Queue()
    unique = list(dict.fromkeys(targets))
    for target in unique:
        todo.put(target)
    results: dict[Target, str | None] = {}
    lock = threading.Lock()

    def work() -> None:
        while True:
            try:
                target = todo.get_nowait()
            except queue.Empty:
                return
            outcome = probe(target, timeout)
            with lock:
                results[target] = outcome

    threads = [
        threading.Thread(target=work, name="vnfeeds-preflight", daemon=True)
        for _ in range(min(WORKERS, len(unique)))
    ]
    for thread in threads:
        thread.start()
    # DNS has its own timeouts (resolv.conf); allow for them on top of the connect timeout.
    end = time.monotonic() + timeout * 2 + 5
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    with lock:
        return dict(results)


def unreachable(
    sources: Sequence[Source], proxy: str = "", timeout: float = MAX_PROBE_SECONDS
) -> dict[str, str]:
    """Source id -> why none of its sections can be reached (only for such sources)."""
    timeout = min(float(timeout), MAX_PROBE_SECONDS)
    plans = {s.id: [(sec.url, target_of(sec.url, proxy)) for sec in s.section] for s in sources}
    results = probe_all((t for plan in plans.values() for _, t in plan if t is not None), timeout)
    found: dict[str, str] = {}
    for source_id, plan in plans.items():
        reasons: list[str] = []
        for url, target in plan:
            why = results.get(target) if target is not None else "no host in the URL"
            if why is None:  # reachable, or not known in time: crawl it
                break
            if target is not None and target.proxy:
                reasons.append(f"list {url}: proxy {target.proxy} unreachable: {why}")
            else:
                reasons.append(f"list {url}: {why}")
        else:
            found[source_id] = (
                "; ".join(dict.fromkeys(reasons))
                + " (found before crawling: no request was sent, the crawl was not started)"
            )
    return found
