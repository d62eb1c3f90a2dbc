"""Hostile content end to end: an XSS corpus crawled from a portal on 127.0.0.1 by the real
spider, stored, published; nothing executable survives anywhere a reader or a browser looks.

The fixture portal (tests/data/hostile/*.html) copies the page template of the hungyen sample
portal (the upload-cms family). For every vector of tests/data/hostile/xss.py it serves two
articles: one with the vector in the body, in an image caption and in the author line; one with
the vector in the title (<h1>, <title>, og:title) and in the sapo. A third source serves pages
full of characters XML forbids (raw, as character references, and as bytes that are not UTF-8).
The source names carry markup too, and one listed link carries a payload in its URL (its 404
reaches status.html as a message).

What is checked, per vector (`test_vector_is_blocked[<vector>]`):
- the store: `content_html` holds only allowed elements and attributes with http(s)/mailto URLs;
  `title`, `author`, `summary` hold no markup;
- every feed that carries the article (its province's and `all`, in Atom, RSS and JSON): the
  entry's HTML (read from the raw XML/JSON, not from feedparser's own sanitized copy) and its
  text fields, the same way; and the raw bytes of the entry;
and once for the whole output dir: every file's raw bytes, index.html and status.html.
"""

from __future__ import annotations

import html
import json
import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from crawler.clock import parse_iso
from crawler.samples import PortalServer, SamplePortal
from crawler.textnorm import defang_markup, strip_illegal
from tests.conftest import BUILD_NOW, Site
from tests.data.hostile.xss import ILLEGAL_BYTES, ILLEGAL_RAW, ILLEGAL_REFS, VECTORS, Vector

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data" / "hostile"
CRAWL_NOW = "2026-06-10T10:00:00+07:00"
ATOM = "{http://www.w3.org/2005/Atom}"

HOSTILE_NAME = 'Cổng thử nghiệm <script>alert(1)</script>" onmouseover="alert(1)'
# Sources: (id, province, list page path)
BODY_SOURCE = ("hostile-body", "thanh-hoa", "/chuyen-muc-noi-dung-c2001.html")
HEAD_SOURCE = ("hostile-head", "nghe-an", "/chuyen-muc-tieu-de-c2002.html")
CHARS_SOURCE = ("hostile-chars", "ha-tinh", "/chuyen-muc-ky-tu-c2003.html")
PAYLOAD_HREF = '/tin-tuc-su-kien/"><script>alert(1)</script><img src=x onerror=alert(1)>.html'

# Words to make each article's text its own (so no two articles are near-duplicates).
_WORDS_TEXT = (
    "tỉnh huyện xã phường ủy ban nhân dân hội đồng sở ngành kế hoạch dự án công trình đường giao "
    "thông trường học bệnh viện trạm y tế nông dân hợp tác xã lúa gạo cà phê hồ tiêu thủy sản "
    "rừng đất đai môi trường nước sạch điện lưới chuyển đổi số dịch vụ công trực tuyến thủ tục "
    "hành chính doanh nghiệp đầu tư vốn ngân sách thuế kho bạc du lịch lễ hội văn hóa thể thao "
    "giáo dục học sinh giáo viên kỳ thi tuyển sinh an ninh trật tự quốc phòng biên giới thiên tai "
    "bão lũ sạt lở phòng chống dịch bệnh tiêm chủng vắc xin an sinh xã hội hộ nghèo nhà ở lao "
    "động việc làm khu công nghiệp xuất khẩu thương mại chợ giá cả sản phẩm chất lượng kiểm tra "
    "giám sát hội nghị sơ kết tổng kết triển khai nhiệm vụ giải pháp kết quả đánh giá chỉ đạo"
)
WORDS = _WORDS_TEXT.split()

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
    "p", "pre", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
