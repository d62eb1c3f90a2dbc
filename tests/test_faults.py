"""Crawl under faults (issue 8): every fault tests/faultserver.py can inject, one crawl each.

Each test serves binhdinh's sample copy with one fault (tests/faultserver.py) and, beside it,
hungyen's sample copy as a healthy neighbour, and crawls both in one `crawl_sources` call with
the real spider in child processes. For every fault:

- the crawl finishes, well inside its time bound, and never as a `timeout`;
- the faulty URL was asked as often as the retry policy says (retry_times = 1 here);
- the fault portal's run records the failure: status, a reason in its message, the errors count;
- exactly the expected articles are stored (no partial article: nothing of the faulty page in
  `articles`, `article_urls` or `raw_pages` unless the page is whole and readable, and then its
  title and last paragraph as its golden file has them);
- the crawl process's peak memory (recorded in the run's stats) stays under MEMORY_BOUND_MB,
  gzip bomb, 10 MB text node and 5,000-level nesting included;
- the neighbour's articles land.

`FAULTS` is the table of fault types and their expected outcomes, written by hand;
`test_crawl_survives_fault` is parametrized over it with the fault names as ids, so a report can
count the fault types tried and survived (bench/reliability.py).
"""

from __future__ import annotations

import codecs
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crawler.samples import PortalServer, sample_portals
from crawler.urls import canonicalize
from tests.conftest import Site
from tests.faultserver import (
    CONTENT_ARTICLE,
    FAULT_ARTICLE_PATH,
    HEALTHY_ARTICLES,
    LIST_PATH,
    FaultServer,
    Responder,
    content_article_html,
    endless_list,
    golden,
    gzip_bomb,
    gzipped,
    hang,
    http_date_in,
    http_error,
    oversize,
    portal_articles,
    raw,
    redirect,
    reset,
    self_signed_certificate,
    source_toml,
    truncated,
    with_inserted_content,
)
from tests.test_encoding import cp1258_bytes, tcvn3_bytes

NOW = "2026-06-10T10:00:00+07:00"
FAULT_SOURCE = "cong-loi"
NEIGHBOUR_SOURCE = "hung-yen-lang-gieng"
NEIGHBOUR_ARTICLES = 5  # hungyen's first list page (max_pages = 1)
RETRY_TIMES = 1
DOWNLOAD_TIMEOUT = 2.0
HANG_S = 5.0  # past the download timeout
MEMORY_BOUND_MB = 300.0  # a crawl child needs about 110 MB; the gzip bomb alone inflates to 1 GiB
CRAWL_BOUND_S = 60.0
MAX_PAGES = 3

CONTENT = golden(CONTENT_ARTICLE)
CONTENT_TITLE = CONTENT["title"]
CONTENT_LAST = CONTENT["body"][-1]
UTF8_META = '<meta charset="utf-8">'

# A page of a pre-2010 portal typed with the .VnTime font (TCVN3), written for this test. The
# normal .VnTime font has no toned capitals, so the text uses none.
TCVN3_TITLE = "Tỉnh Bình Định tổng kết công tác cải cách hành chính năm 2006"
TCVN3_LAST = (
    "Năm 2007, tỉnh tiếp tục rà soát thủ tục hành chính, mở rộng cơ chế một cửa đến tất cả "
    "các xã, phường, thị trấn và công khai quy trình giải quyết hồ sơ tại trụ sở tiếp dân."
)
TCVN3_PAGE = f"""<html><head><title>{TCVN3_TITLE}</title></head>
<body><font face=".VnTime">
<span class="post-date">Thứ Sáu, 15/12/2006 08:30</span>
<h1 class="article-title">{TCVN3_TITLE}</h1>
<div class="article-brief">Sáng 15/12, UBND tỉnh tổ chức hội nghị tổng kết công tác cải cách hành
chính năm 2006 và triển khai nhiệm vụ năm 2007.</div>
<div class="article-content">
<p>Theo báo cáo tại hội nghị, trong năm 2006 các sở, ngành và địa phương đã giải quyết đúng hẹn
phần lớn hồ sơ của tổ chức, công dân; bộ phận tiếp nhận và trả kết quả theo cơ chế một cửa đã đi
vào nề nếp ở cấp tỉnh và cấp huyện.</p>
<p>{TCVN3_LAST}</p>
</div></font></body></html>"""

