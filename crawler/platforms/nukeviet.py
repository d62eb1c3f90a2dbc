"""NukeViet 4 (PHP, VINADES): district, commune and department sites
(`tayson.binhdinh.gov.vn/uploads/news/2022_06/…`, syt.gialai.gov.vn; PORTALS.md 2.F).

How to configure me:
1. `platform = "nukeviet"`; sections are news category pages: `/news/<cat-alias>/` (rewrite on)
   or `/index.php?language=vi&nv=news&op=<cat-alias>`.
2. The defaults read the default theme: list rows `.news_column .panel-body` with `h3 a` and the
   date in `.text-muted`; pages `…/page-2/` linked from `ul.pagination`; article `h1.title`, date
   `span.h5` ("Thứ hai - 09/06/2025 14:20"), sapo `.hometext`, body `#news-bodyhtml`, author and
   "Nguồn tin:" in the right-aligned lines after the body.
3. Article URLs end in `<alias>-<id>.html`: the id is the native key.
4. Custom themes rename the list rows: set `list_item` and `link` (the article template rarely
   changes).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from crawler.extract.links import next_page_link
from crawler.platforms.base import COMMON_REMOVE, Platform
from crawler.registry import Selectors

_ID = re.compile(r"-(\d+)\.html?$")


class NukeViet(Platform):
    name = "nukeviet"
    defaults = Selectors(
        list_item=".news_column .panel-body || .news_column li || .viewcat_list li",
        link="h3 a || h2 a || a.show",
        list_date=".text-muted || .time || time",
        next_page="ul.pagination a",
        title="h1.title || .news_column h1 || h1",
        published=".news_column span.h5 || span.h5 || .time",
        summary=".hometext",
        body="#news-bodyhtml || .bodytext",
        author="p.h5.text-right || p.text-right strong || .author",
        attachments=".news-download-file",
        remove=(*COMMON_REMOVE, ".news_column .related", "#ratingnews", ".socialicon"),
    )

    def next_page(self, sel: Selector, url: str, selectors: Selectors) -> str | None:
        anchors = [
            n.root
            for n in sel.css((selectors.next_page or "ul.pagination a").split("||")[0])
            if hasattr(n.root, "tag")
        ]
        found = next_page_link(sel, url, anchors)
        return urljoin(url, found) if found else None

    def native_key(self, url: str) -> str | None:
        parts = urlsplit(url)
        m = _ID.search(parts.path)
        if m:
            return m.group(1)
        op = parse_qs(parts.query).get("op", [""])[0]
        m = _ID.search(op + ".html") if op else None
        return m.group(1) if m else None


PLATFORM = NukeViet()
