"""The command line: documented (README lists every command and setting, every help has an
example), `vnfeeds run` against sample portals and a dead one, and the offline demo."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import click
import feedparser

from crawler.cli import main
from crawler.config import SETTINGS
from tests.conftest import ROOT, Site, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "vnfeeds") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            out += _commands(cmd, full)
        else:
            out.append((full, cmd))
    return out


def test_every_command_is_in_the_readme_with_an_example() -> None:
    commands = _commands(main)
    assert len(commands) >= 10
    for full, cmd in commands:
        assert f"`{full}" in README, f"{full} is missing from the README"
        assert "Example:" in (cmd.help or ""), f"{full} --help has no example"


def test_every_setting_is_in_the_readme() -> None:
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, f"{setting.env} is missing from the README"
        if setting.cli:
            assert f"`{setting.option}`" in README, f"{setting.option} is missing"


def test_readme_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert [b.strip() for b in blocks] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && vnfeeds demo --once",
        "bash .ci/run",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci and "set -euo pipefail" in ci


def test_help_works_with_h() -> None:
    result = run_cli("crawl", "-h")
    assert result.returncode == 0 and "--backfill" in result.stdout


DEAD = """
[[source]]
id = "dead-portal"
province = "ca-mau"
name = "Cổng không phản hồi"
homepage = "http://127.0.0.1:9/"
platform = "upload-cms"
[[source.section]]
url = "http://127.0.0.1:9/tin-tuc"
"""


def test_run_reports_a_dead_portal_and_publishes_the_others(fresh_site: Site) -> None:
    (fresh_site.sources_dir / "dead.toml").write_text(DEAD, encoding="utf-8")
    config = fresh_site.config()
    env = {k: v for k, v in config.to_env().items()}
    env["VNFEEDS_NOW"] = "2026-06-10T10:00:00+07:00"
    result = run_cli("run", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "dead-portal: failed: list http://127.0.0.1:9/tin-tuc: connection refused" in result.stdout
    )
    assert "1 of 4 sources failed" in result.stdout
    parsed = feedparser.parse((fresh_site.out / "province/hung-yen.atom").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 10
    con = sqlite3.connect(fresh_site.db)
    assert (
        con.execute("SELECT status FROM crawl_runs WHERE source_id = 'dead-portal'").fetchone()[0]
        == "failed"
    )
    con.close()
    status = run_cli("status", "--db", str(fresh_site.db))
    assert status.returncode == 1 and "dead-portal" in status.stdout and "FAILING" in status.stdout


def test_demo_once_builds_valid_feeds_offline(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = run_cli("demo", "--once", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sample portal binhdinh" in result.stdout
    for feed in (
        "all.atom",
        "province/gia-lai.atom",
        "province/ha-noi.rss",
        "topic/khoa-hoc-cong-nghe.atom",
    ):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert parsed.bozo == 0 and parsed.entries, feed
    assert len(feedparser.parse((out / "all.atom").read_bytes()).entries) >= 20


def test_demo_serves_until_interrupted(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "demo",
            "--port",
            str(port),
            "--out",
            str(tmp_path / "public"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        body = b""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/all.atom", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.3)
        assert body, "the demo never served all.atom"
        assert feedparser.parse(body).entries
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert f"serving at http://127.0.0.1:{port}/" in out
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
