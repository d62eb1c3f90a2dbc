"""From extracted fields to a stored article, the same way for a crawl and a re-extraction:
assemble the `Article`, normalize it, validate it, give it its topics.

The Scrapy pipelines (crawler/pipelines/) are thin wrappers around these functions, so
`vnfeeds reextract` treats an archived page exactly as the crawl treated the fetched one.
"""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.classify import topics_for
from crawler.clock import iso, parse_iso
from crawler.extract.article import Extracted
from crawler.items import Article, RawPage
from crawler.registry import Source
from crawler.textnorm import clean_text, defang_markup

MIN_TEXT_CHARS = 80


def assemble(
    extracted: Extracted,
    source: Source,
    *,
    url: str,
    urls: list[str],
    native_key: str | None,
    section_url: str | None,
    list_title: str | None,
    fetched_at: str,
    raw: RawPage | None,
) -> Article:
    return Article(
        source_id=source.id,
        province=source.province,
        province_then=source.province_then,
        url=url,
        urls=list(dict.fromkeys(urls)),
        native_key=native_key,
        section_url=section_url,
        title=extracted.title or list_title or "",
        summary=extracted.summary,
        content_html=extracted.body.html,
        content_text=extracted.body.text,
        author=extracted.author,
        published=extracted.published.isoformat() if extracted.published else None,
        published_source=extracted.published_source,
        image_url=extracted.image_url,
        attachments=extracted.body.attachments,
        list_title=list_title,
        fetched_at=fetched_at,
        raw=raw,
    )


def normalize(item: Article) -> Article:
    """NFC text without control or invisible characters, collapsed whitespace, absolute URLs,
    dates as ISO 8601 in Vietnam time. Display text keeps the portal's own tone placement."""
    item.title = defang_markup(clean_text(item.title))
    item.summary = defang_markup(clean_text(item.summary))
    item.author = defang_markup(clean_text(item.author).strip(" .,;:-–—")) or None
    item.content_text = defang_markup(
        clean_text(item.content_text, keep_newlines=True).replace("\n", "\n\n")
    )
    if item.image_url:
        item.image_url = urljoin(item.url, item.image_url)
    if item.published:
        item.published = iso(parse_iso(item.published))
    item.fetched_at = iso(parse_iso(item.fetched_at))
    for att in item.attachments:
        att.url = urljoin(item.url, att.url)
        att.title = defang_markup(clean_text(att.title))
    return item


def rejection_reason(item: Article) -> str | None:
    """Why a page is not a usable article (None when it is)."""
    if not item.title:
        return "no_title"
    if len(item.title) > 500:
        return "title_too_long"
    if not item.content_text and not item.attachments:
        return "no_body"
    if len(item.content_text) < MIN_TEXT_CHARS and not item.attachments:
        return "body_too_short"
    return None


def assign_topics(item: Article, section_topics: tuple[str, ...] = ()) -> Article:
    """The section's configured topics, plus what the keyword rules find; never none."""
    for topic, origin in topics_for(item.title, item.summary, item.content_text, section_topics):
        item.topics.setdefault(topic, origin)
    return item
