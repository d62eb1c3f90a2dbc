"""Naming a page's CMS family, and a starting `[[source]]` entry for it
(`vnfeeds sources detect`, and `vnfeeds sources check --live` to compare with the configured one).

Everything here is a pure function of a page (its text, URL and headers): fetching is the
caller's business (crawler/livecheck.py).

How a family is recognised:
1. A feed document (RSS 2.0, RSS 1.0, Atom) is `rss`.
2. Otherwise every family module's signature is looked for (PORTALS.md section 2): markup
   (`<html class="aui">`, `ctl00_PlaceHolderMain`, `DotNetNuke`, `nv_base_siteurl`…) anywhere,
   and URL paths (`/_layouts/`, `/Portals/0/`, `/upload/<siteId>/<yyyymmdd>/`,
   `/uploads/news/<yyyy_mm>/`…) only in links to the page's own site, because portals link to
   each other's services. Each sign found adds its weight to its family, once.
3. The family with the most weight wins when it reaches `MIN_SCORE`. Else a CMS vnfeeds has no
   module for (WordPress, Drupal, WebSphere, Joomla) is `generic`; a page that advertises feeds
   (`<link rel="alternate" type="application/rss+xml">`) with nothing else recognisable is
   `rss`; anything else is `generic`.

Then every platform's list reading is tried on the page with its defaults (how many entries
each finds is reported), and list selectors are induced from the article links the generic
heuristics find (the repeated element that holds one article link each, and the headline link
inside it), kept only when they find the same articles again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from parsel import Selector

from crawler import places
from crawler.clock import iso
from crawler.extract.dates import parse_vn_date
from crawler.extract.html import element_text, make_selector, meta_content
from crawler.extract.links import FoundLink, article_links
from crawler.platforms import PLATFORMS, get_platform
from crawler.platforms.base import ListEntry, ListPage, Page, Platform
from crawler.platforms.rss import feed_entries
from crawler.registry import Selectors
from crawler.urls import join_url

MIN_SCORE = 3  # the weight of one strong sign, or of two weaker ones
HIGH_SCORE = 5
MODULE_FAMILIES = ("liferay", "sharepoint", "dnn", "upload-cms", "nukeviet", "vgp")
# Where a page given as a file has no URL of its own: relative links resolve here, and it
# never resolves (RFC 6761), so nothing is fetched by mistake.
UNKNOWN_BASE = "http://page.invalid/"


@dataclass(frozen=True)
class Sign:
    family: str  # a platform name, or "cms:<name>" for a CMS without a module
    weight: int
    what: str
    pattern: re.Pattern[str]
    where: str = "markup"  # "markup": the whole page; "url": paths of links to the own site
    min_count: int = 1


def _sign(
    family: str, weight: int, what: str, pattern: str, where: str = "markup", n: int = 1
) -> Sign:
    return Sign(family, weight, what, re.compile(pattern), where, n)


SIGNS: tuple[Sign, ...] = (
    # -- Liferay (PORTALS.md 2.A)
    _sign(
        "liferay",
        3,
        '<html class="aui …">: AlloyUI, the UI library of Liferay 6',
        r'<html\b[^>]*\bclass\s*=\s*["\'](?:[^"\']*\s)?aui\b',
    ),
    _sign(
        "liferay",
        3,
        "Liferay JavaScript (Liferay.ThemeDisplay, Liferay.Portlet…)",
        r"\bLiferay\.(?:ThemeDisplay|Portlet|Util|Session|AUI|Language)\b",
    ),
    _sign("liferay", 2, "portlet ids and parameters (p_p_id)", r"\bp_p_id\b"),
    _sign(
        "liferay",
        2,
        "Asset Publisher / web content portlets (_101_…, journal-content-article)",
        r"\b_101_\w+|\bportlet-asset-publisher\b|\bjournal-content-article\b",
    ),
    _sign("liferay", 1, "links to /web/guest/… pages", r"^/web/guest(?:/|$)", "url"),
    _sign(
        "liferay",
        2,
        "Liferay article URLs (/-/view_content/, /-/asset_publisher/)",
        r"/-/(?:view_content|asset_publisher)/",
        "url",
    ),
    # -- SharePoint (2.B)
    _sign("sharepoint", 3, "/_layouts/ resources (SharePoint)", r"/_layouts/", "url"),
    _sign("sharepoint", 2, "pages library /Trang/*.aspx", r"/Trang/[^/?#]+\.aspx", "url"),
    _sign(
        "sharepoint",
        2,
        "SharePoint list pages (/Lists/…/*.aspx, e.g. Lists/Posts/Post.aspx)",
        r"(?i)/Lists/[^/?#]+/[^/?#]+\.aspx",
        "url",
    ),
    _sign("sharepoint", 1, "pages library /Pages/*.aspx", r"/Pages/[^/?#]+\.aspx", "url"),
    _sign(
        "sharepoint",
        3,
        "SharePoint page markup (generator, ctl00_PlaceHolderMain, MSOWebPartPage…)",
        r"ctl00_PlaceHolderMain|ctl00_m_g_|\bMSOWebPartPage|_spPageContextInfo|_spBodyOnLoad|"
        r'content="Microsoft SharePoint',
    ),
    _sign(
        "sharepoint",
        2,
        "SharePoint field classes (ms-rtestate-field, ms-WPBody, ms-PostBody)",
        r"\bms-(?:rtestate-field|WPBody|PostBody|PostTitle|webpart)",
    ),
    # -- DotNetNuke (2.D)
    _sign("dnn", 2, "portal files under /Portals/<n>/ (DNN)", r"^/Portals/\d+/", "url"),
    _sign("dnn", 3, "/DesktopModules/ (DNN modules)", r"/DesktopModules/", "url"),
    _sign(
        "dnn",
        3,
        "DNN markup (DotNetNuke, dnn_ ids, DnnModule)",
        r"DotNetNuke|\bdnn_[A-Za-z]\w*|\bDnnModule\b|\bdnnVariable\b",
    ),
    _sign("dnn", 1, "tabid page links", r"(?i)[?&/]tabid[=/]\d+", "url"),
    # -- the /upload/<siteId>/<yyyymmdd>/ platform (2.C)
    _sign(
        "upload-cms",
        3,
        "media under /upload/<siteId>/<yyyymmdd>/",
        r"^/upload/\d{5,8}/\d{8}/",
        "url",
    ),
    _sign(
        "upload-cms",
        3,
        "thumbnails under /publish/thumbnail/<siteId>/",
        r"^/publish/thumbnail/\d{5,8}/",
        "url",
    ),
    _sign(
        "upload-cms",
        2,
        "list modules (article-news-default, modulerootid)",
        r"\barticle-news-default\b|\bmodulerootid\s*=",
    ),
    _sign("upload-cms", 1, "base64 pager config (decode64)", r"\bdecode64\s*\("),
    # -- NukeViet (2.F)
    _sign("nukeviet", 3, "NukeViet named in the page (generator, footer)", r"\bNukeViet\b"),
    _sign(
        "nukeviet",
        3,
        "NukeViet script variables (nv_base_siteurl…)",
        r"\bnv_(?:base_siteurl|lang_data|siteroot|cookie_prefix|func_name)\b",
    ),
    _sign(
        "nukeviet",
        3,
        "news images under /uploads/news/<yyyy_mm>/",
        r"^/uploads/news/\d{4}_\d{2}/",
        "url",
    ),
    _sign("nukeviet", 2, "news module links (nv=news)", r"[?&]nv=news\b", "url"),
    # -- the VGP-style news CMS of hanoi.gov.vn (2.E)
    _sign("vgp", 3, "list API /api/NewsZone/NewsZone", r"/api/NewsZone/NewsZone"),
    _sign(
        "vgp",
        2,
        "article URLs ending in a 16-digit id (…-4250410182811455.htm)",
        r"-\d{14,18}\.htm$",
        "url",
        3,
    ),
    _sign(
        "vgp",
        2,
        "VGP CMS markup (box-category-item, box-stream-item, afcbc-body)",
        r"\bbox-(?:category|stream)-item\b|\bafcbc-body\b|\bVCSortableInPreviewMode\b",
    ),
    # -- CMSs without a module of their own: the generic platform reads them
    _sign(
        "cms:WordPress",
        3,
        "WordPress (wp-content, generator)",
        r'/wp-content/|/wp-includes/|content="WordPress',
    ),
    _sign(
        "cms:Drupal",
        3,
        "Drupal (Drupal.settings, sites/default/files, generator)",
        r'\bDrupal\.settings\b|drupal-settings-json|/sites/default/files/|content="Drupal',
    ),
    _sign(
        "cms:IBM WebSphere Portal",
        3,
        "IBM WebSphere Portal (/wps/portal, wpsPortletBody)",
        r"/wps/portal\b|\bwpsPortletBody\b",
    ),
    _sign(
        "cms:Joomla",
        3,
        "Joomla (com_content, generator)",
        r'[?&]option=com_content|content="Joomla',
    ),
)

_HEADER_SIGNS = (
    (
        "sharepoint",
        3,
        "SharePoint response header (MicrosoftSharePointTeamServices)",
        "microsoftsharepointteamservices",
    ),
)
_QUOTED_URL = re.compile(
    r"""(?:href|src|action|data-src)\s*=\s*["']([^"'<>]+)["']|["'](/[^"'\s<>]+)["']"""
)
_FEED_TYPE = re.compile(r"application/(?:rss|atom)\+xml|application/rdf\+xml", re.IGNORECASE)
_FEED_HREF = re.compile(r"(?:\.rss|\.atom|/rss/?|rss\.aspx|/feed/?)(?:$|[?#])", re.IGNORECASE)


@dataclass
class Evidence:
    family: str
    weight: int
    what: str
    count: int = 1

    @property
    def platform(self) -> str:
        return "generic" if self.family.startswith("cms:") else self.family


@dataclass
class Trial:
    """One way of reading the page's list, and what it found."""

    platform: str
    how: str
    items: int
    newest: str | None = None
    note: str = ""
    selectors: dict[str, str] = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)  # a few entry URLs


