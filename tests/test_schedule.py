"""`vnfeeds schedule`, the long-running service, run as a real process against fixture portals on
127.0.0.1: runs on schedule without overlap, hung portals killed at their timeouts while the
others land, a restart that runs the overdue at once and postpones nothing, SIGKILL mid-crawl
then restart, graceful SIGTERM, /healthz."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from crawler.clock import iso, parse_iso
from tests.conftest import ROOT, Site, run_cli

T0 = "2023-03-18T09:00:00+07:00"


class HangingPortal:
    """A host that accepts connections and never answers (a portal whose backend hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        for c in self.held:
            c.close()


@pytest.fixture()
def hanging() -> Iterator[list[HangingPortal]]:
    portals = [HangingPortal(), HangingPortal()]
    yield portals
    for p in portals:
        p.close()


def _hang_sources(site: Site, portals: list[HangingPortal]) -> list[str]:
    ids = []
    for i, portal in enumerate(portals, 1):
        sid = f"treo-{i}"
        ids.append(sid)
        (site.sources_dir / f"{sid}.toml").write_text(
            f"""[[source]]
id = "{sid}"
province = "lai-chau"
name = "Cổng thông tin treo {i}"
homepage = "{portal.base_url}/"
platform = "upload-cms"
interval = "1h"

[[source.section]]
url = "{portal.base_url}/tin-tuc/tin-tong-hop"
""",
            encoding="utf-8",
        )
    return ids


def _set_intervals(site: Site, interval: str) -> None:
    for path in site.sources_dir.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        lines = [
            f'interval = "{interval}"' if ln.startswith("interval = ") else ln
            for ln in text.splitlines()
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    def __init__(self, site: Site, tmp: Path, env: dict[str, str], name: str = "svc") -> None:
        self.port = _free_port()
        self.log_path = tmp / f"{name}.log"
        full = {k: v for k, v in os.environ.items() if not k.startswith("VNFEEDS_")}
        full.update(
            {
                "VNFEEDS_DB": str(site.db),
                "VNFEEDS_SOURCES": str(site.sources_dir),
                "VNFEEDS_OUT": str(site.out),
                "VNFEEDS_PORT": str(self.port),
                "VNFEEDS_BASE_URL": f"http://127.0.0.1:{self.port}/",
                "VNFEEDS_DOWNLOAD_DELAY": "0",
                "VNFEEDS_AUTOTHROTTLE": "false",
                "VNFEEDS_RETRY_TIMES": "0",
                "VNFEEDS_SCHEDULE_JITTER": "0",
                "VNFEEDS_STOP_GRACE": "5",
                "PYTHONUNBUFFERED": "1",
            }
        )
        full.update(env)
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "schedule", "--tick", "0.5"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=full,
            cwd=ROOT,
        )

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def healthz(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, float]:
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        finally:
            self.log.close()
        return rc, time.monotonic() - started


def _wait(what: str, check: Callable[[], bool], timeout: float, svc: Service) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        if svc.proc.poll() is not None:
            break
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; service log:\n{svc.text()[-4000:]}")


def _runs(site: Site) -> list[dict[str, Any]]:
    if not site.db.exists():
        return []
    con = sqlite3.connect(site.db, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM crawl_runs ORDER BY id")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def _by_source(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        out.setdefault(r["source_id"], []).append(r)
    return out


def _seconds(a: str, b: str) -> float:
    return (parse_iso(b) - parse_iso(a)).total_seconds()


def _consistent(site: Site) -> None:
    con = sqlite3.connect(site.db, timeout=10)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    total, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    assert total == distinct
    assert (
        con.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0] == 0
    )
    con.close()


def test_runs_on_schedule_without_overlap_and_hung_portals_are_killed(
    fresh_site: Site, hanging: list[HangingPortal], tmp_path: Path
) -> None:
    _set_intervals(fresh_site, "3s")
    hung = _hang_sources(fresh_site, hanging)
    timeout = 15.0
    svc = Service(
        fresh_site,
        tmp_path,
        {
            "VNFEEDS_CRAWL_TIMEOUT": str(timeout),
            "VNFEEDS_DOWNLOAD_TIMEOUT": "60",
            "VNFEEDS_CRAWL_CONCURRENCY": "5",
        },
    )
    healthy = ["binh-dinh", "hung-yen", "sotttt-hanoi"]

    def enough() -> bool:
        runs = _by_source(_runs(fresh_site))
        done = [r for s in healthy for r in runs.get(s, []) if r["status"] in ("ok", "partial")]
        hung_done = [r for s in hung for r in runs.get(s, []) if r["status"] != "running"]
        return (
            len(hung_done) >= 2
            and all(
                sum(r["status"] in ("ok", "partial") for r in runs.get(s, [])) >= 2 for s in healthy
            )
            and len(done) >= 6
        )

    _wait("two runs of every healthy source and both hung ones ended", enough, 120, svc)
    code, state = svc.healthz()
    assert code == 200 and state["status"] == "ok" and state["runs"] >= 8
    rc, took = svc.stop()
    assert rc == 0 and took < 5 + 15, svc.text()[-3000:]

    runs = _by_source(_runs(fresh_site))
    for sid in healthy:
        for before, after in itertools.pairwise(runs[sid]):
            # Never two at once; the next starts one interval after the last one started.
            assert after["started"] >= before["finished"], (sid, before, after)
            assert _seconds(before["started"], after["started"]) >= 3 - 1, (sid, before, after)
    for sid in hung:
        first = runs[sid][0]
        assert first["status"] == "timeout", first
        lasted = _seconds(first["started"], first["finished"])
        assert timeout * 0.9 - 1 <= lasted <= timeout + 10 + 2, first
    con = sqlite3.connect(fresh_site.db)
    landed = dict(con.execute("SELECT source_id, count(*) FROM articles GROUP BY source_id"))
    con.close()
    assert all(landed.get(s, 0) > 0 for s in healthy), landed
    _consistent(fresh_site)
    log = svc.text()
    for sid in healthy + hung:
        assert f" {sid} " in log and "pages=" in log
    parsed = feedparser.parse((fresh_site.out / "all.atom").read_bytes())
    assert parsed.bozo == 0


def test_a_restart_runs_the_overdue_at_once_and_postpones_nothing(
    fresh_site: Site, tmp_path: Path
) -> None:
    fresh_site.crawl(["binh-dinh", "sotttt-hanoi"], now=T0)
    t80 = iso(parse_iso(T0) + timedelta(minutes=80))
    fresh_site.crawl(["sotttt-hanoi"], now=t80)  # interval 2h: due again at T0 + 200 min
    before = len(_runs(fresh_site))
    restart = iso(parse_iso(T0) + timedelta(minutes=150))
    svc = Service(
        fresh_site,
        tmp_path,
        {"VNFEEDS_NOW": restart, "VNFEEDS_CRAWL_CONCURRENCY": "1", "VNFEEDS_CRAWL_TIMEOUT": "60"},
    )

    def both_ran() -> bool:
        new = _runs(fresh_site)[before:]
        return sum(r["status"] in ("ok", "partial") for r in new) >= 2

    _wait("the overdue and the never-crawled source to run", both_ran, 90, svc)
    time.sleep(2)  # a dispatcher that wrongly ran sotttt-hanoi would have started it by now
    status = run_cli(
        "status",
        "--json",
        env={
            "VNFEEDS_DB": str(fresh_site.db),
            "VNFEEDS_SOURCES": str(fresh_site.sources_dir),
            "VNFEEDS_NOW": restart,
            "VNFEEDS_SCHEDULE_JITTER": "0",
        },
    )
    rc, _ = svc.stop()
    assert rc == 0
    new = _runs(fresh_site)[before:]
    # Never crawled goes first (the most overdue), then binh-dinh (due at T0 + 60 min).
    assert [r["source_id"] for r in new] == ["hung-yen", "binh-dinh"]
    assert all(r["started"] == restart for r in new)
    due = {d["source_id"]: d for d in json.loads(status.stdout)["next_runs"]}
    assert due["sotttt-hanoi"]["next_due"] == iso(parse_iso(T0) + timedelta(minutes=200))
    assert due["binh-dinh"]["next_due"] == iso(parse_iso(restart) + timedelta(hours=1))
    _consistent(fresh_site)


def test_sigkill_mid_crawl_then_restart(
    fresh_site: Site, hanging: list[HangingPortal], tmp_path: Path
) -> None:
    hung = _hang_sources(fresh_site, hanging[:1])
    env = {"VNFEEDS_NOW": T0, "VNFEEDS_CRAWL_CONCURRENCY": "2", "VNFEEDS_CRAWL_TIMEOUT": "60"}
    for path in fresh_site.sources_dir.glob("*.toml"):
        if path.stem not in ("binhdinh", hung[0]):
            path.unlink()
    svc = Service(fresh_site, tmp_path, env, name="first")

    def both_running() -> bool:
        running = {r["source_id"] for r in _runs(fresh_site) if r["status"] == "running"}
        return running >= {"binh-dinh", hung[0]} and all(
            r["pid"] for r in _runs(fresh_site) if r["status"] == "running"
        )

    _wait("both crawls to be running", both_running, 60, svc)
    time.sleep(1.0)  # mid-crawl: binh-dinh is fetching its pages
    pids = [int(r["pid"]) for r in _runs(fresh_site) if r["status"] == "running"]
    rc, _ = svc.stop(signal.SIGKILL)
    assert rc == -signal.SIGKILL

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    end = time.monotonic() + 20
    while time.monotonic() < end and not all(gone(p) for p in pids):
        time.sleep(0.2)
    assert all(gone(p) for p in pids), "orphaned crawls kept running after the service died"
    runs = _by_source(_runs(fresh_site))
    assert runs[hung[0]][-1]["status"] == "interrupted"
    assert runs["binh-dinh"][-1]["status"] in ("interrupted", "ok")
    con = sqlite3.connect(fresh_site.db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()

    later = iso(parse_iso(T0) + timedelta(hours=2))
    svc2 = Service(fresh_site, tmp_path, {**env, "VNFEEDS_NOW": later}, name="second")

    def rerun_done() -> bool:
        return (
            any(
                r["source_id"] == "binh-dinh" and r["started"] == later and r["status"] == "ok"
                for r in _runs(fresh_site)
            )
            and (fresh_site.out / "all.atom").exists()
        )

    _wait("binh-dinh to be crawled again after the restart", rerun_done, 90, svc2)
    time.sleep(1.5)  # the build that follows the run
    rc, _ = svc2.stop()
    assert rc == 0
    _consistent(fresh_site)
    con = sqlite3.connect(fresh_site.db)
    (count,) = con.execute("SELECT count(*) FROM articles WHERE source_id = 'binh-dinh'").fetchone()
    con.close()
    golden = len(list(fresh_site.servers["binhdinh"].portal.golden_dir.glob("*.json")))
    assert count == golden
    for name in ("all.atom", "all.rss", "province/gia-lai.atom", "status.atom"):
        parsed = feedparser.parse((fresh_site.out / name).read_bytes())
        assert parsed.bozo == 0, name


def test_sighup_reloads_the_registry_and_keeps_it_when_broken(
    fresh_site: Site, tmp_path: Path
) -> None:
    hanoi = fresh_site.sources_dir / "sotttt-hanoi.toml"
    kept = hanoi.read_text(encoding="utf-8")
    hanoi.unlink()
    (fresh_site.sources_dir / "hungyen.toml").unlink()
    svc = Service(fresh_site, tmp_path, {"VNFEEDS_NOW": T0, "VNFEEDS_CRAWL_TIMEOUT": "60"})

    def ran(sid: str) -> Callable[[], bool]:
        return lambda: any(
            r["source_id"] == sid and r["status"] in ("ok", "partial") for r in _runs(fresh_site)
        )

    _wait("binh-dinh to run", ran("binh-dinh"), 60, svc)
    # A broken file: the reload is refused with its message, the service carries on.
    (fresh_site.sources_dir / "hong.toml").write_text("[[source]]\nid = 'x'\n", encoding="utf-8")
    svc.proc.send_signal(signal.SIGHUP)
    _wait("the refused reload to be logged", lambda: "not reloaded" in svc.text(), 20, svc)
    (fresh_site.sources_dir / "hong.toml").unlink()
    hanoi.write_text(kept, encoding="utf-8")
    svc.proc.send_signal(signal.SIGHUP)
    _wait("the added source to run after SIGHUP", ran("sotttt-hanoi"), 60, svc)
    rc, _ = svc.stop()
    assert rc == 0
    assert "registry reloaded: 2 enabled sources (+1, -0)" in svc.text()


def test_the_systemd_unit_runs_the_service_and_stops_it_gracefully() -> None:
    import configparser

    from crawler.config import BY_NAME

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "crawler" / "deploy" / "vnfeeds.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/vnfeeds schedule")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    # SIGTERM to vnfeeds alone (it stops its crawls itself), with time for the grace period.
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    assert float(service["TimeoutStopSec"]) > BY_NAME["stop_grace"].default + 30
    assert service["ReadWritePaths"] == "/var/lib/vnfeeds"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
