"""HTML plumbing shared by every platform: parsing, selecting, cleaning, sanitizing, text blocks.

The body of an article goes through `clean_body`:
1. drop what is never content (scripts, styles, forms, embeds, comments, hidden elements),
2. drop the source's and the platform's `remove` selectors and the boilerplate blocks
   (accessibility toolbars, share/print links, view counters, related-article blocks),
3. take the author trailer ("Tác giả: …", "Nguồn: …", "Tin, ảnh: …") off the end,
4. turn image + caption paragraphs into `figure`/`figcaption`, resolve lazy images,
5. make every URL absolute against the page URL,
6. sanitize with an allow-list (nh3) and read the text back as blocks, as a reader sees them.
"""

from __future__ import annotations

import copy
import html as html_lib
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import nh3
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

from crawler.extract import boilerplate
from crawler.items import Attachment
from crawler.textnorm import clean_text, strip_illegal, strip_invisible
from crawler.urls import join_url

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Removed with everything inside: never article content.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "nav",
    "svg",
    "math",
    "canvas",
    "template",
    "link",
    "meta",
    "base",
    "audio",
    "video",
    "source",
    "track",
    "map",
    "area",
    "head",
    "title",
)
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "blockquote",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "pre",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "aside",
    "main",
    "center",
    "tbody",
    "thead",
    "tfoot",
    "caption",
    "hr",
}
DOC_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
    ".7z",
    ".odt",
    ".ods",
    ".rtf",
)
# "Tập tin : x.pdf", "Tải về: x.doc": the label before a file name in a download link.
_FILE_LABEL = re.compile(r"^\s*(tập tin|tệp tin|tệp|file|tải về|tải xuống|download)\s*:\s*", re.I)
IMAGE_PLACEHOLDER = re.compile(r"(data:image/|blank\.gif|spacer\.gif|loading\.gif|lazy)", re.I)


# -- parsing and selecting -------------------------------------------------------------------


# Numeric references to characters XML forbids (&#11; is Word's line break): never content, and
# lxml refuses them in the tree it builds.
_NUMERIC_REF = re.compile(r"&#([xX][0-9a-fA-F]+|[0-9]+);?")


def _drop_illegal_ref(m: re.Match[str]) -> str:
    ref = m.group(1)
    try:
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        char = chr(code)
    except (ValueError, OverflowError):
        return " "
    return " " if strip_illegal(char) != char else m.group(0)


# HTML5 void elements libxml2's HTML4 parser does not know: written open, it nests the rest of
# the page inside them (`<embed …><p>…` would swallow the article).
_VOID_HTML5 = re.compile(r"<(embed|source|track|wbr|keygen)\b([^>]*?)\s*/?>", re.IGNORECASE)


def make_selector(html: str, url: str) -> Selector:
    # Control characters make lxml stop early or refuse the tree; they are never content.
    html = _NUMERIC_REF.sub(_drop_illegal_ref, strip_illegal(html))
    html = _VOID_HTML5.sub(r"<\1\2 />", html)
    return Selector(text=html, base_url=url, type="html")


@cache
def css_to_xpath(query: str) -> str:
    if query.startswith("xpath:"):
        return query[len("xpath:") :]
    return HTMLTranslator().css_to_xpath(query)


def select(sel: Selector | SelectorList[Selector], query: str) -> SelectorList[Selector]:
    """CSS (parsel) or 'xpath:…'; 'A || B' tries B only when A matches nothing."""
    found: SelectorList[Selector] = SelectorList()
    for part in query.split("||"):
        q = part.strip()
        if not q:
            continue
        found = sel.xpath(q[len("xpath:") :]) if q.startswith("xpath:") else sel.css(q)
        if found:
            return found
    return found


def raw_text(el: lxml.html.HtmlElement) -> str:
    """Text content with block boundaries and <br> as spaces, whitespace left as it is."""
    parts: list[str] = [el.text or ""]

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in DROP_TAGS:
            if node.tail:
                parts.append(node.tail)
            return
        block = node.tag in BLOCK_TAGS or node.tag == "br"
        if block:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append(" ")
        if node.tail:
            parts.append(node.tail)

    for child in el:
        walk(child)
    return "".join(parts)


def element_text(el: lxml.html.HtmlElement) -> str:
    """Text content as a reader sees it (block boundaries become spaces)."""
    return clean_text(raw_text(el))


