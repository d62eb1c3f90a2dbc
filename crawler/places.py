"""Provinces (34 since 2025-07-01), former provinces (63 before) and topics, from crawler/data/.

GSO codes were reused by the merger (52 was Bình Định and is now Gia Lai) and a former slug may
equal a current one (old Gia Lai merged into new Gia Lai), so everything is keyed by slug and a
former province is always looked up in `former_provinces()`, never by code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Province:
    slug: str
    code: str
    name: str
    short_name: str
    kind: str  # "tinh" or "thanh-pho"
    formed_from: tuple[str, ...]


@dataclass(frozen=True)
class FormerProvince:
    slug: str
    code: str
    iso_3166_2: str
    name: str
    portal: str
    merged_into: str


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def provinces() -> dict[str, Province]:
    return {
        r["slug"]: Province(
            slug=r["slug"],
            code=r["code"],
            name=r["name"],
            short_name=r["short_name"],
            kind=r["kind"],
            formed_from=tuple(p.strip() for p in r["formed_from"].split(";")),
        )
        for r in _rows("provinces.csv")
    }


@cache
def former_provinces() -> dict[str, FormerProvince]:
    return {
        r["slug"]: FormerProvince(
            slug=r["slug"],
            code=r["code"],
            iso_3166_2=r["iso_3166_2"],
            name=r["name"],
            portal=r["portal"],
            merged_into=r["merged_into"],
        )
        for r in _rows("former_provinces.csv")
    }


@cache
def topics() -> dict[str, Topic]:
    return {
        r["slug"]: Topic(slug=r["slug"], name=r["name"], description=r["description"])
        for r in _rows("topics.csv")
    }


def retired_slugs() -> dict[str, str]:
    """Former slugs that are not current ones -> the unit they merged into.

    'binh-dinh' -> 'gia-lai'; 'gia-lai' is not listed (it is a current slug too).
    """
    current = provinces()
    return {slug: fp.merged_into for slug, fp in former_provinces().items() if slug not in current}
