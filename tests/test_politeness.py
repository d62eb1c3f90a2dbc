"""Politeness beyond Scrapy's defaults (issue 6 item 2; crawler/middlewares.py; README
"Politeness"): robots.txt Crawl-delay, Retry-After on 429/503, a per-host request budget, and
what a robots.txt that fails to answer means (RFC 9309: 4xx allows, 5xx/429/no answer disallows
the host for that crawl).

The crawls are real: binhdinh's sample copy served by tests/faultserver.py on 127.0.0.1, the
spider in a child process; the server logs when each request arrived.
"""

from __future__ import annotations

import gzip
import itertools
import json
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.extract.limits import MAX_DEPTH, longest_text_run, markup_problem
from crawler.middlewares import compressed_body_problem, retry_after_seconds, robots_verdict
from crawler.runner import CrawlOutcome
from crawler.samples import Route
from tests.conftest import Site
from tests.faultserver import (
    FaultServer,
    hang,
    http_error,
    portal_articles,
    raw,
    redirect,
    reset,
    source_toml,
)

NOW = "2026-06-10T10:00:00+07:00"
SOURCE = "cong-lich-su"
FOUR = portal_articles()[:4]  # four real articles of the copy


@pytest.fixture()
def portal(tmp_path: Path) -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()


def _crawl(tmp_path: Path, server: FaultServer, **overrides: object) -> tuple[CrawlOutcome, dict]:
    site = Site(tmp_path / "site", {})
    toml = site.sources_dir / "polite.toml"
    toml.write_text(source_toml(SOURCE, server.base_url, max_pages=1), encoding="utf-8")
    settings = {"retry_times": 1, "download_timeout": 2.0, **overrides}
    [outcome] = site.crawl([SOURCE], now=NOW, **settings)
    con = sqlite3.connect(site.db)
    row = con.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    stats = json.loads(row[0] or "{}")
    con.close()
    return outcome, stats


def _robots(text: str) -> bytes:
    return text.encode("utf-8")


def _gaps(server: FaultServer) -> list[float]:
    times = [r.at for r in server.timed_log]
    return [b - a for a, b in itertools.pairwise(times)]


# -- Crawl-delay ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_crawl_delay_spaces_every_request_even_with_autothrottle(
    tmp_path: Path, portal: FaultServer
) -> None:
    portal.set_list(FOUR)
    portal.add_fault("/robots.txt", raw(_robots("User-agent: *\nCrawl-delay: 1\n"), "text/plain"))

    # AutoThrottle on, a 0.1 s delay and two requests at a time per host: without Crawl-delay
    # AutoThrottle would bring the gaps down to 0.1 s as the fast answers come in.
    outcome, stats = _crawl(
        tmp_path, portal, autothrottle=True, download_delay=0.1, concurrency_per_host=2
    )

    assert (outcome.status, outcome.new) == ("ok", 4)
    paths = [r.path for r in portal.timed_log]
    assert paths[0] == "/robots.txt" and len(paths) == 6  # robots.txt, the list, 4 articles
    assert min(_gaps(portal)) >= 0.95, _gaps(portal)
    origin = portal.base_url
    assert stats["politeness"][f"crawl_delay/{origin}"] == {"declared": 1.0, "applied": 1.0}


