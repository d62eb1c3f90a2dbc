"""The source registry: `[[source]]` tables in TOML files, validated into typed `Source`s.

A bad entry is reported with the file, the source id, the key and the fix, e.g.

    crawler/sources/gia-lai.toml: source 'gia-lai': key 'province': 'gialai' is not one of the
    34 current provinces. Fix: use a slug from crawler/data/provinces.csv, e.g. 'gia-lai'.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler import places
from crawler.clock import parse_duration
from crawler.platforms.names import PLATFORMS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

SELECTOR_KEYS = (
    "list_item",
    "link",
    "list_date",
    "next_page",
    "title",
    "published",
    "updated",
    "author",
    "summary",
    "body",
    "image",
    "attachments",
    "remove",
)


class RegistryError(ValueError):
    """A source file that cannot be used; the message says where and how to fix it."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _http_url(value: str, key: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an absolute http(s) URL. Fix: write it as https://host/path"
        )
    return value


class Selectors(BaseModel):
    """CSS (parsel, with ::text / ::attr()) or 'xpath:...'; each overrides the platform default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    list_item: str | None = None
    link: str | None = None
    list_date: str | None = None
    next_page: str | None = None
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    author: str | None = None
    summary: str | None = None
    body: str | None = None
    image: str | None = None
    attachments: str | None = None  # boxes of attached documents outside the body
    remove: tuple[str, ...] = ()

    def merged_over(self, defaults: Selectors) -> Selectors:
        """These selectors over a platform's defaults (`remove` lists are added together)."""
        values = defaults.model_dump()
        for key, value in self.model_dump().items():
            if key == "remove":
                values["remove"] = tuple(dict.fromkeys((*defaults.remove, *value)))
            elif value is not None:
                values[key] = value
        return Selectors(**values)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    topics: tuple[str, ...] = ()
    name: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v, "url")

    @field_validator("topics")
    @classmethod
    def _topics(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = places.topics()
        for t in v:
            if t not in known:
                raise ValueError(f"{t!r} is not a topic. Fix: use one of {', '.join(known)}")
        return v


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    province: str
    name: str
    homepage: str
    platform: str
    enabled: bool = True
    interval: str = "60m"
    max_pages: int = Field(default=3, ge=1, le=1000)
    timezone: str = "Asia/Ho_Chi_Minh"
    download_delay: float | None = Field(default=None, ge=0)
    user_agent: str | None = None
    tls_seclevel1: bool = False
    notes: str = ""
    former_province: str | None = None
    # A regular expression whose first group is the article's id in its URL, for portals whose
    # platform has no native key of its own (e.g. '-(\d+)\.html$').
    native_key: str | None = None
    section: tuple[Section, ...] = Field(min_length=1)
    selectors: Selectors = Selectors()

    # Where this source was defined (set by the loader, not by TOML).
    file: str = Field(default="", exclude=True)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(
                f"{v!r} is not an ASCII slug. Fix: lower-case letters, digits and hyphens, "
                "e.g. 'gia-lai' or 'binh-dinh-archive'"
            )
        return v

    @field_validator("province")
    @classmethod
    def _province(cls, v: str) -> str:
        if v not in places.provinces():
            hint = ""
            retired = places.retired_slugs()
            if v in retired:
                hint = (
                    f" ('{v}' is a pre-2025 province: set province = '{retired[v]}' and "
                    f"former_province = '{v}')"
                )
            raise ValueError(
                f"{v!r} is not one of the 34 current provinces{hint}. Fix: use a slug from "
                "crawler/data/provinces.csv, e.g. 'gia-lai'"
            )
        return v

    @field_validator("former_province")
    @classmethod
    def _former(cls, v: str | None) -> str | None:
        if v is not None and v not in places.former_provinces():
            raise ValueError(
                f"{v!r} is not one of the 63 pre-2025 provinces. Fix: use a slug from "
                "crawler/data/former_provinces.csv, e.g. 'binh-dinh'"
            )
        return v

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, v: str) -> str:
        return _http_url(v, "homepage")

    @field_validator("platform")
    @classmethod
    def _platform(cls, v: str) -> str:
        if v not in PLATFORMS:
            raise ValueError(
                f"{v!r} is not a known platform. Fix: use one of {', '.join(PLATFORMS)}"
            )
        return v

    @field_validator("native_key")
    @classmethod
    def _native_key(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            pattern = re.compile(v)
        except re.error as exc:
            raise ValueError(f"{v!r} is not a regular expression ({exc})") from exc
        if pattern.groups < 1:
            raise ValueError(
                f"{v!r} has no group. Fix: put the id in parentheses, e.g. '-(\\d+)\\.html$'"
            )
        return v

    def key_of(self, url: str) -> str | None:
        """The article id the source's `native_key` pattern finds in a URL."""
        if not self.native_key:
            return None
        m = re.search(self.native_key, url)
        return m.group(1) if m else None

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        parse_duration(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(v)
        except Exception as exc:
            raise ValueError(f"{v!r} is not a time zone name, e.g. 'Asia/Ho_Chi_Minh'") from exc
        return v

    @model_validator(mode="after")
    def _former_matches(self) -> Source:
        if self.former_province:
            merged = places.former_provinces()[self.former_province].merged_into
            if merged != self.province:
                raise ValueError(
                    f"former_province '{self.former_province}' merged into '{merged}', not "
                    f"'{self.province}'. Fix: set province = '{merged}'"
                )
        return self

    @property
    def interval_td(self) -> timedelta:
        return parse_duration(self.interval)

    def store_row(self) -> dict[str, object]:
        """This source as a row of the store's `sources` table."""
        return {
            "id": self.id,
            "province": self.province,
            "name": self.name,
            "homepage": self.homepage,
            "platform": self.platform,
            "enabled": int(self.enabled),
            "former_province": self.former_province,
            "interval": self.interval,
            "notes": self.notes,
            "config": self.model_dump_json(),
        }

    @property
    def province_then(self) -> str:
        """The province the portal belonged to when it published (pre-2025 portals)."""
        return self.former_province or self.province

    def section_topics(self, section_url: str) -> tuple[str, ...]:
        for s in self.section:
            if s.url == section_url:
                return s.topics
        return ()


def _describe(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


_FIXES = {
    "missing": "add it to the [[source]] table",
    "extra_forbidden": "remove it or check its spelling",
    "too_short": "add at least one [[source.section]] with a url",
    "bool_type": "write true or false",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "float_type": "write a number",
    "float_parsing": "write a number",
    "string_type": "write a quoted string",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
}


def _format_error(file: str, source_id: str, err: dict[str, Any]) -> str:
    key = _describe(tuple(err.get("loc", ())))
    msg = str(err.get("msg", "invalid"))
    msg = msg.removeprefix("Value error, ")
    kind = err.get("type", "")
    fix = _FIXES.get(kind)
    if kind == "extra_forbidden":
        parent = tuple(err.get("loc", ()))[:-1]
        known: Iterable[str] = (
            SELECTOR_KEYS
            if parent[-1:] == ("selectors",)
            else (Section.model_fields if "section" in parent else Source.model_fields)
        )
        fix = f"remove it or use one of: {', '.join(k for k in known if k != 'file')}"
    where = f"{file}: source '{source_id}'" + (f": key '{key}'" if key else "")
    return f"{where}: {msg}" + (f". Fix: {fix}" if fix and "Fix:" not in msg else "")


def _source_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.toml") if p.is_file())
    if path.is_file():
        return [path]
    raise RegistryError([f"{path}: no such file or directory (set --sources / VNFEEDS_SOURCES)"])


def parse_file(path: Path) -> tuple[list[Source], list[str]]:
    """The sources of one TOML file, and the problems found in it."""
    problems: list[str] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [], [f"{path}: not valid TOML: {exc}. Fix: check the syntax at that line"]
    unknown = set(data) - {"source"}
    if unknown:
        problems.append(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}. "
            "Fix: a sources file holds only [[source]] tables"
        )
    entries = data.get("source", [])
    if not isinstance(entries, list):
        return [], [*problems, f"{path}: 'source' must be an array of tables: write [[source]]"]
    sources: list[Source] = []
    for index, entry in enumerate(entries):
        source_id = str(entry.get("id", f"#{index + 1}")) if isinstance(entry, dict) else "?"
        try:
            sources.append(Source(**entry, file=str(path)))
        except ValidationError as exc:
            problems.extend(_format_error(str(path), source_id, e) for e in exc.errors())  # type: ignore[arg-type]
        except TypeError as exc:
            problems.append(f"{path}: source '{source_id}': {exc}")
    return sources, problems


class Registry:
    def __init__(self, sources: Iterable[Source]):
        self._by_id: dict[str, Source] = {s.id: s for s in sources}

    def __iter__(self) -> Iterator[Source]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._by_id

    def get(self, source_id: str) -> Source:
        try:
            return self._by_id[source_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id)) or "(none)"
            raise KeyError(f"no source '{source_id}'. Known sources: {known}") from None

    def enabled(self) -> list[Source]:
        return [s for s in self if s.enabled]

    def select(self, ids: Iterable[str]) -> list[Source]:
        wanted = list(ids)
        return [self.get(i) for i in wanted] if wanted else self.enabled()


def load_registry(path: Path | str) -> Registry:
    """Load and validate every source under `path`; raise RegistryError listing every problem."""
    problems: list[str] = []
    sources: list[Source] = []
    seen: dict[str, str] = {}
    for file in _source_files(Path(path)):
        found, file_problems = parse_file(file)
        problems.extend(file_problems)
        for source in found:
            if source.id in seen:
                problems.append(
                    f"{file}: source '{source.id}': id already used in {seen[source.id]}. "
                    "Fix: give one of them another id"
                )
                continue
            seen[source.id] = str(file)
            sources.append(source)
    if problems:
        raise RegistryError(problems)
    return Registry(sources)