def _node_text(item: Selector) -> str:
    root = item.root
    if isinstance(root, lxml.html.HtmlElement):
        return element_text(root)
    return clean_text(str(root))


def select_text(sel: Selector, query: str | None) -> str:
    """The text of the first non-empty match: strings for ::text/::attr, else element text."""
    if not query:
        return ""
    for item in select(sel, query):
        value = _node_text(item)
        if value:
            return value
    return ""


def select_elements(sel: Selector, query: str | None) -> list[lxml.html.HtmlElement]:
    if not query:
        return []
    return [
        item.root for item in select(sel, query) if isinstance(item.root, lxml.html.HtmlElement)
    ]


_META_CACHE: weakref.WeakKeyDictionary[lxml.html.HtmlElement, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)


def _metas(sel: Selector) -> dict[str, str]:
    """Every <meta> of the page by property/name/itemprop (lower case), read once per page."""
    root = sel.root
    if not isinstance(root, lxml.html.HtmlElement):
        return {}
    cached = _META_CACHE.get(root)
    if cached is not None:
        return cached
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key and key not in metas:
                metas[key] = content
    _META_CACHE[root] = metas
    return metas


def meta_content(sel: Selector, *names: str) -> str:
    metas = _metas(sel)
    for name in names:
        value = metas.get(name.lower())
        if value and value.strip():
            return clean_text(value)
    return ""


# -- body cleaning ---------------------------------------------------------------------------


@dataclass
class Body:
    html: str = ""
    blocks: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (src, caption)
    attachments: list[Attachment] = field(default_factory=list)
    author: str | None = None
    author_priority: int = 9  # trailer_priority of the line the author came from

    @property
    def text(self) -> str:
        return "\n\n".join(self.blocks)


