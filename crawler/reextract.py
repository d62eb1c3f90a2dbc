"""`vnfeeds reextract`: run extraction again over the archived raw pages of sources, after a
selector or extractor fix, without fetching anything.

For every stored article of a source, its newest archived page is decoded and extracted with
the source's current configuration. Only a change of the normalized title or text is written:
the previous version goes to `revisions` (reason "reextract"), the id, `first_seen` and
`updated` stay (the portal did not edit the article). Pages that validation refused when they
were fetched are tried again and stored as new articles when they now pass.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from crawler.articles import assemble, assign_topics, normalize, rejection_reason
from crawler.clock import now, now_iso, parse_iso
from crawler.extract.encoding import decode_html
from crawler.items import RawPage
from crawler.platforms import get_platform
from crawler.platforms.base import Page
from crawler.registry import Source
from crawler.store.writer import ArticleWriter
from crawler.urls import canonicalize


@dataclass
class ReextractResult:
    source_id: str
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    recovered: int = 0  # refused pages that now make an article
    still_refused: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _page(row: dict[str, Any]) -> tuple[Page, str] | None:
    headers: dict[str, str] = json.loads(row["headers"] or "{}")
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    decoded = decode_html(zlib.decompress(row["body"]), ctype)
    if decoded.problem:
        return None
    return Page(url=row["url"], text=decoded.text, status=row["status"], headers=headers), (
        decoded.encoding
    )


def reextract_source(db: sqlite_utils.Database, source: Source) -> ReextractResult:
    result = ReextractResult(source.id)
    platform = get_platform(source.platform)
    selectors = platform.selectors(source.selectors)
    tz = ZoneInfo(source.timezone)
    writer = ArticleWriter(db)
    reference = now()
    stamp = now_iso()
    articles = list(
        db.query(
            "SELECT a.id, a.url, a.title, a.native_key, a.section_url, a.published,"
            " a.published_source, r.url AS raw_url, r.status, r.headers, r.body, r.fetched_at"
            " FROM articles a JOIN raw_pages r ON r.id = (SELECT max(id) FROM raw_pages"
            " WHERE article_id = a.id) WHERE a.source_id = ? ORDER BY a.seq",
            [source.id],
        )
    )
    for row in articles:
        result.pages += 1
        decoded = _page({**row, "url": row["raw_url"]})
        if decoded is None:
            result.failed += 1
            continue
        page, _encoding = decoded
        list_date = parse_iso(row["published"]) if row["published_source"] == "list" else None
        extracted = platform.extract(
            page,
            selectors,
            tz=tz,
            list_date=list_date,
            list_title=row["title"],
            reference=reference,
        )
        article = assemble(
            extracted,
            source,
            url=row["url"],
            urls=[row["url"]],
            native_key=row["native_key"],
            section_url=row["section_url"],
            list_title=row["title"],
            fetched_at=row["fetched_at"],
            raw=None,
        )
        normalize(article)
        if rejection_reason(article):
            result.failed += 1  # keep what is stored rather than replace it with less
            continue
        assign_topics(article, source.section_topics(row["section_url"] or ""))
        if writer.reextracted(row["id"], article, stamp):
            result.changed += 1
        else:
            result.unchanged += 1
    refused = list(
        db.query(
            "SELECT url, status, headers, body, fetched_at, encoding FROM raw_pages"
            " WHERE article_id IS NULL AND source_id = ? ORDER BY id",
            [source.id],
        )
    )
    for row in refused:
        result.pages += 1
        decoded = _page(row)
        if decoded is None:
            result.still_refused += 1
            continue
        page, encoding = decoded
        extracted = platform.extract(page, selectors, tz=tz, reference=reference)
        url = canonicalize(row["url"])
        article = assemble(
            extracted,
            source,
            url=url,
            urls=[url],
            native_key=platform.native_key(row["url"]) or source.key_of(row["url"]),
            section_url=None,
            list_title=None,
            fetched_at=row["fetched_at"],
            raw=RawPage(
                url=row["url"],
                status=row["status"],
                headers=json.loads(row["headers"] or "{}"),
                body=zlib.decompress(row["body"]),
                encoding=encoding,
                fetched_at=row["fetched_at"],
            ),
        )
        normalize(article)
        if rejection_reason(article):
            result.still_refused += 1
            continue
        assign_topics(article)
        batch = writer.write_batch([article])
        result.recovered += batch.new
    return result