# Raw markup, read the way a lenient renderer would: tags (`<` + a letter, then attributes whose
# quoted values may hold `>`), active elements and attributes, and URLs that run code.
_TAG = re.compile(r"<(/?[A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
ACTIVE_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "meta",
    "base", "form", "input", "button", "textarea", "select", "svg", "math", "template",
    "noscript", "isindex", "xmp", "plaintext", "audio", "video", "marquee", "details",
    "animate", "set", "foreignobject", "use", "param", "portal", "keygen",
}  # fmt: skip
_ACTIVE_ATTRIBUTE = re.compile(
    r"on.+|style|srcset|formaction|action|xlink:href|srcdoc|background|dynsrc|lowsrc", re.I
)
_CODE_URL = re.compile(
    r"[\x00-\x20]*(j\s*a\s*v\s*a|v\s*b)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|\s*data\s*:", re.I
)
# Text fields may hold any character but never something an HTML tokenizer takes for a tag:
# "<" directly followed by a letter, "!", "/" or "?".
_TAG_START = re.compile(r"<[a-zA-Z!/?]")


def raw_markup_problems(view: str) -> list[str]:
    """Active elements, attributes and URLs in the tags of `view` (markup escaped as text,
    "&lt;script&gt;", is text and no tag)."""
    problems = []
    for tag in _TAG.finditer(view):
        name = tag[1].lstrip("/").lower()
        if name.split(":")[-1] in ACTIVE_ELEMENTS:
            problems.append(f"element <{tag[1]}>")
        for attr in _ATTR.finditer(tag[2]):
            value = html.unescape((attr[2] or "").strip("\"'"))
            if _ACTIVE_ATTRIBUTE.fullmatch(attr[1]):
                problems.append(f"attribute {name}[{attr[1]}]")
            if _CODE_URL.match(value):
                problems.append(f"URL {name}[{attr[1]}]={value[:50]!r}")
    return problems


# -- the fixture portal ----------------------------------------------------------------------------


