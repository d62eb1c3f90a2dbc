"""Running crawls: one child process per source crawl, in its own process group.

The child is the documented Scrapy command (`python -m scrapy crawl portal -a source=<id>`), so
a crawl behaves the same from the CLI, the scheduler and a shell. The parent opens the run's
`crawl_runs` row, gives the child the resolved configuration through its environment (the pinned
clock `VNFEEDS_NOW` included), and enforces the hard timeout: SIGTERM to the process group, then
SIGKILL after a grace period. A child that dies without closing its run gets it closed here with
the reason (`timeout`, `interrupted`, `failed`). One failing portal never stops the others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler import leases, preflight
from crawler.clock import now as clock_now
from crawler.config import Config
from crawler.leases import host_key
from crawler.registry import Source
from crawler.store import open_store
from crawler.store.maintenance import checkpoint, prune_near_duplicate_index, prune_raw_pages
from crawler.store.runs import (
    RunCounts,
    close_orphaned_runs,
    finish_run,
    get_run,
    start_run,
)
from crawler.store.schema import sync_sources

TERM_GRACE_S = 10.0
# The parent's pid, given to each crawl child: a child whose parent is gone stops itself
# (crawler/spiders/portal.py), so a SIGKILLed service leaves no orphan crawls behind.
PARENT_ENV = "VNFEEDS_PARENT_PID"
LOG_TAIL_LINES = 12


@dataclass
class CrawlOutcome:
    source_id: str
    run_id: int
    status: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    dropped: int = 0
    message: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in {"failed", "timeout", "interrupted"}


@dataclass
class _Child:
    source: Source
    run_id: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    started: float
    deadline: float
    terminated_at: float | None = None
    reason: str | None = None


def crawl_command(source_id: str, run_id: int, backfill: int = 0) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "portal",
        "-a",
        f"source={source_id}",
        "-a",
        f"run_id={run_id}",
    ]
    if backfill:
        cmd += ["-a", f"backfill={backfill}"]
    return cmd


def child_env(config: Config, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(config.to_env())
    if not config.now:
        # An unset clock must stay unset in the child (not inherited from a stale variable).
        env.pop("VNFEEDS_NOW", None)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    # The child imports this very package, wherever it is installed or checked out.
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    if extra:
        env.update(extra)
    return env


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    interesting = [
        ln for ln in text.splitlines() if "ERROR" in ln or "Traceback" in ln or "Error" in ln
    ]
    chosen = (interesting or text.splitlines())[-lines:]
    return "\n".join(chosen)


def _kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


class CrawlPool:
    """Crawl child processes in flight: started one per source, polled, stopped.

    Shared by `crawl_sources` (a batch: `vnfeeds run`, `vnfeeds crawl`) and the scheduler. A
    crawl first takes its host's lease (crawler/leases.py), so two crawls never hit one portal
    at once, whichever process started them. Each child gets the hard timeout of
    `crawl_timeout` (the spider's own soft timeout is 10 % earlier): SIGTERM to its process
    group, then SIGKILL after `term_grace` seconds.
    """

    def __init__(
        self,
        config: Config,
        db: Any,
        *,
        backfill: int = 0,
        env_for: Callable[[Source], dict[str, str]] | None = None,
        log_dir: Path | None = None,
        term_grace: float = TERM_GRACE_S,
    ) -> None:
        self.config = config
        self.db = db
        self.backfill = backfill
        self.env_for = env_for
        self.keep_logs = log_dir is not None
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="vnfeeds-crawl-logs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.term_grace = term_grace
        self.running: list[_Child] = []

    def __len__(self) -> int:
        return len(self.running)

    def running_ids(self) -> set[str]:
        return {c.source.id for c in self.running}

    def start(self, source: Source, deadline: float | None = None) -> int | None:
        """Start a crawl of `source`; its run id, or None when its host is leased."""
        host = host_key(source.homepage)
        if not leases.acquire(self.db, host, source.id):
            return None
        now = time.monotonic()
        run_id = start_run(self.db, source.id)
        leases.attach_run(self.db, host, run_id)
        log_path = self.log_dir / f"{source.id}-{run_id}.log"
        env = child_env(self.config, self.env_for(source) if self.env_for else None)
        env[PARENT_ENV] = str(os.getpid())
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                crawl_command(source.id, run_id, self.backfill),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        hard = now + float(self.config.crawl_timeout)
        self.running.append(
            _Child(source, run_id, proc, log_path, now, min(hard, deadline) if deadline else hard)
        )
        return run_id

    def poll(self, run_deadline: float | None = None) -> list[CrawlOutcome]:
        """Collect finished crawls; stop those past their hard timeout (or the run deadline)."""
        done = []
        for child in list(self.running):
            if child.proc.poll() is not None:
                self.running.remove(child)
                done.append(self._finish(child))
                continue
            now = time.monotonic()
            if child.terminated_at is None and now >= child.deadline:
                child.reason = (
                    "deadline" if run_deadline is not None and now >= run_deadline else "timeout"
                )
                child.terminated_at = now
                _kill_group(child.proc, signal.SIGTERM)
            elif child.terminated_at is not None and now - child.terminated_at > self.term_grace:
                _kill_group(child.proc, signal.SIGKILL)
        return done

    def stop_all(self, grace: float | None = None) -> list[CrawlOutcome]:
        """Stop every running crawl (SIGTERM, then SIGKILL after `grace`); record them as
        interrupted."""
        wait = self.term_grace if grace is None else grace
        for child in self.running:
            child.reason = "interrupted"
            _kill_group(child.proc, signal.SIGTERM)
        end = time.monotonic() + wait
        for child in self.running:
            try:
                child.proc.wait(max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(child.proc, signal.SIGKILL)
                child.proc.wait()
        done = [self._finish(child) for child in self.running]
        self.running = []
        return done

    def close(self) -> None:
        if not self.keep_logs and self.log_dir.is_dir() and not any(self.log_dir.iterdir()):
            self.log_dir.rmdir()

    def _finish(self, child: _Child) -> CrawlOutcome:
        db = self.db
        rc = child.proc.returncode
        if child.reason == "timeout":
            finish_run(
                db,
                child.run_id,
                "timeout",
                None,
                f"hard timeout: crawl stopped after {time.monotonic() - child.started:.0f} s"
                " (process group terminated)",
                only_if_running=True,
            )
        elif child.reason == "deadline":
            finish_run(
                db,
                child.run_id,
                "timeout",
                None,
                "run deadline reached: crawl stopped",
                only_if_running=True,
            )
        elif child.reason == "interrupted":
            finish_run(
                db,
                child.run_id,
                "interrupted",
                None,
                "vnfeeds was stopped while this crawl ran",
                only_if_running=True,
            )
        elif rc != 0:
            status = "interrupted" if rc is not None and rc < 0 else "failed"
            tail = _tail(child.log_path)
            finish_run(
                db,
                child.run_id,
                status,
                None,
                f"crawl process exited with code {rc}" + (f": {tail}" if tail else ""),
                only_if_running=True,
            )
        else:
            finish_run(
                db,
                child.run_id,
                "failed",
                None,
                "crawl process ended without recording its run: "
                + (_tail(child.log_path) or "no log"),
                only_if_running=True,
            )
        leases.release(db, host_key(child.source.homepage))
        row = get_run(db, child.run_id) or {}
        outcome = CrawlOutcome(
            source_id=child.source.id,
            run_id=child.run_id,
            status=str(row.get("status", "failed")),
            pages=int(row.get("pages") or 0),
            new=int(row.get("new") or 0),
            updated=int(row.get("updated") or 0),
            duplicates=int(row.get("duplicates") or 0),
            errors=int(row.get("errors") or 0),
            dropped=int(row.get("dropped") or 0),
            message=row.get("message"),
            seconds=time.monotonic() - child.started,
        )
        if outcome.status in {"ok", "partial"} and not self.keep_logs:
            child.log_path.unlink(missing_ok=True)
        return outcome


def record_unreachable(config: Config, db: Any, pending: list[Source]) -> list[CrawlOutcome]:
    """Take the sources no section of which can be reached (crawler/preflight.py) out of
    `pending` and record their runs as failed with the reason, without starting a crawl: an
    offline machine gets through the whole registry in seconds."""
    reasons = preflight.unreachable(pending, str(config.proxy), float(config.download_timeout))
    skipped = [s for s in pending if s.id in reasons]
    if not skipped:
        return []
    sync_sources(db, [s.store_row() for s in skipped])  # so status lists them
    outcomes = []
    for source in skipped:
        pending.remove(source)
        lists = len(source.section)
        counts = RunCounts(
            errors=lists,
            stats={"reason": "unreachable", "lists_read": 0, "error_kinds": {"list": lists}},
        )
        run_id = start_run(db, source.id)
        finish_run(db, run_id, "failed", counts, reasons[source.id])
        outcomes.append(
            CrawlOutcome(source.id, run_id, "failed", errors=lists, message=reasons[source.id])
        )
    return outcomes


def crawl_sources(
    config: Config,
    sources: Sequence[Source],
    *,
    backfill: int = 0,
    deadline: float | None = None,
    concurrency: int | None = None,
    env_for: Callable[[Source], dict[str, str]] | None = None,
    on_done: Callable[[CrawlOutcome], None] | None = None,
    log_dir: Path | None = None,
) -> list[CrawlOutcome]:
    """Crawl `sources` (at most `concurrency` at once); return one outcome per source.

    deadline: a time.monotonic() value after which running crawls are stopped and recorded
    as timeouts and sources not yet started are recorded as failed ("run deadline reached").
    env_for: extra environment per source (the demo pins each sample portal's clock).
    A source whose host another crawl is using waits for it (the host lease).
    """
    limit = max(1, int(concurrency or config.crawl_concurrency))
    db = open_store(config.db)
    close_orphaned_runs(db)
    pending = list(sources)
    outcomes: dict[str, CrawlOutcome] = {}
    pool = CrawlPool(config, db, backfill=backfill, env_for=env_for, log_dir=log_dir)

    def record(outcome: CrawlOutcome) -> None:
        outcomes[outcome.source_id] = outcome
        if on_done:
            on_done(outcome)

    try:
        for outcome in record_unreachable(config, db, pending):
            record(outcome)
        while pending or pool.running:
            now = time.monotonic()
            for source in list(pending):
                if len(pool) >= limit:
                    break
                if deadline is not None and now >= deadline:
                    pending.remove(source)
                    why = "run deadline reached before this source could start"
                    run_id = start_run(db, source.id)
                    finish_run(db, run_id, "failed", None, why)
                    record(CrawlOutcome(source.id, run_id, "failed", message=why))
                    continue
                if pool.start(source, deadline) is not None:
                    pending.remove(source)
            for outcome in pool.poll(deadline):
                record(outcome)
            time.sleep(0.05)
    except BaseException:
        # Interrupted ourselves (Ctrl-C, SIGTERM): stop the children and record why.
        pool.stop_all()
        raise
    else:
        from crawler import health

        health.evaluate(db, clock_now(), health.Thresholds.from_config(config), only=list(outcomes))
        prune_raw_pages(db, int(config.raw_retention_days), clock_now())
        prune_near_duplicate_index(db, clock_now())
        checkpoint(db)
    finally:
        pool.close()
        db.close()
    return [outcomes[s.id] for s in sources if s.id in outcomes]


def outcome_line(o: CrawlOutcome) -> str:
    line = (
        f"{o.source_id:<24} {o.status:<11} pages={o.pages:<4} new={o.new:<4} "
        f"updated={o.updated:<3} duplicates={o.duplicates:<3} errors={o.errors:<3}"
        f" {o.seconds:5.1f}s"
    )
    if o.message and o.status != "ok":
        line += f"\n    {o.message.splitlines()[0][:300]}"
    return line


def summary_dict(o: CrawlOutcome) -> dict[str, Any]:
    return {
        k: getattr(o, k)
        for k in (
            "source_id",
            "run_id",
            "status",
            "pages",
            "new",
            "updated",
            "duplicates",
            "errors",
            "dropped",
            "message",
        )
    }
