"""Microsoft SharePoint portals (ASP.NET): quangninh.gov.vn (`/Trang/*.aspx`), baclieu.gov.vn on
Lạc Việt BioPortal (`/tintuc/Lists/Posts/Post.aspx?…&ID=<n>`), dost-dongnai, central agencies
(`/Pages/chi-tiet.aspx?ItemID=…`) (PORTALS.md 2.B).

How to configure me:
1. `platform = "sharepoint"`; sections are the news list pages (`/Trang/tin-tuc-su-kien.aspx`,
   `/tintuc/lists/posts/post.aspx?Source=…&Category=…`, `/Pages/…`).
2. SharePoint list markup differs from portal to portal (web parts, data view, blog lists), but
   article URLs follow a few patterns (`ChiTietTinTuc.aspx?nid=`, `Post.aspx?…ID=`, `?ItemID=`,
   `chitiettin.aspx?idTin=`, `/Pages/<name>.aspx`): without `list_item`, every link of the page
   matching them is an entry. Set `list_item`/`link` to narrow it to one web part.
3. Older list pages are reached by `__doPostBack` only: a crawl reads the first page.
4. Bodies are `.ms-rtestate-field` (publishing pages) or `.ms-PostBody` (blog lists), often
   Word-pasted (`p.MsoNormal`, `mso-` styles, `<o:p>`): all of it is cleaned away.
5. The native key is the item id in the query (`nid`, `ID`, `ItemID`, `idTin`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from parsel import Selector

from crawler.clock import VN_TZ
from crawler.platforms.base import COMMON_REMOVE, ListEntry, Platform, entries_from_pattern
from crawler.registry import Selectors

ARTICLE_URL = re.compile(
    r"(ChiTietTinTuc\.aspx\?(?:.*&)?nid=\d+|/Lists/Posts/Post\.aspx\?(?:.*&)?ID=\d+|"
    r"[?&]ItemID=\d+|chitiettin\.aspx\?(?:.*&)?idTin=\w+|/Pages/(?!default\.aspx)[\w-]+\.aspx"
    r"(?:\?|$)|chi-tiet\.aspx\?)",
    re.IGNORECASE,
)
_KEYS = ("nid", "id", "itemid", "idtin")


class SharePoint(Platform):
    name = "sharepoint"
    defaults = Selectors(
        next_page="a[rel=next]",
        title=(
            "h1.title || .title-detail || .news-title || .tieude || .ms-rtestate-field h1 || "
            "h2.title || h1 || h2"
        ),
        published=(
            ".date || .datetime || .news-date || .ngay || .time || .post-date || .ms-PostDate"
        ),
        summary=".sapo || .summary || .tomtat || .news-summary || .lead",
        body=".ms-rtestate-field || .ms-PostBody || .news-content || .noidung || "
        ".content-detail || .post-content",
        remove=(*COMMON_REMOVE, ".ms-hide", ".ms-hidden", ".s4-notdlg", ".ms-PostFooter"),
    )

    def list_entries(
        self, sel: Selector, url: str, selectors: Selectors, tz: ZoneInfo = VN_TZ
    ) -> list[ListEntry] | None:
        if selectors.list_item and selectors.link:
            return super().list_entries(sel, url, selectors, tz)
        found = entries_from_pattern(self, sel, url, ARTICLE_URL, tz)
        return found or None

    def native_key(self, url: str) -> str | None:
        for key, value in parse_qsl(urlsplit(url).query):
            if key.lower() in _KEYS and value:
                return value
        return None


PLATFORM = SharePoint()
