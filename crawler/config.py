"""Every vnfeeds setting, declared once: name, environment variable, default, help.

The CLI options, the Scrapy settings of a crawl, the child processes' environment and the
README's settings table all come from `SETTINGS`. A value is taken from, in order: the command
line, the environment variable, the default. Child crawls receive the resolved values through
their environment (`Config.to_env`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_SOURCES = PACKAGE_DIR / "sources"


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _str(text: str) -> str:
    return text


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = _str
    cli: tuple[str, ...] = ()  # commands that take it as a --option ("*" = every command)

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "VNFEEDS_DB", "./vnfeeds.db", "SQLite store file.", cli=("*",)),
    Setting(
        "sources",
        "VNFEEDS_SOURCES",
        "",
        "Source registry: a TOML file or a directory of them (default: the bundled "
        "crawler/sources/).",
        cli=("*",),
    ),
    Setting("out", "VNFEEDS_OUT", "./public", "Output dir of the published feeds.", cli=("*",)),
    Setting(
        "base_url",
        "VNFEEDS_BASE_URL",
        "http://127.0.0.1:8080/",
        "Absolute URL where the output dir is served (self links, OPML, index page).",
        cli=("*",),
    ),
    Setting(
        "host",
        "VNFEEDS_HOST",
        "127.0.0.1",
        "Address `serve`/`schedule` listen on.",
        cli=("serve", "schedule", "demo"),
    ),
    Setting(
        "port",
        "VNFEEDS_PORT",
        8080,
        "Port `serve`/`schedule` listen on.",
        int,
        cli=("serve", "schedule", "demo"),
    ),
    Setting(
        "contact_url",
        "VNFEEDS_CONTACT_URL",
        "https://github.com/vnfeeds/vnfeeds",
        "Contact URL put in the User-Agent so portal operators can reach whoever runs the crawl.",
    ),
    Setting(
        "user_agent",
        "VNFEEDS_USER_AGENT",
        "",
        "Full User-Agent override (default: 'vnfeeds/<version> (+<contact_url>)').",
    ),
    Setting(
        "proxy",
        "VNFEEDS_PROXY",
        "",
        "HTTP proxy every portal request goes through, robots.txt included "
        "(http://[user:pass@]host:port; https pages through CONNECT). Empty: direct, or "
        "http_proxy/https_proxy/no_proxy from the environment.",
    ),
    Setting(
        "download_timeout",
        "VNFEEDS_DOWNLOAD_TIMEOUT",
        30.0,
        "Seconds before one HTTP request is abandoned.",
        float,
    ),
    Setting(
        "download_delay",
        "VNFEEDS_DOWNLOAD_DELAY",
        1.0,
        "Seconds between requests to one host (a source's download_delay overrides it).",
        float,
    ),
    Setting(
        "concurrency_per_host",
        "VNFEEDS_CONCURRENCY_PER_HOST",
        2,
        "Requests in flight at once to one host.",
        int,
    ),
    Setting(
        "autothrottle",
        "VNFEEDS_AUTOTHROTTLE",
        True,
        "Adapt the delay to the portal's latency (Scrapy AutoThrottle).",
        _bool,
    ),
    Setting(
        "retry_times",
        "VNFEEDS_RETRY_TIMES",
        2,
        "Retries of a failed request (timeouts, 5xx, 429) before it counts as an error.",
        int,
    ),
    Setting(
        "max_page_bytes",
        "VNFEEDS_MAX_PAGE_BYTES",
        16 * 1024 * 1024,
        "Largest response accepted, in bytes; bigger pages are dropped with a logged reason.",
        int,
    ),
    Setting(
        "robots_obey",
        "VNFEEDS_ROBOTS_OBEY",
        True,
        "Obey robots.txt, by RFC 9309: a 4xx answer (no robots.txt) allows everything; a 5xx "
        "or 429 answer, or none at all, disallows the whole host for that crawl.",
        _bool,
    ),
    Setting(
        "max_crawl_delay",
        "VNFEEDS_MAX_CRAWL_DELAY",
        30.0,
        "Longest robots.txt Crawl-delay (or Request-rate interval) honoured, in seconds; a "
        "longer one is applied as this much (the run's stats record both).",
        float,
    ),
    Setting(
        "retry_after_max",
        "VNFEEDS_RETRY_AFTER_MAX",
        120.0,
        "Longest Retry-After (on a 429 or 503) a crawl waits before retrying, in seconds; a "
        "longer one ends that request at once as an error that says so.",
        float,
    ),
    Setting(
        "max_requests_per_host",
        "VNFEEDS_MAX_REQUESTS_PER_HOST",
        1000,
        "Requests one crawl may send to one host (robots.txt, retries and revisits included); "
        "the next ones are refused and counted as errors. 0 = no limit.",
        int,
    ),
    Setting(
        "crawl_timeout",
        "VNFEEDS_CRAWL_TIMEOUT",
        900.0,
        "Hard limit in seconds for one source's crawl; the child process is killed after "
        "it (the spider closes itself 10% earlier).",
        float,
    ),
    Setting(
        "crawl_concurrency",
        "VNFEEDS_CRAWL_CONCURRENCY",
        2,
        "Crawls (child processes) running at once.",
        int,
        cli=("run", "crawl"),
    ),
    Setting(
        "run_deadline",
        "VNFEEDS_RUN_DEADLINE",
        3000.0,
        "Seconds `vnfeeds run` may take in all; crawls still running then are stopped and "
        "recorded as timeouts, and the feeds are still built.",
        float,
        cli=("run",),
    ),
    Setting(
        "raw_retention_days",
        "VNFEEDS_RAW_RETENTION_DAYS",
        90,
        "Days compressed raw article pages are kept (0 = forever).",
        int,
    ),
    Setting(
        "revisits_per_run",
        "VNFEEDS_REVISITS_PER_RUN",
        40,
        "Known articles a crawl of one source may fetch again (conditional GET, about 1 h, "
        "1 day and 7 days after first seen) to catch edits and removals; 0 = none.",
        int,
    ),
    Setting(
        "write_batch",
        "VNFEEDS_WRITE_BATCH",
        20,
        "Articles written per transaction by a crawl.",
        int,
    ),
    Setting(
        "websub_hub",
        "VNFEEDS_WEBSUB_HUB",
        "",
        "WebSub hub URL advertised in the feeds and pinged after each build with the feeds "
        "that changed (empty = none).",
    ),
    Setting(
        "crawl_memory_mb",
        "VNFEEDS_CRAWL_MEMORY_MB",
        300,
        "Memory one crawl child may need, in MB: `schedule` runs at most "
        "(available memory / this) crawls at once, and never more than crawl_concurrency.",
        int,
    ),
    Setting(
        "schedule_jitter",
        "VNFEEDS_SCHEDULE_JITTER",
        0.1,
        "Share of a source's interval added at random (fixed per run) to its next due time, "
        "so sources with one interval do not all start together.",
        float,
    ),
    Setting(
        "stop_grace",
        "VNFEEDS_STOP_GRACE",
        20.0,
        "Seconds `schedule` waits for running crawls on SIGTERM/SIGINT before killing them "
        "(they are recorded as interrupted).",
        float,
        cli=("schedule",),
    ),
    Setting(
        "alert_failures",
        "VNFEEDS_ALERT_FAILURES",
        3,
        "Consecutive failed runs that open a 'failing' alert.",
        int,
    ),
    Setting(
        "silent_factor",
        "VNFEEDS_SILENT_FACTOR",
        5.0,
        "A source is 'silent' when it has had no new article for this many times its usual "
        "gap between articles (and at least silent_floor).",
        float,
    ),
    Setting(
        "silent_floor",
        "VNFEEDS_SILENT_FLOOR",
        "3d",
        "Shortest silence that opens a 'silent' alert, whatever the usual gap (30m, 2h, 3d).",
    ),
    Setting("log_level", "VNFEEDS_LOG_LEVEL", "INFO", "Log level (DEBUG, INFO, WARNING)."),
    Setting(
        "now",
        "VNFEEDS_NOW",
        "",
        "Pin the clock to this ISO datetime (tests, replays); inherited by child processes.",
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Config:
    """Resolved settings. Attribute access by setting name."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str) -> Any:
        return self._values[name]

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Config:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if overrides and overrides.get(setting.name) is not None:
                values[setting.name] = overrides[setting.name]
                continue
            raw = env.get(setting.env)
            if raw is None or raw == "":
                values[setting.name] = setting.default
                continue
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise ValueError(f"{setting.env}={raw!r}: {exc}") from exc
        return cls(values)

    @property
    def sources_path(self) -> Path:
        return Path(self.sources) if self.sources else BUNDLED_SOURCES

    @property
    def user_agent_string(self) -> str:
        if self.user_agent:
            return str(self.user_agent)
        from crawler import __version__

        return f"vnfeeds/{__version__} (+{self.contact_url})"

    def to_env(self) -> dict[str, str]:
        """The environment that gives a child process this exact configuration."""
        env: dict[str, str] = {}
        for setting in SETTINGS:
            value = self._values[setting.name]
            if isinstance(value, bool):
                env[setting.env] = "true" if value else "false"
            else:
                env[setting.env] = str(value)
        if not self._values.get("now"):
            env.pop("VNFEEDS_NOW", None)
        return env
