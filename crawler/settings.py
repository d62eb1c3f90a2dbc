"""Scrapy settings of the vnfeeds project (`scrapy.cfg` names this module).

Only static choices live here. The values an operator sets (timeouts, delays, User-Agent,
concurrency, robots.txt, page size) come from vnfeeds' settings table (`crawler/config.py`) and
are applied by the portal spider when the crawl starts, together with the source's own options
(download_delay, user_agent, tls_seclevel1).
"""

BOT_NAME = "vnfeeds"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.classify.ClassifyPipeline": 300,
    "crawler.pipelines.store.StorePipeline": 900,
}

# VNFEEDS_PROXY for every request; Scrapy's HttpProxyMiddleware (750) then applies it.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ProxyMiddleware": 740,
    # Politeness beyond Scrapy's defaults (crawler/middlewares.py): robots.txt by RFC 9309 with
    # Crawl-delay, in place of Scrapy's robots middleware; a per-host request budget;
    # Retry-After, seen before RetryMiddleware (550) retries at once; gzip/deflate bodies cut
    # short refused before HttpCompressionMiddleware (590) inflates half a page.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsPolicyMiddleware": 100,
    "crawler.middlewares.HostBudgetMiddleware": 110,
    "crawler.middlewares.RetryAfterMiddleware": 560,
    "crawler.middlewares.CompressedBodyMiddleware": 595,
}

# Politeness (values refined per run from the settings table).
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
VNFEEDS_MAX_CRAWL_DELAY = 30.0
VNFEEDS_RETRY_AFTER_MAX = 120.0
VNFEEDS_MAX_REQUESTS_PER_HOST = 1000

# Government hosts often have incomplete certificate chains; Scrapy does not verify by default and
# we keep it that way (sources with weak DH keys set tls_seclevel1).
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 1024
MEMUSAGE_WARNING_MB = 512
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
