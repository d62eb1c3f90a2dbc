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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from parsel import Selector

from crawler.clock import VN_TZ
from crawler.extract import boilerplate
from crawler.extract.dates import parse_iso_date, parse_vn_date, plausible
from crawler.extract.html import (
    Body,
    add_attachments,
    clean_body,
    element_text,
    meta_content,
    select_elements,
    select_text,
)
from crawler.registry import Selectors
from crawler.textnorm import clean_text, norm_key
from crawler.urls import join_url

# "(binhdinh.gov.vn) - ", "(Chinhphu.vn) – ", "HNP - ": a dateline before the lead.
_DATELINE = re.compile(
    r"^\s*(?:(?:\(\s*[^()\n]{2,40}?\s*\)|\[\s*[^\[\]\n]{2,40}?\s*\]|[A-ZĐ]{2,6})\s*[-–—:]+\s*"
    # "(BL-CL) Ngày 7/5…", "(Baohungyen.vn) Sáng…": an agency code or a domain in brackets
    r"|\((?:[A-ZĐ]{1,8}(?:[-./][A-ZĐ]{1,8})*|[\w.-]+\.(?:vn|com|net|org))\)\s+(?=[A-ZĐ\d]))"
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


_DATE_HINT = re.compile(
    r"(date|time|ngay|publish|posted|created|update|thoigian|thoi-gian|ngaydang|ngay-dang)", re.I
)
# Class-name words portals use for the sapo ("qnp-news-sapo", "bio-post-summary", "trichyeu").
_SUMMARY_CLASS = re.compile(
    r"(^|[\s_-])(sapo|summary|tomtat|tom-tat|trichyeu|trich-yeu|hometext|chapeau|brief|lead|"
    r"description|mota|mo-ta)([\s_-]|$)",
    re.IGNORECASE,
)
# Page chrome. Not <form>: ASP.NET portals (SharePoint, DNN) wrap the whole page in one.
_CHROME = {"nav", "header", "footer", "aside"}


def _is_chrome_tag(el: lxml.html.HtmlElement) -> bool:
    """nav, aside, and the page's header and footer (an <article>'s own header holds its title
    and footer its byline: they are not chrome)."""
    if el.tag not in _CHROME:
        return False
    if el.tag in {"header", "footer"}:
        return not any(a.tag == "article" for a in el.iterancestors())
    return True


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    return any(_is_chrome_tag(a) for a in el.iterancestors())


def _position(root: lxml.html.HtmlElement) -> dict[lxml.html.HtmlElement, int]:
    """Document order of every element. Keyed by the elements themselves: lxml recreates
    proxies of unreferenced nodes, so their id() is not stable."""
    return {el: i for i, el in enumerate(root.iter())}


_HIDDEN = re.compile(r"(^|\s)(hidden|hide|d-none|sr-only|visually-hidden|invisible)(\s|$)", re.I)


def _in_link_list(el: lxml.html.HtmlElement) -> bool:
    """A date printed beside a link in a list (related news, new documents), not the article's."""
    for anc in [el.getparent(), *(list(el.iterancestors())[1:3])]:
        if anc is None:
            break
        if anc.tag in {"li", "tr"} or anc.xpath("./a[@href]"):
            return True
    return False


def _first_paragraph(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The first block of running text in the body (a paragraph, not a wrapper)."""
    for el in body.iter("p", "li", "div", "td"):
        if el is body:
            continue
        if el.tag in {"div", "td"} and any(
            isinstance(c.tag, str) and c.tag in {"p", "div", "table", "ul", "ol"} for c in el
        ):
            continue
        if len(element_text(el)) >= 100:
            return el
    return None


@dataclass
class _Printed:
    when: datetime
    has_time: bool
    element: lxml.html.HtmlElement | None


def _subtree_end(order: dict[lxml.html.HtmlElement, int], el: lxml.html.HtmlElement) -> int:
    descendants = list(el.iter())
    return order.get(descendants[-1], order.get(el, 0))


def _printed_date(
    sel: Selector,
    selectors: Selectors,
    tz: ZoneInfo,
    title_el: lxml.html.HtmlElement | None,
    body_el: lxml.html.HtmlElement | None,
    problems: list[str],
    order: dict[lxml.html.HtmlElement, int] | None = None,
) -> tuple[_Printed | None, str]:
    """The publication date printed on the page, and where it came from ("selector", "page").

    A selector match after the end of the body is refused (related-news lists print dates too).
    Without a selector: an element named like a date (class/id) before the end of the body,
    preferring one after the title; else the first date printed between the title and the
    body's text."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return None, ""
    order = order if order is not None else _position(root)
    start = order.get(title_el, -1) if title_el is not None else -1
    body_start = order.get(body_el, len(order)) if body_el is not None else len(order)
    body_end = _subtree_end(order, body_el) if body_el is not None else len(order)
    if selectors.published:
        texts = []
        for el in select_elements(sel, selectors.published):
            if order.get(el, 0) > body_end:
                continue
            text = element_text(el)
            parsed = parse_vn_date(text, tz)
            if parsed:
                return _Printed(parsed[0], parsed[1], el), "selector"
            texts.append(text)
        if any(texts):
            problems.append(f"printed date not understood: {texts[0][:60]!r}")
    hinted: list[tuple[int, _Printed]] = []
    between: list[tuple[int, _Printed]] = []
    first_text = body_end
    if body_el is not None:
        first = _first_paragraph(body_el)
        if first is not None:
            first_text = order.get(first, body_end)
    for el, pos in order.items():
        if pos > body_end:
            break
        if not isinstance(el.tag, str) or el.tag in {"script", "style", "a", "title"}:
            continue
        if _in_chrome(el):
            continue
        ident = f"{el.get('class') or ''} {el.get('id') or ''}"
        if _HIDDEN.search(ident) or el.get("hidden") is not None:
            continue
        if _DATE_HINT.search(ident) and not _in_link_list(el):
            text = element_text(el)
            if len(text) <= 120:
                parsed = parse_vn_date(text, tz)
                if parsed:
                    hinted.append((pos, _Printed(parsed[0], parsed[1], el)))
                    continue
        if start < pos < min(first_text, body_end) or (start < pos < body_start):
            own = clean_text(" ".join([el.text or "", *(c.tail or "" for c in el)]))
            if own and len(own) <= 160:
                parsed = parse_vn_date(own, tz)
                if parsed:
                    between.append((pos, _Printed(parsed[0], parsed[1], el)))
    if hinted:
        # The date printed next to the title (before or after it), not one further away.
        return min(hinted, key=lambda h: abs(h[0] - start))[1], "page"
    if between:
        return between[0][1], "page"
    return None, ""


def _dates(
    sel: Selector,
    selectors: Selectors,
    tz: ZoneInfo,
    list_date: datetime | None,
    reference: datetime | None,
    title_el: lxml.html.HtmlElement | None = None,
    body_el: lxml.html.HtmlElement | None = None,
    order: dict[lxml.html.HtmlElement, int] | None = None,
) -> tuple[datetime | None, str | None, datetime | None, list[str], lxml.html.HtmlElement | None]:
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

    printed, origin_printed = _printed_date(sel, selectors, tz, title_el, body_el, problems, order)
    candidates: list[tuple[datetime | None, str]] = []
    if printed:
        dt = printed.when
        if not printed.has_time:
            # A printed day without a time: take the time from a machine date of the same day.
            for machine, origin in ((meta_pub, "meta"), (ld_pub, "json-ld")):
                if machine and machine.astimezone(tz).date() == dt.date():
                    candidates.append((machine.astimezone(tz), origin))
                    break
        candidates.append((dt, origin_printed))
    candidates += [(meta_pub, "meta"), (ld_pub, "json-ld")]
    time_attr = sel.css("article time::attr(datetime), time[datetime]::attr(datetime)").get()
    candidates.append((parse_iso_date(time_attr, tz), "time"))
    candidates.append((list_date, "list"))
    date_el = printed.element if printed else None
    for maybe, origin in candidates:
        if maybe is None:
            continue
        dt = maybe
        if plausible(dt, reference):
            return dt.astimezone(VN_TZ), origin, modified, problems, date_el
        problems.append(f"implausible {origin} date rejected: {dt.isoformat()}")
    modified = modified if plausible(modified, reference) else None
    return None, None, modified, problems, date_el


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    ka, kb = norm_key(a), norm_key(b)
    if not ka or not kb:
        return 0.0
    if ka in kb or kb in ka:
        return min(len(ka), len(kb)) / max(len(ka), len(kb)) * 0.5 + 0.5
    return SequenceMatcher(None, ka, kb).ratio()


_TITLE_CLASS = re.compile(r"(title|tieude|tieu-de|tieu_de|heading|headline)", re.I)


def _title(
    sel: Selector,
    selectors: Selectors,
    list_title: str | None = None,
    body: lxml.html.HtmlElement | None = None,
    order: dict[lxml.html.HtmlElement, int] | None = None,
) -> tuple[str, lxml.html.HtmlElement | None]:
    """The title and the element holding it (None when it came from meta tags or the list).

    Without a selector: the heading (or title-classed block) that best matches the list page's
    headline, og:title or <title>, in that order of trust."""
    if selectors.title:
        for el in select_elements(sel, selectors.title):
            text = element_text(el)
            if text:
                return text, el
    og = meta_content(sel, "og:title", "twitter:title")
    doc_title = clean_text(sel.xpath("//title//text()").get() or "")
    reference = list_title or og or doc_title
    root = sel.root
    best: tuple[float, str, lxml.html.HtmlElement | None] = (0.0, "", None)
    headlines: list[lxml.html.HtmlElement] = []
    if isinstance(root, lxml.html.HtmlElement):
        for el in root.iter("h1", "h2", "h3", "h4", "p", "div", "span", "strong", "td", "b"):
            ident = f"{el.get('class') or ''} {el.get('id') or ''}"
            if el.tag not in {"h1", "h2", "h3", "h4"} and not _TITLE_CLASS.search(ident):
                continue
            if _HIDDEN.search(ident) or el.get("hidden") is not None:
                continue  # a visually hidden copy of the title (Drupal's h2.page-title.hidden)
            text = element_text(el)
            if not 8 <= len(text) <= 400 or _in_chrome(el):
                continue
            if 4 <= len(text.split()) <= 60:
                headlines.append(el)
            score = _similar(text, reference) if reference else 0.0
            if not reference and el.tag == "h1":
                score = 0.7
            elif el.tag == "h1":
                score += 0.001  # the same text in an h1 and in a wrapper: the h1 holds it
            if score > best[0]:
                best = (score, text, el)
    before: list[lxml.html.HtmlElement] = []
    if body is not None and order:
        first = _first_paragraph(body)
        limit = order.get(first if first is not None else body, len(order))
        before = [h for h in headlines if order.get(h, len(order)) < limit]
    if best[0] >= 0.6 and (len(best[1].split()) >= 4 or not before or list_title):
        return best[1], best[2]
    if list_title:
        return list_title, None
    if og:
        return og, None
    # No heading matches <title>, or only a short one: <title> is then the site's or the
    # page's name ("Chi tiết tin" on WebSphere portals, a portlet title repeats it), not the
    # article's. The headline is the last heading-like block before the body's text.
    if before:
        return element_text(before[-1]), before[-1]
    if best[0] >= 0.6:
        return best[1], best[2]
    return _TITLE_SUFFIX.sub("", doc_title), None


_PARAGRAPHS = ("p", "pre", "blockquote", "li", "div", "td", "h2", "h3")
_CONTAINERS = {"div", "article", "section", "td", "main", "body", "form"}
_BLOCK_CHILDREN = {"p", "div", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "section"}


_CHROME_CLASS = re.compile(
    r"(^|[\s_-])(footer|header|menu|nav|navbar|sidebar|banner|breadcrumbs?|copyright|"
    r"top-bar|topbar|widget|advert|quangcao|lienket|weblink)([\s_-]|$)",
    re.IGNORECASE,
)


def _chrome_class(el: lxml.html.HtmlElement) -> bool:
    ident = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(ident.strip()) and bool(_CHROME_CLASS.search(ident))


def find_main_content(sel: Selector) -> lxml.html.HtmlElement | None:
    """The element holding the article's paragraphs.

    Every paragraph of running text scores for its parent (fully) and its grandparent (half):
    one point, one per comma, one per 100 characters (up to three). A container's score is then
    weighed by how little of its text is links. Outer wrappers of the whole page collect only
    half-scores from their grandchildren, so the block whose own children are the article's
    paragraphs wins (the approach of Readability, with Vietnamese punctuation)."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return None
    scores: dict[lxml.html.HtmlElement, float] = {}
    body = root.find("body")
    page_text = len((body if body is not None else root).text_content())
    chrome: dict[lxml.html.HtmlElement, bool] = {}

    def is_chrome(el: lxml.html.HtmlElement) -> bool:
        # A class naming chrome ("widget", "header") on a wrapper of the page's headline and
        # most of its text is a layout grid ("columns-widget"), not a sidebar.
        found = chrome.get(el)
        if found is None:
            found = _is_chrome_tag(el) or (
                _chrome_class(el)
                and not (
                    len(el.text_content()) >= page_text * 0.5
                    and next(el.iter("h1"), None) is not None
                )
            )
            chrome[el] = found
        return found

    for block in root.iter(*_PARAGRAPHS):
        if block.tag in {"div", "td", "li"} and any(
            isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in block
        ):
            continue  # a container, not a paragraph
        if any(is_chrome(a) for a in block.iterancestors()):
            continue  # page chrome: footer, header, menus, sidebars
        text = element_text(block)
        if len(text) < 25:
            continue
        linked = sum(len(element_text(a)) for a in block.iter("a"))
        if linked > len(text) * 0.5:
            continue  # a list of links
        score = 1.0 + text.count(",") + min(len(text) // 100, 3)
        parent = block.getparent()
        if parent is None:
            continue
        for anc, share in ((parent, 1.0), (parent.getparent(), 0.5)):
            if anc is not None and anc.tag in _CONTAINERS:
                scores[anc] = scores.get(anc, 0.0) + score * share
    if not scores:
        return None
    weighted: dict[lxml.html.HtmlElement, float] = {}
    for el, score in scores.items():
        # Raw text lengths (lxml, in C) are enough for a ratio.
        total = len(el.text_content())
        linked = sum(len(a.text_content()) for a in el.iter("a"))
        weighted[el] = score * (1 - min(linked / max(total, 1), 1.0))
    return max(weighted, key=lambda el: weighted[el])


def extract_article(
    sel: Selector,
    url: str,
    selectors: Selectors,
    *,
    tz: ZoneInfo = VN_TZ,
    list_date: datetime | None = None,
    list_title: str | None = None,
    reference: datetime | None = None,
) -> Extracted:
    out = Extracted()
    body_els = select_elements(sel, selectors.body)
    if len(body_els) > 1:
        # Several matches: keep the ones with text (portals leave empty twins of the body
        # field around), the longest first (it anchors the date and sapo search).
        sizes = {id(e): len(e.text_content().strip()) for e in body_els}
        top = max(sizes.values())
        body_els = [e for e in body_els if sizes[id(e)] >= max(top * 0.1, 1)]
    if not body_els:
        main = find_main_content(sel)
        if main is not None:
            body_els = [main]
            if selectors.body:
                out.problems.append("body selector matched nothing; used main-content detection")

    anchor = max(body_els, key=lambda e: len(e.text_content())) if body_els else None
    order = _position(sel.root) if isinstance(sel.root, lxml.html.HtmlElement) else {}
    out.title, title_el = _title(sel, selectors, list_title, anchor, order)
    out.published, out.published_source, out.updated, date_problems, date_el = _dates(
        sel, selectors, tz, list_date, reference, title_el, anchor, order
    )
    out.problems += date_problems

    summary_els = [e for e in select_elements(sel, selectors.summary) if element_text(e)]
    summary_els = (summary_els or _summary_guess(sel, anchor, order))[:1]
    if summary_els:
        out.summary = strip_dateline(element_text(summary_els[0]))
    lead_els: list[lxml.html.HtmlElement] = []
    if not out.summary and anchor is not None:
        lead = boilerplate.bold_lead(anchor)
        if lead is not None:
            out.summary = strip_dateline(element_text(lead))
            lead_els = [lead]
    out.body = clean_body(
        body_els,
        url,
        selectors.remove,
        exclude=[
            *summary_els,
            *lead_els,
            *([title_el] if title_el is not None else []),
            *([date_el] if date_el is not None else []),
        ],
    )
    if selectors.attachments:
        add_attachments(out.body, select_elements(sel, selectors.attachments), url)
    elif anchor is not None:
        add_attachments(out.body, _attachment_boxes_after(anchor), url)

    author = select_text(sel, selectors.author) if selectors.author else ""
    if author:
        parsed = boilerplate.parse_trailer(author)
        author = parsed[1] if parsed else author
    out.author = author or None
    if not out.author and out.body.author and out.body.author_priority <= 1:
        out.author = out.body.author  # "Tác giả: …", "Tin, ảnh: …" closing the text
    if not out.author and not selectors.author:
        out.author = _byline(sel, title_el, anchor, order)
    if not out.author:
        out.author = out.body.author  # a source line ("Nguồn: …")
    if not out.author and body_els:
        out.author = _trailer_after(body_els[-1])

    image = meta_content(sel, "og:image", "twitter:image")
    image_url = join_url(url, image) if image else None
    if image_url and _looks_like_image(image_url):
        out.image_url = image_url
    else:
        lead_img = _lead_picture(title_el, anchor, order, url)
        if lead_img:
            out.image_url = lead_img
        elif out.body.images:
            out.image_url = out.body.images[0][0]
    return out


_NOT_PICTURE = re.compile(
    r"(icon|logo|avatar|gravatar|share|facebook|zalo|twitter|print|"
    r"banner|spacer|blank|loading|flag|rss)",
    re.I,
)


def _lead_picture(
    title_el: lxml.html.HtmlElement | None,
    body: lxml.html.HtmlElement | None,
    order: dict[lxml.html.HtmlElement, int],
    url: str,
) -> str | None:
    """The article's picture printed between its title and its text, outside the body (a
    Drupal image field, a WordPress featured image): the lead image when no og:image names it."""
    if title_el is None or body is None or not order:
        return None
    start, end = order.get(title_el, -1), order.get(body, -1)
    if not 0 <= start < end:
        return None
    for el, pos in order.items():
        if pos <= start or pos >= end or el.tag != "img" or _in_chrome(el):
            continue
        src = (el.get("src") or "").strip()
        if not src or src.startswith("data:") or _NOT_PICTURE.search(src):
            continue
        sizes = [el.get("width") or "", el.get("height") or ""]
        if any(v.isdigit() and int(v) < 100 for v in sizes):
            continue  # an icon, not a picture
        return join_url(url, src)
    return None


_BYLINE_CLASS = re.compile(
    r"(^|[\s_-])(author|byline|tacgia|tac-gia|nguoiviet|nguoi-viet|fn)([\s_-]|$)", re.I
)
_BYLINE_PREFIX = re.compile(
    r"^(tác giả|người viết|đăng bởi|người đăng|viết bởi|bởi|posted by|by)\s*[:：]?\s*", re.I
)
_NOT_BYLINE = re.compile(r"comment|binh-?luan|related|lien-?quan|widget|sidebar", re.I)


def _byline(
    sel: Selector,
    title_el: lxml.html.HtmlElement | None,
    body: lxml.html.HtmlElement | None,
    order: dict[lxml.html.HtmlElement, int],
) -> str | None:
    """The author named in a byline element near the article (WordPress
    `span.byline > span.author.vcard > a.url.fn`, `a[rel=author]`, `.post-author`…), not in
    the comments or a related-posts list; the one closest to the title wins."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement) or body is None or not order:
        return None
    anchor = order.get(title_el, order.get(body, 0)) if title_el is not None else order[body]
    limit = _subtree_end(order, body) + 400  # the entry's footer after the text
    found: list[tuple[int, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in {"meta", "link", "script", "body", "html"}:
            continue
        pos = order.get(el, 0)
        if pos > limit:
            break
        ident = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not (_BYLINE_CLASS.search(ident) or "author" in (el.get("rel") or "").split()):
            continue
        if _in_chrome(el) or any(
            _NOT_BYLINE.search(f"{a.get('class') or ''} {a.get('id') or ''}")
            for a in [el, *el.iterancestors()]
        ):
            continue
        if any(d is el for d in body.iterancestors()) or el is body:
            continue
        if any(
            _BYLINE_CLASS.search(f"{d.get('class') or ''} {d.get('id') or ''}")
            or "author" in (d.get("rel") or "").split()
            for d in el.iterdescendants()
            if isinstance(d.tag, str)
        ):
            continue  # a wrapper: the innermost (hCard's .fn, the rel=author link) names
        text = element_text(el)
        parsed = boilerplate.parse_trailer(text)
        if parsed:
            if boilerplate.trailer_priority(parsed[0]) >= 2:
                continue  # "Nguồn: …" names a source, not a writer
            text = parsed[1]
        text = _BYLINE_PREFIX.sub("", text).strip(" .,:;-–—|")
        if 2 <= len(text) <= 60 and len(text.split()) <= 8 and not text.endswith(":"):
            found.append((abs(pos - anchor), text))
    return min(found)[1] if found else None


def _summary_guess(
    sel: Selector,
    body: lxml.html.HtmlElement | None,
    order: dict[lxml.html.HtmlElement, int] | None = None,
) -> list[lxml.html.HtmlElement]:
    """A block named like a sapo, before the body or at its start, of a sapo's length."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return []
    order = order if order is not None else _position(root)
    body_pos = order.get(body, len(order)) if body is not None else len(order)
    first_para = body_pos
    if body is not None:
        first = _first_paragraph(body)
        if first is not None:
            first_para = order.get(first, body_pos)
    for el, pos in order.items():
        if pos > first_para:
            break
        if not isinstance(el.tag, str) or el.tag in {"meta", "body", "html", "head"}:
            continue
        if not _SUMMARY_CLASS.search(el.get("class") or "") or _in_chrome(el):
            continue
        if body is not None and (el is body or any(d is el for d in body.iterancestors())):
            continue  # the body or a wrapper of it ("field--type-text-with-summary"), not the sapo
        if 40 <= len(element_text(el)) <= 1200:
            return [el]
    return []


def _looks_like_image(url: str) -> bool:
    """og:image values that name a file (some portals put their bare homepage there)."""
    path = urlsplit(url).path
    return bool(path.strip("/")) and not path.endswith("/")


_ATTACHMENT_LABEL = re.compile(r"(đính kèm|tải về|tải xuống|tệp tin|văn bản kèm)", re.I)


def _following_blocks(body: lxml.html.HtmlElement, limit: int) -> list[lxml.html.HtmlElement]:
    """The first few blocks with text after the body (climbing out of its wrappers)."""
    out: list[lxml.html.HtmlElement] = []
    node: lxml.html.HtmlElement | None = body
    while node is not None and len(out) < limit:
        sibling = node.getnext()
        if sibling is None:
            node = node.getparent()
            if node is None or node.tag in {"body", "html"}:
                break
            continue
        node = sibling
        if isinstance(node.tag, str) and element_text(node):
            out.append(node)
    return out


def _attachment_boxes_after(body: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """A "Tệp đính kèm" box right after the body (its links are the article's documents)."""
    boxes = []
    for block in _following_blocks(body, 3):
        text = element_text(block)
        if boilerplate.is_related_heading(text):
            break
        if _ATTACHMENT_LABEL.search(text[:80]):
            boxes.append(block)
    return boxes


def _trailer_after(body: lxml.html.HtmlElement, limit: int = 4) -> str | None:
    """An author / source line printed just after the body ("Tác giả: …" in its own block)."""
    found: list[tuple[int, str]] = []
    for block in _following_blocks(body, limit):
        if boilerplate.is_related_heading(element_text(block)):
            break
        for part in [block, *block.iter("p", "div", "span", "strong", "b", "li")]:
            parsed = boilerplate.parse_trailer(element_text(part))
            if parsed:
                found.append((boilerplate.trailer_priority(parsed[0]), parsed[1]))
        if found:
            break
    return min(found)[1] if found else None
