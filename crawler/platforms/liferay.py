"""Liferay Portal 6.x (Java portlets): sotttt.hanoi.gov.vn, bacgiang.gov.vn, danang.gov.vn,
moh.gov.vn, soyte.hanoi.gov.vn and many department and district sites (PORTALS.md 2.A).

How to configure me:
1. `platform = "liferay"`; sections are category pages (`/cong-nghe-thong-tin`, `/web/guest/…`)
   showing an Asset Publisher (portlet 101).
2. List entries are `.asset-abstract` rows with `h3.asset-title a` and the date in
   `.assetPublishDate` ("21/07/2022 | 10:00 AM": a 12-hour clock).
3. Paging needs no script: the pager `ul.lfr-pagination-buttons` links `_101_cur=<N>`; its "next"
   button is labelled "next" in the HTML and relabelled "Tiếp" by script, both are understood.
4. Article pages are `/-/view_content/<articleId>-<slug>.html` or
   `/-/asset_publisher/<instance>/content/<slug>`; the articleId (or slug) is the native key, so
   the article keeps its identity when the portal changes its category path.
5. Titles: the asset's `.header-title`, never the portlet's `h1.portlet-title`. Body:
   `.journal-content-article`. Weak-DH hosts (moh.gov.vn) need `tls_seclevel1 = true`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from crawler.extract.html import element_text, select
from crawler.platforms.base import COMMON_REMOVE, NEXT_LABEL, Platform, href_of, usable_href
from crawler.registry import Selectors
from crawler.urls import join_url

_VIEW_CONTENT = re.compile(r"/-/view_content/(\d+)(?:[-/.]|$)")
_ASSET_CONTENT = re.compile(r"/-/asset_publisher/[^/]+/content/([^/?#;]+)")


class Liferay(Platform):
    name = "liferay"
    defaults = Selectors(
        list_item=".portlet-asset-publisher .asset-abstract",
        link="h3.asset-title a::attr(href)",
        list_date=".assetPublishDate",
        next_page="ul.lfr-pagination-buttons li a",
        title=(
            ".asset-full-content .header-title || .taglib-header .header-title || "
            ".title-news h1 || .title-detail h1 || h1.title"
        ),
        published=".asset-full-content .assetPublishDate || .assetPublishDate || .date-news",
        summary=".asset-full-content .asset-summary || .journal-content-article .sapo || .sapo",
        body=".asset-full-content .journal-content-article || .journal-content-article || "
        ".content-detail || .detail-content",
        remove=(
            *COMMON_REMOVE,
            ".taglib-social-bookmarks",
            ".asset-links",
            ".asset-related-assets",
            ".taglib-ratings",
            ".lfr-discussion",
            ".asset-metadata",
            ".print-action",
            ".taglib-icon",
            ".entry-links",
        ),
    )

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        query = selectors.next_page or self.defaults.next_page or ""
        for node in select(sel, query):
            text = element_text(node.root) if hasattr(node.root, "tag") else ""
            href = href_of(node)
            if not usable_href(href):
                continue
            if NEXT_LABEL.match(text) or "next" in (node.root.get("class") or ""):
                return join_url(url, href)
        return None

    def native_key(self, url: str) -> str | None:
        path = urlsplit(url).path
        m = _VIEW_CONTENT.search(path)
        if m:
            return m.group(1)
        m = _ASSET_CONTENT.search(path)
        if m:
            return "content/" + m.group(1)
        query = parse_qs(urlsplit(url).query)
        for key in ("articleId", "_101_articleId", "id"):
            if key in query and query[key][0].isdigit():
                return query[key][0]
        return None


PLATFORM = Liferay()
