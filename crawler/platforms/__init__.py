"""CMS families. One module per family; `get_platform(name)` returns its `Platform`.

Platform modules work on parsel Selectors, not Scrapy responses, so extraction runs the same in
the spider, in `vnfeeds reextract` and in the benchmarks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from crawler.platforms.names import PLATFORMS

if TYPE_CHECKING:
    from crawler.platforms.base import Platform

__all__ = ["PLATFORMS", "get_platform"]


def get_platform(name: str) -> Platform:
    try:
        module_name = PLATFORMS[name]
    except KeyError:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}") from None
    module = importlib.import_module(f"crawler.platforms.{module_name}")
    platform: Platform = module.PLATFORM
    return platform