@dataclass
class Detection:
    url: str  # the page's URL ("" when a file was given without one)
    kind: str  # "html" or "feed"
    platform: str
    confidence: str  # "high", "medium" or "low"
    reason: str
    cms: str | None = None  # a CMS recognised that has no module of its own
    scores: dict[str, int] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)  # feed URLs the page advertises
    trials: list[Trial] = field(default_factory=list)
    selectors: dict[str, str] = field(default_factory=dict)  # to put in [source.selectors]
    selectors_required: bool = False  # the family's defaults found nothing; these did
    items: int = 0  # entries the proposed configuration finds on this page
    newest: str | None = None
    title: str = ""
    site_name: str = ""
    list_pages: list[str] = field(default_factory=list)  # news list pages this page links to
    list_api: str = ""  # the request a script-filled list comes from (the crawl follows it)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [asdict(e) | {"platform": e.platform} for e in self.evidence]
        return data


# -- signs ----------------------------------------------------------------------------------


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def own_paths(text: str, base: str) -> list[str]:
    """Path (and query) of every URL in the page that points to the page's own site."""
    host = _host(base)
    paths: list[str] = []
    for m in _QUOTED_URL.finditer(text):
        raw = (m.group(1) or m.group(2) or "").strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "data:")):
            continue
        joined = join_url(base, raw.replace("&amp;", "&"))
        if joined is None:
            continue
        parts = urlsplit(joined)
        if (
            parts.scheme not in {"http", "https"}
            or (parts.hostname or "").lower().removeprefix("www.") != host
        ):
            continue
        paths.append(parts.path + ("?" + parts.query if parts.query else ""))
    return paths


