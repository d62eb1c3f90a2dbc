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

from crawler.clock import now as clock_now
from crawler.config import Config
from crawler.registry import Source
from crawler.store import open_store
from crawler.store.maintenance import checkpoint, prune_near_duplicate_index, prune_raw_pages
from crawler.store.runs import close_orphaned_runs, finish_run, get_run, start_run

TERM_GRACE_S = 10.0
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
    """
    limit = max(1, int(concurrency or config.crawl_concurrency))
    db = open_store(config.db)
    close_orphaned_runs(db)
    pending = list(sources)
    running: list[_Child] = []
    outcomes: dict[str, CrawlOutcome] = {}
    tmp_logs = log_dir or Path(tempfile.mkdtemp(prefix="vnfeeds-crawl-logs-"))
    tmp_logs.mkdir(parents=True, exist_ok=True)

    def finish(child: _Child) -> None:
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
        outcomes[child.source.id] = outcome
        if outcome.status in {"ok", "partial"} and not log_dir:
            child.log_path.unlink(missing_ok=True)
        if on_done:
            on_done(outcome)

    try:
        while pending or running:
            now = time.monotonic()
            while pending and len(running) < limit:
                source = pending.pop(0)
                if deadline is not None and now >= deadline:
                    run_id = start_run(db, source.id)
                    finish_run(
                        db,
                        run_id,
                        "failed",
                        None,
                        "run deadline reached before this source could start",
                    )
                    outcomes[source.id] = CrawlOutcome(
                        source.id,
                        run_id,
                        "failed",
                        message="run deadline reached before this source could start",
                    )
                    if on_done:
                        on_done(outcomes[source.id])
                    continue
                run_id = start_run(db, source.id)
                log_path = tmp_logs / f"{source.id}-{run_id}.log"
                env = child_env(config, env_for(source) if env_for else None)
                with open(log_path, "wb") as log:
                    proc = subprocess.Popen(
                        crawl_command(source.id, run_id, backfill),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        env=env,
                        start_new_session=True,
                    )
                hard = now + float(config.crawl_timeout)
                running.append(
                    _Child(
                        source,
                        run_id,
                        proc,
                        log_path,
                        now,
                        min(hard, deadline) if deadline else hard,
                    )
                )
            for child in list(running):
                if child.proc.poll() is not None:
                    running.remove(child)
                    finish(child)
                    continue
                now = time.monotonic()
                if child.terminated_at is None and now >= child.deadline:
                    child.reason = (
                        "deadline" if deadline is not None and now >= deadline else ("timeout")
                    )
                    child.terminated_at = now
                    _kill_group(child.proc, signal.SIGTERM)
                elif child.terminated_at is not None and now - child.terminated_at > TERM_GRACE_S:
                    _kill_group(child.proc, signal.SIGKILL)
            time.sleep(0.05)
    except BaseException:
        # Interrupted ourselves (Ctrl-C, SIGTERM): stop the children and record why.
        for child in running:
            _kill_group(child.proc, signal.SIGTERM)
        for child in running:
            try:
                child.proc.wait(TERM_GRACE_S)
            except subprocess.TimeoutExpired:
                _kill_group(child.proc, signal.SIGKILL)
                child.proc.wait()
            finish_run(
                db,
                child.run_id,
                "interrupted",
                None,
                "vnfeeds was stopped while this crawl ran",
                only_if_running=True,
            )
        raise
    else:
        prune_raw_pages(db, int(config.raw_retention_days), clock_now())
        prune_near_duplicate_index(db, clock_now())
        checkpoint(db)
    finally:
        db.close()
        if not log_dir and not any(tmp_logs.iterdir()):
            tmp_logs.rmdir()
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
