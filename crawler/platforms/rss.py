"""Portals that publish RSS or Atom: vinhlong.gov.vn (`/rss/tintuc.rss`), Cà Mau and Ninh Bình
department and commune sites (`Rss.aspx?catid=…`, `rss.aspx`), many central agencies
(PORTALS.md 2.H, "RSS summary").

How to configure me:
1. `platform = "rss"`; each `[[source.section]]` url is a feed URL taken from the portal's own RSS
   page (derived feed URLs often 404).
2. The list (title, link, date) comes from the feed; the article body always comes from the
   article page, because portal feeds carry a sapo at most.
3. The article page is read with generic article selectors (title `h1`, body `.content-detail`,
   `.detail-content`, …) and main-content detection; set `title`, `body`, `published` selectors
   when a portal's pages need them.
4. Feeds with root-relative links are resolved against the feed URL. DOCTYPEs and entities in
   feeds are refused (XML entity expansion), and items without a link are skipped.
"""

from __future__ import annotations

import email.utils
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.clock import VN_TZ
from crawler.extract.dates import parse_iso_date, parse_vn_date
from crawler.platforms.base import COMMON_REMOVE, ListEntry, ListPage, Page, Platform
from crawler.registry import Selectors
from crawler.textnorm import clean_text
from crawler.urls import join_url

ATOM = "{http://www.w3.org/2005/Atom}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )


def _date(text: str | None, tz: ZoneInfo) -> datetime | None:
    if not text:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(text.strip())
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=tz)
        return dt.astimezone(VN_TZ)
    except (TypeError, ValueError, IndexError):
        pass
    iso = parse_iso_date(text, tz)
    if iso:
        return iso
    parsed = parse_vn_date(text, tz)
    return parsed[0] if parsed else None


def feed_entries(page: Page, tz: ZoneInfo = VN_TZ) -> list[ListEntry] | None:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom document; None when it is not a feed."""
    data = page.text.lstrip("\ufeff").strip()
    if "<!DOCTYPE" in data[:2000].upper() or "<!ENTITY" in data[:5000].upper():
        return None  # no DTDs: entity expansion is an attack surface, and real feeds have none
    try:
        root = etree.fromstring(data.encode("utf-8"), _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    entries: list[ListEntry] = []
    items = root.findall(".//item") or root.findall(".//{http://purl.org/rss/1.0/}item")
    for item in items:
        link = item.findtext("link") or item.findtext("{http://purl.org/rss/1.0/}link") or ""
        if not link.strip():
            guid = item.find("guid")
            if guid is not None and guid.get("isPermaLink", "true") != "false":
                link = guid.text or ""
        if not link.strip():
            continue
        url = join_url(page.url, link)
        if url is None:
            continue
        title = clean_text(
            item.findtext("title") or item.findtext("{http://purl.org/rss/1.0/}title")
        )
        date = _date(
            item.findtext("pubDate") or item.findtext("{http://purl.org/dc/elements/1.1/}date"), tz
        )
        entries.append(ListEntry(url=url, title=title, date=date))
    for entry in root.findall(f"{ATOM}entry"):
        href = ""
        for link_el in entry.findall(f"{ATOM}link"):
            if link_el.get("rel", "alternate") == "alternate":
                href = link_el.get("href", "")
                break
        absolute = join_url(page.url, href)
        if not absolute:
            continue
        date = _date(entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated"), tz)
        entries.append(
            ListEntry(
                url=absolute,
                title=clean_text(entry.findtext(f"{ATOM}title")),
                date=date,
            )
        )
    if (
        not items
        and root.find(f"{ATOM}entry") is None
        and root.tag
        not in {"rss", f"{ATOM}feed", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"}
    ):
        return None
    return entries


class Rss(Platform):
    name = "rss"
    defaults = Selectors(
        title="h1.title-detail || h1.detail-title || .title-detail || h1.title || h1",
        published=".date-detail || .detail-time || .post-date || .date || .time",
        summary=".sapo || .detail-sapo || .summary || .lead",
        body=".content-detail || .detail-content || .article-content || .news-content || "
        ".noidung || .content",
        remove=COMMON_REMOVE,
    )

    def parse_list(self, page: Page, selectors: Selectors, tz: ZoneInfo = VN_TZ) -> ListPage:
        # Feeds do not page; a portal's feed shows its newest items.
        return ListPage(feed_entries(page, tz))


PLATFORM = Rss()
