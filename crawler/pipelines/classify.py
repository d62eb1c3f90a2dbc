"""Topics: the section's configured topics, plus what the keyword rules find."""

from __future__ import annotations

from typing import Any

from crawler.classify import classify
from crawler.items import Article
from crawler.pipelines import CrawlerPipeline


class ClassifyPipeline(CrawlerPipeline):
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article) or item.rejected:
            return item
        if self.spider is not None and item.section_url:
            for topic in self.spider.source.section_topics(item.section_url):
                item.topics.setdefault(topic, "section")
        for topic in classify(item.title, item.summary, item.content_text):
            item.topics.setdefault(topic, "rule")
        return item
