"""vnfeeds: crawl Vietnam's provincial government portals into SQLite and publish feeds.

This package holds the crawl side (Scrapy project, registry, store, scheduler, CLI). Importing
it does not import Scrapy; only `crawler.spiders`, `crawler.pipelines` and `crawler.settings` do.
"""

__version__ = "0.1.0"
