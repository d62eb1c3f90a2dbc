"""The VGP-style news CMS (the markup of chinhphu.vn / baochinhphu.vn): hanoi.gov.vn
(PORTALS.md 2.E).

How to configure me:
1. `platform = "vgp"`; sections are category pages (`/tin-tuc-su-kien-noi-bat`, `/tin-so-nganh`).
2. A category page renders its first items; the rest come from `POST /api/NewsZone/NewsZone` with
   the form fields `PageIndex, PageSize, Catname, LanguageId, Site` and `DataIds[]` (ids already
   shown), sent with `X-Requested-With: XMLHttpRequest` and a Referer. The opaque `Catname`/`Site`
   tokens are read from the category page (data-* attributes, hidden inputs or a script object),
   so nothing needs configuring; `max_pages` counts the category page plus API pages.
3. Articles are `/<category>/<slug>-<16-digit id>.htm`; the id is the native key. Detail
   markup: `h1.detail-title`, `.detail-time`, `.detail-sapo`, `.detail-content.afcbc-body`
   (figures `figure.VCSortableInPreviewMode` with `figcaption`), related `.detail__related`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from crawler.clock import VN_TZ
from crawler.extract.html import make_selector
from crawler.platforms.base import (
    COMMON_REMOVE,
    ListPage,
    Page,
    PageRequest,
    Platform,
    entries_from_pattern,
)
from crawler.registry import Selectors

ARTICLE_URL = re.compile(r"-(\d{12,20})\.htm(?:l)?(?:$|[?#])")
API_PATH = "/api/NewsZone/NewsZone"
_TOKENS = ("Catname", "Site", "LanguageId", "PageSize")


def _token(text: str, name: str) -> str | None:
    """A list parameter from the category page, in whichever form the page holds it."""
    lower = name.lower()
    patterns = (
        rf'data-{lower}\s*=\s*"([^"]*)"',
        rf"data-{lower}\s*=\s*'([^']*)'",
        rf'name="{name}"[^>]*value="([^"]*)"',
        rf'id="hd{name}"[^>]*value="([^"]*)"',
        rf'value="([^"]*)"[^>]*(?:name|id)="(?:hd)?{name}"',
        rf"""["']?{name}["']?\s*[:=]\s*["']([^"']*)["']""",
        rf"""["']?{name}["']?\s*[:=]\s*(\d+)""",
    )
    for pattern in patterns:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def _fragment_html(page: Page) -> str:
    """The API answers an HTML fragment, or JSON carrying one (or carrying item fields)."""
    text = page.text.strip()
    if not text.startswith(("{", "[")):
        return text
    try:
        data: Any = json.loads(text)
    except ValueError:
        return text
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str) and "<a" in node:
            parts.append(node)
        elif isinstance(node, dict):
            url = node.get("Url") or node.get("url") or node.get("LinkUrl")
            title = node.get("Title") or node.get("title") or node.get("Name")
            if isinstance(url, str) and isinstance(title, str):
                date = node.get("PublishDate") or node.get("DistributionDate") or ""
                parts.append(f'<div><a href="{url}">{title}</a> <span>{date}</span></div>')
            else:
                for value in node.values():
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return "\n".join(parts)


class Vgp(Platform):
    name = "vgp"
    defaults = Selectors(
        title="h1.detail-title || .detail-title || h1",
        published=".detail-time || .news-info .time || .time",
        summary=".detail-sapo || .sapo",
        body=".detail-content.afcbc-body || .detail-content || .afcbc-body",
        remove=(
            *COMMON_REMOVE,
            ".detail__related",
            ".detail-related",
            "[type=RelatedNews]",
            "[type=RelatedNewsBox]",
            "[type=RelatedOneNews]",
            ".VCSortableInPreviewMode[type=BoxTable] .related",
        ),
    )

    def parse_list(self, page: Page, selectors: Selectors, tz: ZoneInfo = VN_TZ) -> ListPage:
        api = page.context.get("api") == "newszone"
        sel = make_selector(_fragment_html(page), page.url) if api else page.sel
        entries = entries_from_pattern(self, sel, page.url, ARTICLE_URL, tz)
        shown = [*page.context.get("shown", []), *(e.native_key for e in entries if e.native_key)]
        if api:
            params = dict(page.context["params"])
            index = int(page.context.get("index", 1))
        else:
            params = {name: _token(page.text, name) for name in _TOKENS}
            if not params.get("Catname"):
                return ListPage(entries or None)  # no API parameters: the page is all there is
            params = {k: v or "" for k, v in params.items()}
            params["LanguageId"] = params["LanguageId"] or "1"
            params["PageSize"] = params["PageSize"] or str(max(len(entries), 5))
            index = 0
        if not entries and api:
            return ListPage([])  # past the last API page
        nxt = PageRequest(
            urljoin(page.url, API_PATH),
            method="POST",
            form=[
                ("PageIndex", str(index + 1)),
                ("PageSize", params["PageSize"]),
                ("Catname", params["Catname"]),
                ("LanguageId", params["LanguageId"]),
                ("Site", params["Site"]),
                *(("DataIds[]", i) for i in shown),
            ],
            headers={
                "X-Requested-With": "XMLHttpRequest",
                "Referer": page.context.get("referer", page.url),
            },
            context={
                "api": "newszone",
                "params": params,
                "index": index + 1,
                "shown": shown,
                "referer": page.context.get("referer", page.url),
            },
        )
        if not entries:
            return ListPage([], more=[nxt])  # everything comes from the API
        return ListPage(entries, nxt)

    def native_key(self, url: str) -> str | None:
        m = ARTICLE_URL.search(url)
        return m.group(1) if m else None


PLATFORM = Vgp()