def find_signs(text: str, base: str, headers: dict[str, str] | None = None) -> list[Evidence]:
    paths = own_paths(text, base)
    found: list[Evidence] = []
    for sign in SIGNS:
        if sign.where == "url":
            count = sum(1 for p in paths if sign.pattern.search(p))
        else:
            count = len(sign.pattern.findall(text))
        if count >= sign.min_count:
            found.append(Evidence(sign.family, sign.weight, sign.what, count))
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    for family, weight, what, name in _HEADER_SIGNS:
        if name in lower:
            found.append(Evidence(family, weight, what))
    return found


def is_feed(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:1000].lower()
    if head.startswith("<!doctype html") or "<html" in head:
        return False
    return bool(re.search(r"<(rss|feed|rdf:rdf)\b", head))


def advertised_feeds(sel: Selector, base: str) -> list[str]:
    """Feed URLs the page announces (<link rel="alternate" type="application/rss+xml">)."""
    feeds: list[str] = []
    for link in sel.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        if "alternate" in rel and _FEED_TYPE.search(link.attrib.get("type") or ""):
            url = join_url(base, link.attrib.get("href"))
            if url and url not in feeds:
                feeds.append(url)
    return feeds


def feed_page_links(sel: Selector, base: str) -> list[str]:
    """Links to RSS pages or feeds on the own site ("RSS" in the header, /rss/…)."""
    host = _host(base)
    out: list[str] = []
    for a in sel.xpath("//a[@href]"):
        url = join_url(base, a.attrib.get("href"))
        if not url or _host(url) != host:
            continue
        text = " ".join(a.xpath(".//text()").getall()).strip().lower()
        if (_FEED_HREF.search(urlsplit(url).path) or text == "rss") and url not in out:
            out.append(url)
    return out


# -- reading the list -----------------------------------------------------------------------


def _newest(entries: list[ListEntry]) -> str | None:
    dates = [e.date for e in entries if e.date is not None]
    return iso(max(dates)) if dates else None


def _describe_defaults(platform: Platform) -> tuple[str, dict[str, str]]:
    d = platform.defaults
    if platform.name == "rss":
        return "feed items", {}
    if platform.name == "generic":
        return "link heuristics (URL shape, headline text)", {}
    if d.list_item and d.link:
        sel = {"list_item": d.list_item, "link": d.link}
        if d.list_date:
            sel["list_date"] = d.list_date
        return "default selectors", sel
    return "the family's article-URL patterns", {}


