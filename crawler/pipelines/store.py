"""Store: articles are written in batches, each batch one `BEGIN IMMEDIATE` transaction that
commits whole or not at all (a crawl killed mid-run leaves no partial batch)."""

from __future__ import annotations

from typing import Any

from crawler.items import Article
from crawler.pipelines import CrawlerPipeline
from crawler.store.writer import ArticleWriter


class StorePipeline(CrawlerPipeline):
    def __init__(self, crawler: Any = None) -> None:
        super().__init__(crawler)
        self.pending: list[Article] = []
        self.batch_size = 20

    def open_spider(self, spider: Any = None) -> None:
        self.batch_size = int(self.spider.config.write_batch)
        self.writer = ArticleWriter(self.spider.store, self.spider.run_id)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Article):
            self.pending.append(item)
            if len(self.pending) >= self.batch_size:
                self.flush()
        return item

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        accepted = [a for a in batch if not a.rejected]
        rejected = [a for a in batch if a.rejected]
        result = self.writer.write_batch(accepted, rejected)
        counts = self.spider.counts
        counts.new += result.new
        counts.updated += result.updated
        counts.duplicates += result.duplicates
        counts.dropped += len(rejected)

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
