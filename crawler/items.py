"""What a crawl hands to the pipelines and the store (plain dataclasses; no Scrapy import)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawPage:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    encoding: str | None
    fetched_at: str


@dataclass
class Attachment:
    url: str
    title: str


@dataclass
class Article:
    """One article page, from extraction through normalization to the store."""

    source_id: str
    province: str
    province_then: str
    url: str  # canonical URL (set by the normalize pipeline)
    urls: list[str] = field(default_factory=list)  # every URL it was seen under
    native_key: str | None = None
    section_url: str | None = None
    title: str = ""
    summary: str = ""
    content_html: str = ""
    content_text: str = ""
    author: str | None = None
    published: str | None = None  # ISO, Vietnam time
    published_source: str | None = None  # "selector", "meta", "json-ld", "list", "first_seen"
    image_url: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)  # topic -> origin ("section", "rule")
    list_title: str | None = None
    list_date: str | None = None
    fetched_at: str = ""
    raw: RawPage | None = None
    rejected: str | None = None  # why validation refused it (the raw page is still archived)
