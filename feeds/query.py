"""Query feeds: `search.atom?q=&province=&topic=&page=` (and `.rss`, `.json`), answered by
`vnfeeds serve` from the store's full-text index.

- `q`: words to find in title, summary or text (typed without diacritics it matches either way,
  "binh dinh" finds "Bình Định"; typed with them it matches exactly); optional when a province
  or topic narrows the feed.
- `province`, `topic`: slugs of `crawler/data/` (a pre-2025 province's slug means the unit it
  merged into).
- `page`: 1 for the newest `PAGE_SIZE` matches; each page links the next one (`rel="next"` in
  Atom and RSS, `next_url` in JSON Feed), so a reader can go back through the whole history.

One entry per story (near-duplicate cluster), summaries only, newest first. The same query on
the same store gives the same bytes: the feed's `updated` is its newest entry's. Every bad
parameter is a `QueryError` (the server answers 400 with its message): unknown names,
repeated names, empty or oversized values, control characters, an unknown slug, a page that is
not a number from 1 to `MAX_PAGE`.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin

from crawler import places
from crawler.store.db import Reader
from crawler.store.queries import items_for, search
from feeds.catalog import FEED_NS, FeedSpec
from feeds.render import render

PAGE_SIZE = 50
MAX_PAGE = 2000
MAX_Q = 200
FORMATS = {"search.atom": "atom", "search.rss": "rss", "search.json": "json"}
_NAMES = {"q", "province", "topic", "page"}


class QueryError(ValueError):
    """A query-feed parameter that cannot be answered (the message says which and why)."""


@dataclass(frozen=True)
class Query:
    q: str = ""
    province: str | None = None
    topic: str | None = None
    page: int = 1

    def encoded(self, page: int | None = None) -> str:
        """The canonical query string (fixed order, no empty values)."""
        pairs = [
            (k, v)
            for k, v in (
                ("q", self.q),
                ("province", self.province or ""),
                ("topic", self.topic or ""),
            )
            if v
        ]
        number = self.page if page is None else page
        if number != 1:
            pairs.append(("page", str(number)))
        return urlencode(pairs)


def _clean(name: str, value: str) -> str:
    if len(value) > MAX_Q:
        raise QueryError(f"{name}: longer than {MAX_Q} characters")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in value):
        raise QueryError(f"{name}: control or unassigned characters are not allowed")
    return " ".join(unicodedata.normalize("NFC", value).split())


def parse_query(query_string: str) -> Query:
    """The parameters of a query feed URL, validated."""
    try:
        pairs = parse_qsl(
            query_string,
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=len(_NAMES) + 1,
        )
    except ValueError as exc:
        raise QueryError(f"malformed query string: {exc}") from exc
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in _NAMES:
            raise QueryError(f"unknown parameter {name[:40]!r} (use q, province, topic, page)")
        if name in values:
            raise QueryError(f"{name}: given twice")
        values[name] = _clean(name, value)
    q = values.get("q", "")
    province = values.get("province") or None
    if province is not None:
        retired = places.retired_slugs()
        province = retired.get(province, province)
        if province not in places.provinces():
            raise QueryError(f"province: unknown slug {province[:40]!r}")
    topic = values.get("topic") or None
    if topic is not None and topic not in places.topics():
        raise QueryError(f"topic: unknown slug {topic[:40]!r}")
    raw_page = values.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise QueryError(f"page: a number from 1 to {MAX_PAGE}")
    if not q and not province and not topic:
        raise QueryError("give q, province or topic")
    return Query(q=q, province=province, topic=topic, page=int(raw_page))


@dataclass(frozen=True)
class QuerySpec(FeedSpec):
    """A query feed as the renderer sees a feed: its id, title, self path."""

    query: Query = Query()

    @property
    def full_content(self) -> bool:
        return False  # matches from every portal: summaries, as in all.*

    @property
    def feed_id(self) -> str:
        return f"urn:uuid:{uuid.uuid5(FEED_NS, 'vnfeeds:search?' + self.query.encoded())}"

    def path(self, fmt: str) -> str:
        return f"search.{fmt}?{self.query.encoded()}"

    @property
    def title(self) -> str:
        q = self.query
        parts = [f"“{q.q}”"] if q.q else []
        if q.province:
            parts.append(places.provinces()[q.province].name)
        if q.topic:
            parts.append(places.topics()[q.topic].name)
        page = f" (trang {q.page})" if q.page > 1 else ""
        return "Tìm kiếm: " + " – ".join(parts) + page

    @property
    def description(self) -> str:
        return "Kết quả tìm kiếm trong tin của cổng thông tin điện tử các tỉnh, thành phố"


def render_query(
    db: Reader,
    query: Query,
    fmt: str,
    *,
    base_url: str,
    fallback_updated: str,
) -> bytes:
    """The query feed document for one page of matches."""
    found = search(
        db,
        query.q,
        province=query.province,
        topic=query.topic,
        limit=PAGE_SIZE,
        offset=(query.page - 1) * PAGE_SIZE,
    )
    items = items_for(db, found.rows)
    links = []
    if found.next_offset is not None and query.page < MAX_PAGE:
        links.append(("next", urljoin(base_url, f"search.{fmt}?{query.encoded(query.page + 1)}")))
    spec = QuerySpec("search", province=query.province, topic=query.topic, query=query)
    return render(
        spec, items, fmt, base_url=base_url, fallback_updated=fallback_updated, links=links
    )
