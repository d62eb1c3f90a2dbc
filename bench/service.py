"""Memory of the long-running service over many scheduled runs.

Starts `vnfeeds schedule` on sample portals served on 127.0.0.1 (intervals of one second, so the
runs come back to back), lets it run until `--runs` crawl runs have finished, and reports:

- the service process's resident memory (VmRSS, sampled twice a second), median over the window
  of the first runs after warm-up vs the last runs;
- each crawl child's peak resident memory (recorded by the crawl in crawl_runs.stats), median of
  the first runs vs the last runs.

Flat means the late medians are within 10 % of the early ones.

    python bench/service.py --runs 200
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.samples import PortalServer, sample_portals  # noqa: E402

PORTALS = ("binhdinh", "hungyen", "sotttt-hanoi", "quangninh")


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def finished_runs(db: Path) -> list[tuple[int, str, float | None]]:
    if not db.exists():
        return []
    con = sqlite3.connect(db, timeout=10)
    try:
        rows = con.execute(
            "SELECT id, status, stats FROM crawl_runs WHERE status != 'running' ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()
    out = []
    for rid, status, stats in rows:
        peak = None
        if stats:
            try:
                peak = json.loads(stats).get("peak_rss_mb")
            except ValueError:
                peak = None
        out.append((int(rid), str(status), float(peak) if peak is not None else None))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--window", type=int, default=20, help="runs per compared window")
    parser.add_argument("--warmup", type=int, default=10, help="runs ignored at the start")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vnfeeds-bench-service-"))
    sources = work / "sources"
    sources.mkdir()
    servers = [PortalServer(p).start() for p in sample_portals() if p.name in PORTALS]
    for server in servers:
        text = server.portal.sources_toml(server.base_url)
        lines = [
            'interval = "1s"' if ln.startswith("interval = ") else ln for ln in text.splitlines()
        ]
        (sources / f"{server.portal.name}.toml").write_text("\n".join(lines) + "\n")
    db = work / "vnfeeds.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNFEEDS_")}
    env.update(
        {
            "VNFEEDS_DB": str(db),
            "VNFEEDS_SOURCES": str(sources),
            "VNFEEDS_OUT": str(work / "public"),
            "VNFEEDS_PORT": "0",
            "VNFEEDS_DOWNLOAD_DELAY": "0",
            "VNFEEDS_AUTOTHROTTLE": "false",
            "VNFEEDS_CRAWL_CONCURRENCY": str(args.concurrency),
            "VNFEEDS_SCHEDULE_JITTER": "0",
            "VNFEEDS_CRAWL_TIMEOUT": "120",
        }
    )
    log = open(work / "service.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "schedule", "--tick", "0.5", "--no-serve"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    samples: list[tuple[int, int]] = []  # (finished runs so far, service RSS KiB)
    started = time.monotonic()
    try:
        while True:
            time.sleep(0.5)
            if proc.poll() is not None:
                print((work / "service.log").read_text()[-3000:], file=sys.stderr)
                return 1
            runs = finished_runs(db)
            rss = rss_kb(proc.pid)
            if rss is not None:
                samples.append((len(runs), rss))
            if len(runs) >= args.runs:
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        log.close()
        for server in servers:
            server.stop()
    elapsed = time.monotonic() - started
    runs = finished_runs(db)
    w, warm = args.window, args.warmup
    early_svc = [r for n, r in samples if warm <= n < warm + w]
    late_svc = [r for n, r in samples if n >= len(runs) - w]
    peaks = [p for _, _, p in runs if p is not None]
    early_child, late_child = peaks[warm : warm + w], peaks[-w:]
    statuses: dict[str, int] = {}
    for _, status, _ in runs:
        statuses[status] = statuses.get(status, 0) + 1

    def mb(kb: float) -> str:
        return f"{kb / 1024:.1f} MB"

    svc_ratio = statistics.median(late_svc) / statistics.median(early_svc)
    child_ratio = statistics.median(late_child) / statistics.median(early_child)
    print(f"runs finished: {len(runs)} in {elapsed:.0f} s; statuses {statuses}")
    print(
        f"service RSS: runs {warm}-{warm + w}: median {mb(statistics.median(early_svc))}; "
        f"last {w} runs: median {mb(statistics.median(late_svc))}; ratio {svc_ratio:.3f}; "
        f"max over the whole run {mb(max(r for _, r in samples))}"
    )
    print(
        f"crawl child peak RSS: runs {warm}-{warm + w}: median "
        f"{statistics.median(early_child):.1f} MB; last {w}: median "
        f"{statistics.median(late_child):.1f} MB; ratio {child_ratio:.3f}; "
        f"max {max(peaks):.1f} MB"
    )
    flat = abs(svc_ratio - 1) <= 0.10 and abs(child_ratio - 1) <= 0.10
    print("flat (within 10 %):", "yes" if flat else "NO")
    return 0 if flat else 2


if __name__ == "__main__":
    raise SystemExit(main())