_API_NOTE = "the list loads from an API: "


def try_platform(name: str, page: Page, selectors: Selectors | None = None) -> Trial:
    """Read the page as a list of `name` (its defaults, or these selectors over them)."""
    platform = get_platform(name)
    how, shown = _describe_defaults(platform)
    if selectors is not None and (selectors.list_item or selectors.link):
        how = "configured selectors"
        merged = platform.selectors(selectors)
        shown = {k: v for k in ("list_item", "link", "list_date") if (v := getattr(merged, k))}
    try:
        result: ListPage = platform.parse_list(page, platform.selectors(selectors or Selectors()))
    except Exception as exc:  # a page the family's parser does not expect: not a crash
        return Trial(name, how, 0, note=f"could not be read this way ({exc.__class__.__name__})")
    entries = result.entries or []
    note = ""
    if result.entries is None:
        note = "no list container"
    if not entries and result.more:
        req = result.more[0]
        note = f"{_API_NOTE}{req.method} {req.url}"
    elif result.next is not None and result.next.method == "POST":
        note = f"later pages load from an API: POST {result.next.url}"
    return Trial(
        name,
        how,
        len(entries),
        newest=_newest(entries),
        note=note,
        selectors=shown,
        sample=[e.url for e in entries[:3]],
    )


# -- inducing list selectors ------------------------------------------------------------------

_STATE_CLASS = re.compile(
    r"^(active|current|selected|first|last|odd|even|clearfix|clear|row|hidden|show|"
    r"col(-\w+)*|span\d+|pull-\w+|float-\w+|text-\w+|[a-z]{1,2}-?\d+)$"
)


def _classes(el: lxml.html.HtmlElement) -> list[str]:
    return [
        c
        for c in (el.get("class") or "").split()
        if not _STATE_CLASS.match(c) and re.fullmatch(r"-?[A-Za-z_][\w-]*", c)
    ]


def _sig(el: lxml.html.HtmlElement) -> list[str]:
    """CSS for an element: tag.class for each usable class, or tag#id, or the tag."""
    tag = str(el.tag)
    out = [f"{tag}.{c}" for c in _classes(el)]
    ident = el.get("id") or ""
    if re.fullmatch(r"[A-Za-z][\w-]*", ident) and not re.search(r"\d{3,}", ident):
        out.append(f"{tag}#{ident}")
    return out


@dataclass
class _Candidate:
    list_item: str
    link: str
    found: int
    matched: int
    titled: int

    def score(self, wanted: int) -> float:
        if not self.found or not wanted:
            return 0.0
        precision, recall = self.matched / self.found, self.matched / wanted
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return f1 + 0.1 * self.titled / self.found


def _items_of(links: list[FoundLink], base: str) -> dict[str, lxml.html.HtmlElement]:
    """Per article URL, the largest element that holds a link to it and to no other article
    (an item's image and "read more" links go to the same article)."""
    urls = {link.url for link in links}
    under: dict[lxml.html.HtmlElement, set[str]] = {}
    root = links[0].element.getroottree().getroot()
    for a in root.iter("a"):
        joined = join_url(base, a.get("href"))
        url = joined.split("#", 1)[0] if joined else None
        if url not in urls:
            continue
        for anc in a.iterancestors():
            if anc.tag in {"body", "html"}:
                break
            under.setdefault(anc, set()).add(url)
    items: dict[str, lxml.html.HtmlElement] = {}
    for link in links:
        best = None
        for anc in link.element.iterancestors():
            if anc.tag in {"body", "html"} or under.get(anc, set()) != {link.url}:
                break
            best = anc
        if best is not None:
            items[link.url] = best
    return items


def _headline_anchor(
    item: lxml.html.HtmlElement | None, link: FoundLink, base: str
) -> lxml.html.HtmlElement:
    """The link of an item that carries its headline (not the picture's link to the same URL)."""
    if item is None:
        return link.element
    best, best_len = link.element, len(element_text(link.element))
    for a in item.iter("a"):
        if "#" in (a.get("href") or ""):
            continue  # "Leave a comment" (…#respond), "read more" (…#more-12)
        joined = join_url(base, a.get("href"))
        if joined and joined.split("#", 1)[0] == link.url and len(element_text(a)) > best_len:
            best, best_len = a, len(element_text(a))
    return best


