"""Finding article links and the next list page without selectors.

Article links: every link of the page outside navigation, header, footer and pager, on the
portal's host, whose text reads like a headline (several words), grouped by the shape of their
URL (`/<slug>-<id>.html`, `/tin-tuc/<cat>/<slug>.html`, `?nid=<n>`…); the group with the most
headline-like links is the list. Portals print one URL shape per article type, menus and footers
another, so the dominant shape separates them without knowing the CMS.

Next page: a link marked rel="next", labelled "Trang sau", "Tiếp", "›", "»"…, or numbered one more
than the current page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import lxml.html
from parsel import Selector

from crawler.extract.html import element_text
from crawler.urls import join_url

_SKIP_ANCESTOR = re.compile(
    r"(^|[\s_-])(nav|navbar|footer|header|breadcrumbs?|banner|logo|"
    r"social|share|pager|paging|pagination|login|search|lang|language|weblink|lien-ket|"
    r"lienket|quangcao|advert|ads|sidebar|widget)([\s_-]|$)",
    re.IGNORECASE,
)
_NOT_ARTICLE_EXT = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|webp|svg|mp4|mp3|css|js|xml|rss)$",
    re.IGNORECASE,
)
_JS = re.compile(r"^\s*(javascript:|#|mailto:|tel:|$)", re.IGNORECASE)
NEXT_TEXT = re.compile(
    r"^\s*(next|tiếp|tiếp theo|trang sau|trang tiếp|sau|›|»|>|>>|→)\s*[»›>]*\s*$", re.IGNORECASE
)
_PAGE_PARAM = re.compile(r"^(page|p|pageindex|trang|pg|paged|cur|pagenum|_\d+_cur)$", re.I)
_PAGE_IN_PATH = re.compile(r"(?:/page[-/]|/trang[-/]|-p|/p)(\d+)(?=/|\.html?|$)", re.I)


@dataclass
class FoundLink:
    url: str
    title: str
    element: lxml.html.HtmlElement


# An entry's own header or footer ("entry-header", "post-footer"), not the page's.
_ARTICLE_PART = re.compile(r"\b(?:entry|post|article|news|item|card)[-_](?:header|footer)\b", re.I)


def _skipped(a: lxml.html.HtmlElement) -> bool:
    ancestors = list(a.iterancestors())
    for i, anc in enumerate(ancestors):
        # Not <form>: ASP.NET portals wrap the whole page in one.
        if anc.tag in {"nav", "aside", "select"}:
            return True
        if anc.tag in {"header", "footer"} and not any(
            up.tag == "article" for up in ancestors[i + 1 :]
        ):
            return True  # the page's header or footer (an article's own header holds its title)
        if anc.tag in {"body", "html"}:
            break  # their classes describe the page ("wp-custom-logo", "has-header-image")
        ident = _ARTICLE_PART.sub(" ", f"{anc.get('class') or ''} {anc.get('id') or ''}")
        if not ident.strip():
            continue
        if _SKIP_ANCESTOR.search(ident):
            return True
        if _MENU.search(ident) and _is_menu(anc):
            return True
    return False


# "menu" names navigation menus, and also WebSphere's WCM Menu component, which prints the
# news lists themselves ("ag-wcm-menu"): a menu is navigation when its links are not headlines.
_MENU = re.compile(r"(^|[\s_-])(menu|mainmenu|topmenu|menubar)([\s_-]|$)", re.IGNORECASE)


def _is_menu(el: lxml.html.HtmlElement) -> bool:
    texts = [element_text(a) for a in el.iter("a")]
    texts = [t for t in texts if t]
    return not texts or sum(_headline(t) for t in texts) * 2 < len(texts)


def url_shape(url: str) -> str:
    """`/tin-tuc/chuyen-de/hoi-nghi-abc-123.html?nid=5` -> `/S/S/S-N.html?nid=N`."""
    parts = urlsplit(url)
    segments = []
    for seg in parts.path.lower().split("/"):
        if not seg:
            continue
        stem, dot, ext = seg.rpartition(".") if "." in seg else (seg, "", "")
        if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", stem):
            # "-31562" is an id; "-2025" (a year in the title) is not
            shape = "S-N" if re.search(r"-(?!(?:19|20)\d\d$)\d+$", stem) else "S"
        elif len(stem) >= 16:
            shape = "T"  # an opaque token (WebSphere portlet state, a hash, a base64 id)
        else:
            shape = re.sub(r"[a-z]+", "w", re.sub(r"\d+", "N", stem))
        segments.append(shape + (dot + ext if dot else ""))
    query = "&".join(
        f"{k.lower()}={'N' if v.isdigit() else 'v'}"
        for k, v in sorted(parse_qsl(parts.query))
        if not _PAGE_PARAM.match(k)
    )
    return "/" + "/".join(segments) + ("?" + query if query else "")


def _headline(text: str) -> bool:
    return len(text) >= 20 and len(text.split()) >= 4


def article_links(sel: Selector, page_url: str, same_host: str | None = None) -> list[FoundLink]:
    """Links that look like the list of articles on a list page, in page order."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return []
    host = same_host or urlsplit(page_url).hostname
    page_path = urlsplit(page_url).path.rstrip("/")
    by_url: dict[str, FoundLink] = {}
    order: list[str] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if _JS.match(href):
            continue
        joined = join_url(page_url, href)
        if joined is None:
            continue
        url = joined.split("#", 1)[0]
        parts = urlsplit(url)
        if parts.hostname != host or _NOT_ARTICLE_EXT.search(parts.path):
            continue
        if parts.path.rstrip("/") in {"", page_path} and not parts.query:
            continue
        if _skipped(a):
            continue
        title = element_text(a) or (a.get("title") or "").strip()
        if "#" in href:
            title = ""  # an in-page anchor ("Để lại bình luận trong …" → #respond): no headline
        known = by_url.get(url)
        if known is None:
            by_url[url] = FoundLink(url, title, a)
            order.append(url)
        elif len(title) > len(known.title):
            known.title, known.element = title, a
    groups: dict[str, list[str]] = defaultdict(list)
    for url in order:
        if _headline(by_url[url].title):
            groups[url_shape(url)].append(url)
    if not groups:
        return []

    def score(item: tuple[str, list[str]]) -> tuple[int, float]:
        urls = item[1]
        return len(urls), sum(len(by_url[u].title) for u in urls) / len(urls)

    best_shape, best = max(groups.items(), key=score)
    # Keep close relatives of the dominant shape (same depth and extension), e.g. articles of
    # two sub-categories listed together.
    depth = best_shape.count("/")
    ext = best_shape.rsplit(".", 1)[-1] if "." in best_shape.rsplit("/", 1)[-1] else ""
    keep = set(best)
    for shape, urls in groups.items():
        if shape == best_shape or len(urls) < 2:
            continue
        s_ext = shape.rsplit(".", 1)[-1] if "." in shape.rsplit("/", 1)[-1] else ""
        if shape.count("/") == depth and s_ext == ext and ("N" in shape) == ("N" in best_shape):
            keep.update(urls)
    headlines = [u for u in order if _headline(by_url[u].title)]
    keep |= _same_slot(keep, headlines, by_url)
    return [by_url[u] for u in order if u in keep]


