"""Rendering a feed: `(spec, entries, format, base URL) -> bytes`, a pure function of its inputs.

Atom, RSS 2.0 and JSON Feed 1.1 are written directly as text: Atom and RSS byte for byte what
feedgen 1.0 and lxml wrote for the same calls (tests/feedgen_reference.py keeps that version and
tests/test_render.py compares them), because building an lxml tree per feed cost more than the
rest of a build together. What an entry renders to is computed once and shared by the formats
of a feed. Dates carry +07:00. The feed's updated/lastBuildDate is its newest entry's `updated`,
never the build time, so the same store gives the same bytes. Entry ids are
`urn:uuid:<cluster id>`.
"""

from __future__ import annotations

import functools
import html
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from crawler import __version__, places
from crawler.clock import parse_iso
from crawler.store.queries import FeedItem
from crawler.textnorm import strip_illegal
from feeds.catalog import FEED_NS, FeedSpec, absolute

MAX_BYTES = 1_000_000
CONTENT_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
GENERATOR = ("vnfeeds", __version__, "https://github.com/vnfeeds/vnfeeds")


def _x(text: str | None) -> str:
    """XML-safe text (no characters XML 1.0 forbids)."""
    return strip_illegal(text or "")


def _e(text: str | None) -> str:
    return html.escape(_x(text), quote=True)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _summary_text(item: FeedItem, limit: int = 400) -> str:
    key = ("summary", limit)
    if key not in item.memo:
        item.memo[key] = _make_summary_text(item, limit)
    return str(item.memo[key])


def _make_summary_text(item: FeedItem, limit: int) -> str:
    a = item.article
    summary = a.get("summary") or ""
    if summary:
        return str(summary)
    text = " ".join(str(a.get("content_text") or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def attribution_html(item: FeedItem) -> str:
    a = item.article
    name = a.get("source_name") or _host(a["url"])
    parts = [f'<p>Nguồn: <a href="{_e(a["url"])}">{_e(name)}</a> ({_e(_host(a["url"]))}).</p>']
    if item.others:
        links = ", ".join(
            f'<a href="{_e(c.url)}">{_e(c.source_name or _host(c.url))}</a>' for c in item.others
        )
        parts.insert(0, f"<p>Cũng đăng trên: {links}.</p>")
    return "".join(parts)


def entry_html(item: FeedItem, spec: FeedSpec) -> str:
    key = ("html", spec.full_content)
    if key not in item.memo:
        item.memo[key] = _make_entry_html(item, spec)
    return str(item.memo[key])


def _make_entry_html(item: FeedItem, spec: FeedSpec) -> str:
    a = item.article
    body: list[str] = []
    if spec.full_content:
        if a.get("summary"):
            body.append(f"<p><strong>{_e(a['summary'])}</strong></p>")
        body.append(_x(a.get("content_html") or ""))
    else:
        body.append(f"<p>{_e(_summary_text(item))}</p>")
    body.append(attribution_html(item))
    return "".join(body)


def feed_updated(items: Sequence[FeedItem], fallback: str) -> datetime:
    if not items:
        return parse_iso(fallback)
    return parse_iso(max(i.updated for i in items))


@functools.lru_cache(maxsize=8)
def _schemes(base_url: str) -> tuple[str, str]:
    return absolute(base_url, "topic/"), absolute(base_url, "province/")


def _categories(item: FeedItem, base_url: str) -> list[dict[str, str]]:
    key = ("categories", base_url)
    if key not in item.memo:
        item.memo[key] = _make_categories(item, base_url)
    cats: list[dict[str, str]] = item.memo[key]
    return cats


def _make_categories(item: FeedItem, base_url: str) -> list[dict[str, str]]:
    topics = places.topics()
    provinces = places.provinces()
    topic_scheme, province_scheme = _schemes(base_url)
    cats = [
        {"term": t, "label": topics[t].name, "scheme": topic_scheme}
        for t in item.topics
        if t in topics
    ]
    prov = item.article["province"]
    if prov in provinces:
        cats.append({"term": prov, "label": provinces[prov].name, "scheme": province_scheme})
    return cats


# -- Atom and RSS, written directly ------------------------------------------------------------
#
# The bytes feedgen (1.0) and lxml write for the calls tests/feedgen_reference.py makes,
# pretty-printed: element order, attribute order, two-space indentation, libxml2's escaping.
# Building an lxml tree per feed and serializing it costs several times more than the text
# itself; a build writes some 1,200 Atom and RSS files. tests/test_render.py renders the sample
# store and hostile entries both ways and compares the bytes.

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _t(text: str) -> str:
    """Element text as libxml2 escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _a(text: str) -> str:
    """An attribute value as libxml2 escapes it (inside double quotes)."""
    text = _t(text)
    for raw, escaped in (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")):
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _rfc822(dt: datetime) -> str:
    """RFC 822 date in the C locale, as feedgen's formatRFC2822."""
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d}"
        f" {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {dt.strftime('%z')}"
    )