def induce_selectors(sel: Selector, url: str, links: list[FoundLink]) -> dict[str, str] | None:
    """`list_item`, `link` (and `list_date`) that find these article links again, or None."""
    if len(links) < 3:
        return None
    items = _items_of(links, url)
    if len(items) < max(3, 0.6 * len(links)):
        return None
    wanted = {link.url for link in links}
    # list_item candidates: a class shared by the items, alone or under their container.
    item_sigs: Counter[str] = Counter()
    containers: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for el in items.values():
        tags[str(el.tag)] += 1
        for s in dict.fromkeys(_sig(el)):
            item_sigs[s] += 1
        parent = el.getparent()
        if parent is not None:
            for s in dict.fromkeys(_sig(parent)):
                containers[s] += 1
    n = len(items)
    item_candidates = [s for s, c in item_sigs.most_common(6) if c >= 0.8 * n]
    common_containers = [s for s, c in containers.most_common(3) if c >= 0.8 * n]
    tag = tags.most_common(1)[0][0]
    for cont in common_containers:
        item_candidates += [f"{cont} > {s}" for s in item_candidates[:3]]
        item_candidates.append(f"{cont} > {tag}")
    # link candidates: the headline link's classes, or its parent's (h3.title a), or a heading.
    link_sigs: Counter[str] = Counter()
    for link in links:
        a = _headline_anchor(items.get(link.url), link, url)
        parent = a.getparent()
        options = [s for s in _sig(a) if "#" not in s]
        if parent is not None:
            options += [f"{s} a" for s in _sig(parent) if "#" not in s]
            if re.fullmatch(r"h[1-6]", str(parent.tag)):
                options.append(f"{parent.tag} a")
        for s in dict.fromkeys(options):
            link_sigs[s] += 1
    link_candidates = [s for s, c in link_sigs.most_common(6) if c >= 0.6 * len(links)]
    link_candidates.append("a")
    generic = get_platform("generic")
    best: _Candidate | None = None
    for item_q in dict.fromkeys(item_candidates):
        for link_q in link_candidates:
            selectors = Selectors(list_item=item_q, link=f"{link_q}::attr(href)")
            try:
                entries = generic.list_entries(sel, url, selectors) or []
            except Exception:  # an induced selector parsel rejects: try the next
                continue
            found = {e.url.split("#", 1)[0] for e in entries}
            cand = _Candidate(
                item_q,
                link_q,
                len(found),
                len(found & wanted),
                sum(1 for e in entries if len(e.title.split()) >= 4),
            )
            if best is None or cand.score(len(wanted)) > best.score(len(wanted)):
                best = cand
    if best is None or not best.found:
        return None
    if best.matched / best.found < 0.7 or best.matched / len(wanted) < 0.6:
        return None
    out = {"list_item": best.list_item, "link": f"{best.link}::attr(href)"}
    date_q = _induce_date(sel, best.list_item)
    if date_q:
        out["list_date"] = date_q
    return out


def _induce_date(sel: Selector, item_q: str) -> str | None:
    """The element of each item that prints its date, when most items have one."""
    items = [i.root for i in sel.css(item_q) if isinstance(i.root, lxml.html.HtmlElement)]
    if not items:
        return None
    sigs: Counter[str] = Counter()
    for item in items:
        seen: set[str] = set()
        for el in item.iter():
            if not isinstance(el.tag, str) or el.tag == "a":
                continue
            text = element_text(el)
            if not text or len(text) > 60 or not parse_vn_date(text):
                continue
            for s in [*_sig(el), str(el.tag)]:
                if "#" not in s and s not in seen:
                    seen.add(s)
                    sigs[s] += 1
    for s, c in sigs.most_common():
        if c >= 0.6 * len(items):
            return s
    return None


# -- the verdict ----------------------------------------------------------------------------


def _page_base(sel: Selector, url: str | None) -> str:
    if url:
        return url
    for query in ('link[rel="canonical"]::attr(href)', 'meta[property="og:url"]::attr(content)'):
        value = (sel.css(query).get() or "").strip()
        if value.startswith(("http://", "https://")):
            return value
    return UNKNOWN_BASE


_PORTAL_WORDS = re.compile(
    r"\b(cong thong tin|cong giao tiep|trang thong tin|so |uy ban|ubnd|cong an|hoi |"
    r"van phong|portal)"
)
_NEWS_LINK = re.compile(
    r"^(tin tuc|tin tong hop|tin hoat dong|tin trong tinh|su kien|thong bao|tin noi bat|"
    r"hoat dong|tin moi|tin chi dao|chi dao dieu hanh|news)"
)


