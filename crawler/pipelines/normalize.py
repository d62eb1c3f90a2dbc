"""Normalize (crawler.articles.normalize): NFC, no control characters, absolute URLs, ISO dates."""

from __future__ import annotations

from typing import Any

from crawler.articles import normalize
from crawler.items import Article
from crawler.pipelines import CrawlerPipeline


class NormalizePipeline(CrawlerPipeline):
    def process_item(self, item: Any, spider: Any = None) -> Any:
        return normalize(item) if isinstance(item, Article) else item