def _atom_entry(item: FeedItem, spec: FeedSpec, base_url: str) -> str:
    a = item.article
    updated = parse_iso(a["updated"]).isoformat()
    out = [
        "  <entry>\n",
        f"    <id>{_t(f'urn:uuid:{item.entry_id}')}</id>\n",
        f"    <title>{_t(_x(a['title']))}</title>\n",
        f"    <updated>{updated}</updated>\n",
    ]
    if a.get("author") and _x(a["author"]):
        out.append(f"    <author>\n      <name>{_t(_x(a['author']))}</name>\n    </author>\n")
    content = entry_html(item, spec)
    if spec.full_content:
        out.append(f'    <content type="html">{_t(content)}</content>\n')
    # feedgen 1.0 drops the rel of entry links (it reads it from the new element).
    out.append(f'    <link href="{_a(a["url"])}"/>\n')
    if spec.full_content:
        summary = _summary_text(item)
        if summary:
            text = _x(summary)
            out.append(f"    <summary>{_t(text)}</summary>\n" if text else "    <summary/>\n")
    else:
        out.append(f'    <summary type="html">{_t(content)}</summary>\n')
    for cat in _categories(item, base_url):
        label = _x(cat["label"])
        out.append(
            f'    <category term="{_a(cat["term"])}" scheme="{_a(cat["scheme"])}"'
            + (f' label="{_a(label)}"' if label else "")
            + "/>\n"
        )
    out.append(f"    <published>{parse_iso(a['published']).isoformat()}</published>\n")
    if a.get("source_name"):
        source_id = f"urn:uuid:{uuid.uuid5(FEED_NS, 'source:' + a['source_id'])}"
        homepage = a.get("source_homepage") or a["url"]
        out.append(
            "    <source>\n"
            f"      <id>{_t(source_id)}</id>\n"
            f"      <title>{_t(_x(a['source_name']))}</title>\n"
            f'      <link href="{_a(homepage)}"/>\n'
            f"      <updated>{updated}</updated>\n"
            "    </source>\n"
        )
    out.append("  </entry>\n")
    return "".join(out)


def _atom_head(
    spec: FeedSpec,
    updated: datetime,
    base_url: str,
    hub: str | None,
    links: Sequence[tuple[str, str]],
) -> str:
    extra = [*([("hub", hub)] if hub else []), *links]
    name, version, uri = GENERATOR
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">\n',
        f"  <id>{_t(spec.feed_id)}</id>\n",
        f"  <title>{_t(_x(spec.title))}</title>\n",
        f"  <updated>{updated.isoformat()}</updated>\n",
        f"  <author>\n    <name>vnfeeds</name>\n    <uri>{_t(base_url)}</uri>\n  </author>\n",
        f'  <link href="{_a(absolute(base_url, spec.path("atom")))}" rel="self"'
        f' type="{CONTENT_TYPES["atom"]}"/>\n',
        f'  <link href="{_a(absolute(base_url, "index.html"))}" rel="alternate"/>\n',
    ]
    for rel, href in extra:
        out.append(f'  <link href="{_a(href)}" rel="{_a(rel)}"/>\n')
    out.append(f'  <generator uri="{_a(uri)}" version="{_a(version)}">{_t(name)}</generator>\n')
    if _x(spec.description):
        out.append(f"  <subtitle>{_t(_x(spec.description))}</subtitle>\n")
    return "".join(out)