def _site_name(sel: Selector | None, title: str) -> str:
    """The portal's name: og:site_name (unless it is a host name), else the part of the title
    (or of the author meta tag) that reads like one ("Cổng thông tin điện tử tỉnh …")."""
    og = meta_content(sel, "og:site_name") if sel is not None else ""
    candidates = [og] if og and not re.fullmatch(r"[\w.-]+\.[a-z]{2,}", og) else []
    candidates += [p.strip() for p in re.split(r"\s+[-|–—]\s+", title) if p.strip()]
    if sel is not None:
        candidates.append(meta_content(sel, "author"))
    for candidate in candidates:
        if candidate and _PORTAL_WORDS.search(_fold(candidate) + " "):
            return candidate
    return ""


def list_page_links(sel: Selector, base: str, limit: int = 6) -> list[str]:
    """Links to news list pages on the own site ("Tin tức", "Thông báo"…), for a homepage."""
    host = _host(base)
    out: list[str] = []
    for a in sel.xpath("//a[@href]"):
        url = join_url(base, a.attrib.get("href"))
        if not url or _host(url) != host or url.rstrip("/") == base.rstrip("/"):
            continue
        root = a.root
        text = _fold(element_text(root)) if isinstance(root, lxml.html.HtmlElement) else ""
        if _NEWS_LINK.match(text) and len(text) < 40 and url not in out:
            out.append(url.split("#", 1)[0])
        if len(out) >= limit:
            break
    return out


def detect(text: str, url: str | None = None, headers: dict[str, str] | None = None) -> Detection:
    """The CMS family of a page (HTML or feed), with the evidence and a list reading."""
    headers = dict(headers or {})
    if is_feed(text):
        return _detect_feed(text, url or "", headers)
    sel = make_selector(text, url or UNKNOWN_BASE)
    base = _page_base(sel, url)
    if base != (url or UNKNOWN_BASE):
        sel = make_selector(text, base)
    evidence = find_signs(text, base, headers)
    feeds = advertised_feeds(sel, base)
    if feeds:
        evidence.append(
            Evidence(
                "rss",
                2,
                "the page advertises feeds (<link rel=alternate type=…rss+xml>)",
                len(feeds),
            )
        )
    rss_pages = feed_page_links(sel, base)
    if rss_pages:
        evidence.append(Evidence("rss", 1, "links to RSS pages or feeds", len(rss_pages)))
    scores: Counter[str] = Counter()
    for ev in evidence:
        scores[ev.family] += ev.weight
    modules = sorted(
        ((scores[f], f) for f in MODULE_FAMILIES if scores[f]), key=lambda t: (-t[0], t[1])
    )
    cms = sorted(((s, f) for f, s in scores.items() if f.startswith("cms:")), reverse=True)
    title = (sel.css("title::text").get() or "").strip()
    detection = Detection(
        url=url or (base if base != UNKNOWN_BASE else ""),
        kind="html",
        platform="generic",
        confidence="low",
        reason="no CMS signature found: the generic heuristics read the page",
        scores=dict(sorted(scores.items())),
        evidence=sorted(evidence, key=lambda e: (-scores[e.family], e.family, -e.weight)),
        feeds=feeds,
        title=title,
        site_name=_site_name(sel, title),
        list_pages=list_page_links(sel, base),
    )
    if modules and modules[0][0] >= MIN_SCORE:
        best, family = modules[0]
        runner_up = modules[1][0] if len(modules) > 1 else 0
        detection.platform = family
        if best >= HIGH_SCORE and best - runner_up >= MIN_SCORE:
            detection.confidence = "high"
        elif best - runner_up >= 2:
            detection.confidence = "medium"
        else:
            detection.confidence = "low"
        detection.reason = f"{family} signs weigh {best}" + (
            f" (next: {modules[1][1]} {runner_up})" if runner_up else ""
        )
    elif cms:
        detection.cms = cms[0][1].removeprefix("cms:")
        detection.platform = "generic"
        detection.confidence = "medium"
        detection.reason = (
            f"{detection.cms} has no vnfeeds module: the generic heuristics read it"
            + (' (its feeds are an alternative: platform = "rss")' if feeds else "")
        )
    elif feeds:
        detection.platform = "rss"
        detection.confidence = "medium"
        detection.reason = "no CMS signature, and the page advertises feeds: read the feeds"
    page = Page(base, text, headers=headers)
    _read_list(detection, page, sel)
    return detection