NEIGHBOUR_TOML = """
[[source]]
id = "{id}"
province = "hung-yen"
name = "Cổng thông tin điện tử tỉnh Hưng Yên (láng giềng khỏe mạnh)"
homepage = "{base}/"
platform = "upload-cms"
max_pages = 1
[[source.section]]
url = "{base}/chuyen-muc-tin-tuc-su-kien-c1051.html"
topics = []
[source.selectors]
list_item = "div.post-item"
link = "h3.post-title a::attr(href)"
next_page = "ul.pagination a.next::attr(href)"
"""
# An article of hungyen's page 2: the neighbour does not crawl it, so no source may store it.
OFFSITE_TARGET = "/tin-tuc-su-kien/day-manh-chuyen-doi-so-trong-hoat-dong-cua-co-quan-nha-nuoc.html"


@dataclass
class Env:
    """What a fault's setup may touch."""

    tmp: Path
    neighbour: PortalServer
    server: FaultServer | None = None

    @property
    def fault(self) -> FaultServer:
        assert self.server is not None
        return self.server


@dataclass(frozen=True)
class FaultCase:
    name: str
    setup: Callable[[Env], None]
    status: str  # crawl_runs.status of the fault portal
    reason: str | None  # in crawl_runs.message (None: no message expected)
    errors: int
    attempts: tuple[int, int]  # requests the server saw on `path` (at least, at most)
    retries: int  # Scrapy-level retries recorded in the run's stats
    path: str = FAULT_ARTICLE_PATH
    stored: tuple[str, ...] = HEALTHY_ARTICLES  # the fault portal's stored articles (paths)
    title: str | None = None  # when the faulty page is stored: its title ...
    last: str | None = None  # ... and its last paragraph
    tls: bool = False
    extra: Callable[[Env, sqlite3.Connection], None] | None = field(default=None, compare=False)


def _on_article(make: Callable[[], Responder]) -> Callable[[Env], None]:
    """Setup: the fault answers the list's third article."""

    def setup(env: Env) -> None:
        env.fault.add_fault(FAULT_ARTICLE_PATH, make())

    return setup


def _healthy_list_and(path: str, make: Callable[[], Responder]) -> Callable[[Env], None]:
    """Setup: the list holds only the two healthy articles; the fault answers `path`."""

    def setup(env: Env) -> None:
        env.fault.set_list([(p, golden(p)["title"]) for p in HEALTHY_ARTICLES])
        env.fault.add_fault(path, make())

    return setup


def _transient_429(env: Env) -> None:
    env.fault.add_fault(FAULT_ARTICLE_PATH, http_error(429, retry_after="1"), times=1)


def _redirect_loop(env: Env) -> None:
    env.fault.add_fault(FAULT_ARTICLE_PATH, redirect("/tin-tuc/thu-nghiem/vong.html"))
    env.fault.add_fault("/tin-tuc/thu-nghiem/vong.html", redirect(FAULT_ARTICLE_PATH))


def _offsite_redirect(env: Env) -> None:
    # The neighbour's socket under another host name: another site, as far as URLs go.
    port = env.neighbour.base_url.rsplit(":", 1)[1]
    env.fault.add_fault(FAULT_ARTICLE_PATH, redirect(f"http://localhost:{port}{OFFSITE_TARGET}"))


def _list_500(env: Env) -> None:
    env.fault.add_fault(LIST_PATH, http_error(500))


def _endless(env: Env) -> None:
    env.fault.add_fault(LIST_PATH, endless_list(portal_articles(), per_page=2))


