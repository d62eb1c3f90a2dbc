"""DotNetNuke (DNN) portals (ASP.NET): hue.gov.vn (HueCIT), congan.hanoi.gov.vn, Quảng Ninh's
back-office sites (PORTALS.md 2.D).

How to configure me:
1. `platform = "dnn"`; sections are category pages (`/Tin-tuc/…`, `/tin-tuc/<category>`,
   `Default.aspx?tabid=N`).
2. Static lists: article links are found by the family's URL patterns (`/tid/<slug>/newsid/<GUID>`,
   `/mlid/<GUID>`, `/tin-tuc/<slug>-<id>`, `ItemID=<n>`, `/ArticleId/<n>`); set `list_item`/`link`
   when a skin shows other links of the same shape.
3. Script-filled lists (congan.hanoi.gov.vn): the category page calls
   `myService.getNewsBlockContents(0, <ModuleId>, <GetType>, …)`; the crawl then reads
   `/DesktopModules/cmsview/api/NewsContent/listnew?PortalId=0&ModuleId=…&GetType=…&PageIndex=N`
   (JSON `ListData`/`ListMoreData`) page by page, and each article from
   `…/NewsContent/getbyid?id=<Id>` (JSON with `FullContent`), stored under its public URL
   `/tin-tuc/<slug>-<id>`.
4. The native key is the article's id (the newsid GUID, the numeric Id, ItemID).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract.article import Extracted, strip_dateline
from crawler.extract.dates import parse_iso_date, plausible
from crawler.extract.html import clean_body, make_selector
from crawler.extract.links import next_page_link
from crawler.platforms.base import (
    COMMON_REMOVE,
    ListEntry,
    ListPage,
    Page,
    PageRequest,
    Platform,
    entries_from_pattern,
)
from crawler.registry import Selectors
from crawler.textnorm import clean_text

ARTICLE_URL = re.compile(
    r"(/newsid/[0-9A-Fa-f-]{36}|/mlid/[0-9A-Fa-f-]{36}|/tid/[0-9A-Fa-f-]{36}|"
    r"/tin-tuc/[\w-]+-\d+/?$|[?&]ItemID=\d+|/ArticleId/\d+|/action/chitiet/)",
    re.IGNORECASE,
)
_GUID = re.compile(r"/(?:newsid|mlid|tid)/([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})", re.IGNORECASE)
_NUM_ID = re.compile(r"(?:/tin-tuc/[\w-]+-(\d+)/?$|[?&]ItemID=(\d+)|/ArticleId/(\d+))", re.I)
# getNewsBlockContents(portalId, moduleId, getType, pageIndex, …): side blocks (tickers, "most
# read") pass a literal page number; the paged list passes a variable.
_NEWS_BLOCK = re.compile(
    r"getNewsBlockContents\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([^,)]+))?"
)
API_LIST = "/DesktopModules/cmsview/api/NewsContent/listnew"
API_ITEM = "/DesktopModules/cmsview/api/NewsContent/getbyid"


def _api_list(base: str, portal: str, module: str, get_type: str, page: int) -> str:
    query = urlencode(
        {
            "PortalId": portal,
            "ModuleId": module,
            "GetType": get_type,
            "PageIndex": page,
            "txtKeyword": "",
        }
    )
    return urljoin(base, f"{API_LIST}?{query}")


class Dnn(Platform):
    name = "dnn"
    defaults = Selectors(
        next_page="a[rel=next] || .pager a || .pagination a || .paging a",
        title="h1.title || .news-title || .title-detail || .article-title || h1 || h2.title",
        published=".news-date || .date || .time || .ngay-dang || .publish-date || .datetime",
        summary=".sapo || .news-sapo || .summary || .lead || .tomtat",
        body=".news-content || .content-detail || .article-content || .noi-dung || .detail-content",
        remove=(*COMMON_REMOVE, ".other-news", ".tin-khac", ".news-other", ".DnnModule-Social"),
    )

    # -- lists ----------------------------------------------------------------------------

    def parse_list(self, page: Page, selectors: Selectors, tz: ZoneInfo = VN_TZ) -> ListPage:
        if page.context.get("api") == "listnew" or "json" in page.content_type:
            return self._parse_api_list(page, tz)
        entries = self.list_entries(page.sel, page.url, selectors, tz)
        if not entries:
            blocks = list(_NEWS_BLOCK.finditer(page.text))
            paged = [b for b in blocks if not (b.group(4) or "").strip().isdigit()]
            block = (paged or blocks)[0] if blocks else None
            if block:
                portal, module, get_type = block.group(1), block.group(2), block.group(3)
                context = {
                    "api": "listnew",
                    "portal": portal,
                    "module": module,
                    "get_type": get_type,
                    "page": 1,
                    "base": page.url,
                }
                return ListPage(
                    [],
                    more=[
                        PageRequest(
                            _api_list(page.url, portal, module, get_type, 1), context=context
                        )
                    ],
                )
        next_url = self.next_page(page.sel, page.url, selectors) if entries else None
        return ListPage(entries, PageRequest(next_url) if next_url else None)

    def list_entries(
        self, sel: Selector, url: str, selectors: Selectors, tz: ZoneInfo = VN_TZ
    ) -> list[ListEntry] | None:
        if selectors.list_item and selectors.link:
            return super().list_entries(sel, url, selectors, tz)
        return entries_from_pattern(self, sel, url, ARTICLE_URL, tz) or None

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        return next_page_link(sel, url)

    def _parse_api_list(self, page: Page, tz: ZoneInfo) -> ListPage:
        try:
            data = page.json
        except ValueError:
            return ListPage(None)
        items: list[dict[str, Any]] = []
        if isinstance(data, dict):
            for key in ("ListData", "ListMoreData", "Data", "Items"):
                value = data.get(key)
                if isinstance(value, list):
                    items += [i for i in value if isinstance(i, dict)]
        entries = []
        seen: set[str] = set()
        for item in items:
            item_id = str(item.get("Id") or item.get("ID") or "").strip()
            slug = str(item.get("Url") or "").strip().strip("/")
            if not item_id or item_id in seen:
                continue
            seen.add(item_id)
            if slug.startswith("http"):
                public = slug
            elif slug.startswith("tin-tuc/") or "/" in slug:
                public = urljoin(page.url, "/" + slug)
            else:
                public = urljoin(page.url, f"/tin-tuc/{slug}-{item_id}")
            entries.append(
                ListEntry(
                    url=public,
                    title=clean_text(str(item.get("Name") or item.get("Title") or "")),
                    date=parse_iso_date(str(item.get("PublishTime") or ""), tz),
                    native_key=item_id,
                    request=PageRequest(
                        urljoin(page.url, f"{API_ITEM}?id={item_id}"),
                        kind="article",
                        context={"api": "getbyid"},
                    ),
                )
            )
        ctx = page.context
        nxt = None
        if entries and ctx.get("module"):
            n = int(ctx.get("page", 1)) + 1
            nxt = PageRequest(
                _api_list(page.url, ctx["portal"], ctx["module"], ctx["get_type"], n),
                context={**ctx, "page": n},
            )
        return ListPage(entries, nxt)

    # -- articles -------------------------------------------------------------------------

    def native_key(self, url: str) -> str | None:
        m = _GUID.search(url)
        if m:
            return m.group(1)  # as the portal prints it
        m = _NUM_ID.search(url)
        if m:
            return next(g for g in m.groups() if g)
        for key, value in parse_qsl(urlsplit(url).query):
            if key.lower() == "id" and API_ITEM.lower() in url.lower():
                return value
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
        if page.context.get("api") != "getbyid" and "json" not in page.content_type:
            return super().extract(
                page,
                selectors,
                tz=tz,
                list_date=list_date,
                list_title=list_title,
                reference=reference,
            )
        out = Extracted()
        try:
            data = page.json
        except ValueError:
            out.problems.append("article API answered something that is not JSON")
            return out
        if isinstance(data, dict) and isinstance(data.get("Data"), dict):
            data = data["Data"]
        if not isinstance(data, dict):
            out.problems.append("article API answered JSON without an article")
            return out
        out.title = clean_text(str(data.get("Name") or data.get("Title") or ""))
        out.summary = strip_dateline(clean_text(str(data.get("Description") or "")))
        html = str(data.get("FullContent") or data.get("Content") or "")
        body_sel = make_selector(f"<div id='api-body'>{html}</div>", page.url)
        body_root = body_sel.css("#api-body")
        out.body = clean_body([body_root[0].root] if body_root else [], page.url, selectors.remove)
        author = clean_text(str(data.get("Author") or ""))
        out.author = author or out.body.author
        published = parse_iso_date(
            str(data.get("PublishTime") or data.get("PublishDate") or ""), tz
        )
        for dt, origin in ((published, "api"), (list_date, "list")):
            if dt is not None and plausible(dt, reference):
                out.published, out.published_source = dt, origin
                break
        avatar = str(data.get("Avatar") or data.get("Image") or "")
        if avatar:
            out.image_url = urljoin(page.url, avatar)
        elif out.body.images:
            out.image_url = out.body.images[0][0]
        return out


PLATFORM = Dnn()
