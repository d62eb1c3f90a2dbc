"""The one spider: `scrapy crawl portal -a source=<id>` (or `vnfeeds crawl <id>`).

For each section of the source: list page -> article pages of links not yet in the store -> next
list page, until `max_pages`, or earlier when a list page holds only known articles. What is
specific to a CMS family (default selectors, pager, native key) comes from the source's platform
module; the source's `[source.selectors]` override it.

The crawl records itself in `crawl_runs` (a row opened by the parent process, or by the spider
when run directly) and closes it with its counts and a status: `ok`, `partial` (some requests
failed), `failed` (no list page could be read), `timeout` (soft timeout reached) or `interrupted`.
"""

from __future__ import annotations

import os
import resource
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import revisit
from crawler.articles import assemble
from crawler.clock import now, now_iso
from crawler.config import Config
from crawler.extract.encoding import decode_html
from crawler.extract.limits import markup_problem
from crawler.items import RawPage
from crawler.middlewares import POLITENESS_STATS, describe_exception
from crawler.platforms import get_platform
from crawler.platforms.base import Page, PageRequest
from crawler.registry import Source, load_registry
from crawler.runner import PARENT_ENV
from crawler.store import open_store, write_transaction
from crawler.store.runs import RunCounts, finish_run, start_run
from crawler.store.schema import sync_sources
from crawler.urls import canonicalize, same_site

MAX_MESSAGES = 8
MIN_DOWNLOAD_DELAY = 0.001  # seconds (see _apply_settings)
PARENT_GONE_EXIT_S = 5.0


def _content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
    }