def _tls(env: Env) -> None:
    env.fault.set_list([(p, golden(p)["title"]) for p in HEALTHY_ARTICLES])


def _no_offsite_article(env: Env, con: sqlite3.Connection) -> None:
    assert con.execute(
        "SELECT count(*) FROM article_urls WHERE url LIKE ?", (f"%{OFFSITE_TARGET}",)
    ).fetchone() == (0,)


def _retry_waited(seconds: float) -> Callable[[Env, sqlite3.Connection], None]:
    def check(env: Env, con: sqlite3.Connection) -> None:
        times = [r.at for r in env.fault.requests_to(FAULT_ARTICLE_PATH)]
        assert times[1] - times[0] >= seconds - 0.05, times

    return check


def _list_pages_asked(count: int) -> Callable[[Env, sqlite3.Connection], None]:
    def check(env: Env, con: sqlite3.Connection) -> None:
        assert len(env.fault.requests_to(LIST_PATH)) == count

    return check


def _only_robots_asked(env: Env, con: sqlite3.Connection) -> None:
    assert {r.path for r in env.fault.timed_log} == {"/robots.txt"}


def _utf8_page() -> bytes:
    return content_article_html().encode("utf-8")


def _inside_body() -> int:
    """A byte offset of the content article's page just before its body's third paragraph."""
    page = _utf8_page()
    body = page.index(b'class="article-content')
    return page.index(b"<p", page.index(b"</p>", page.index(b"</p>", body) + 4) + 4)


def _nested(levels: int) -> bytes:
    inner = "<div>" * levels + "<p>Đoạn văn ở tầng sâu nhất.</p>" + "</div>" * levels
    return with_inserted_content(inner).encode("utf-8")


def _text_node(repeats: int) -> bytes:
    return with_inserted_content("<p>" + HUGE_WORDS * repeats + "</p>").encode("utf-8")


ROBOTS_UNREACHABLE = "robots.txt unreachable: the host is treated as disallowed for this crawl"
HUGE_WORDS = "Báo cáo số liệu thống kê "  # 25 characters
TWO = (2, 2)  # the first attempt and RETRY_TIMES = 1 retry
ONE = (1, 1)
WITH_FAULTY = (*HEALTHY_ARTICLES, FAULT_ARTICLE_PATH)
HTML = "text/html; charset=utf-8"
# The endless list's pages 1 to MAX_PAGES: two articles each, in the copy's order.
ENDLESS_STORED = tuple(p for p, _ in portal_articles()[: 2 * MAX_PAGES])