@pytest.mark.slow
def test_a_huge_crawl_delay_is_capped_and_recorded(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_list(FOUR[:2])
    portal.add_fault(
        "/robots.txt", raw(_robots("User-agent: vnfeeds\nCrawl-delay: 3600\n"), "text/plain")
    )

    outcome, stats = _crawl(tmp_path, portal, max_crawl_delay=1.0)

    assert (outcome.status, outcome.new) == ("ok", 2)
    gaps = _gaps(portal)
    assert len(gaps) == 3 and min(gaps) >= 0.95 and max(gaps) < 3.0, gaps
    assert stats["politeness"][f"crawl_delay/{portal.base_url}"] == {
        "declared": 3600.0,
        "applied": 1.0,
    }


@pytest.mark.slow
def test_one_request_at_a_time_per_host_even_without_a_delay(
    tmp_path: Path, portal: FaultServer
) -> None:
    """concurrency_per_host holds with download_delay 0 too (Scrapy 2.19 alone sends a host's
    whole queue at once then)."""
    portal.set_list(FOUR)
    for path, _ in FOUR:  # each article takes 0.3 s to answer
        portal.add_route(Route(path=path, file="site" + path, delay=0.3))

    outcome, _ = _crawl(tmp_path, portal, download_delay=0.0, concurrency_per_host=1)

    assert (outcome.status, outcome.new) == ("ok", 4)
    articles = [r.at for r in portal.timed_log if r.path in dict(FOUR)]
    assert len(articles) == 4
    assert min(b - a for a, b in itertools.pairwise(articles)) >= 0.29, articles


# -- Retry-After ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_retry_after_leaves_the_whole_host_alone_then_retries(
    tmp_path: Path, portal: FaultServer
) -> None:
    portal.set_list(FOUR)
    second = FOUR[1][0]
    portal.add_fault(second, http_error(429, retry_after="2"), times=1)

    # A download delay, as in production (Scrapy 2.19 sends a slot's queued requests all at once
    # when the delay is 0, whatever the concurrency).
    outcome, stats = _crawl(tmp_path, portal, download_delay=0.2)

    assert (outcome.status, outcome.new, outcome.errors) == ("ok", 4, 0)
    [refused] = [r.at for r in portal.requests_to(second)][:1]
    later = [r.at - refused for r in portal.timed_log if r.at > refused]
    # Nothing at all went to the host for two seconds: not the retry, not the other articles.
    assert later and min(later) >= 1.95, later
    assert len(portal.requests_to(second)) == 2
    assert stats["politeness"]["retry_after/waits"] == 1
    assert stats["politeness"]["retry_after/seconds"] == 2.0
    assert stats["retries"] == 1


@pytest.mark.slow
def test_retry_after_over_the_limit_is_not_waited_for(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_list(FOUR[:2])
    first = FOUR[0][0]
    portal.add_fault(first, http_error(503, retry_after="5"))

    outcome, stats = _crawl(tmp_path, portal, retry_after_max=1.0)

    assert (outcome.status, outcome.new, outcome.errors) == ("partial", 1, 1)
    assert outcome.seconds < 30
    assert len(portal.requests_to(first)) == 1  # no wait, and no immediate retry either
    assert outcome.message is not None
    assert "HTTP 503 (Retry-After 5 s is longer than the 1 s this crawl waits" in outcome.message
    assert stats["politeness"]["retry_after/gave_up"] == 1


# -- per-host budget -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_per_host_budget_caps_requests_and_says_so(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_list(FOUR)

    outcome, stats = _crawl(tmp_path, portal, max_requests_per_host=3, concurrency_per_host=1)

    # robots.txt, the list, one article: three requests; the three other articles refused.
    assert len(portal.timed_log) == 3
    assert (outcome.status, outcome.new, outcome.errors) == ("partial", 1, 3)
    assert outcome.message is not None
    assert "per-host request budget reached: 3 requests to 127.0.0.1" in outcome.message
    assert stats["politeness"]["host_budget_refused"] == 3


# -- robots.txt that does not answer well -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "status", "new", "reason"),
    [
        # 4xx: "unavailable", no rules: crawl (RFC 9309 §2.3.1.3).
        (http_error(403), "ok", 2, None),
        (http_error(410), "ok", 2, None),
        # 5xx and 429: "unreachable": nothing but robots.txt is asked (§2.3.1.4).
        (http_error(500), "failed", 0, "robots.txt answered HTTP 500"),
        (http_error(429), "failed", 0, "robots.txt answered HTTP 429"),
        # No answer at all: the same.
        (reset(), "failed", 0, "connection lost (closed or reset by the server before an answer)"),
        (hang(4.0), "failed", 0, "timed out (robots.txt unreachable"),
    ],
    ids=["403", "410", "500", "429", "reset", "timeout"],
)
def test_what_a_failing_robots_txt_means(
    tmp_path: Path,
    portal: FaultServer,
    answer: object,
    status: str,
    new: int,
    reason: str | None,
) -> None:
    portal.set_list(FOUR[:2])
    portal.add_fault("/robots.txt", answer)  # type: ignore[arg-type]

    outcome, stats = _crawl(tmp_path, portal)

    assert (outcome.status, outcome.new) == (status, new)
    verdict = stats["politeness"][f"robots/{portal.base_url}"]
    if reason is None:
        assert outcome.message is None
        assert "no rules" in verdict
    else:
        assert outcome.message is not None and reason in outcome.message
        assert "the host is treated as disallowed for this crawl" in verdict
        assert "RFC 9309 §2.3.1.4" in verdict
        assert {r.path for r in portal.timed_log} == {"/robots.txt"}


