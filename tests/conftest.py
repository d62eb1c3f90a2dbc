"""Shared test machinery: sample portals served on 127.0.0.1, crawled by the real spider in child
processes into a real SQLite file, feeds built into a real output dir.

Time is pinned: each sample portal is crawled at its capture time (`replay_at` in its
portal.toml, passed to the child as VNFEEDS_NOW) and feeds are built at BUILD_NOW.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crawler.clock import iso, parse_iso
from crawler.config import Config
from crawler.registry import load_registry
from crawler.runner import CrawlOutcome, crawl_sources
from crawler.samples import PortalServer, SamplePortal, sample_portals
from feeds.build import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
BUILD_NOW = "2026-06-10T12:00:00+07:00"  # just after the newest sample portal's capture
BASE_URL = "http://feeds.test/"


def golden_files() -> list[tuple[SamplePortal, Path]]:
    return [(p, g) for p in sample_portals() for g in sorted(p.golden_dir.glob("*.json"))]


def load_golden(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Site:
    """A crawl environment: sample portals on 127.0.0.1, a sources dir, a store, an output dir."""

    root: Path
    servers: dict[str, PortalServer]
    overrides: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sources_dir.mkdir(parents=True, exist_ok=True)
        for name, server in self.servers.items():
            (self.sources_dir / f"{name}.toml").write_text(
                server.portal.sources_toml(server.base_url), encoding="utf-8"
            )

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def db(self) -> Path:
        return self.root / "vnfeeds.db"

    @property
    def out(self) -> Path:
        return self.root / "public"

    def config(self, **overrides: Any) -> Config:
        values: dict[str, Any] = {
            "db": str(self.db),
            "sources": str(self.sources_dir),
            "out": str(self.out),
            "base_url": BASE_URL,
            "download_delay": 0.0,
            "autothrottle": False,
            "retry_times": 1,
            "download_timeout": 5.0,
            "crawl_timeout": 90.0,
            "robots_obey": True,
        }
        values.update(self.overrides)
        values.update(overrides)
        return Config.load(values)

    def portal_of(self, source_id: str) -> SamplePortal | None:
        for server in self.servers.values():
            if any(s["id"] == source_id for s in server.portal.sources):
                return server.portal
        return None

    def crawl(
        self, ids: list[str] | None = None, *, now: str | None = None, **overrides: Any
    ) -> list[CrawlOutcome]:
        config = self.config(**overrides)
        registry = load_registry(config.sources_path)
        sources = registry.select(ids or [])

        def env_for(source: Any) -> dict[str, str]:
            if now:
                return {"VNFEEDS_NOW": now}
            portal = self.portal_of(source.id)
            when = portal.replay_at if portal else parse_iso(BUILD_NOW)
            return {"VNFEEDS_NOW": iso(when)}

        # The parent's clock too (it opens and closes runs and prunes raw pages).
        parent_now = now or iso(
            max(
                (p.replay_at for p in (self.portal_of(s.id) for s in sources) if p),
                default=parse_iso(BUILD_NOW),
            )
        )
        saved = os.environ.get("VNFEEDS_NOW")
        os.environ["VNFEEDS_NOW"] = parent_now
        try:
            return crawl_sources(config, sources, env_for=env_for)
        finally:
            if saved is None:
                del os.environ["VNFEEDS_NOW"]
            else:
                os.environ["VNFEEDS_NOW"] = saved

    def build(self, now: str = BUILD_NOW, out: Path | None = None) -> BuildResult:
        return build(self.db, out or self.out, base_url=BASE_URL, now=parse_iso(now))

    def url(self, portal: str, path: str) -> str:
        from crawler.urls import canonicalize

        return canonicalize(self.servers[portal].base_url + path)


@pytest.fixture(scope="session")
def portal_servers() -> Iterator[dict[str, PortalServer]]:
    servers = {p.name: PortalServer(p).start() for p in sample_portals()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def sample_site(
    tmp_path_factory: pytest.TempPathFactory, portal_servers: dict[str, PortalServer]
) -> Site:
    """Every sample portal crawled once, at its capture time, and the feeds built."""
    site = Site(tmp_path_factory.mktemp("sample-site"), portal_servers)
    outcomes = site.crawl()
    assert {o.source_id for o in outcomes} == {
        s["id"] for server in portal_servers.values() for s in server.portal.sources
    }
    for outcome in outcomes:
        assert outcome.status in {"ok", "partial"}, outcome
    site.build()
    return site


CORE_PORTALS = ("binhdinh", "hungyen", "sotttt-hanoi")


@pytest.fixture()
def fresh_site(tmp_path: Path) -> Iterator[Site]:
    """Own servers (so tests may add fault routes) for the three core sample portals (one of
    each behaviour the crawl tests rely on), and an empty store."""
    servers = {p.name: PortalServer(p).start() for p in sample_portals() if p.name in CORE_PORTALS}
    yield Site(tmp_path, servers)
    for server in servers.values():
        server.stop()


def require_tool(name: str) -> str:
    """A system tool a test needs: missing under CI=true is a failure, elsewhere a skip."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required under CI=true (.ci/run installs it)")
    pytest.skip(f"{name} not installed")
    raise AssertionError("unreachable")


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