def _rss_item(item: FeedItem, spec: FeedSpec, base_url: str) -> str:
    a = item.article
    content = entry_html(item, spec)
    out = [
        "    <item>\n",
        f"      <title>{_t(_x(a['title']))}</title>\n",
        f"      <link>{_t(a['url'])}</link>\n",
    ]
    if spec.full_content:
        summary = _summary_text(item)
        if summary and _x(summary):
            out.append(f"      <description>{_t(_x(summary))}</description>\n")
            out.append(f"      <content:encoded>{_t(content)}</content:encoded>\n")
        else:
            out.append(f"      <description>{_t(content)}</description>\n")
    else:
        out.append(f"      <description>{_t(content)}</description>\n")
    out.append(f'      <guid isPermaLink="false">{_t(f"urn:uuid:{item.entry_id}")}</guid>\n')
    for cat in _categories(item, base_url):
        label = _x(cat["label"])
        out.append(f'      <category domain="{_a(cat["scheme"])}">{_t(label)}</category>\n')
    out.append(f"      <pubDate>{_rfc822(parse_iso(a['published']))}</pubDate>\n")
    if a.get("author"):
        out.append(f"      <dc:creator>{_t(_x(a['author']))}</dc:creator>\n")
    out.append("    </item>\n")
    return "".join(out)


def _rss_head(
    spec: FeedSpec,
    updated: datetime,
    base_url: str,
    hub: str | None,
    links: Sequence[tuple[str, str]],
) -> str:
    extra = [*([("hub", hub)] if hub else []), *links]
    name = GENERATOR[0]
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        '<rss xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n',
        "  <channel>\n",
        f"    <title>{_t(_x(spec.title))}</title>\n",
        f"    <link>{_t(absolute(base_url, 'index.html'))}</link>\n",
        f"    <description>{_t(_x(spec.description))}</description>\n",
        f'    <atom:link href="{_a(absolute(base_url, spec.path("rss")))}" rel="self"'
        f' type="{CONTENT_TYPES["rss"]}"/>\n',
        "    <docs>https://www.rssboard.org/rss-specification</docs>\n",
        f"    <generator>{_t(name)}</generator>\n",
        "    <language>vi</language>\n",
        f"    <lastBuildDate>{_rfc822(updated)}</lastBuildDate>\n",
    ]
    for rel, href in extra:
        out.append(f'    <atom:link href="{_a(href)}" rel="{_a(rel)}"/>\n')
    return "".join(out)


def _json_head(
    spec: FeedSpec,
    updated: datetime,
    base_url: str,
    hub: str | None,
    links: Sequence[tuple[str, str]],
) -> str:
    """The document up to its items (`"items": ` included); JSON Feed has no feed date."""
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": absolute(base_url, "index.html"),
        "feed_url": absolute(base_url, spec.path("json")),
        "description": spec.description,
        "language": "vi",
        "authors": [{"name": "vnfeeds", "url": base_url}],
    }
    if hub:
        feed["hubs"] = [{"type": "WebSub", "url": hub}]
    for rel, href in links:
        if rel == "next":
            feed["next_url"] = href
    feed["items"] = []
    # `"items": []` closes the document; the entries go between its brackets.
    text = _json_text(feed)
    return _x(text[: -len("[]\n}")])


def _json_entry(item: FeedItem, spec: FeedSpec, base_url: str) -> str:
    a = item.article
    entry: dict[str, object] = {
        "id": f"urn:uuid:{item.entry_id}",
        "url": a["url"],
        "title": a["title"],
        "content_html": entry_html(item, spec),
        "date_published": parse_iso(a["published"]).isoformat(),
        "date_modified": parse_iso(a["updated"]).isoformat(),
        "tags": [c["label"] for c in _categories(item, base_url)],
        "language": "vi",
    }
    summary = _summary_text(item)
    if summary:
        entry["summary"] = summary
    if a.get("author"):
        entry["authors"] = [{"name": a["author"]}]
    if a.get("image_url"):
        entry["image"] = a["image_url"]
    entry["_vnfeeds"] = {
        "province": a["province"],
        "topics": item.topics,
        "source": a.get("source_id"),
        "attachments": [{"url": u, "title": t} for u, t in item.attachments],
        "also_published_by": [c.url for c in item.others],
    }
    out: list[str] = []
    _json_into(entry, JSON_ENTRY_INDENT, out)
    return _x("".join(out))


_json_string = json.encoder.encode_basestring  # the C encoder when available


def _json_text(value: object) -> str:
    """The text of `json.dumps(value, ensure_ascii=False, indent=1)`, written here: with an
    indent, the json module drops to its pure-Python encoder, several times slower (a build
    writes some 600 JSON feeds of up to 200 full-text entries). tests/test_render.py checks
    the two agree."""
    out: list[str] = []
    _json_into(value, "\n", out)
    return "".join(out)


