"""The reference for feeds/render.py: the same feeds built with feedgen (1.0) and serialized
by lxml, as vnfeeds rendered them before it wrote Atom and RSS directly. tests/test_render.py
checks the two give the same bytes; nothing outside the tests uses this module."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import urljoin

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from crawler.clock import parse_iso
from crawler.store.queries import FeedItem
from feeds.catalog import FEED_NS, FeedSpec
from feeds.render import (
    CONTENT_TYPES,
    GENERATOR,
    _categories,
    _summary_text,
    _x,
    entry_html,
    feed_updated,
)


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


def generator(
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


def render_feedgen(
    spec: FeedSpec,
    items: Sequence[FeedItem],
    fmt: str,
    *,
    base_url: str,
    hub: str | None = None,
    fallback_updated: str,
    links: Sequence[tuple[str, str]] = (),
) -> bytes:
    fg = generator(spec, items, fmt, base_url, hub, fallback_updated, links)
    data: bytes = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    return data
