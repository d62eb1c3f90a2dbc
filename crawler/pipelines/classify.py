"""Topics (crawler.articles.assign_topics -> crawler.classify.topics_for): the section's topics
plus the keyword rules of crawler/data/topic_rules.toml; every article gets at least one."""

from __future__ import annotations

from typing import Any

from crawler.articles import assign_topics
from crawler.items import Article
from crawler.pipelines import CrawlerPipeline


class ClassifyPipeline(CrawlerPipeline):
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article) or item.rejected:
            return item
        topics: tuple[str, ...] = ()
        if self.spider is not None and item.section_url:
            topics = self.spider.source.section_topics(item.section_url)
        return assign_topics(item, topics)
