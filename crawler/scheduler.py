"""`vnfeeds schedule`: the long-running service (APScheduler 3.x plus the HTTP server).

One dispatcher job (every `tick` seconds, never two at once) decides what to run:

- a source is due `interval` (plus a jitter fixed per run, up to `schedule_jitter` × interval)
  after its last run *started*, as recorded in `crawl_runs`, so a restart neither skips nor
  delays anything: an overdue source runs at once, the others keep their times;
- the most overdue source goes first (never-crawled ones before all);
- at most `limit` crawls run at once: crawl_concurrency, lowered to what the available memory
  holds at crawl_memory_mb each; a source never runs twice at once, and a host is crawled by
  one crawl at a time across processes (crawler/leases.py);
- each crawl is a child process in its own process group with the soft timeout below the hard
  one (crawler/runner.py, CrawlPool); the parent records `timeout`, `interrupted`, …

After each run: one log line with its counts, the source's alerts re-evaluated
(crawler/health.py), and a feed build requested when the run changed articles or alerts. Builds
run one at a time in their own thread; requests arriving meanwhile fold into one more build.
Every `health_every` seconds all sources are re-evaluated (silence is a matter of time passing)
and status pages refreshed when a run ended since the last build.

Signals: SIGHUP reloads the source registry (a broken file keeps the old one, logged); SIGTERM
and SIGINT stop gracefully: no new crawls, running ones get SIGTERM and `stop_grace` seconds
before SIGKILL, are recorded as `interrupted`, a running build completes, the server closes.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as APThreadPool
from apscheduler.schedulers.background import BackgroundScheduler

from crawler import health
from crawler.clock import iso, parse_iso
from crawler.clock import now as clock_now
from crawler.config import Config
from crawler.registry import Registry, RegistryError, Source, load_registry
from crawler.runner import CrawlOutcome, CrawlPool, outcome_line, record_unreachable
from crawler.store import open_store
from crawler.store.maintenance import checkpoint, prune_near_duplicate_index, prune_raw_pages
from crawler.store.runs import close_orphaned_runs

log = logging.getLogger("vnfeeds.schedule")

NEVER = datetime(1970, 1, 1).astimezone()


def memory_limit(config: Config, meminfo: str = "/proc/meminfo") -> int:
    """Crawls at once: crawl_concurrency, lowered to what available memory holds."""
    wanted = max(1, int(config.crawl_concurrency))
    try:
        with open(meminfo, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    available_mb = int(line.split()[1]) // 1024
                    return max(1, min(wanted, available_mb // max(1, int(config.crawl_memory_mb))))
    except (OSError, ValueError, IndexError):
        pass
    return wanted


def jitter(source_id: str, run_id: int | None, interval: timedelta, share: float) -> timedelta:
    """A delay in [0, share × interval), fixed for one (source, last run): restarts keep it."""
    if share <= 0:
        return timedelta(0)
    digest = hashlib.sha256(f"{source_id}:{run_id}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return timedelta(seconds=interval.total_seconds() * share * fraction)


@dataclass(frozen=True)
class Due:
    source: Source
    due: datetime
    last_started: str | None

    def overdue(self, now: datetime) -> float:
        return (now - self.due).total_seconds()


def next_runs(db: Any, sources: list[Source], share: float) -> list[Due]:
    """When each source is next due, from its last run in `crawl_runs`."""
    # One indexed lookup per source (idx_crawl_runs_source), not a scan of months of runs.
    last: dict[str, tuple[int, str]] = {}
    for s in sources:
        row = db.execute(
            "SELECT id, started FROM crawl_runs WHERE source_id = ?"
            " ORDER BY started DESC, id DESC LIMIT 1",
            (s.id,),
        ).fetchone()
        if row:
            last[s.id] = (int(row[0]), str(row[1]))
    out = []
    for s in sources:
        if s.id not in last:
            out.append(Due(s, NEVER, None))
            continue
        run_id, started = last[s.id]
        interval = s.interval_td
        out.append(
            Due(s, parse_iso(started) + interval + jitter(s.id, run_id, interval, share), started)
        )
    return out


class Service:
    def __init__(
        self,
        config: Config,
        *,
        tick: float = 1.0,
        health_every: float = 300.0,
        server: Any | None = None,
        build: Callable[[], Any] | None = None,
    ) -> None:
        self.config = config
        self.tick = tick
        self.health_every = health_every
        self.server = server
        self.build_fn = build
        self.db = open_store(config.db)
        self.registry: Registry = load_registry(config.sources_path)
        self.limit = memory_limit(config)
        self.pool = CrawlPool(
            config,
            self.db,
            term_grace=max(1.0, min(10.0, float(config.crawl_timeout) / 4)),
        )
        self.thresholds = health.Thresholds.from_config(config)
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._lock = threading.Lock()  # the dispatcher's state (pool, db) against stop()
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vnfeeds-build")
        self._build_future: Future[Any] | None = None
        self._build_again = False
        self._ended_since_build = False
        self.runs = 0
        self.builds = 0
        self.started_at = time.monotonic()
        self.scheduler = BackgroundScheduler(
            executors={"default": APThreadPool(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # -- the jobs -------------------------------------------------------------------------

    def dispatch(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            if self._reload.is_set():
                self._reload.clear()
                self._reload_registry()
            for outcome in self.pool.poll():
                self._ended(outcome)
            if len(self.pool) >= self.limit:
                return
            now = clock_now()
            busy = self.pool.running_ids()
            due = [
                d
                for d in next_runs(
                    self.db, self.registry.enabled(), float(self.config.schedule_jitter)
                )
                if d.source.id not in busy and d.due <= now
            ]
            due.sort(key=lambda d: (-d.overdue(now), d.source.id))
            # Hosts that cannot be reached at all (DNS, refused) are recorded as failed runs
            # without starting a crawl process (crawler/preflight.py).
            sources = [d.source for d in due[: self.limit - len(self.pool)]]
            for outcome in record_unreachable(self.config, self.db, sources):
                self._ended(outcome)
            reachable = {s.id for s in sources}
            due = [d for d in due if d.source.id in reachable]
            for d in due:
                if len(self.pool) >= self.limit:
                    break
                run_id = self.pool.start(d.source)
                if run_id is None:
                    log.info("%s: its host is being crawled by another crawl; waiting", d.source.id)
                    continue
                log.info(
                    "run %d %s started (%s overdue)",
                    run_id,
                    d.source.id,
                    "never crawled" if d.last_started is None else f"{d.overdue(now):.0f} s",
                )

    def _ended(self, outcome: CrawlOutcome) -> None:
        self.runs += 1
        log.info("run %d %s", outcome.run_id, outcome_line(outcome).replace("\n", " |"))
        changes = health.evaluate(
            self.db, clock_now(), self.thresholds, self.registry, only=[outcome.source_id]
        )
        for aid in changes["opened"]:
            log.warning("alert opened %s for %s", aid, outcome.source_id)
        for aid in changes["closed"]:
            log.info("alert closed %s for %s", aid, outcome.source_id)
        self._ended_since_build = True
        if outcome.new or outcome.updated or changes["opened"] or changes["closed"]:
            self.request_build()

    def check_health(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            changes = health.evaluate(self.db, clock_now(), self.thresholds, self.registry)
            if changes["opened"] or changes["closed"] or self._ended_since_build:
                self.request_build()

    def maintain(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            prune_raw_pages(self.db, int(self.config.raw_retention_days), clock_now())
            prune_near_duplicate_index(self.db, clock_now())
            checkpoint(self.db)

    # -- builds: one at a time ------------------------------------------------------------

    def request_build(self) -> None:
        if self.build_fn is None:
            return
        if self._build_future is not None and not self._build_future.done():
            self._build_again = True
            return
        self._ended_since_build = False
        self._build_future = self._builder.submit(self._run_build)

    def _run_build(self) -> None:
        assert self.build_fn is not None
        while True:
            self._build_again = False
            started = time.monotonic()
            try:
                result = self.build_fn()
                self.builds += 1
                log.info(
                    "build: %d files written, %d unchanged, %.1f s",
                    len(getattr(result, "written", []) or []),
                    getattr(result, "unchanged", 0),
                    time.monotonic() - started,
                )
            except Exception:
                log.exception("build failed (the published files are unchanged)")
            if not self._build_again or self._stop.is_set():
                return

    # -- life cycle -----------------------------------------------------------------------

    def _reload_registry(self) -> None:
        try:
            registry = load_registry(self.config.sources_path)
        except (RegistryError, OSError, ValueError) as exc:
            log.error("SIGHUP: the source registry was not reloaded: %s", exc)
            return
        before = {s.id for s in self.registry.enabled()}
        after = {s.id for s in registry.enabled()}
        self.registry = registry
        log.info(
            "SIGHUP: registry reloaded: %d enabled sources (+%d, -%d)",
            len(after),
            len(after - before),
            len(before - after),
        )

    def status(self) -> dict[str, Any]:
        """For the health endpoint: is the service alive, and what is it doing."""
        return {
            "status": "stopping" if self._stop.is_set() else "ok",
            "uptime_s": round(time.monotonic() - self.started_at, 1),
            "running": sorted(self.pool.running_ids()),
            "runs": self.runs,
            "builds": self.builds,
            "limit": self.limit,
        }

    def start(self) -> None:
        closed = close_orphaned_runs(self.db)
        if closed:
            log.warning(
                "%d runs of a previous service were left running: recorded interrupted", closed
            )
        self.scheduler.add_job(
            self.dispatch,
            "interval",
            seconds=self.tick,
            id="dispatch",
            next_run_time=datetime.now().astimezone(),
        )
        self.scheduler.add_job(
            self.check_health, "interval", seconds=self.health_every, id="health"
        )
        self.scheduler.add_job(self.maintain, "interval", hours=1, id="maintenance")
        self.scheduler.start()
        if self.server is not None:
            threading.Thread(
                target=self.server.serve_forever, name="vnfeeds-http", daemon=True
            ).start()
        self.request_build()
        log.info(
            "schedule: %d enabled sources, at most %d crawls at once",
            len(self.registry.enabled()),
            self.limit,
        )

    def stop(self, grace: float | None = None) -> None:
        """Graceful stop, bounded by `grace` (stop_grace) plus the running build."""
        wait = float(self.config.stop_grace) if grace is None else grace
        self._stop.set()
        self.scheduler.shutdown(wait=False)
        with self._lock:
            for outcome in self.pool.stop_all(grace=wait):
                log.info("run %d %s", outcome.run_id, outcome_line(outcome).replace("\n", " |"))
            self.pool.close()
        self._builder.shutdown(wait=True)
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.db.close()

    def run_forever(self) -> None:
        """Run until SIGTERM/SIGINT; SIGHUP reloads the registry."""
        stop_signal: list[int] = []
        asked = threading.Event()

        def on_stop(signum: int, frame: Any) -> None:
            stop_signal.append(signum)
            asked.set()

        def on_hup(signum: int, frame: Any) -> None:
            self._reload.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)
        self.start()
        while not asked.wait(0.5):
            pass
        log.info("stopping (signal %s)", stop_signal[0] if stop_signal else "?")
        self.stop()
        log.info("stopped")


def next_due_table(
    db: Any, registry: Registry, share: float, now: datetime
) -> list[dict[str, Any]]:
    """For `status`: when each enabled source is next due."""
    return [
        {
            "source_id": d.source.id,
            "last_started": d.last_started,
            "next_due": None if d.last_started is None else iso(d.due),
            "overdue": d.due <= now,
        }
        for d in next_runs(db, registry.enabled(), share)
    ]