def _remove(el: lxml.html.HtmlElement) -> None:
    """Remove an element but keep its tail text in the document."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _drop_never_content(root: lxml.html.HtmlElement) -> None:
    for node in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _remove(node)
    for node in list(root.iter(*DROP_TAGS)):
        _remove(node)
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        style = (node.get("style") or "").replace(" ", "").lower()
        if (
            "display:none" in style
            or "visibility:hidden" in style
            or node.get("hidden") is not None
        ):
            _remove(node)


@cache
def _union_xpath(queries: tuple[str, ...]) -> str:
    return " | ".join(css_to_xpath(q) for q in queries)


def _remove_selectors(root: lxml.html.HtmlElement, queries: Iterable[str]) -> None:
    """Remove what the selectors match, in one pass (their union; relative to the body, as
    'descendant-or-self::' is what parsel's translation produces)."""
    xpath = _union_xpath(tuple(queries))
    if not xpath:
        return
    for node in list(root.xpath(xpath)):
        if (
            isinstance(node, lxml.html.HtmlElement)
            and node is not root
            and (node.getparent() is not None)
        ):
            _remove(node)


def _fix_images(root: lxml.html.HtmlElement) -> None:
    for img in root.iter("img"):
        src = img.get("src") or ""
        lazy = img.get("data-src") or img.get("data-original") or img.get("data-lazy-src")
        if lazy and (not src or IMAGE_PLACEHOLDER.search(src)):
            img.set("src", lazy)
        for attr in ("srcset", "data-srcset", "sizes"):
            img.attrib.pop(attr, None)


def _is_image_only(el: lxml.html.HtmlElement) -> bool:
    return bool(el.xpath(".//img")) and not element_text(el)


def _caption_like(el: lxml.html.HtmlElement) -> bool:
    text = element_text(el)
    if not text or len(text) > 400 or el.xpath(".//img"):
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    centred = "text-align:center" in style or el.get("align") == "center"
    children = [c for c in el if isinstance(c.tag, str)]
    only_emphasis = (
        len(children) == 1
        and children[0].tag in {"em", "i"}
        and not (el.text or "").strip()
        and not (children[0].tail or "").strip()
    )
    cls = (el.get("class") or "").lower()
    return centred or only_emphasis or "caption" in cls or text.startswith(("Ảnh:", "Ảnh minh"))


def _inline_caption(holder: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, str] | None:
    """`<p><img><br><em>caption</em></p>`: one image, then a short caption in the same block."""
    imgs = holder.xpath(".//img")
    if len(imgs) != 1 or any(
        isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in holder.iterdescendants()
    ):
        return None
    img = imgs[0]
    if (holder.text or "").strip():
        return None  # text before the image: a paragraph with an inline picture
    before = True
    caption_parts: list[str] = []
    for node in holder.iter():
        if node is img:
            before = False
            if node.tail:
                caption_parts.append(node.tail)
            continue
        if node is holder or not isinstance(node.tag, str):
            continue
        if before:
            if raw_text(node).strip() and not any(a is node for a in img.iterancestors()):
                return None
            continue
        if any(a is img for a in node.iterancestors()):
            continue
        caption_parts.append(node.text or "")
        if node.tail and node.getparent() is not None:
            caption_parts.append(node.tail)
    caption = clean_text("".join(caption_parts))
    if not caption or len(caption) > 300:
        return None
    style = (holder.get("style") or "").replace(" ", "").lower()
    emphasised = bool(holder.xpath(".//em|.//i"))
    if "text-align:center" in style or holder.get("align") == "center" or emphasised:
        return img, caption
    return None


def _figures(root: lxml.html.HtmlElement) -> None:
    """`<p><img></p><p><em>caption</em></p>` and image tables become figure/figcaption."""
    # Image tables: one cell with the image, the next row/cell with the caption.
    for table in list(root.iter("table")):
        imgs = table.xpath(".//img")
        cells = [c for c in table.iter("td", "th")]
        if len(imgs) != 1 or len(cells) > 3:
            continue
        texts = [element_text(c) for c in cells if not c.xpath(".//img")]
        texts = [t for t in texts if t]
        if len(texts) > 1:
            continue
        figure = lxml.html.Element("figure")
        figure.append(copy.copy(imgs[0]))
        figure[0].tail = None
        if texts:
            cap = lxml.etree.SubElement(figure, "figcaption")
            cap.text = texts[0]
        figure.tail = table.tail
        table.getparent().replace(table, figure)
    for holder in list(root.iter("p", "div", "center")):
        if holder.getparent() is None or any(a.tag == "figure" for a in holder.iterancestors()):
            continue  # gone, or already a figure (its figcaption is handled below)
        inline = _inline_caption(holder)
        if inline is not None:
            img, inline_caption = inline
            figure = lxml.html.Element("figure")
            clone = copy.copy(img)
            clone.tail = None
            figure.append(clone)
            cap = lxml.etree.SubElement(figure, "figcaption")
            cap.text = inline_caption
            figure.tail = holder.tail
            holder.getparent().replace(holder, figure)
            continue
        if not _is_image_only(holder):
            continue
        imgs = holder.xpath(".//img")
        nxt = holder.getnext()
        caption = None
        if nxt is not None and nxt.tag in {"p", "div", "center", "em", "i"} and _caption_like(nxt):
            caption = element_text(nxt)
        figure = lxml.html.Element("figure")
        for img in imgs:
            clone = copy.copy(img)
            clone.tail = None
            figure.append(clone)
        if caption:
            cap = lxml.etree.SubElement(figure, "figcaption")
            cap.text = caption
            _remove(nxt)
        figure.tail = holder.tail
        holder.getparent().replace(holder, figure)
    for fig in root.iter("figure"):
        caps = fig.findall(".//figcaption")
        for cap in caps:
            text = element_text(cap)
            for child in list(cap):
                cap.remove(child)
            cap.text = text


def _absolutize(root: lxml.html.HtmlElement, base_url: str) -> None:
    for el in root.iter("a", "img"):
        attr = "href" if el.tag == "a" else "src"
        value = (el.get(attr) or "").strip()
        if not value:
            el.attrib.pop(attr, None)
            continue
        if value.startswith("#"):
            el.attrib.pop(attr, None)  # in-page anchors mean nothing in a feed
            continue
        absolute = join_url(base_url, value)
        if absolute is None or not absolute.lower().startswith(("http://", "https://", "mailto:")):
            el.attrib.pop(attr, None)  # not a web link (javascript:, data:, broken)
            continue
        el.set(attr, absolute)


def _document_link(a: lxml.html.HtmlElement) -> Attachment | None:
    href = a.get("href") or ""
    path = urlsplit(href).path.lower()
    text = _FILE_LABEL.sub("", element_text(a))
    # A document's URL ends in its extension; download handlers ("?download=1") are known
    # by the link's download attribute or by a file name as its text.
    by_url = path.endswith(DOC_EXTENSIONS) or any(f"{ext}/" in path for ext in DOC_EXTENSIONS)
    by_text = text.lower().endswith(DOC_EXTENSIONS) and " " not in text.strip()
    if href and (by_url or by_text or a.get("download") is not None):
        return Attachment(url=href, title=text or path.rsplit("/", 1)[-1])
    return None


def _merge_attachments(first: list[Attachment], second: list[Attachment]) -> list[Attachment]:
    seen = {a.url for a in first}
    return [*first, *(a for a in second if a.url not in seen)]


def _attachments(root: lxml.html.HtmlElement) -> list[Attachment]:
    found: dict[str, Attachment] = {}
    for a in root.iter("a"):
        doc = _document_link(a)
        if doc is not None:
            found.setdefault(doc.url, doc)
    return list(found.values())


# What a download box prints besides the file's link: a button label, a size, a type.
_DOWNLOAD_REST = re.compile(
    r"(tải về|tải xuống|download|xem trực tuyến|xem|pdf|docx?|xlsx?|\d+(?:[.,]\d+)?\s*[kmg]?b|"
    r"[()\[\]|:,.\-–—\s])+",
    re.I,
)


def _take_download_boxes(root: lxml.html.HtmlElement) -> list[Attachment]:
    """Blocks that are only a download box (a document's link and a "Tải về" button, as
    WordPress's file block prints it): taken out of the text, kept as attachments. A block
    that says something besides ("File đính kèm: …", "Xem chi tiết: …") stays text."""
    taken: list[Attachment] = []
    for el in list(root.iter("p", "div", "li")):
        if el.getparent() is None or any(
            isinstance(c.tag, str) and c.tag in {"p", "div", "li", "table", "ul", "ol"} for c in el
        ):
            continue
        docs = [(a, _document_link(a)) for a in el.iter("a")]
        if not docs or any(d is None for _, d in docs):
            continue
        titles = [element_text(a) for a, _ in docs]
        rest = element_text(el)
        for t in sorted(titles, key=len, reverse=True):
            rest = rest.replace(t, " ")
        if _DOWNLOAD_REST.fullmatch(rest or " ") and any(_FILE_LABEL.sub("", t) for t in titles):
            for _, doc in docs:
                if doc is not None and not any(d.url == doc.url for d in taken):
                    taken.append(doc)
            _remove(el)
    return taken


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """Tables used for page layout (old portals) rather than data: a cell holds paragraphs,
    a nested table or a long text."""
    for cell in table.iter("td", "th"):
        if any(a.tag == "table" and a is not table for a in cell.iterancestors()):
            continue  # a cell of a nested table
        blocks = [
            c
            for c in cell
            if isinstance(c.tag, str) and c.tag in {"p", "div", "table", "ul", "ol", "h2", "h3"}
        ]
        if len(blocks) >= 2 or any(c.tag == "table" for c in blocks):
            return True
        if len(element_text(cell)) > 400:
            return True
    return False


def _unwrap_layout_tables(root: lxml.html.HtmlElement) -> None:
    for table in list(root.iter("table")):
        if table.getparent() is None or not _is_layout_table(table):
            continue
        for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            if el is table or not any(
                a.tag == "table" and a is not table for a in el.iterancestors()
            ):
                el.tag = "div"
                for attr in ("width", "height", "align", "valign", "colspan", "rowspan"):
                    el.attrib.pop(attr, None)


def _unwrap_layout(root: lxml.html.HtmlElement) -> None:
    """Leaf divs become paragraphs so readers and the text blocks see paragraphs."""
    for div in list(root.iter("div", "section", "article", "center")):
        if div is root:
            continue
        if not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in div):
            div.tag = "p"


