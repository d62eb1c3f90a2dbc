"""Item pipelines: normalize -> validate -> classify -> store (order set in crawler/settings.py).

Each pipeline gets the crawler (and through it the running PortalSpider: its source, its store
connection, its run counts) from `from_crawler`.
"""

from __future__ import annotations

from typing import Any


class CrawlerPipeline:
    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlerPipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider if self.crawler is not None else None

    def count(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
