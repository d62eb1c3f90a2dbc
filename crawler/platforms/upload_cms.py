"""The `/upload/<siteId>/<yyyymmdd>/` platform: moit.gov.vn, moet.gov.vn, laichau.gov.vn,
binhdinh.gov.vn, hungyen.gov.vn and their departments (vendor not identified; PORTALS.md 2.C).

How to configure me:
1. `platform = "upload-cms"`; one `[[source.section]]` per category page (`/tin-tuc/<slug>`, or
   hungyen's `chuyen-muc-<slug>-c<catId>.html`).
2. The defaults read the moit list markup (`article.article-news-default`, `a.article-title`,
   `span.article-date`) and the detail template (`h1.article-title`, `div.article-brief`,
   `div.article-content`, `.post-date`, `article:published_time`).
3. Portals of the family with other list rows (laichau/hungyen `.post-item`) set `list_item`,
   `link` and `next_page` in `[source.selectors]`; nothing else is needed.
4. Older list pages of moit-style portals load by script only (a base64 pager config), so a crawl
   sees page 1; schedule such sources often enough that page 1 never overflows between runs.
5. The author is read from the trailer at the end of the body ("Tác giả: …", "Nguồn: …").
"""

from __future__ import annotations

from crawler.platforms.base import COMMON_REMOVE, Platform
from crawler.registry import Selectors


class UploadCms(Platform):
    name = "upload-cms"
    defaults = Selectors(
        list_item="article.article-news-default",
        link="a.article-title::attr(href)",
        list_date="span.article-date",
        next_page="a.next::attr(href), a[rel=next]::attr(href)",
        title="h1.article-title",
        published=".post-date",
        summary="div.article-brief",
        body="div.article-content",
        remove=(*COMMON_REMOVE, ".article-relate", ".box-tin-lien-quan", ".post-date"),
    )


PLATFORM = UploadCms()
