"""Every feed vnfeeds publishes, by path (DESIGN.md "Feeds"):

all.{atom,rss,json}                          every province
province/<province>.{atom,rss,json}          one current unit (with its pre-2025 portals)
topic/<topic>.{atom,rss,json}                one topic, all provinces
province/<province>/<topic>.{atom,rss,json}  both
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=16384)
def absolute(base_url: str, path: str) -> str:
    """`urljoin(base_url, path)`, remembered: a build joins the same few thousand paths to one
    base URL in its pages and feed heads, every time."""
    return urljoin(base_url, path)