FAULTS: list[FaultCase] = [
    # -- HTTP errors: retried, then an error of that article; the others land.
    FaultCase("http_500", _on_article(lambda: http_error(500)), "partial", "HTTP 500", 1, TWO, 1),
    FaultCase("http_502", _on_article(lambda: http_error(502)), "partial", "HTTP 502", 1, TWO, 1),
    FaultCase("http_503", _on_article(lambda: http_error(503)), "partial", "HTTP 503", 1, TWO, 1),
    # 429 with Retry-After: 1, once: the crawl leaves the host alone a second, asks again and
    # gets the page.
    FaultCase(
        "http_429_retry_after",
        _transient_429,
        "ok",
        None,
        0,
        TWO,
        1,
        stored=WITH_FAULTY,
        title=CONTENT_TITLE,
        last=CONTENT_LAST,
        extra=_retry_waited(1.0),
    ),
    # 503 for ever, Retry-After as an HTTP-date a second ahead: one wait, one retry, an error.
    FaultCase(
        "http_503_retry_after_date",
        _on_article(lambda: http_error(503, retry_after=http_date_in(1))),
        "partial",
        "HTTP 503",
        1,
        TWO,
        1,
        extra=_retry_waited(1.0),
    ),
    # Longer than VNFEEDS_RETRY_AFTER_MAX (120 s): no wait, no immediate retry, and said so.
    FaultCase(
        "http_429_retry_after_too_long",
        _on_article(lambda: http_error(429, retry_after="3600")),
        "partial",
        "HTTP 429 (Retry-After 3600 s is longer than the 120 s this crawl waits",
        1,
        ONE,
        0,
    ),
    # -- broken transfers
    FaultCase("timeout", _on_article(lambda: hang(HANG_S)), "partial", "timed out", 1, TWO, 1),
    # Twisted's connection pool itself asks once more when a reused keep-alive connection dies
    # before any answer, so each of the two attempts may reach the server twice.
    FaultCase("connection_reset", _on_article(reset), "partial", "connection lost", 1, (2, 4), 1),
    FaultCase(
        "truncated_body",
        _on_article(lambda: truncated(_utf8_page(), sent_fraction=0.8)),
        "partial",
        "truncated response",
        1,
        TWO,
        1,
    ),
    FaultCase(
        "invalid_gzip",
        _on_article(lambda: gzipped(_utf8_page(), corrupt="garbage")),
        "partial",
        "invalid compressed body (gzip",
        1,
        TWO,
        1,
    ),
    # The gzip stream stops inside the article's body: Scrapy alone inflates what there is and
    # the article would be stored with its first paragraphs only.
    FaultCase(
        "truncated_gzip",
        _on_article(lambda: gzipped(_utf8_page(), corrupt="cut", cut_at=_inside_body())),
        "partial",
        "compressed body (gzip) is cut short",
        1,
        TWO,
        1,
    ),
    FaultCase(
        "gzip_bomb",
        _on_article(lambda: gzip_bomb(1024)),
        "partial",
        "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression",
        1,
        ONE,
        0,
    ),
    FaultCase(
        "body_over_limit",
        _on_article(lambda: oversize(40 << 20, declare_length=True)),
        "partial",
        "larger than download max size (16777216)",
        1,
        ONE,
        0,
    ),
    FaultCase(
        "body_over_limit_streamed",
        _on_article(lambda: oversize(40 << 20, declare_length=False)),
        "partial",
        "download cancelled",
        1,
        ONE,
        0,
    ),
    # -- redirects
    FaultCase("redirect_loop", _redirect_loop, "partial", "redirect loop", 1, ONE, 0),
    FaultCase(
        "redirect_offsite",
        _offsite_redirect,
        "partial",
        "redirected off-site to http://localhost:",
        1,
        ONE,
        0,
        extra=_no_offsite_article,
    ),
    # -- encodings: read right, stored whole
    FaultCase(
        "charset_windows1258_declared_utf8",
        _on_article(lambda: raw(cp1258_bytes(content_article_html()), HTML)),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=CONTENT_TITLE,
        last=CONTENT_LAST,
    ),
    FaultCase(
        "charset_windows1258_undeclared",
        _on_article(
            lambda: raw(cp1258_bytes(content_article_html().replace(UTF8_META, "")), "text/html")
        ),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=CONTENT_TITLE,
        last=CONTENT_LAST,
    ),
    FaultCase(
        "charset_tcvn3_declared_windows1252",
        _on_article(lambda: raw(tcvn3_bytes(TCVN3_PAGE), "text/html; charset=windows-1252")),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=TCVN3_TITLE,
        last=TCVN3_LAST,
    ),
    FaultCase(
        "charset_tcvn3_undeclared",
        _on_article(lambda: raw(tcvn3_bytes(TCVN3_PAGE), "text/html")),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=TCVN3_TITLE,
        last=TCVN3_LAST,
    ),
    # A UTF-8 byte order mark wins over a wrong header (as in browsers).
    FaultCase(
        "bom_utf8_declared_windows1252",
        _on_article(lambda: raw(codecs.BOM_UTF8 + _utf8_page(), "text/html; charset=windows-1252")),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=CONTENT_TITLE,
        last=CONTENT_LAST,
    ),
    FaultCase(
        "bom_utf16",
        _on_article(
            lambda: raw(
                codecs.BOM_UTF16_LE + content_article_html().encode("utf-16-le"), "text/html"
            )
        ),
        "ok",
        None,
        0,
        ONE,
        0,
        stored=WITH_FAULTY,
        title=CONTENT_TITLE,
        last=CONTENT_LAST,
    ),
    # -- pages the HTML parser would cut short: refused whole
    FaultCase(
        "deep_nesting",
        _on_article(lambda: raw(_nested(5000), HTML)),
        "partial",
        "HTML nested more than 200 elements deep",
        1,
        ONE,
        0,
    ),
    FaultCase(
        "huge_text_node",
        _on_article(lambda: raw(_text_node(420_000), HTML)),  # 10.5 M characters, 14 MB
        "partial",
        "a text node of 10,500,000 characters",
        1,
        ONE,
        0,
    ),
    # -- robots.txt (RFC 9309; README "Politeness")
    FaultCase(
        "robots_404",
        _healthy_list_and("/robots.txt", lambda: http_error(404)),
        "ok",
        None,
        0,
        ONE,
        0,
        path="/robots.txt",
    ),
    FaultCase(
        "robots_disallow_all",
        _healthy_list_and(
            "/robots.txt", lambda: raw(b"User-agent: *\nDisallow: /\n", "text/plain")
        ),
        "failed",
        "forbidden by robots.txt",
        1,
        ONE,
        0,
        path="/robots.txt",
        stored=(),
        extra=_only_robots_asked,
    ),
    FaultCase(
        "robots_503",
        _healthy_list_and("/robots.txt", lambda: http_error(503)),
        "failed",
        "robots.txt answered HTTP 503: the host is treated as disallowed for this crawl",
        1,
        TWO,
        1,
        path="/robots.txt",
        stored=(),
        extra=_only_robots_asked,
    ),
    FaultCase(
        "robots_timeout",
        _healthy_list_and("/robots.txt", lambda: hang(HANG_S)),
        "failed",
        "timed out (" + ROBOTS_UNREACHABLE,
        1,
        TWO,
        1,
        path="/robots.txt",
        stored=(),
        extra=_only_robots_asked,
    ),
    # -- list pages
    FaultCase(
        "list_http_500", _list_500, "failed", "HTTP 500", 1, TWO, 1, path=LIST_PATH, stored=()
    ),
    # Every page links to two new articles and to the next page, for ever: max_pages ends it.
    FaultCase(
        "endless_next_page",
        _endless,
        "ok",
        None,
        0,
        (MAX_PAGES, MAX_PAGES),
        0,
        path=LIST_PATH,
        stored=ENDLESS_STORED,
    ),
    # -- TLS: a self-signed certificate (not verified, as for the portals' broken chains)
    FaultCase("tls_self_signed", _tls, "ok", None, 0, ONE, 0, path=LIST_PATH, tls=True),
]

