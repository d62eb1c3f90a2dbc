"""Validate: refuse pages that are not usable articles, with a stated reason counted per source.

A refused page is not stored as an article, but its raw HTML is still archived (nothing is lost:
`vnfeeds reextract` can retry it after a selector fix).
"""

from __future__ import annotations

from typing import Any

from crawler.items import Article
from crawler.pipelines import CrawlerPipeline

MIN_TEXT_CHARS = 80


def rejection_reason(item: Article) -> str | None:
    if not item.title:
        return "no_title"
    if len(item.title) > 500:
        return "title_too_long"
    if not item.content_text and not item.attachments:
        return "no_body"
    if len(item.content_text) < MIN_TEXT_CHARS and not item.attachments:
        return "body_too_short"
    return None


class ValidatePipeline(CrawlerPipeline):
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        reason = rejection_reason(item)
        if reason:
            item.rejected = reason
            self.count(f"vnfeeds/dropped/{reason}")
            if self.spider is not None:
                self.spider.logger.warning("dropped %s: %s", item.url, reason)
        return item
