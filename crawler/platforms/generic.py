"""Any portal, without selectors: the fallback for CMS families vnfeeds has no module for
(custom ASP.NET portals such as daklak.gov.vn, WebSphere, Drupal, WordPress…).

How to configure me:
1. `platform = "generic"`; sections are the portal's news list pages. Nothing else is required.
2. Article links are found by their URL shape and headline-like text (menus, footers, pagers,
   sidebars and banners are left out; items printed in the same slot of the same list join
   whatever their URLs; see crawler/extract/links.py); the next page by rel="next", a
   "Trang sau"/"Tiếp"/"›" label or the next page number.
3. On article pages: the title is the heading that matches og:title / <title> (unless that is a
   page name such as "Chi tiết tin": then the headline before the text), the body is the block
   with the most paragraph text and the least link text, the date is the one printed between
   the title and the body (or in an element named like a date), then meta tags, JSON-LD, and
   the list page's date; the sapo is a `.sapo`-like block or a bold first paragraph; the author
   is a writer's line closing the text ("Tác giả: …"), else a byline (`.author`, `.byline`,
   hCard `.fn`, rel=author) near the title, else a source line ("Nguồn: …"); the lead image is
   og:image, else the picture between the title and the text, else the body's first.
4. Any selector set in `[source.selectors]` is used first, so a portal can start generic and be
   pinned down key by key when a guess is wrong.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract.links import article_links, next_page_link
from crawler.platforms.base import COMMON_REMOVE, ListEntry, Platform, date_near
from crawler.registry import Selectors


class Generic(Platform):
    name = "generic"
    defaults = Selectors(remove=COMMON_REMOVE)

    def list_entries(
        self, sel: Selector, url: str, selectors: Selectors, tz: ZoneInfo = VN_TZ
    ) -> list[ListEntry] | None:
        if selectors.list_item and selectors.link:
            return super().list_entries(sel, url, selectors, tz)
        links = article_links(sel, url)
        if not links:
            return None
        return [
            ListEntry(url=link.url, title=link.title, date=date_near(link.element, tz))
            for link in links
        ]

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        if selectors.next_page:
            return super().next_page(sel, url, selectors)
        return next_page_link(sel, url)


PLATFORM = Generic()