FAULT_NAMES = [case.name for case in FAULTS]


@pytest.fixture(scope="module")
def neighbour() -> Iterator[PortalServer]:
    portal = next(p for p in sample_portals() if p.name == "hungyen")
    server = PortalServer(portal).start()
    yield server
    server.stop()


def _stats(con: sqlite3.Connection, source_id: str) -> dict[str, object]:
    row = con.execute("SELECT stats FROM crawl_runs WHERE source_id = ?", (source_id,)).fetchone()
    return json.loads(row[0] or "{}")


@pytest.mark.slow
@pytest.mark.parametrize("case", FAULTS, ids=FAULT_NAMES)
def test_crawl_survives_fault(case: FaultCase, tmp_path: Path, neighbour: PortalServer) -> None:
    env = Env(tmp_path, neighbour)
    tls = self_signed_certificate(tmp_path) if case.tls else None
    server = FaultServer(tls=tls).start()
    env.server = server
    try:
        case.setup(env)
        site = Site(tmp_path / "site", {})
        (site.sources_dir / "faults.toml").write_text(
            source_toml(FAULT_SOURCE, server.base_url, max_pages=MAX_PAGES)
            + NEIGHBOUR_TOML.format(id=NEIGHBOUR_SOURCE, base=neighbour.base_url),
            encoding="utf-8",
        )
        outcomes = {
            o.source_id: o
            for o in site.crawl(now=NOW, retry_times=RETRY_TIMES, download_timeout=DOWNLOAD_TIMEOUT)
        }
        fault = outcomes[FAULT_SOURCE]

        # Finished, in bounded time.
        assert fault.seconds < CRAWL_BOUND_S, fault
        assert fault.status == case.status, fault
        # Retried as configured.
        asked = len(server.requests_to(case.path))
        assert case.attempts[0] <= asked <= case.attempts[1], (asked, server.timed_log)
        con = sqlite3.connect(site.db)
        stats = _stats(con, FAULT_SOURCE)
        assert stats["retries"] == case.retries, stats
        # Recorded with a reason.
        status, errors, message = con.execute(
            "SELECT status, errors, message FROM crawl_runs WHERE source_id = ?", (FAULT_SOURCE,)
        ).fetchone()
        assert (status, errors) == (case.status, case.errors), message
        if case.reason is None:
            assert message is None
        else:
            assert message is not None and case.reason in message, message
        # Exactly the expected articles, each whole; nothing of a refused page.
        base = server.base_url
        stored = {
            url: (title, text)
            for url, title, text in con.execute(
                "SELECT url, title, content_text FROM articles WHERE source_id = ?",
                (FAULT_SOURCE,),
            )
        }
        assert set(stored) == {site_url(base, p) for p in case.stored}, (sorted(stored), stats)
        for path in case.stored:
            if path != FAULT_ARTICLE_PATH:
                assert stored[site_url(base, path)][0] == golden(path)["title"]
        if case.title is not None:
            title, text = stored[site_url(base, FAULT_ARTICLE_PATH)]
            assert title == case.title
            assert case.last in text
        if FAULT_ARTICLE_PATH not in case.stored:
            like = f"%{FAULT_ARTICLE_PATH}"
            for table in ("article_urls", "raw_pages"):
                assert con.execute(
                    f"SELECT count(*) FROM {table} WHERE url LIKE ?", (like,)
                ).fetchone() == (0,), table
        # Memory stayed bounded.
        peak = stats["peak_rss_mb"]
        assert isinstance(peak, float) and 0 < peak < MEMORY_BOUND_MB, peak
        if case.extra:
            case.extra(env, con)
        # The neighbour's articles landed in the same call.
        other = outcomes[NEIGHBOUR_SOURCE]
        assert (other.status, other.new) == ("ok", NEIGHBOUR_ARTICLES), other
        con.close()
    finally:
        server.stop()


def site_url(base: str, path: str) -> str:
    return canonicalize(base + path)


def test_the_fault_table_names_every_fault_once() -> None:
    """The table bench/reliability.py counts: unique names, and every fault issue 8 lists."""
    assert len(FAULT_NAMES) == len(set(FAULT_NAMES))
    required = {
        "http_500",
        "http_502",
        "http_503",
        "http_429_retry_after",
        "timeout",
        "connection_reset",
        "truncated_body",
        "invalid_gzip",
        "gzip_bomb",
        "body_over_limit",
        "redirect_loop",
        "redirect_offsite",
        "charset_windows1258_declared_utf8",
        "charset_tcvn3_undeclared",
        "bom_utf8_declared_windows1252",
        "deep_nesting",
        "huge_text_node",
        "robots_404",
        "robots_disallow_all",
        "robots_503",
        "robots_timeout",
        "endless_next_page",
        "tls_self_signed",
    }
    assert required <= set(FAULT_NAMES)
