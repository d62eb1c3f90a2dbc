"""Every feed vnfeeds publishes, by path (DESIGN.md "Feeds"):

all.{atom,rss,json}                          every province
province/<province>.{atom,rss,json}          one current unit (with its pre-2025 portals)
topic/<topic>.{atom,rss,json}                one topic, all provinces
province/<province>/<topic>.{atom,rss,json}  both
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler import places

FORMATS = ("atom", "rss", "json")
FEED_NS = uuid.UUID("3b0f8a36-0c3e-5a8e-8d7e-9a1c52f1d7a4")


@dataclass(frozen=True)
class FeedSpec:
    stem: str  # path without extension: "all", "province/gia-lai", "province/gia-lai/y-te"
    province: str | None = None
    topic: str | None = None

    @property
    def full_content(self) -> bool:
        """`all.*` carries summaries only; every other feed the full text plus summary."""
        return self.stem != "all"

    @property
    def feed_id(self) -> str:
        """Permanent, independent of where the feeds are served."""
        return f"urn:uuid:{uuid.uuid5(FEED_NS, 'vnfeeds:' + self.stem)}"

    def path(self, fmt: str) -> str:
        return f"{self.stem}.{fmt}"

    @property
    def title(self) -> str:
        prov = places.provinces()[self.province].name if self.province else None
        top = places.topics()[self.topic].name if self.topic else None
        if prov and top:
            return f"{prov} – {top}"
        if prov:
            return prov
        if top:
            return f"{top} – các tỉnh, thành phố"
        return "Tin từ cổng thông tin điện tử các tỉnh, thành phố"

    @property
    def description(self) -> str:
        if self.province and self.topic:
            return (
                f"Tin {places.topics()[self.topic].name.lower()} từ cổng thông tin điện tử "
                f"{places.provinces()[self.province].name}"
            )
        if self.province:
            p = places.provinces()[self.province]
            return (
                f"Tin từ cổng thông tin điện tử {p.name} và các cổng trước sáp nhập "
                f"({', '.join(p.formed_from)})"
            )
        if self.topic:
            return (
                f"Tin {places.topics()[self.topic].name.lower()} từ cổng thông tin điện tử "
                "34 tỉnh, thành phố"
            )
        return "Tin từ cổng thông tin điện tử 34 tỉnh, thành phố của Việt Nam"


def all_specs() -> Iterator[FeedSpec]:
    yield FeedSpec("all")
    for province in places.provinces():
        yield FeedSpec(f"province/{province}", province=province)
    for topic in places.topics():
        yield FeedSpec(f"topic/{topic}", topic=topic)
    for province in places.provinces():
        for topic in places.topics():
            yield FeedSpec(f"province/{province}/{topic}", province=province, topic=topic)


# A relative path that urljoin appends to a base URL ending in "/" as it is: no scheme, query,
# fragment, leading "/" or ".", dot segment or empty segment.
_PLAIN_PATH = re.compile(r"(?!.*//)(?!.*/\.)[A-Za-z0-9_~-][A-Za-z0-9._~/-]*")


@functools.lru_cache(maxsize=16384)
def absolute(base_url: str, path: str) -> str:
    """`urljoin(base_url, path)`, remembered: a build joins the same few thousand paths to one
    base URL in its pages and feed heads, every time. The catalog's paths are plain, and
    appended to a base URL that ends in "/" without urljoin (40 µs a call)."""
    plain_base = base_url.endswith("/") and "?" not in base_url and "#" not in base_url
    if plain_base and _PLAIN_PATH.fullmatch(path):
        return base_url + path
    return urljoin(base_url, path)