def _template(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    assert "{{" not in template, template[template.index("{{") :][:40]
    return template


def _paragraph(rng: random.Random, words: int = 55) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@dataclass
class Article:
    key: str  # "body:<vector>", "head:<vector>", "chars:<n>"
    source: tuple[str, str, str]
    path: str
    title: str  # the clean title (what the article is called without the payload)
    vector: Vector | None
    para1: str
    para2: str
    caption: str = ""
    author: str = ""
    page: bytes = b""


def _articles() -> list[Article]:
    out: list[Article] = []
    for i, v in enumerate(VECTORS):
        rng = random.Random(f"hostile-{v.name}")
        title = f"Tin thử nghiệm số {i + 1}: {' '.join(rng.choice(WORDS) for _ in range(6))}"
        body = Article(
            f"body:{v.name}",
            BODY_SOURCE,
            f"/tin-tuc-su-kien/bai-noi-dung-{i + 1:03d}.html",
            title,
            v,
            _paragraph(rng),
            _paragraph(rng),
            caption=f"Quang cảnh buổi làm việc số {i + 1}",
            author=f"Nguyễn Văn Thử {i + 1}",
        )
        minute = f"{7 + i // 60:02d}:{i % 60:02d}"
        content = (
            f"<p>{body.para1}</p>\n{v.html}\n"
            f'<p style="text-align: center;"><img src="/upload/2005652/20260610/anh-{i + 1}.jpg"'
            f' alt="" width="760" height="507" /></p>\n'
            f'<p style="text-align: center;"><em>{body.caption} {v.html}</em></p>\n'
            f"<p>{body.para2}</p>\n"
            f'<p style="text-align: right;"><strong>Tác giả: {body.author} {v.html}</strong></p>'
        )
        body.page = _page(i + 3000, title, title, _paragraph(rng, 30), content, minute)
        out.append(body)

        title2 = f"Bản tin thử nghiệm số {i + 1}: {' '.join(rng.choice(WORDS) for _ in range(6))}"
        head = Article(
            f"head:{v.name}",
            HEAD_SOURCE,
            f"/tin-tuc-su-kien/bai-tieu-de-{i + 1:03d}.html",
            title2,
            v,
            _paragraph(rng),
            _paragraph(rng),
        )
        brief = _paragraph(rng, 30)
        head.page = _page(
            i + 4000,
            f"{title2} {v.html}",
            f"{title2} {v.html}",
            f"{brief} {v.html}",
            f"<p>{head.para1}</p>\n<p>{head.para2}</p>",
            minute,
        )
        out.append(head)
    out += _char_articles()
    return out


def _page(ident: int, title: str, head_title: str, brief: str, body: str, time: str) -> bytes:
    return _fill(
        _template("article.html"),
        ID=str(ident),
        TITLE=title,
        HEAD_TITLE=head_title,
        TITLE_ATTR=html.escape(title, quote=True),
        BRIEF=brief,
        BRIEF_ATTR=html.escape(brief, quote=True),
        BODY=body,
        DATE=f"10/06/2026 {time}",
    ).encode("utf-8")


def _sprinkle(text: str, chars: list[str]) -> str:
    words = text.split(" ")
    return " ".join(w + chars[i % len(chars)] for i, w in enumerate(words))


def _char_articles() -> list[Article]:
    """Pages full of characters XML forbids: raw, as references, and as non-UTF-8 bytes."""
    out = []
    for n, chars in enumerate([ILLEGAL_RAW, ILLEGAL_REFS, ILLEGAL_RAW + ILLEGAL_REFS], start=1):
        rng = random.Random(f"chars-{n}")
        title = f"Bài có ký tự điều khiển số {n}: {' '.join(rng.choice(WORDS) for _ in range(5))}"
        a = Article(
            f"chars:{n}",
            CHARS_SOURCE,
            f"/tin-tuc-su-kien/bai-ky-tu-{n}.html",
            title,
            None,
            _paragraph(rng),
            _paragraph(rng),
            caption=f"Ảnh minh họa số {n}",
            author=f"Trần Thị Ký {n}",
        )
        content = (
            f"<p>{_sprinkle(a.para1, chars)}</p>\n"
            f'<p style="text-align: center;"><img src="/upload/2005652/20260610/ky-tu-{n}.jpg"'
            f' alt="{chars[0]}" /></p>\n'
            f'<p style="text-align: center;"><em>{_sprinkle(a.caption, chars)}</em></p>\n'
            f"<p>{_sprinkle(a.para2, chars)}</p>\n"
            f'<p style="text-align: right;"><strong>Tác giả: {_sprinkle(a.author, chars)}'
            "</strong></p>"
        )
        page = _page(
            5000 + n,
            _sprinkle(title, chars),
            _sprinkle(title, chars),
            _sprinkle(_paragraph(rng, 30), chars),
            content,
            f"08:{n:02d}",
        )
        if n == 3:
            # bytes that are no UTF-8 at all, in the text of the body
            page = page.replace(b"</p>", b" " + b" ".join(ILLEGAL_BYTES) + b"</p>", 2)
        a.page = page
        out.append(a)
    return out


def _list_page(articles: list[Article], extra: str = "") -> bytes:
    items = "".join(
        _fill(
            _template("item.html"),
            HREF=a.path,
            ID=a.path.rsplit("-", 1)[-1].split(".")[0],
            TITLE=a.title,
            TITLE_ATTR=html.escape(a.title, quote=True),
            BRIEF=html.escape(a.para1[:120]),
        )
        for a in articles
    )
    return _fill(_template("list.html"), ITEMS=items + extra).encode("utf-8")


def _source_name(ident: str) -> str:
    return f"{HOSTILE_NAME} ({ident})"


def _without_names(view: str) -> str:
    """`view` without the configured source names (the operator's text, checked apart), in
    their escaped forms too."""
    for s in (BODY_SOURCE, HEAD_SOURCE, CHARS_SOURCE):
        name = _source_name(s[0])
        for form in (name, html.escape(name, quote=False), html.escape(name)):
            view = view.replace(form, "(source name)")
    return view


def _source(source: tuple[str, str, str]) -> dict[str, Any]:
    ident, province, path = source
    return {
        "id": ident,
        "province": province,
        "name": _source_name(ident),
        "homepage": "{base}/",
        "platform": "upload-cms",
        "enabled": True,
        "max_pages": 1,
        "section": [{"url": "{base}" + path, "topics": []}],
        "selectors": {
            "list_item": "div.post-item",
            "link": "h3.post-title a::attr(href)",
            "next_page": "ul.pagination a.next::attr(href)",
        },
    }


@dataclass
class Hostile:
    site: Site
    articles: dict[str, Article]
    rows: dict[str, dict[str, Any]]  # by article URL
    files: dict[str, bytes]  # the output dir
    feeds: dict[str, Any] = field(default_factory=dict)  # feedparser's, by path
    _entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def url(self, a: Article) -> str:
        return self.site.url("hostile", a.path)

    def row(self, a: Article) -> dict[str, Any] | None:
        return self.rows.get(self.url(a))

    def parsed(self, path: str) -> Any:
        """feedparser's reading of a feed (parsed once)."""
        if path not in self.feeds:
            self.feeds[path] = feedparser.parse(self.files[path])
        return self.feeds[path]

    def entries(self, path: str) -> dict[str, Any]:
        """A feed's entries by link: lxml elements (Atom, RSS) or JSON items (parsed once)."""
        if path not in self._entries:
            data = self.files[path]
            if path.endswith(".json"):
                self._entries[path] = {i["url"]: i for i in json.loads(data)["items"]}
            elif path.endswith(".atom"):
                self._entries[path] = _atom_entries(data)
            else:
                self._entries[path] = _rss_items(data)
        return self._entries[path]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return crawl_hostile_portal(tmp_path_factory.mktemp("hostile"))


def crawl_hostile_portal(root: Path) -> Hostile:
    """Serve the fixture portal, crawl its three sources, build the feeds."""
    site_dir = root / "portal" / "site"
    articles = _articles()
    for a in articles:
        (site_dir / a.path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / a.path.lstrip("/")).write_bytes(a.page)
    payload_item = _fill(
        _template("item.html"),
        HREF=html.escape(PAYLOAD_HREF, quote=True),
        ID="9999",
        TITLE="Bài có đường dẫn độc <script>alert(1)</script>",
        TITLE_ATTR="x",
        BRIEF="",
    )
    for source in (BODY_SOURCE, HEAD_SOURCE, CHARS_SOURCE):
        mine = [a for a in articles if a.source == source]
        extra = payload_item if source == BODY_SOURCE else ""
        (site_dir / source[2].lstrip("/")).write_bytes(_list_page(mine, extra))
    (site_dir / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    portal = SamplePortal(
        name="hostile",
        root=root / "portal",
        stands_for="https://hungyen.gov.vn",
        captured=parse_iso(CRAWL_NOW),
        replay_at=parse_iso(CRAWL_NOW),
        provenance="tests/test_hostile.py",
        routes=[],
        sources=[_source(s) for s in (BODY_SOURCE, HEAD_SOURCE, CHARS_SOURCE)],
    )
    with PortalServer(portal) as server:
        site = Site(root / "run", {"hostile": server})
        outcomes = {o.source_id: o for o in site.crawl(now=CRAWL_NOW)}
        site.build(now=BUILD_NOW)
    # Every source ran; the payload link's 404 and the followed meta refresh make two of them
    # partial (see HEAD_NOT_STORED).
    assert {k: o.status for k, o in outcomes.items()} == {
        "hostile-body": "partial",
        "hostile-head": "partial",
        "hostile-chars": "ok",
    }, {k: (o.status, o.message) for k, o in outcomes.items()}
    con = sqlite3.connect(site.db)
    con.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in con.execute("SELECT * FROM articles")}
    con.close()
    files = {
        str(p.relative_to(site.out)): p.read_bytes()
        for p in sorted(site.out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and p.suffix != ".gz"
    }
    return Hostile(site, {a.key: a for a in articles}, rows, files)


# -- what safe means -------------------------------------------------------------------------------


def unsafe_html(fragment: str) -> list[str]:
    """What in an HTML fragment (an article body as a feed reader renders it) could execute:
    checked raw, and parsed against an allow-list of elements, attributes and URL schemes."""
    problems = raw_markup_problems(fragment)
    if "<!" in fragment or "<?" in fragment:
        problems.append("comment, CDATA or processing instruction")
    if not fragment.strip():
        return problems
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            if el.tag is not lxml.etree.Comment:
                problems.append(f"node {el.tag!r}")
            continue
        if el.tag not in SAFE_TAGS:
            problems.append(f"element <{el.tag}>")
            continue
        for name, value in el.attrib.items():
            if name not in SAFE_ATTRIBUTES.get(el.tag, set()):
                problems.append(f"attribute {el.tag}[{name}]")
            elif name in {"href", "src"}:
                parts = urlsplit(value)
                if parts.scheme not in {"http", "https", "mailto"} or (
                    parts.scheme != "mailto" and not parts.netloc
                ):
                    problems.append(f"URL {el.tag}[{name}]={value!r}")
                if any(ord(c) < 0x21 for c in value):
                    problems.append(f"control or space in URL {value!r}")
    return problems


def unsafe_text(value: str | None) -> list[str]:
    """Problems of a plain-text field: markup, or characters XML forbids."""
    value = value or ""
    problems = []
    if _TAG_START.search(value):
        problems.append(f"markup in text {value!r}")
    if strip_illegal(value) != value:
        problems.append(f"XML-illegal character in {value!r}")
    return problems


def _atom_entries(data: bytes) -> dict[str, lxml.etree._Element]:
    root = lxml.etree.fromstring(data)
    out = {}
    for entry in root.iter(f"{ATOM}entry"):
        [link] = [
            link
            for link in entry.iterchildren(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        out[link.get("href")] = entry
    return out


def _rss_items(data: bytes) -> dict[str, lxml.etree._Element]:
    root = lxml.etree.fromstring(data)
    return {str(item.findtext("link")): item for item in root.iter("item")}


def _feed_problems(h: Hostile, path: str, a: Article) -> list[str]:
    """Problems of the entry for `url` in the feed at `path` (it must be there, except in the
    `all` feeds, which hold the newest 200 entries)."""
    url = h.url(a)
    problems: list[str] = []
    entries = h.entries(path)
    if url not in entries:
        assert not path.startswith("province/"), (path, url)
        return []
    if path.endswith(".json"):
        item = entries[url]
        for key in ("content_html",):
            problems += [f"{path} {key}: {p}" for p in unsafe_html(item.get(key, ""))]
        for key in ("title", "summary"):
            problems += [f"{path} {key}: {p}" for p in unsafe_text(item.get(key))]
        for author in item.get("authors", []):
            problems += [f"{path} author: {p}" for p in unsafe_text(author["name"])]
        for att in item["_vnfeeds"]["attachments"]:
            problems += [f"{path} attachment: {p}" for p in unsafe_text(att["title"])]
        return problems
    if path.endswith(".atom"):
        entry = entries[url]
        html_parts = {
            el.tag.removeprefix(ATOM): el.text or ""
            for el in entry
            if el.tag in (f"{ATOM}content", f"{ATOM}summary") and el.get("type") == "html"
        }
        # The portal's name is the operator's text (config), carried as Atom text: it must
        # come back exactly as configured.
        source_name = entry.findtext(f"{ATOM}source/{ATOM}title")
        if source_name != _source_name(a.source[0]):
            problems.append(f"{path} source title {source_name!r}")
        text_parts = {
            "title": entry.findtext(f"{ATOM}title"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            **{
                el.tag.removeprefix(ATOM): el.text
                for el in entry
                if el.tag in (f"{ATOM}content", f"{ATOM}summary") and el.get("type") != "html"
            },
        }
        assert entry.find(f"{ATOM}title").get("type") in (None, "text")
    else:
        item = entries[url]
        html_parts = {"description": item.findtext("description") or ""}
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        if content is not None:
            html_parts["content:encoded"] = content
        text_parts = {
            "title": item.findtext("title"),
            "dc:creator": item.findtext("{http://purl.org/dc/elements/1.1/}creator"),
        }
        entry = item
    for key, value in html_parts.items():
        problems += [f"{path} {key}: {p}" for p in unsafe_html(value)]
    for key, text in text_parts.items():
        problems += [f"{path} {key}: {p}" for p in unsafe_text(text)]
    # The entry's raw XML: markup can only be there escaped.
    raw = lxml.etree.tostring(entry, encoding="unicode")
    problems += [f"{path} raw XML: {p}" for p in raw_markup_problems(_without_names(raw))]
    # feedparser reads it as a well-formed entry (its own sanitizing is not what is tested).
    parsed = h.parsed(path)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return problems


def _feeds_of(a: Article) -> list[str]:
    """The feeds an article must be in: its province's (the `all` feeds hold 200 of the 229
    articles; those that carry it are checked too, see _feed_problems)."""
    province = a.source[1]
    return [f"{stem}.{fmt}" for stem in (f"province/{province}", "all") for fmt in FORMATS]


FORMATS = ("atom", "rss", "json")


# -- the tests -------------------------------------------------------------------------------------

# Title articles that are not stored although their payload swallows nothing, and why.
HEAD_NOT_STORED = {
    "meta-refresh-javascript": "Scrapy's MetaRefreshMiddleware finds the refresh in the text "
    "of <title> (it scans the page's first 4 KiB with a regular expression) and follows it to "
    "javascript:, which is no URL: the page fails with an error naming it",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hội nghị <script>alert(1)</script>", "Hội nghị < script>alert(1)< /script>"),
        ("<img src=x onerror=alert(1)>", "< img src=x onerror=alert(1)>"),
        ("<!-- x --><?php", "< !-- x -->< ?php"),
        ("Ban hành <<Quy chế>> mới", "Ban hành << Quy chế>> mới"),
        ("Tỷ lệ < 5% và 3<4, a > b", "Tỷ lệ < 5% và 3<4, a > b"),
        ("không có gì", "không có gì"),
    ],
)
def test_text_fields_are_defanged(text: str, expected: str) -> None:
    assert defang_markup(text) == expected
    assert unsafe_text(expected) == []


def test_the_corpus_is_large_enough() -> None:
    names = [v.name for v in VECTORS]
    assert len(names) == len(set(names))
    assert len(VECTORS) >= 60


@pytest.mark.parametrize("vector", [pytest.param(v, id=v.name) for v in VECTORS])
def test_vector_is_blocked(vector: Vector, hostile: Hostile) -> None:
    problems = vector_problems(vector, hostile)
    assert problems == [], "\n".join(problems)


def vector_problems(vector: Vector, hostile: Hostile) -> list[str]:
    """Where the vector's two articles, stored and published, carry something executable."""
    problems: list[str] = []
    body = hostile.articles[f"body:{vector.name}"]
    head = hostile.articles[f"head:{vector.name}"]

    # The body article lands, with the text around the payload.
    row = hostile.row(body)
    assert row is not None, f"{body.path} was not stored"
    assert body.para1 in row["content_text"]
    if not vector.swallows:
        assert body.para2 in row["content_text"]
        assert row["title"] == body.title
    # The title article lands (a payload that swallows the rest of the page may leave it no
    # body: then it is dropped with a reason and its raw page kept; see HEAD_NOT_STORED).
    row2 = hostile.row(head)
    if row2 is None:
        assert vector.swallows or vector.name in HEAD_NOT_STORED, f"{head.path} was not stored"
        con = sqlite3.connect(hostile.site.db)
        dropped = con.execute(
            "SELECT count(*) FROM raw_pages WHERE url = ? AND article_id IS NULL",
            (hostile.url(head),),
        ).fetchone()[0]
        message = con.execute(
            "SELECT message FROM crawl_runs WHERE source_id = ?", (HEAD_SOURCE[0],)
        ).fetchone()[0]
        con.close()
        recorded = dropped == 1 or hostile.url(head) in (message or "")
        assert recorded, f"{head.path} neither stored nor dropped or failed with a reason"
    else:
        assert vector.name not in HEAD_NOT_STORED
        assert row2["title"].startswith(head.title), row2["title"]
        assert head.para1 in row2["content_text"]

    for a, r in ((body, row), (head, row2)):
        if r is None:
            continue
        problems += [f"{a.key} content_html: {p}" for p in unsafe_html(r["content_html"])]
        for key in ("title", "author", "summary"):
            problems += [f"{a.key} {key}: {p}" for p in unsafe_text(r[key])]
        for path in _feeds_of(a):
            problems += [f"{a.key} {p}" for p in _feed_problems(hostile, path, a)]
    return problems


def test_the_slots_are_exercised(hostile: Hostile) -> None:
    """The payloads sit where they should: most body articles keep their figure with its
    caption and their author line (the caption and author text around the payload)."""
    kept_caption = kept_author = 0
    for v in VECTORS:
        a = hostile.articles[f"body:{v.name}"]
        row = hostile.row(a)
        assert row is not None
        if f"<figcaption>{a.caption}" in row["content_html"]:
            kept_caption += 1
        if (row["author"] or "").startswith(a.author):
            kept_author += 1
    non_swallowing = sum(1 for v in VECTORS if not v.swallows)
    assert kept_caption >= non_swallowing * 0.8, kept_caption
    assert kept_author >= non_swallowing * 0.8, kept_author


def test_no_published_file_carries_executable_markup(hostile: Hostile) -> None:
    """Every feed, OPML and status feed: the raw bytes, and the text a reader gets once the XML
    is decoded (the HTML of the entries), hold nothing executable; every JSON string neither."""
    problems = []
    for path, data in hostile.files.items():
        if path.endswith(".html"):
            continue  # index.html and status.html: test_pages_stay_static
        text = data.decode("utf-8")
        if path.endswith(".json"):
            views = list(_strings(json.loads(text)))
        else:
            views = [text, html.unescape(text)]
        for view in views:
            problems += [f"{path}: {p}" for p in raw_markup_problems(_without_names(view))]
    assert problems == [], "\n".join(problems)


def _page_problems(data: bytes) -> list[str]:
    """index.html and status.html: plain static pages, no script of any kind."""
    doc = lxml.html.document_fromstring(data)
    problems = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in {"script", "iframe", "frame", "object", "embed", "applet", "base", "form"}:
            problems.append(f"element <{el.tag}>")
        chart_label = el.tag == "title" and any(a.tag == "svg" for a in el.iterancestors())
        in_head = el.getparent() is doc.head
        if el.tag in {"style", "meta", "link", "title"} and not in_head and not chart_label:
            problems.append(f"<{el.tag}> outside head")
        if el.tag == "meta" and el.get("http-equiv"):
            problems.append("meta http-equiv")
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or name.lower() in {"srcdoc", "formaction"}:
                problems.append(f"attribute {name}")
            if name in {"href", "src", "action", "xlink:href"}:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in {"", "http", "https", "mailto"}:
                    problems.append(f"URL {value!r}")
    return problems


@pytest.mark.parametrize("page", ["index.html", "status.html"])
def test_pages_stay_static(hostile: Hostile, page: str) -> None:
    data = hostile.files[page]
    assert _page_problems(data) == []
    if page == "status.html":
        # The source names and the payload URL's error are on the page, as text.
        text = lxml.html.document_fromstring(data).text_content()
        assert f"{HOSTILE_NAME} (hostile-body)" in text
        assert "alert(1)" in text


def test_illegal_characters_never_reach_a_feed(hostile: Hostile) -> None:
    for n in (1, 2, 3):
        a = hostile.articles[f"chars:{n}"]
        row = hostile.row(a)
        assert row is not None, a.path
        for key, value in row.items():
            if isinstance(value, str):
                assert strip_illegal(value) == value, (a.key, key, value)
        words = a.title.split()
        assert row["title"].split()[: len(words)] == words, row["title"]
        for path in _feeds_of(a):
            data = hostile.files[path]
            assert a.title.split(":")[0] in data.decode("utf-8")
    for path, data in hostile.files.items():
        text = data.decode("utf-8")  # strict: no lone surrogate can be encoded
        assert strip_illegal(text) == text, path
        if path.endswith((".atom", ".rss", ".opml", "status.atom")):
            lxml.etree.fromstring(data)
        if path.endswith((".atom", ".rss")):
            parsed = hostile.parsed(path)
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        if path.endswith(".json"):
            for s in _strings(json.loads(data)):
                assert strip_illegal(s) == s, (path, s)
            assert not re.search(r"\\u(00[01][0-9a-fA-F]|d[89a-f][0-9a-f]{2}|fff[ef])", text, re.I)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