def _detect_feed(text: str, url: str, headers: dict[str, str]) -> Detection:
    page = Page(url or UNKNOWN_BASE, text, headers=headers)
    entries = feed_entries(page)
    root = re.search(r"<(rss|feed|rdf:RDF)\b", text, re.IGNORECASE)
    what = {"rss": "an RSS 2.0 feed", "feed": "an Atom feed"}.get(
        (root.group(1) if root else "").lower(), "an RSS 1.0 (RDF) feed"
    )
    title_m = re.search(r"<title[^>]*>(?:<!\[CDATA\[)?\s*([^<\]]*)", text)
    title = title_m.group(1).strip() if title_m else ""
    detection = Detection(
        url=url,
        kind="feed",
        platform="rss",
        confidence="high" if entries is not None else "medium",
        reason=f"the document is {what}",
        scores={"rss": 5},
        evidence=[Evidence("rss", 5, f"the document is {what}")],
        feeds=[url] if url else [],
        title=title,
        site_name=_site_name(None, title),
    )
    count = len(entries or [])
    detection.trials = [
        Trial(
            "rss",
            "feed items",
            count,
            newest=_newest(entries or []),
            note="" if entries is not None else "not readable as a feed",
            sample=[e.url for e in (entries or [])[:3]],
        )
    ]
    detection.items = count
    detection.newest = _newest(entries or [])
    return detection


def _read_list(detection: Detection, page: Page, sel: Selector) -> None:
    trials = [try_platform(name, page) for name in PLATFORMS if name != "rss"]
    links = article_links(sel, page.url)
    induced = induce_selectors(sel, page.url, links)
    if induced:
        entries = (
            get_platform("generic").list_entries(sel, page.url, Selectors.model_validate(induced))
            or []
        )
        trials.append(
            Trial(
                "induced",
                "selectors induced from the page's article links",
                len(entries),
                newest=_newest(entries),
                selectors=induced,
                sample=[e.url for e in entries[:3]],
            )
        )
    detection.trials = trials
    # An rss source reads the feeds, not this page: what the page lists is shown for comparison.
    shown = "generic" if detection.platform == "rss" else detection.platform
    chosen = next(t for t in trials if t.platform == shown)
    detection.items, detection.newest = chosen.items, chosen.newest
    if chosen.note.startswith(_API_NOTE):
        detection.list_api = chosen.note.removeprefix(_API_NOTE)
    if detection.platform in {"rss"} or not induced:
        return
    if chosen.items == 0:
        # The family's defaults miss this portal's list markup: the induced ones, checked with
        # the family's own list reading, go in [source.selectors].
        check = try_platform(detection.platform, page, Selectors.model_validate(induced))
        if check.items:
            detection.selectors = induced
            detection.selectors_required = True
            detection.items, detection.newest = check.items, check.newest
    elif detection.platform == "generic" or not get_platform(detection.platform).defaults.list_item:
        detection.selectors = induced  # optional: pins the list down (printed commented out)


# -- the starting [[source]] entry -------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@dataclass
class SourceGuess:
    id: str
    province: str | None
    former_province: str | None
    why: str


