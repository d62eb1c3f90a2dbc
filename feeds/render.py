"""Rendering a feed: `(spec, entries, format, base URL) -> bytes`, a pure function of its inputs.

Atom and RSS go through feedgen (wrapped here, nowhere else); JSON Feed 1.1 is written directly.
Dates carry +07:00. The feed's updated/lastBuildDate is its newest entry's `updated`, never the
build time, so the same store gives the same bytes. Entry ids are `urn:uuid:<cluster id>`.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from crawler import __version__, places
from crawler.clock import parse_iso
from crawler.store.queries import FeedItem
from crawler.textnorm import strip_illegal
from feeds.catalog import FEED_NS, FeedSpec

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


def _categories(item: FeedItem, base_url: str) -> list[dict[str, str]]:
    topics = places.topics()
    provinces = places.provinces()
    cats = [
        {"term": t, "label": topics[t].name, "scheme": urljoin(base_url, "topic/")}
        for t in item.topics
        if t in topics
    ]
    prov = item.article["province"]
    if prov in provinces:
        cats.append(
            {"term": prov, "label": provinces[prov].name, "scheme": urljoin(base_url, "province/")}
        )
    return cats


class AtomSourceExtension(BaseEntryExtension):
    """The portal an entry comes from, as a complete `atom:source` (id, title, link, updated):
    feedgen's own `source()` writes only title and link. Elements are created the way feedgen
    creates its own (no namespace: the feed root declares Atom as the default namespace)."""

    def __init__(self) -> None:
        self.portal: dict[str, str] | None = None

    def set(self, source_id: str, title: str, homepage: str, updated: str) -> None:
        self.portal = {"id": source_id, "title": title, "link": homepage, "updated": updated}

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if not self.portal:
            return entry
        p = self.portal
        source = etree.SubElement(entry, "source")
        etree.SubElement(source, "id").text = f"urn:uuid:{uuid.uuid5(FEED_NS, 'source:' + p['id'])}"
        etree.SubElement(source, "title").text = p["title"]
        etree.SubElement(source, "link", href=p["link"])
        etree.SubElement(source, "updated").text = p["updated"]
        return entry


class RssAtomLinks(BaseExtension):
    """Atom links in an RSS channel beyond `self` (feedgen writes only that one): the WebSub hub
    and the next page, as `<atom:link rel="hub|next">`."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = rss_feed[0]
        for rel, href in self.links:
            etree.SubElement(channel, "{http://www.w3.org/2005/Atom}link", href=href, rel=rel)
        return rss_feed


def _generator(
    spec: FeedSpec,
    items: Sequence[FeedItem],
    fmt: str,
    base_url: str,
    hub: str | None,
    fallback: str,
    links: Sequence[tuple[str, str]] = (),
) -> FeedGenerator:
    fg = FeedGenerator()
    extra = [*([("hub", hub)] if hub else []), *links]
    if fmt == "rss":
        fg.load_extension("dc", atom=False, rss=True)
        if extra:
            fg.register_extension("atomlinks", RssAtomLinks, None, atom=False)
            fg.atomlinks.links = extra
    fg.id(spec.feed_id)
    fg.title(_x(spec.title))
    fg.subtitle(_x(spec.description))
    fg.description(_x(spec.description))
    # The self link first: feedgen takes the channel <link> of RSS from the last link added.
    fg.link(href=urljoin(base_url, spec.path(fmt)), rel="self", type=CONTENT_TYPES[fmt])
    fg.link(href=urljoin(base_url, "index.html"), rel="alternate")
    if fmt == "atom":
        for rel, href in extra:
            fg.link(href=href, rel=rel)
    fg.language("vi")
    fg.author({"name": "vnfeeds", "uri": base_url})
    fg.generator(*GENERATOR)
    fg.docs("https://www.rssboard.org/rss-specification")
    updated = feed_updated(items, fallback)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for item in items:
        a = item.article
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{item.entry_id}")
        fe.guid(f"urn:uuid:{item.entry_id}", permalink=False)
        fe.title(_x(a["title"]))
        fe.link(href=a["url"], rel="alternate")
        fe.published(parse_iso(a["published"]))
        fe.updated(parse_iso(a["updated"]))
        if a.get("author"):
            fe.author({"name": _x(a["author"])})
            if fmt == "rss":
                fe.dc.dc_creator(_x(a["author"]))  # RSS <author> needs an e-mail address
        for cat in _categories(item, base_url):
            fe.category(term=cat["term"], label=_x(cat["label"]), scheme=cat["scheme"])
        content = entry_html(item, spec)
        if spec.full_content:
            fe.content(content, type="html")
            summary = _summary_text(item)
            if summary:
                fe.summary(_x(summary))
        else:
            fe.summary(content, type="html")
        if fmt == "atom" and a.get("source_name"):
            fe.register_extension("portal", AtomSourceExtension, atom=True, rss=False)
            fe.portal.set(
                a["source_id"],
                _x(a["source_name"]),
                a.get("source_homepage") or a["url"],
                parse_iso(a["updated"]).isoformat(),
            )
    return fg


def _render_json(
    spec: FeedSpec,
    items: Sequence[FeedItem],
    base_url: str,
    hub: str | None,
    fallback: str,
    links: Sequence[tuple[str, str]] = (),
) -> bytes:
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": urljoin(base_url, "index.html"),
        "feed_url": urljoin(base_url, spec.path("json")),
        "description": spec.description,
        "language": "vi",
        "authors": [{"name": "vnfeeds", "url": base_url}],
    }
    if hub:
        feed["hubs"] = [{"type": "WebSub", "url": hub}]
    for rel, href in links:
        if rel == "next":
            feed["next_url"] = href
    out_items = []
    for item in items:
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
        out_items.append(entry)
    feed["items"] = out_items
    text = json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=False)
    return (_x(text) + "\n").encode("utf-8")


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
    count = len(items)
    while True:
        subset = items[:count]
        if fmt == "json":
            data = _render_json(spec, subset, base_url, hub, fallback_updated, links)
        else:
            fg = _generator(spec, subset, fmt, base_url, hub, fallback_updated, links)
            data = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
        if len(data) <= MAX_BYTES or count <= 1:
            return data
        count = max(1, int(count * MAX_BYTES / len(data) * 0.95))
