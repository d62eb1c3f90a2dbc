"""Boilerplate of the provincial portals (PORTALS.md 4.6), removed from article bodies.

Blocks whose whole text is boilerplate: accessibility toolbars ("A- A A+ | Tăng tương phản Giảm
tương phản", "Kích cỡ chữ: A+ | A | A-"), view counters ("Lượt xem: 1.245"), share and print
links, the reuse notice ("Ghi rõ nguồn … khi phát hành lại thông tin từ nguồn này"). Related-news
blocks ("Tin nổi bật", "Tin liên quan", "Các tin khác", …) go with their headlines. The author
trailer at the end of the body ("Tác giả: DTD", "Nguồn: …", "Tin, ảnh: …") becomes the author.
"""

from __future__ import annotations

import re

import lxml.html

from crawler.textnorm import clean_text

# Whole-block patterns, matched on the lower-cased text.
_WHOLE = [
    re.compile(p)
    for p in (
        r"^a\s*-?\s*a\s*a\s*\+",  # A- A A+ toolbar
        r"tăng tương phản|giảm tương phản",
        r"^(kích )?cỡ chữ\b",
        r"^lượt (xem|truy cập)\s*:?\s*[\d.,\s]*$",
        r"^(số )?lượt xem\s*:?\s*[\d.,]+",
        r"^ghi rõ nguồn\b",
        r"khi phát hành lại thông tin từ (nguồn|cổng) này",
        r"^(bản quyền|copyright)\b.{0,200}$",
    )
]
# Share / print / navigation vocabulary: a block made only of these words is a toolbar.
_SHARE_WORDS = {
    "in",
    "bài",
    "viết",
    "trang",
    "bản",
    "chia",
    "sẻ",
    "gửi",
    "email",
    "e-mail",
    "mail",
    "cho",
    "bạn",
    "bè",
    "quay",
    "lại",
    "trở",
    "về",
    "đầu",
    "lên",
    "facebook",
    "zalo",
    "twitter",
    "tweet",
    "like",
    "share",
    "print",
    "này",
    "lưu",
    "tin",
    "|",
    "góp",
    "ý",
    "phản",
    "hồi",
    "ý kiến",
    "kiến",
    "bình",
    "luận",
    "tải",
    "xuống",
    "pdf",
    "đánh",
    "giá",
    "linkedin",
    "copy",
    "link",
    "sao",
    "chép",
    "liên",
    "kết",
    "x",
    "top",
    "back",
    "home",
    "chủ",
    "đăng",
    "ký",
    "nhận",
    "rss",
}
_SHARE_REQUIRED = {
    "in",
    "chia",
    "gửi",
    "email",
    "facebook",
    "zalo",
    "twitter",
    "print",
    "share",
    "quay",
    "trở",
    "lên",
    "bản",
    "tweet",
    "rss",
}
# Headlines of related-news blocks.
RELATED_HEADINGS = (
    "tin nổi bật",
    "tin liên quan",
    "các tin khác",
    "tin khác",
    "tin cùng chuyên mục",
    "tin cùng loại",
    "bài viết liên quan",
    "tin bài liên quan",
    "tin đã đưa",
    "các tin đã đưa",
    "xem thêm",
    "đọc thêm",
    "tin mới",
    "tin mới nhất",
    "tin xem nhiều",
    "tin đọc nhiều",
    "đọc nhiều nhất",
    "bài viết khác",
    "các bài viết khác",
    "tin tức khác",
    "có thể bạn quan tâm",
    "tin mới hơn",
    "tin cũ hơn",
    "tin tiêu điểm",
    "các tin mới",
    "bài liên quan",
)
_RELATED = re.compile(r"^(" + "|".join(re.escape(h) for h in RELATED_HEADINGS) + r")\b\s*[:»>]*")
# Author / source trailers. Group 'label' decides the kind; 'name' is the value.
_TRAILER = re.compile(
    r"^(?P<label>tác giả|tác giả bài viết|người viết|tin, ảnh|tin và ảnh|tin ảnh|bài, ảnh|"
    r"bài và ảnh|bài|tin|ảnh|nguồn|nguồn tin|theo|biên tập|người đăng|đăng bởi|phóng viên)"
    r"\s*[:：]\s*(?P<name>.{1,120})$",
    re.IGNORECASE,
)
_PRIORITY = {
    "tác giả": 0,
    "tác giả bài viết": 0,
    "người viết": 0,
    "phóng viên": 0,
    "tin, ảnh": 1,
    "tin và ảnh": 1,
    "tin ảnh": 1,
    "bài, ảnh": 1,
    "bài và ảnh": 1,
    "bài": 1,
    "tin": 1,
    "nguồn": 2,
    "nguồn tin": 2,
    "theo": 2,
    "biên tập": 3,
    "người đăng": 3,
    "đăng bởi": 3,
    "ảnh": 4,
}

_CANDIDATE_TAGS = (
    "p",
    "div",
    "span",
    "li",
    "ul",
    "ol",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "strong",
    "b",
    "em",
    "section",
    "aside",
    "footer",
    "header",
    "table",
    "td",
    "tr",
    "dl",
    "small",
)


def _text(el: lxml.html.HtmlElement) -> str:
    from crawler.extract.html import element_text

    return element_text(el)


def _link_density(el: lxml.html.HtmlElement, text: str) -> float:
    if not text:
        return 0.0
    linked = sum(len(_text(a)) for a in el.iter("a"))
    return min(1.0, linked / max(1, len(text)))