@pytest.mark.slow
def test_a_failed_robots_txt_blocks_one_crawl_only(tmp_path: Path, portal: FaultServer) -> None:
    """ "Assume complete disallow for a while": the while is the crawl; the next one asks again."""
    portal.set_list(FOUR[:2])
    portal.add_fault("/robots.txt", http_error(503), times=2)  # the first attempt and its retry

    first, _ = _crawl(tmp_path, portal)
    assert (first.status, first.new) == ("failed", 0)

    second, stats = _crawl(tmp_path, portal)
    assert (second.status, second.new) == ("ok", 2)
    assert stats["politeness"][f"robots/{portal.base_url}"] == "robots.txt read"


@pytest.mark.slow
def test_robots_rules_apply_to_the_crawl_user_agent(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_list(FOUR[:3])
    banned = FOUR[1][0]
    portal.add_fault(
        "/robots.txt",
        raw(
            _robots(f"User-agent: vnfeeds\nDisallow: {banned}\n\nUser-agent: *\nDisallow: /\n"),
            "text/plain",
        ),
    )

    outcome, _ = _crawl(tmp_path, portal)

    assert (outcome.status, outcome.new, outcome.errors) == ("partial", 2, 1)
    assert outcome.message is not None and f"{banned}: forbidden by robots.txt" in outcome.message
    assert portal.requests_to(banned) == []


@pytest.mark.slow
def test_robots_txt_behind_a_redirect_is_followed(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_list(FOUR[:3])
    banned = FOUR[2][0]
    portal.add_fault("/robots.txt", redirect("/robots-2026.txt", status=301))
    portal.add_fault(
        "/robots-2026.txt", raw(_robots(f"User-agent: *\nDisallow: {banned}\n"), "text/plain")
    )

    outcome, _ = _crawl(tmp_path, portal)

    assert (outcome.status, outcome.new, outcome.errors) == ("partial", 2, 1)
    assert portal.requests_to(banned) == []


@pytest.mark.slow
def test_a_robots_txt_that_redirects_for_ever_counts_as_none(
    tmp_path: Path, portal: FaultServer
) -> None:
    portal.set_list(FOUR[:2])
    portal.add_fault("/robots.txt", redirect("/robots.txt?lan=2"))

    outcome, stats = _crawl(tmp_path, portal)

    assert (outcome.status, outcome.new) == ("ok", 2)
    assert stats["politeness"][f"robots/{portal.base_url}"] == (
        "robots.txt redirects without end: no rules"
    )
    # Scrapy's REDIRECT_MAX_TIMES (20) redirects after the first answer, then no more.
    assert len(portal.requests_to("/robots.txt")) == 21


# -- the pure parts, no crawl --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "rules"),
        (204, "rules"),
        (301, "allow"),
        (401, "allow"),
        (403, "allow"),
        (404, "allow"),
        (429, "disallow"),
        (500, "disallow"),
        (503, "disallow"),
        (599, "disallow"),
    ],
)
def test_robots_verdict_follows_rfc_9309(status: int, verdict: str) -> None:
    assert robots_verdict(status) == verdict


