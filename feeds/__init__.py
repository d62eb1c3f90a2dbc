"""Feeds: catalog, rendering, publishing (atomic files, OPML, index and status pages)
and serving. Reads the store through `crawler.store.queries`; never imports Scrapy or Twisted."""