def is_boilerplate_text(text: str) -> bool:
    """A whole block of toolbar, counter, share-link or reuse-notice text.

    Matched on lower-cased text: none of these fixed phrases has a syllable whose tone mark
    placement varies (oa/oe/uy), so the full norm_key is not needed (this runs on every short
    block of every page)."""
    if len(text) > 300:
        return False
    key = text.lower()
    if any(p.search(key) for p in _WHOLE):
        return True
    words = re.findall(r"[\w\-]+|\|", key)
    return (
        bool(words)
        and len(words) <= 24
        and set(words) <= _SHARE_WORDS
        and bool(set(words) & _SHARE_REQUIRED)
    )


def trailer_priority(label: str) -> int:
    return _PRIORITY.get(label, 5)


def is_related_heading(text: str) -> bool:
    return _is_related_heading(text)


def _is_related_heading(text: str) -> bool:
    return len(text) < 60 and bool(_RELATED.match(text.lower()))


def _remove(el: lxml.html.HtmlElement) -> None:
    from crawler.extract.html import _remove as remove

    remove(el)


def _text_upto(el: lxml.html.HtmlElement, limit: int) -> tuple[str, bool]:
    """The element's text, read only up to `limit` characters; and whether there was more."""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > limit:
            return clean_text(" ".join(parts)), True
    return clean_text(" ".join(parts)), False


def strip_blocks(root: lxml.html.HtmlElement) -> None:
    """Remove boilerplate blocks and related-news blocks (with their headlines) under root.

    One pass over the candidate elements; each is read only up to 300 characters (a long
    article container costs no more than a short block)."""
    for el in list(root.iter(*_CANDIDATE_TAGS)):
        if el is root or el.getparent() is None:
            continue
        head, more = _text_upto(el, 300)
        if not head:
            continue
        if _RELATED.match(head[:80].lower()):
            text = _text(el)
            if _is_related_heading(text):
                # A bare headline: remove it and the link lists right after it.
                nxt = el.getnext()
                while nxt is not None:
                    ntext = _text(nxt)
                    if ntext and _link_density(nxt, ntext) < 0.5 and not _is_related_heading(ntext):
                        break
                    following = nxt.getnext()
                    _remove(nxt)
                    nxt = following
                _remove(el)
                continue
            if _link_density(el, text) >= 0.5:
                _remove(el)
                continue
        if not more and is_boilerplate_text(head):
            _remove(el)


def parse_trailer(text: str) -> tuple[str, str] | None:
    """'Tác giả: DTD' -> ('tác giả', 'DTD'); None when the text is not a trailer."""
    m = _TRAILER.match(clean_text(text))
    if not m:
        return None
    name = m.group("name").strip(" .;,-–—")
    if not name or len(name) > 100:
        return None
    return m.group("label").lower(), name


def _looks_like_byline(el: lxml.html.HtmlElement, text: str) -> bool:
    """A short right-aligned or bold last line, e.g. '<p align=right><b>Phương Linh</b></p>'."""
    if len(text) > 60 or len(text.split()) > 6 or text.endswith((".", ":", "?", "!", ";")):
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    right = "text-align:right" in style or el.get("align") == "right"
    strong = (
        all((c.tag in {"strong", "b"}) for c in el if isinstance(c.tag, str))
        and len(el) > 0
        and not (el.text or "").strip()
    )
    words = text.replace("-", " ").split()
    capitalised = all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    return (right or strong) and capitalised


# Blocks the trailer search walks back over (a figure stops it: its caption is no trailer).
_TRAILER_BLOCKS = (
    *("p", "div", "li", "td", "h4", "h5", "h6", "blockquote", "figure"),
    *("span", "strong", "b", "em", "i"),
)
_BLOCKISH = {
    *("p", "div", "li", "td", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"),
    *("figure", "section", "article"),
}


def _leaf_blocks(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Blocks without block children, in document order; a bare inline trailer
    (`<strong>Tác giả: X</strong>` directly in the container) counts as a block too."""
    out = []
    for el in root.iter(*_TRAILER_BLOCKS):
        if el is root:
            continue
        if el.tag in _BLOCKISH:
            if not any(isinstance(c.tag, str) and c.tag in _BLOCKISH for c in el.iterdescendants()):
                out.append(el)
        elif el.getparent() is root:
            out.append(el)
    return out


def take_trailer(root: lxml.html.HtmlElement) -> tuple[int, str] | None:
    """Take the author / source trailer off the end of the body: (priority, author), where
    priority 0-1 names a writer ("Tác giả", "Tin, ảnh") and 2 and more a source ("Nguồn")."""
    found: list[tuple[int, str]] = []
    seen_text = 0
    # Walk back from the end: trailers, then at most one line of text before we stop.
    for el in reversed(_leaf_blocks(root)):
        if el.getparent() is None:
            continue
        text = _text(el)
        if not text:
            continue
        parsed = parse_trailer(text)
        has_image = bool(el.xpath(".//img"))
        if has_image and (not parsed or parsed[0] == "ảnh"):
            break  # an image with its caption ("Ảnh: …") ends the text, it is not a trailer
        if parsed:
            label, name = parsed
            found.append((_PRIORITY.get(label, 5), name))
            _remove(el)
            continue
        if seen_text == 0 and _looks_like_byline(el, text):
            found.append((0, text))
            _remove(el)
            continue
        seen_text += 1
        if found or seen_text >= 2:
            break
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    return found[0]


def bold_lead(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The first paragraph of a body when it is all bold: the sapo, as many portals print it."""
    for el in _leaf_blocks(root):
        text = _text(el)
        if not text:
            continue
        if el.xpath(".//img"):
            return None
        bold = " ".join(
            _text(b)
            for b in el.iter("strong", "b")
            if not any(a.tag in {"strong", "b"} for a in b.iterancestors())
        )
        if len(text) >= 40 and clean_text(bold) == text:
            return el
        return None
    return None