@pytest.mark.parametrize(
    ("value", "date", "seconds"),
    [
        ("120", None, 120.0),
        (" 0 ", None, 0.0),
        # An HTTP-date counts from the answer's own Date header, not from our clock.
        ("Wed, 10 Jun 2026 03:00:30 GMT", "Wed, 10 Jun 2026 03:00:00 GMT", 30.0),
        ("Wed, 10 Jun 2026 02:59:00 GMT", "Wed, 10 Jun 2026 03:00:00 GMT", 0.0),
        ("soon", None, None),
        ("-5", None, None),
    ],
)
def test_retry_after_values(value: str, date: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, date) == seconds


def test_retry_after_date_without_a_date_header_uses_our_clock() -> None:
    # 1781060430 is Wed, 10 Jun 2026 03:00:30 GMT.
    assert retry_after_seconds("Wed, 10 Jun 2026 03:00:30 GMT", None, now=1781060400.0) == 30.0


PAGE = (
    "<html><body>" + "<p>Đoạn văn bình thường của bài viết.</p>" * 200 + "</body></html>"
).encode()


def test_compressed_bodies_whole_cut_corrupt_and_oversized() -> None:
    whole = gzip.compress(PAGE)
    assert compressed_body_problem(whole, b"gzip", 1 << 20) is None
    assert compressed_body_problem(whole + whole, b"gzip", 1 << 20) is None  # two members
    cut = compressed_body_problem(whole[: len(whole) // 2], b"gzip", 1 << 20)
    assert cut == "compressed body (gzip) is cut short: refused"
    garbage = compressed_body_problem(b"\x1f\x8b\x08\x00" + b"\xff" * 200, b"gzip", 1 << 20)
    assert garbage is not None and garbage.startswith("invalid compressed body (gzip:")
    # A wrong CRC at the end: every byte is there; Scrapy tolerates it, so do we.
    bad_crc = whole[:-8] + b"\0\0\0\0" + whole[-4:]
    assert compressed_body_problem(bad_crc, b"gzip", 1 << 20) is None
    # Past the size limit: left to HttpCompressionMiddleware, which refuses it with its message.
    assert compressed_body_problem(whole, b"gzip", 100) is None
    # deflate, zlib-wrapped and raw, whole and cut.
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_body = raw_deflate.compress(PAGE) + raw_deflate.flush()
    assert compressed_body_problem(zlib.compress(PAGE), b"deflate", 1 << 20) is None
    assert compressed_body_problem(raw_body, b"deflate", 1 << 20) is None
    assert compressed_body_problem(raw_body[:100], b"deflate", 1 << 20) is not None
    # Other encodings are not ours to judge.
    assert compressed_body_problem(b"anything", b"br", 1 << 20) is None


def test_markup_limits() -> None:
    assert longest_text_run("<p>abc</p><p>abcdef</p>") == 6
    # Attribute values (a base64 image pasted from Word) are not text nodes.
    assert longest_text_run('<img src="data:image/png;base64,' + "A" * 5000 + '">x') == 1
    ordinary = "<html><body>" + "<div><p>Tin tức</p></div>" * 500 + "</body></html>"
    assert markup_problem(ordinary) is None
    shallow = "<html><body>" + "<div>" * (MAX_DEPTH - 10) + "x" + "</div>" * (MAX_DEPTH - 10)
    assert markup_problem(shallow + "</body></html>") is None
    deep = "<html><body>" + "<span>" * (MAX_DEPTH + 5) + "x" + "</body></html>"
    problem = markup_problem(deep)
    assert problem is not None and "nested more than 200 elements deep" in problem
    big = "<html><body><p>" + "x" * 1_000_001 + "</p></body></html>"
    assert markup_problem(big) == (
        "a text node of 1,000,001 characters (more than 1,000,000): page refused, the HTML "
        "parser would cut it"
    )