def _tag_path(el: lxml.html.HtmlElement, top: lxml.html.HtmlElement) -> tuple[str, ...] | None:
    """Tags from el up to (not including) top; None when el is not under top."""
    path: list[str] = []
    for anc in [el, *el.iterancestors()]:
        if anc is top:
            return tuple(path)
        path.append(str(anc.tag))
    return None


def _same_slot(keep: set[str], candidates: list[str], by_url: dict[str, FoundLink]) -> set[str]:
    """Headline links printed in the same slot of the same list as the chosen ones.

    A list's items share their markup whatever their URLs look like (a Drupal node without an
    alias, `/node/1530`, among `/<title-slug>` aliases). From each chosen link, climb: at each
    ancestor, other headline links under another child of it whose tag path down from it is
    the chosen link's are items of the same list. The climb stops at the first ancestor where
    some are found, at <body>, or after a few levels."""
    others = [u for u in candidates if u not in keep]
    added: set[str] = set()
    if not others:
        return added
    for url in keep:
        el = by_url[url].element
        child = el
        for level, anc in enumerate(el.iterancestors()):
            if anc.tag in {"body", "html"} or level >= 8:
                break
            path = _tag_path(el, anc)
            found = set()
            for other in others:
                other_el = by_url[other].element
                if other in added or _tag_path(other_el, anc) != path:
                    continue
                if not any(up is child for up in [other_el, *other_el.iterancestors()]):
                    found.add(other)  # under another child of anc: another item
            if found:
                added |= found
                break
            child = anc
    return added


def _current_page(url: str) -> int:
    parts = urlsplit(url)
    for k, v in parse_qsl(parts.query):
        if _PAGE_PARAM.match(k) and v.isdigit():
            return int(v)
    m = _PAGE_IN_PATH.search(parts.path)
    return int(m.group(1)) if m else 1


def next_page_link(
    sel: Selector, page_url: str, anchors: list[lxml.html.HtmlElement] | None = None
) -> str | None:
    """The next list page: rel=next, a "next" label, or the number after the current page."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return None
    candidates = anchors if anchors is not None else list(root.iter("a"))
    current = _current_page(page_url)
    by_number: str | None = None
    for a in candidates:
        href = (a.get("href") or "").strip()
        if _JS.match(href):
            continue
        url = join_url(page_url, href)
        if url is None or url == page_url:
            continue
        rel = (a.get("rel") or "").lower().split()
        text = element_text(a) or (a.get("title") or "").strip() or (a.get("aria-label") or "")
        if "next" in rel or NEXT_TEXT.match(text) or "next" in (a.get("class") or "").lower():
            return url
        if text.strip() == str(current + 1) and by_number is None:
            by_number = url
    return by_number