def sanitize(html: str) -> str:
    """Allow-list sanitizing (nh3): only plain article markup, only http(s)/mailto URLs."""
    cleaned = nh3.clean(
        strip_invisible(strip_illegal(html)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )
    return cleaned


def text_blocks(html: str) -> list[str]:
    """The text of sanitized HTML as a reader sees it: one string per paragraph-like block."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks: list[str] = []

    def inline_text(nodes: list[lxml.html.HtmlElement | str]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            else:
                out.append(raw_text(node))
                if node.tail:
                    out.append(node.tail)
        return clean_text("".join(out))

    def walk(el: lxml.html.HtmlElement) -> None:
        if el.tag == "tr":
            cells = [
                element_text(c) for c in el if isinstance(c.tag, str) and c.tag in {"td", "th"}
            ]
            cells = [c for c in cells if c]
            if cells:
                blocks.append(" | ".join(cells))
            return
        if el.tag == "img":
            return
        run: list[lxml.html.HtmlElement | str] = []
        if el.text and el.text.strip():
            run.append(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag in BLOCK_TAGS:
                text = inline_text(run)
                if text:
                    blocks.append(text)
                run = []
                walk(child)
                if child.tail and child.tail.strip():
                    run.append(child.tail)
            else:
                run.append(child)
        text = inline_text(run)
        if text:
            blocks.append(text)

    walk(root)
    return blocks


def clean_body(
    elements: list[lxml.html.HtmlElement],
    base_url: str,
    remove: Iterable[str] = (),
    *,
    exclude: Iterable[lxml.html.HtmlElement] = (),
) -> Body:
    """Clean the body element(s) into sanitized HTML, text blocks, images and attachments."""
    container = lxml.html.Element("div")
    excluded = {id(e) for e in exclude}
    for el in elements:
        clone = copy.deepcopy(el)
        clone.tail = None
        if clone.tag in {"td", "th", "tr", "tbody", "thead", "tfoot"}:
            clone.tag = "div"  # a layout cell chosen as the body: no table around it any more
        container.append(clone)
    # Elements that belong to other fields (the sapo, the title, the date) when they sit inside
    # the body: found by walking the originals and their clones in step (collected first, then
    # removed, so the two walks stay aligned).
    if excluded:
        doomed = [
            clone
            for original, clone in zip(
                (n for e in elements for n in e.iter()),
                (n for c in container for n in c.iter()),
                strict=True,
            )
            if id(original) in excluded
        ]
        for clone in doomed:
            _remove(clone)
    _drop_never_content(container)
    _remove_selectors(container, remove)
    boilerplate.strip_blocks(container)
    _fix_images(container)
    _figures(container)  # before the trailer: a caption ("Ảnh: …") is not an author line
    trailer = boilerplate.take_trailer(container)
    _absolutize(container, base_url)
    boxes = _take_download_boxes(container)
    _unwrap_layout_tables(container)
    _unwrap_layout(container)
    raw_html = lxml.html.tostring(container, encoding="unicode")
    safe = sanitize(raw_html)
    safe = _drop_empty(safe)
    blocks = text_blocks(safe)
    fragment = lxml.html.fragment_fromstring(safe or "<div></div>", create_parent="div")
    images = []
    for img in fragment.iter("img"):
        src = img.get("src")
        if not src:
            continue
        fig = next((a for a in img.iterancestors("figure")), None)
        cap = fig.find(".//figcaption") if fig is not None else None
        images.append((src, element_text(cap) if cap is not None else ""))
    return Body(
        html=safe,
        blocks=blocks,
        images=images,
        attachments=_merge_attachments(boxes, _attachments(fragment)),
        author=trailer[1] if trailer else None,
        author_priority=trailer[0] if trailer else 9,
    )


def add_attachments(body: Body, containers: list[lxml.html.HtmlElement], base_url: str) -> None:
    """Documents linked outside the body ("Văn bản đính kèm" boxes): listed in the store and
    appended to the content as links (the article text itself is left as it is)."""
    found: list[Attachment] = []
    for container in containers:
        clone = copy.deepcopy(container)
        _absolutize(clone, base_url)
        found += [a for a in _attachments(clone) if a.url not in {b.url for b in body.attachments}]
    if not found:
        return
    body.attachments += found
    items = "".join(
        f'<li><a href="{html_lib.escape(a.url, quote=True)}">{html_lib.escape(a.title)}</a></li>'
        for a in found
    )
    body.html += sanitize(f"<p>Tài liệu kèm theo:</p><ul>{items}</ul>")


_EMPTY_P = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br\s*/?>)*</p>")


def _drop_empty(html: str) -> str:
    previous = None
    while previous != html:
        previous = html
        html = _EMPTY_P.sub("", html)
        html = re.sub(r"<(strong|em|b|i|u|span)>\s*</\1>", "", html)
    # A wrapper div from the container is not wanted in the stored HTML.
    html = html.strip()
    if html.startswith("<div>") and html.endswith("</div>"):
        html = html[5:-6].strip()
    return html
