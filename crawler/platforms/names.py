"""Names of the CMS-family modules, importable without Scrapy (the registry validates with it)."""

# platform name in TOML -> module in crawler.platforms
PLATFORMS: dict[str, str] = {
    "upload-cms": "upload_cms",
    "liferay": "liferay",
    "sharepoint": "sharepoint",
    "dnn": "dnn",
    "nukeviet": "nukeviet",
    "vgp": "vgp",
    "rss": "rss",
    "generic": "generic",
}
