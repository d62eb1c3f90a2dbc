"""Normalize: NFC text without control or invisible characters, collapsed whitespace, absolute
URLs, dates as ISO 8601 in Vietnam time. Display text keeps the portal's own tone placement."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from crawler.clock import iso, parse_iso
from crawler.items import Article
from crawler.pipelines import CrawlerPipeline
from crawler.textnorm import clean_text


class NormalizePipeline(CrawlerPipeline):
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        item.title = clean_text(item.title)
        item.summary = clean_text(item.summary)
        item.author = clean_text(item.author).strip(" .,;:-–—") or None
        item.content_text = clean_text(item.content_text, keep_newlines=True).replace("\n", "\n\n")
        if item.image_url:
            item.image_url = urljoin(item.url, item.image_url)
        if item.published:
            item.published = iso(parse_iso(item.published))
        item.fetched_at = iso(parse_iso(item.fetched_at))
        for att in item.attachments:
            att.url = urljoin(item.url, att.url)
            att.title = clean_text(att.title)
        return item
