"""Article fields from a page: title, dates, author, summary, body, images, attachments.

Platforms supply selectors (their defaults merged with the source's); this module turns a page
and selectors into fields, with the fallbacks that portals need: meta tags and JSON-LD for
dates, og:title for titles, main-content detection when the body selector finds nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract import boilerplate
from crawler.extract.dates import parse_iso_date, parse_vn_date, plausible
from crawler.extract.html import (
    Body,
    clean_body,
    element_text,
    meta_content,
    select_elements,
    select_text,
)
from crawler.registry import Selectors
from crawler.textnorm import clean_text

# "(binhdinh.gov.vn) - ", "(Chinhphu.vn) – ", "HNP - ": a dateline before the lead.
_DATELINE = re.compile(
    r"^\s*(?:\(\s*[^()\n]{2,40}?\s*\)|\[\s*[^\[\]\n]{2,40}?\s*\]|[A-ZĐ]{2,6})\s*[-–—:]+\s*"
)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{3,80}$")


@dataclass
class Extracted:
    title: str = ""
    summary: str = ""
    body: Body = field(default_factory=Body)
    author: str | None = None
    published: datetime | None = None
    published_source: str | None = None
    updated: datetime | None = None
    image_url: str | None = None
    problems: list[str] = field(default_factory=list)


def strip_dateline(text: str) -> str:
    return _DATELINE.sub("", text, count=1).strip()


def _json_ld_dates(sel: Selector) -> tuple[str, str]:
    published = modified = ""
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                published = published or str(node.get("datePublished") or "")
                modified = modified or str(node.get("dateModified") or "")
                stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return published, modified


def _dates(
    sel: Selector,
    selectors: Selectors,
    tz: ZoneInfo,
    list_date: datetime | None,
    reference: datetime | None,
) -> tuple[datetime | None, str | None, datetime | None, list[str]]:
    problems: list[str] = []
    meta_pub = parse_iso_date(
        meta_content(
            sel,
            "article:published_time",
            "og:published_time",
            "datePublished",
            "pubdate",
            "publishdate",
            "dc.date.issued",
            "DC.date.issued",
        ),
        tz,
    )
    ld_pub_s, ld_mod_s = _json_ld_dates(sel)
    ld_pub = parse_iso_date(ld_pub_s, tz)
    modified = parse_iso_date(
        meta_content(sel, "article:modified_time", "og:updated_time", "dateModified"), tz
    ) or parse_iso_date(ld_mod_s, tz)

    printed_text = select_text(sel, selectors.published) if selectors.published else ""
    printed = parse_vn_date(printed_text, tz) if printed_text else None
    candidates: list[tuple[datetime | None, str]] = []
    if printed:
        dt, has_time = printed
        if not has_time:
            # A printed day without a time: take the time from a machine date of the same day.
            for machine, origin in ((meta_pub, "meta"), (ld_pub, "json-ld")):
                if machine and machine.astimezone(tz).date() == dt.date():
                    dt = machine.astimezone(tz)
                    candidates.append((dt, origin))
                    break
        candidates.append((dt, "selector"))
    elif printed_text:
        problems.append(f"printed date not understood: {printed_text[:60]!r}")
    candidates += [(meta_pub, "meta"), (ld_pub, "json-ld")]
    time_attr = sel.css("article time::attr(datetime), time[datetime]::attr(datetime)").get()
    candidates.append((parse_iso_date(time_attr, tz), "time"))
    candidates.append((list_date, "list"))
    for maybe, origin in candidates:
        if maybe is None:
            continue
        dt = maybe
        if plausible(dt, reference):
            return dt.astimezone(VN_TZ), origin, modified, problems
        problems.append(f"implausible {origin} date rejected: {dt.isoformat()}")
    return None, None, modified if plausible(modified, reference) else None, problems


def _title(sel: Selector, selectors: Selectors) -> str:
    title = select_text(sel, selectors.title) if selectors.title else ""
    if not title:
        title = meta_content(sel, "og:title", "twitter:title")
    if not title:
        title = clean_text(sel.xpath("//title//text()").get() or "")
        title = _TITLE_SUFFIX.sub("", title)
    return title


def find_main_content(sel: Selector) -> lxml.html.HtmlElement | None:
    """The element holding most paragraph text and least link text (a fallback, not a platform)."""
    best: tuple[float, lxml.html.HtmlElement] | None = None
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return None
    for el in root.iter("div", "article", "section", "td", "main"):
        paragraphs = [
            c for c in el if isinstance(c.tag, str) and c.tag in {"p", "h2", "h3", "ul", "figure"}
        ]
        if len(paragraphs) < 2:
            continue
        text_len = sum(len(element_text(p)) for p in paragraphs)
        link_len = sum(len(element_text(a)) for p in paragraphs for a in p.iter("a"))
        score = text_len - 2 * link_len
        if best is None or score > best[0]:
            best = (score, el)
    return best[1] if best else None


def extract_article(
    sel: Selector,
    url: str,
    selectors: Selectors,
    *,
    tz: ZoneInfo = VN_TZ,
    list_date: datetime | None = None,
    reference: datetime | None = None,
) -> Extracted:
    out = Extracted()
    out.title = _title(sel, selectors)
    out.published, out.published_source, out.updated, date_problems = _dates(
        sel, selectors, tz, list_date, reference
    )
    out.problems += date_problems

    summary_els = select_elements(sel, selectors.summary)
    if summary_els:
        out.summary = element_text(summary_els[0])
    out.summary = strip_dateline(out.summary)

    body_els = select_elements(sel, selectors.body)
    if not body_els:
        main = find_main_content(sel)
        if main is not None:
            body_els = [main]
            out.problems.append("body selector matched nothing; used main-content detection")
    lead_els: list[lxml.html.HtmlElement] = []
    if not out.summary and body_els:
        lead = boilerplate.bold_lead(body_els[0])
        if lead is not None:
            out.summary = strip_dateline(element_text(lead))
            lead_els = [lead]
    title_els = select_elements(sel, selectors.title)
    date_els = select_elements(sel, selectors.published)
    out.body = clean_body(
        body_els,
        url,
        selectors.remove,
        exclude=[*summary_els[:1], *lead_els, *title_els[:1], *date_els[:1]],
    )

    author = select_text(sel, selectors.author) if selectors.author else ""
    if author:
        parsed = boilerplate.parse_trailer(author)
        author = parsed[1] if parsed else author
    out.author = author or out.body.author

    image = meta_content(sel, "og:image", "twitter:image")
    if image:
        out.image_url = urljoin(url, image)
    elif out.body.images:
        out.image_url = out.body.images[0][0]
    return out