def _json_into(value: object, newline: str, out: list[str]) -> None:
    kind = type(value)
    if isinstance(value, str):
        out.append(_json_string(value))
    elif kind is dict:
        assert isinstance(value, dict)
        if not value:
            out.append("{}")
            return
        inner = newline + " "
        sep = "{" + inner
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                out.append(sep + _json_string(key) + ": ")
                out.append(_json_string(item))
            else:
                out.append(sep + _json_string(key) + ": ")
                _json_into(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        assert isinstance(value, list | tuple)
        if not value:
            out.append("[]")
            return
        inner = newline + " "
        sep = "[" + inner
        for item in value:
            if type(item) is str:
                out.append(sep + _json_string(item))
            else:
                out.append(sep)
                _json_into(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif value is None or value is True or value is False or kind in (int, float):
        out.append(json.dumps(value))
    else:
        raise TypeError(f"not JSON: {kind.__name__}")


# How a document is put together: its head, the entries one after the other (JSON: with a
# separator between two), its tail. An entry's bytes are the same in every document of the same
# format and content kind (full text or summaries): a build copies the unchanged entries of a
# feed's previous file (feeds/build.py), and the twin is compressed in the same parts.
JSON_ENTRY_INDENT = "\n  "
_TAIL = {"atom": b"</feed>\n", "rss": b"  </channel>\n</rss>\n", "json": b"\n ]\n}\n"}
_JSON_SEP = ("," + JSON_ENTRY_INDENT).encode()
_HEADS = {"atom": _atom_head, "rss": _rss_head, "json": _json_head}


def entry_bytes(item: FeedItem, spec: FeedSpec, fmt: str, base_url: str) -> bytes:
    """One entry of a feed in `fmt`, as it sits in the document."""
    key = ("bytes", fmt, spec.full_content, base_url)
    cached = item.memo.get(key)
    if cached is None:
        if fmt == "atom":
            text = _atom_entry(item, spec, base_url)
        elif fmt == "rss":
            text = _rss_item(item, spec, base_url)
        else:
            text = _json_entry(item, spec, base_url)
        cached = item.memo[key] = text.encode("utf-8")
    return bytes(cached)


def document_parts(
    spec: FeedSpec,
    fmt: str,
    entries: Sequence[bytes | memoryview],
    updated: Sequence[str],
    *,
    base_url: str,
    hub: str | None = None,
    fallback_updated: str,
    links: Sequence[tuple[str, str]] = (),
) -> tuple[list[bytes | memoryview], int]:
    """A feed document of rendered entries (`updated`: each entry's), newest first, as its
    parts: the head, one part per entry shown (JSON: after the first, with the separator before
    it), the tail; and how many entries it shows: those beyond MAX_BYTES are dropped, oldest
    first."""
    count = len(entries)
    while True:
        newest = max(updated[:count]) if count else fallback_updated
        head = _HEADS[fmt](spec, parse_iso(newest), base_url, hub, links).encode("utf-8")
        parts: list[bytes | memoryview]
        if fmt != "json":
            parts = [head, *entries[:count], _TAIL[fmt]]
        elif count:
            parts = [head + b"[" + JSON_ENTRY_INDENT.encode(), entries[0]]
            parts += [_JSON_SEP + entry for entry in entries[1:count]]
            parts.append(_TAIL[fmt])
        else:
            parts = [head, b"[]\n}\n"]
        size = sum(len(part) for part in parts)
        if size <= MAX_BYTES or count <= 1:
            return parts, count
        count = max(1, int(count * MAX_BYTES / size * 0.95))


def entry_of_part(fmt: str, part: bytes | memoryview, position: int) -> bytes | memoryview:
    """The entry in a document part made by `document_parts` (its `position`-th entry)."""
    if fmt == "json" and position > 0:
        return part[len(_JSON_SEP) :]
    return part


def render(
    spec: FeedSpec,
    items: Sequence[FeedItem],
    fmt: str,
    *,
    base_url: str,
    hub: str | None = None,
    fallback_updated: str,
    links: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The feed document; entries beyond MAX_BYTES are dropped, oldest first. `links`: more
    feed-level links as (rel, href), e.g. ("next", the next page of a query feed)."""
    parts, _ = document_parts(
        spec,
        fmt,
        [entry_bytes(item, spec, fmt, base_url) for item in items],
        [item.updated for item in items],
        base_url=base_url,
        hub=hub,
        fallback_updated=fallback_updated,
        links=links,
    )
    return b"".join(parts)