def describe_failure(failure: Failure) -> str:
    """A short, operator-readable reason for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        request = exc.response.request
        # Why no retry came (RetryAfterMiddleware: a Retry-After longer than this crawl waits).
        gave_up = request.meta.get("vnfeeds_gave_up") if request is not None else None
        return f"HTTP {exc.response.status}" + (f" ({gave_up})" if gave_up else "")
    return describe_exception(exc) if exc is not None else "unknown failure"


class PortalSpider(scrapy.Spider):
    name = "portal"

    source: Source

    def __init__(
        self,
        source: str | None = None,
        run_id: str | int | None = None,
        backfill: str | int = 0,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not source:
            raise ValueError("which source? run: scrapy crawl portal -a source=<id>")
        self.source_id = source
        self.run_id = int(run_id) if run_id else None
        self.backfill = int(backfill or 0)
        self.errors: list[str] = []
        self.error_kinds: Counter[str] = Counter()
        self.pages = 0
        self.lists_read = 0
        self.known = 0
        self.broken_lists: list[str] = []
        self.gap_pages: list[str] = []
        self.revisits: Counter[int | str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider: PortalSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(crawler)
        crawler.signals.connect(spider._watch_parent, signal=signals.spider_opened)
        return spider

    def _watch_parent(self) -> None:
        """A crawl started by vnfeeds (the scheduler, `run`) stops itself, recorded as
        interrupted, when that process is gone (SIGKILL), instead of running on as an orphan."""
        parent = os.environ.get(PARENT_ENV)
        if not parent or not parent.isdigit():
            return
        from twisted.internet import task

        def check() -> None:
            if os.getppid() != int(parent):
                self.logger.warning("parent process %s is gone: stopping this crawl", parent)
                self.errors.append(f"the vnfeeds process {parent} that started this crawl ended")
                watch.stop()
                self.crawler.engine.close_spider(self, "shutdown")
                # A download that hangs can hold the close; the store is safe to leave at any
                # moment (whole-batch transactions), so do not linger as an orphan.
                from twisted.internet import reactor

                clock: Any = reactor
                clock.callLater(PARENT_GONE_EXIT_S, self._exit_orphaned)

        watch = task.LoopingCall(check)
        watch.start(1.0, now=False)

    # -- setup ----------------------------------------------------------------------------

    def setup(self, crawler: Crawler) -> None:
        self.config = Config.load()
        registry = load_registry(self.config.sources_path)
        self.source = registry.get(self.source_id)
        self.platform = get_platform(self.source.platform)
        self.selectors = self.platform.selectors(self.source.selectors)
        from zoneinfo import ZoneInfo

        self.tz = ZoneInfo(self.source.timezone)
        self._apply_settings(crawler)
        self.store = open_store(self.config.db)
        sync_sources(self.store, [self.source.store_row()])
        if self.run_id is None:
            self.run_id = start_run(self.store, self.source.id, os.getpid())
        else:
            # The crawl's own clock says when it started (VNFEEDS_NOW may pin it).
            with write_transaction(self.store):
                self.store.execute(
                    "UPDATE crawl_runs SET pid = ?, started = ? WHERE id = ?",
                    (os.getpid(), now_iso(), self.run_id),
                )
        self.counts = RunCounts()
        crawler.signals.connect(self._on_request_dropped, signal=signals.request_dropped)

    def _on_request_dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """A redirect back to a URL already on its own redirect chain is dropped by the
        duplicate filter without an error: a redirect loop would lose the page silently."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            kind = request.meta.get("kind", "page")
            self._record_error(kind, chain[0], f"redirect loop ({' -> '.join(chain)} -> ...)")

    def _offsite_redirect(self, response: Response) -> str | None:
        """The reason to refuse an answer that a redirect brought from another site (None when
        it stays on the portal): its content is not the portal's."""
        asked = (response.meta.get("redirect_urls") or [response.url])[0]
        if same_site(response.url, self.source.homepage) or same_site(response.url, asked):
            return None
        return f"redirected off-site to {response.url}: not stored as this portal's"

    def _apply_settings(self, crawler: Crawler) -> None:
        c = self.config
        s = crawler.settings
        delay = (
            self.source.download_delay
            if self.source.download_delay is not None
            else (c.download_delay)
        )
        values = {
            "USER_AGENT": self.source.user_agent or c.user_agent_string,
            "DOWNLOAD_TIMEOUT": c.download_timeout,
            # Never exactly 0: Scrapy 2.19 (asyncio reactor) hands every queued request of a
            # host to the network at once when the delay is 0, whatever the per-host limit.
            "DOWNLOAD_DELAY": max(delay, MIN_DOWNLOAD_DELAY),
            "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_host,
            "AUTOTHROTTLE_ENABLED": bool(c.autothrottle) and delay > 0,
            "AUTOTHROTTLE_START_DELAY": max(delay, 0.5),
            "RETRY_TIMES": c.retry_times,
            "DOWNLOAD_MAXSIZE": c.max_page_bytes,
            "DOWNLOAD_WARNSIZE": max(1, c.max_page_bytes // 4),
            "ROBOTSTXT_OBEY": c.robots_obey,
            "VNFEEDS_MAX_CRAWL_DELAY": c.max_crawl_delay,
            "VNFEEDS_RETRY_AFTER_MAX": c.retry_after_max,
            "VNFEEDS_MAX_REQUESTS_PER_HOST": c.max_requests_per_host,
            "CLOSESPIDER_TIMEOUT": max(1.0, c.crawl_timeout * 0.9),
            "LOG_LEVEL": c.log_level,
        }
        if self.source.tls_seclevel1:
            # Weak DH keys / legacy ciphers that OpenSSL 3 refuses at its default level.
            values["DOWNLOADER_CLIENT_TLS_CIPHERS"] = "DEFAULT:@SECLEVEL=1"
        for key, value in values.items():
            if (s.getpriority(key) or 0) <= 30:  # keep `-s` command-line overrides
                s.set(key, value, priority="spider")

    # -- requests -------------------------------------------------------------------------

    def _request(self, req: PageRequest, callback: Any, meta: dict[str, Any]) -> scrapy.Request:
        meta = {**meta, "kind": req.kind, "context": req.context}
        if req.method.upper() == "POST":
            return scrapy.FormRequest(
                req.url,
                formdata=req.form or [],
                headers=req.headers or None,
                callback=callback,
                errback=self.on_error,
                meta=meta,
                dont_filter=True,
            )
        return scrapy.Request(
            req.url,
            headers=req.headers or None,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            dont_filter=req.kind == "list" and meta.get("page_no") == 1,
        )

    async def start(self) -> AsyncIterator[Any]:
        for section in self.source.section:
            for req in self.platform.section_requests(section.url):
                yield self._request(req, self.parse_list, {"section": section.url, "page_no": 1})
        for visit in revisit.due(self.store, self.source.id, now(), self.config.revisits_per_run):
            yield scrapy.Request(
                visit.url,
                headers=revisit.request_headers(visit) or None,
                callback=self.parse_revisit,
                errback=self.on_revisit_error,
                dont_filter=True,
                meta={
                    "kind": "revisit",
                    "visit": visit,
                    "entry_url": visit.url,
                    "handle_httpstatus_list": [304, 404, 410],
                },
            )

    # -- revisits -------------------------------------------------------------------------

    def parse_revisit(self, response: Response) -> Any:
        """A known article fetched again (crawler/revisit.py): 304 and removals are recorded
        here; a 200 goes through extraction and the writer, which keeps edits as revisions."""
        self.revisits[response.status] += 1
        visit: revisit.Due = response.meta["visit"]
        removed = response.status == 200 and revisit.looks_removed(
            visit.url,
            response.url,
            self.source.homepage,
            [section.url for section in self.source.section],
        )
        outcome = revisit.record(
            self.store,
            visit,
            now(),
            status=response.status,
            headers=_headers(response),
            removed=removed,
        )
        self.crawler.stats.inc_value(f"vnfeeds/revisit/{outcome}")
        if response.status == 200 and not removed:
            yield from self.parse_article(response)  # counts the page
        else:
            self.pages += 1

    def on_revisit_error(self, failure: Failure) -> None:
        """A revisit that got no answer: recorded, tried again at the next crawl. It does not
        make the crawl partial (the lists were read)."""
        request = failure.request  # type: ignore[attr-defined]
        self.revisits["error"] += 1
        self.logger.info("revisit %s: %s", request.url, describe_failure(failure))

    def _record_error(self, kind: str, url: str, reason: str) -> None:
        self.error_kinds[kind] += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(f"{kind} {url}: {reason}")
        self.logger.warning("%s %s: %s", kind, url, reason)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "page")
        self._record_error(kind, request.url, describe_failure(failure))
        if kind == "list" and int(request.meta.get("page_no") or 1) > 1:
            # An older list page that cannot be read: articles listed only there may be missed.
            self.gap_pages.append(request.url)
        if failure.check(HttpError):
            self.pages += 1

    def _page(self, response: Response, kind: str) -> Page | None:
        """The response as a platform Page; None (an error recorded) when it is not text."""
        ctype = _content_type(response)
        lower = ctype.lower()
        textual = ("html", "xml", "json", "rss", "atom", "text/")
        if not isinstance(response, TextResponse) or (
            lower and not any(t in lower for t in textual)
        ):
            self._record_error(kind, response.url, f"not an HTML page (Content-Type {ctype!r})")
            return None
        decoded = decode_html(response.body, ctype)
        # Pages the HTML parser would cut short (deep nesting, a giant text node): refused whole.
        problem = decoded.problem or ("json" not in lower and markup_problem(decoded.text)) or None
        if problem:
            self._record_error(kind, response.url, problem)
            return None
        response.meta["decoded_as"] = decoded.encoding
        return Page(
            url=response.url,
            text=decoded.text,
            status=response.status,
            headers=_headers(response),
            context=dict(response.meta.get("context") or {}),
        )

    def parse_list(self, response: Response) -> Any:
        self.pages += 1
        meta = response.meta
        offsite = self._offsite_redirect(response)
        if offsite:  # another site's list would bring its articles in as the portal's
            self._record_error("list", (meta.get("redirect_urls") or [response.url])[0], offsite)
            return
        page = self._page(response, "list")
        if page is None:
            return
        try:
            result = self.platform.parse_list(page, self.selectors, self.tz)
        except Exception as exc:  # a page no parser expected: one page fails, not the crawl
            self.logger.exception("list page %s could not be read", response.url)
            self._record_error("list", response.url, f"could not be read: {exc!r}"[:200])
            return
        page_no = meta["page_no"]
        for req in result.more:  # the list this page loads (an API): same page number
            yield self._request(
                req, self.parse_list, {"section": meta["section"], "page_no": page_no}
            )
        if not result.entries:
            if result.more:
                return
            if page_no > 1:
                # Past the last page: portals answer an empty list (or a bare page) there.
                # Only a section's first page missing its list means the layout broke.
                self.crawler.stats.inc_value("vnfeeds/empty_later_list_pages")
                return
            what = (
                "its list container is missing"
                if result.entries is None
                else "it lists no articles"
            )
            self.broken_lists.append(response.url)
            self._keep_evidence(response)
            self._record_error(
                "list",
                response.url,
                f"list page answered {response.status} but {what} "
                f"(list_item {self.selectors.list_item!r}, link {self.selectors.link!r})",
            )
            return
        self.lists_read += 1
        new = 0
        for entry in result.entries:
            if not same_site(entry.url, self.source.homepage) and not same_site(
                entry.url, response.url
            ):
                self.crawler.stats.inc_value("vnfeeds/offsite_links")
                continue
            entry.native_key = entry.native_key or self.source.key_of(entry.url)
            if self._known(entry.url, entry.native_key):
                self.known += 1
                continue
            new += 1
            req = entry.request or PageRequest(entry.url, kind="article")
            yield self._request(
                req,
                self.parse_article,
                {
                    "section": meta["section"],
                    "list_url": response.url,
                    "entry_url": entry.url,
                    "list_title": entry.title,
                    "list_date": entry.date,
                    "native_key": entry.native_key,
                },
            )
        limit = self.source.max_pages + self.backfill
        nxt = result.next
        if (
            (new or self.backfill)
            and page_no < limit
            and nxt is not None
            and (nxt.url != response.url or nxt.method != "GET")
        ):
            yield self._request(
                nxt, self.parse_list, {"section": meta["section"], "page_no": page_no + 1}
            )

    def _known(self, url: str, native: str | None = None) -> bool:
        canonical = canonicalize(url)
        native = native or self.platform.native_key(url)
        if (
            native
            and self.store.execute(
                "SELECT 1 FROM articles WHERE source_id = ? AND native_key = ?",
                (self.source.id, native),
            ).fetchone()
        ):
            return True
        return bool(
            self.store.execute(
                "SELECT 1 FROM article_urls WHERE url IN (?, ?)", (canonical, url)
            ).fetchone()
        )

    def parse_article(self, response: Response) -> Any:
        self.pages += 1
        meta = response.meta
        offsite = self._offsite_redirect(response)
        if offsite:
            asked = (meta.get("redirect_urls") or [response.url])[0]
            if meta.get("kind") == "revisit":  # a known article moved away: not an error
                self.crawler.stats.inc_value("vnfeeds/revisit/offsite")
                self.logger.info("revisit %s: %s", asked, offsite)
            else:
                self._record_error("article", asked, offsite)
            return
        page = self._page(response, "article")
        if page is None:
            return
        fetched_at = now_iso()
        try:
            extracted = self.platform.extract(
                page,
                self.selectors,
                tz=self.tz,
                list_date=meta.get("list_date"),
                list_title=meta.get("list_title"),
                reference=now(),
            )
        except Exception as exc:  # one unreadable article is an error, not a lost crawl
            self.logger.exception("article %s could not be extracted", response.url)
            self._record_error("article", response.url, f"extraction failed: {exc!r}"[:200])
            return
        for problem in extracted.problems:
            self.logger.info("%s: %s", response.url, problem)
            self.crawler.stats.inc_value("vnfeeds/extract_warnings")
        # The public URL of the article: the list's link (an API may have served the content).
        public = meta.get("entry_url") or response.url
        # The URL first asked for (before any redirect): when it is not the public one, an
        # API served the content; a redirect (a moved article) is not an API.
        asked = (meta.get("redirect_urls") or [response.request.url if response.request else ""])[0]
        via_api = public != (asked or response.url)
        seen_urls = [public] if via_api else [public, response.url]
        urls = [canonicalize(u) for u in dict.fromkeys(seen_urls)]
        is_html = "html" in page.content_type or not page.content_type
        if not via_api and is_html:
            canonical_link = page.sel.css("link[rel=canonical]::attr(href)").get()
            if canonical_link:
                absolute = response.urljoin(canonical_link.strip())
                if same_site(absolute, response.url):
                    urls.append(canonicalize(absolute))
        url = canonicalize(public if via_api else response.url)
        yield assemble(
            extracted,
            self.source,
            url=url,
            urls=urls,
            native_key=meta.get("native_key")
            or self.platform.native_key(public)
            or self.source.key_of(public),
            section_url=meta.get("section"),
            list_title=meta.get("list_title"),
            fetched_at=fetched_at,
            raw=RawPage(
                url=response.url,
                status=response.status,
                headers=page.headers,
                body=response.body,
                encoding=response.meta.get("decoded_as"),
                fetched_at=fetched_at,
            ),
        )

    def _exit_orphaned(self) -> None:
        finish_run(
            self.store,
            int(self.run_id or 0),
            "interrupted",
            self.counts,
            "; ".join(self.errors) or "the vnfeeds process that started this crawl ended",
            only_if_running=True,
        )
        os._exit(3)

    def _keep_evidence(self, response: Response) -> None:
        """Keep a list page that lost its list (raw_pages, no article): the alert points to it
        and it can become a test fixture of the new layout."""
        import hashlib
        import json
        import zlib

        with write_transaction(self.store):
            self.store.execute(
                "INSERT INTO raw_pages (article_id, source_id, url, run_id, fetched_at, status,"
                " headers, encoding, body_sha256, body) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.source.id,
                    response.url,
                    self.run_id,
                    now_iso(),
                    response.status,
                    json.dumps(_headers(response), ensure_ascii=False, sort_keys=True),
                    response.meta.get("decoded_as"),
                    hashlib.sha256(response.body).hexdigest(),
                    zlib.compress(response.body, 6),
                ),
            )

    # -- closing --------------------------------------------------------------------------

    def run_status(self, reason: str) -> str:
        if reason == "closespider_timeout":
            return "timeout"
        if reason == "shutdown":
            return "interrupted"
        if self.lists_read == 0:
            return "failed"
        if sum(self.error_kinds.values()):
            return "partial"
        return "ok"

    def closed(self, reason: str) -> None:
        status = self.run_status(reason)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.counts.pages = self.pages
        self.counts.errors = sum(self.error_kinds.values())
        self.counts.stats = {
            "reason": reason,
            "known": self.known,
            "lists_read": self.lists_read,
            "broken_lists": self.broken_lists,
            "gap_pages": self.gap_pages,
            "error_kinds": dict(self.error_kinds),
            "dropped_reasons": {
                k.rsplit("/", 1)[-1]: v
                for k, v in stats.items()
                if str(k).startswith("vnfeeds/dropped/")
            },
            "retries": stats.get("retry/count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "backfill": self.backfill,
            "revisits": {str(k): v for k, v in sorted(self.revisits.items(), key=str)},
            # robots.txt verdicts, Crawl-delay applied, Retry-After waits, budget refusals.
            "politeness": {
                str(k)[len(POLITENESS_STATS) :]: v
                for k, v in stats.items()
                if str(k).startswith(POLITENESS_STATS)
            },
            # Peak resident memory of this crawl process (bench/service.py, fault tests).
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        message = "; ".join(self.errors) if self.errors else None
        if status == "timeout":
            message = "soft timeout reached (CLOSESPIDER_TIMEOUT); " + (message or "")
        if status == "failed" and not message:
            message = "no list page could be read"
        finish_run(self.store, int(self.run_id or 0), status, self.counts, message)
        self.logger.info(
            "run %s %s: %s pages=%d new=%d updated=%d duplicates=%d errors=%d",
            self.run_id,
            self.source.id,
            status,
            self.counts.pages,
            self.counts.new,
            self.counts.updated,
            self.counts.duplicates,
            self.counts.errors,
        )
        self.store.close()
