"""Validate: refuse pages that are not usable articles, with a stated reason counted per source.

A refused page is not stored as an article, but its raw HTML is still archived (nothing is lost:
`vnfeeds reextract` can retry it after a selector fix).
"""

from __future__ import annotations

from typing import Any

from crawler.articles import rejection_reason
from crawler.items import Article
from crawler.pipelines import CrawlerPipeline

__all__ = ["ValidatePipeline", "rejection_reason"]


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