def guess_source(url: str) -> SourceGuess:
    """id and province from a portal's host (`sotttt.hanoi.gov.vn` -> sotttt-hanoi, ha-noi)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = [x for x in host.split(".") if x]
    if labels[-2:] == ["gov", "vn"]:
        labels = labels[:-2]
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(labels)).strip("-") or "new-source"
    if re.fullmatch(r"[\d-]+", slug):
        slug = "portal-" + slug
    if not labels or not host.endswith(".gov.vn"):
        return SourceGuess(slug, None, None, f"the host {host or '(none)'} names no province")
    name = labels[-1]
    current = places.provinces()
    by_name = {p.replace("-", ""): p for p in current}
    by_portal: dict[str, str] = {}
    for former in places.former_provinces().values():
        portal_host = (urlsplit(former.portal).hostname or "").removeprefix("www.")
        if portal_host.endswith(".gov.vn"):
            by_portal[portal_host.removesuffix(".gov.vn")] = former.slug
    if name in by_name:
        province = by_name[name]
        return SourceGuess(
            province if len(labels) == 1 else slug,
            province,
            None,
            f"guessed from the host {host}",
        )
    former_slug = by_portal.get(name)
    if former_slug:
        merged = places.former_provinces()[former_slug].merged_into
        if former_slug in current:
            return SourceGuess(
                former_slug if len(labels) == 1 else slug,
                former_slug,
                None,
                f"guessed from the host {host}",
            )
        return SourceGuess(
            f"{former_slug}-archive" if len(labels) == 1 else slug,
            merged,
            former_slug,
            f"{host} belongs to the former province {former_slug}, merged into {merged} on "
            "2025-07-01",
        )
    return SourceGuess(slug, None, None, f"the host {host} names no province vnfeeds knows")


def _q(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def source_toml(d: Detection, today: datetime | None = None) -> str:
    """A starting `[[source]]` entry for the detected page, with comments where a value is a
    guess or still to be filled in (the registry rejects the placeholders with a clear message)."""
    known_url = d.url if d.url.startswith(("http://", "https://")) else ""
    guess = guess_source(known_url) if known_url else None
    lines = [
        f"# Started by `vnfeeds sources detect`{' on ' + today.date().isoformat() if today else ''}"
        f": platform {d.platform} ({d.confidence} confidence).",
        "# Check every value, then `vnfeeds sources check` (and `--live` on a connected machine).",
        "[[source]]",
    ]
    if guess:
        lines.append(f"id = {_q(guess.id)}")
    else:
        lines.append('id = "new-source"  # a unique ASCII slug for this portal')
    if guess and guess.province:
        lines.append(f"province = {_q(guess.province)}  # {guess.why}")
    else:
        why = guess.why if guess else "no URL given"
        lines.append(f'province = "CHANGE-ME"  # {why}: use a slug from crawler/data/provinces.csv')
    if guess and guess.former_province:
        lines.append(f"former_province = {_q(guess.former_province)}")
    if d.site_name:
        lines.append(f"name = {_q(d.site_name)}")
    elif d.title:
        lines.append(f"name = {_q(d.title)}  # the page title: shorten it to the portal's name")
    else:
        lines.append('name = ""  # the portal\'s name, e.g. "Cổng thông tin điện tử tỉnh …"')
    if known_url:
        parts = urlsplit(known_url)
        lines.append(f"homepage = {_q(f'{parts.scheme}://{parts.netloc}/')}")
    else:
        lines.append('homepage = "CHANGE-ME"  # the portal\'s https:// address')
    lines.append(f"platform = {_q(d.platform)}")
    archive = bool(guess and guess.former_province)
    lines.append(
        "enabled = false  # a pre-2025 portal: turn it on if it still serves"
        if archive
        else "enabled = true"
    )
    lines += ['interval = "60m"', "max_pages = 3"]
    note = f"Platform {d.platform} detected ({d.reason})."
    if d.cms:
        note = f"{d.cms}; platform generic ({d.reason})."
    lines.append(f"notes = {_q(note)}")
    sections = d.feeds if d.platform == "rss" and d.kind == "html" and d.feeds else []
    if not sections:
        sections = [known_url] if known_url else []
    for section in sections:
        lines += ["", "[[source.section]]", f"url = {_q(section)}", "topics = []"]
    if d.list_api:
        lines.append(f"# ^ its list loads from an API, which the crawl follows: {d.list_api}")
    elif sections and d.kind == "html" and d.platform != "rss" and d.items == 0:
        lines.append(
            "# ^ vnfeeds reads no articles on this page: use a news list page instead"
            + (", e.g. one of:" if d.list_pages else ".")
        )
        lines += [f"#   {u}" for u in d.list_pages]
    if not sections:
        lines += [
            "",
            "[[source.section]]",
            'url = "CHANGE-ME"  # the https:// URL of this list page',
            "topics = []",
        ]
    if d.selectors:
        lines.append("")
        if d.selectors_required:
            lines.append(
                f"# {d.platform}'s default list selectors find nothing here; these find "
                f"{d.items} items:"
            )
            prefix = ""
        else:
            lines.append(
                f"# Optional: {d.platform} reads this list without selectors; these induced "
                "ones pin it down:"
            )
            prefix = "# "
        lines.append(f"{prefix}[source.selectors]")
        for key in ("list_item", "link", "list_date"):
            if key in d.selectors:
                lines.append(f"{prefix}{key} = {_q(d.selectors[key])}")
    return "\n".join(lines) + "\n"


def report_text(d: Detection) -> str:
    """The human-readable report of `vnfeeds sources detect`."""
    out = [d.url or "(a file without a URL: pass --url to resolve its links)"]
    kind = "feed" if d.kind == "feed" else "page"
    what = f"platform: {d.platform} ({d.confidence} confidence)"
    if d.cms:
        what += f"; CMS: {d.cms}"
    out += [f"{kind} {what}", f"  why: {d.reason}", "evidence:"]
    if not d.evidence:
        out.append("  (none)")
    for ev in d.evidence:
        count = f" ×{ev.count}" if ev.count > 1 else ""
        out.append(f"  {ev.family:<24} +{ev.weight}  {ev.what}{count}")
    if d.feeds and d.kind == "html":
        out.append("feeds advertised: " + ", ".join(d.feeds))
    if d.list_pages and not d.items:
        out.append("news list pages linked from it: " + ", ".join(d.list_pages))
    out.append("list items found on this page:")
    for t in d.trials:
        shown = t.items or t.platform in {d.platform, "induced"}
        sel = ", ".join(f"{k} = {v!r}" for k, v in t.selectors.items()) if shown else ""
        line = f"  {t.platform:<11} {t.items:>3}  {t.how}" + (f": {sel}" if sel else "")
        if t.note:
            line += f" ({t.note})"
        out.append(line)
    out.append(f"newest date on the list: {d.newest or '(none found)'}")
    return "\n".join(out)
