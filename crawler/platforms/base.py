"""What every CMS family provides: list pages -> entries (and the next list page), the native key
of an article, and the article's fields.

A platform is its default selectors plus the few behaviours selectors cannot express (how the
pager is labelled, which API the list comes from, where the native article id sits in the URL). A
source's `[source.selectors]` override the defaults key by key (`remove` lists are added together).

Platforms never see Scrapy: they get a `Page` (URL, text, headers, the platform's own context)
and answer with `PageRequest`s, so extraction runs the same in the spider, in
`vnfeeds reextract`, in `vnfeeds sources detect` and in the benchmarks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract.article import Extracted, extract_article
from crawler.extract.dates import parse_vn_date
from crawler.extract.html import element_text, make_selector, select
from crawler.registry import Selectors
from crawler.urls import join_url

# Blocks no portal article needs, whatever the family (class-name conventions seen on portals).
COMMON_REMOVE = (
    ".social",
    ".share",
    ".sharing",
    ".print",
    ".tools",
    ".article-tools",
    ".font-size",
    ".fontsize",
    ".text-size",
    ".tin-lien-quan",
    ".tin-noi-bat",
    ".related",
    ".related-news",
    ".other-news",
    ".box-related",
    ".breadcrumb",
    ".rating",
    ".comment",
    ".comments",
    ".fb-comments",
    ".fb-like",
    ".zalo-share-button",
    ".addthis_toolbox",
    ".view-count",
    ".luot-xem",
    # WordPress Jetpack prints its share, like and related-posts boxes inside the entry.
    ".sharedaddy",
    ".jp-relatedposts",
    "#jp-post-flair",
)
_JS_HREF = re.compile(r"^\s*(javascript:|#|mailto:|tel:|$)", re.IGNORECASE)
NEXT_LABEL = re.compile(
    r"^\s*(next|tiếp|tiếp theo|trang sau|trang tiếp|sau|›|»|>|>>|→)\s*[»›>]*\s*$", re.IGNORECASE
)


@dataclass
class PageRequest:
    """A request a platform wants made: a list page, an API call, an article."""

    url: str
    kind: str = "list"  # "list" or "article"
    method: str = "GET"
    form: list[tuple[str, str]] | None = None  # POST form fields (repeated keys allowed)
    headers: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)  # the platform's own state


@dataclass
class Page:
    """A fetched page as platforms see it."""

    url: str
    text: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def sel(self) -> Selector:
        return make_selector(self.text, self.url)

    @cached_property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def content_type(self) -> str:
        for k, v in self.headers.items():
            if k.lower() == "content-type":
                return v.lower()
        return ""


@dataclass
class ListEntry:
    url: str  # the article's public URL (what readers and the store see)
    title: str
    date: datetime | None = None
    native_key: str | None = None
    request: PageRequest | None = None  # how to fetch it when not a GET of `url` (an API)


@dataclass
class ListPage:
    """What a list page held: entries (None when the list container is missing), the next list
    page, and further requests that are part of the same page (an API the page loads)."""

    entries: list[ListEntry] | None
    next: PageRequest | None = None
    more: list[PageRequest] = field(default_factory=list)


def element_query(link_query: str) -> str:
    """The element part of a link selector ('a.x::attr(href)' -> 'a.x')."""
    for suffix in ("::attr(href)", "/@href"):
        if link_query.endswith(suffix):
            return link_query[: -len(suffix)]
    return link_query


def href_of(node: Selector) -> str | None:
    root = node.root
    if isinstance(root, lxml.html.HtmlElement):
        href = root.get("href")
        if href is None:
            inner = root.xpath(".//a[@href]")
            href = inner[0].get("href") if inner else None
        return href
    return str(root)


def usable_href(href: str | None) -> bool:
    return bool(href) and not _JS_HREF.match(href or "")


def date_near(el: lxml.html.HtmlElement, tz: ZoneInfo, levels: int = 3) -> datetime | None:
    """A full date printed next to a link: in its block or a few ancestors up."""
    node: lxml.html.HtmlElement | None = el
    for _ in range(levels):
        if node is None:
            break
        text = element_text(node)
        if len(text) > 600:
            break
        parsed = parse_vn_date(text, tz)
        if parsed:
            return parsed[0]
        node = node.getparent()
    return None


class Platform:
    name = "base"
    defaults = Selectors()

    def selectors(self, overrides: Selectors) -> Selectors:
        return overrides.merged_over(self.defaults)

    # -- list pages -----------------------------------------------------------------------

    def section_requests(self, url: str) -> list[PageRequest]:
        return [PageRequest(url)]

    def parse_list(self, page: Page, selectors: Selectors, tz: ZoneInfo = VN_TZ) -> ListPage:
        entries = self.list_entries(page.sel, page.url, selectors, tz)
        next_url = self.next_page(page.sel, page.url, selectors) if entries else None
        return ListPage(entries, PageRequest(next_url) if next_url else None)

    def list_entries(
        self, sel: Selector, url: str, selectors: Selectors, tz: ZoneInfo = VN_TZ
    ) -> list[ListEntry] | None:
        """Entries of a list page, newest first; None when the list container is missing."""
        if not selectors.list_item or not selectors.link:
            raise ValueError(f"platform {self.name}: list_item and link selectors are required")
        items = select(sel, selectors.list_item)
        if not items:
            return None
        entries: list[ListEntry] = []
        seen: set[str] = set()
        link_query = element_query(selectors.link)
        for item in items:
            links = select(item, link_query)
            if not links:
                continue
            href = href_of(links[0])
            if not usable_href(href):
                continue
            absolute = join_url(url, href)
            if absolute is None or absolute in seen:
                continue
            seen.add(absolute)
            root = links[0].root
            title = element_text(root) if isinstance(root, lxml.html.HtmlElement) else ""
            if not title and isinstance(root, lxml.html.HtmlElement):
                title = (root.get("title") or "").strip()
            date = None
            if selectors.list_date:
                date_text = " ".join(
                    element_text(d.root)
                    for d in select(item, selectors.list_date)
                    if isinstance(d.root, lxml.html.HtmlElement)
                )
                parsed = parse_vn_date(date_text, tz)
                date = parsed[0] if parsed else None
            entries.append(
                ListEntry(
                    url=absolute, title=title, date=date, native_key=self.native_key(absolute)
                )
            )
        return entries

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        if not selectors.next_page:
            return None
        for node in select(sel, element_query(selectors.next_page)):
            href = href_of(node)
            if usable_href(href):
                joined = join_url(url, href)
                if joined:
                    return joined
        return None

    # -- article pages --------------------------------------------------------------------

    def native_key(self, url: str) -> str | None:
        return None

    def extract(
        self,
        page: Page,
        selectors: Selectors,
        *,
        tz: ZoneInfo = VN_TZ,
        list_date: datetime | None = None,
        list_title: str | None = None,
        reference: datetime | None = None,
    ) -> Extracted:
        return extract_article(
            page.sel,
            page.url,
            selectors,
            tz=tz,
            list_date=list_date,
            list_title=list_title,
            reference=reference,
        )


def entries_from_pattern(
    platform: Platform, sel: Selector, url: str, pattern: re.Pattern[str], tz: ZoneInfo
) -> list[ListEntry]:
    """Entries from every link whose URL matches a family's article-URL pattern (for families
    whose list markup varies from portal to portal but whose article URLs do not)."""
    root = sel.root
    entries: dict[str, ListEntry] = {}
    if not isinstance(root, lxml.html.HtmlElement):
        return []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not usable_href(href):
            continue
        joined = join_url(url, href)
        if joined is None:
            continue
        absolute = joined.split("#", 1)[0]
        if not pattern.search(absolute):
            continue
        title = element_text(a) or (a.get("title") or "").strip()
        known = entries.get(absolute)
        if known is not None:
            if len(title) > len(known.title):
                known.title = title
            continue
        entries[absolute] = ListEntry(
            url=absolute,
            title=title,
            date=date_near(a, tz),
            native_key=platform.native_key(absolute),
        )
    # Menus and "read more" links share the pattern; headlines have several words.
    return [e for e in entries.values() if len(e.title.split()) >= 4]
