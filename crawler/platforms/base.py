"""What every CMS family provides: list entries, the next list page, a native key, the article.

A platform is its default selectors plus the few behaviours selectors cannot express (how the
pager is labelled, where the native article id sits in the URL). A source's `[source.selectors]`
override the defaults key by key (`remove` lists are added together).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract.article import Extracted, extract_article
from crawler.extract.dates import parse_vn_date
from crawler.extract.html import element_text, select
from crawler.registry import Selectors

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
)
_JS_HREF = re.compile(r"^\s*(javascript:|#|$)", re.IGNORECASE)
NEXT_LABEL = re.compile(r"^\s*(next|tiếp|tiếp theo|trang sau|sau|›|»|>|>>|→)\s*$", re.IGNORECASE)


@dataclass
class ListEntry:
    url: str
    title: str
    date: datetime | None = None


def _element_query(link_query: str) -> str:
    for suffix in ("::attr(href)", "/@href"):
        if link_query.endswith(suffix):
            return link_query[: -len(suffix)]
    return link_query


def _href(node: Selector) -> str | None:
    root = node.root
    if isinstance(root, lxml.html.HtmlElement):
        href = root.get("href")
        if href is None:
            inner = root.xpath(".//a[@href]")
            href = inner[0].get("href") if inner else None
        return href
    return str(root)


class Platform:
    name = "base"
    defaults = Selectors()

    def selectors(self, overrides: Selectors) -> Selectors:
        return overrides.merged_over(self.defaults)

    # -- list pages -----------------------------------------------------------------------

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
        element_query = _element_query(selectors.link)
        for item in items:
            links = select(item, element_query)
            if not links:
                continue
            href = _href(links[0])
            if not href or _JS_HREF.match(href):
                continue
            absolute = urljoin(url, href.strip())
            if absolute in seen:
                continue
            seen.add(absolute)
            root = links[0].root
            title = element_text(root) if isinstance(root, lxml.html.HtmlElement) else ""
            date = None
            if selectors.list_date:
                date_text = " ".join(
                    element_text(d.root)
                    for d in select(item, selectors.list_date)
                    if isinstance(d.root, lxml.html.HtmlElement)
                )
                parsed = parse_vn_date(date_text, tz)
                date = parsed[0] if parsed else None
            entries.append(ListEntry(url=absolute, title=title, date=date))
        return entries

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        if not selectors.next_page:
            return None
        for node in select(sel, _element_query(selectors.next_page)):
            href = _href(node)
            if href and not _JS_HREF.match(href):
                return urljoin(url, href.strip())
        return None

    # -- article pages --------------------------------------------------------------------

    def native_key(self, url: str) -> str | None:
        return None

    def extract(
        self,
        sel: Selector,
        url: str,
        selectors: Selectors,
        *,
        tz: ZoneInfo = VN_TZ,
        list_date: datetime | None = None,
        reference: datetime | None = None,
    ) -> Extracted:
        return extract_article(sel, url, selectors, tz=tz, list_date=list_date, reference=reference)
