"""Reliability figures: fault types, kill points, XSS vectors, concurrent operations, server
hardening, as counts from the tests anyone can rerun; writes bench/reliability.md (one table).

    python bench/reliability.py            # the CI tests, counted (some minutes)
    python bench/reliability.py --long     # and longer runs than CI: every passage of the store
                                           # and migration kill points plus 10 more publishing
                                           # kills, the concurrency tests 3 times, the load run
                                           # 5 times
    python bench/reliability.py --only crash,hostile   # some rows (the others say "not run")

Each row runs a pytest module (or one of its tests) with `--junitxml` and counts the outcomes of
its parametrized test: one case per fault type (tests/test_faults.py), per kill point and
passage (tests/test_crash.py), per XSS vector (tests/test_hostile.py), per attack on the server
(tests/test_serve_hardening.py). The concurrency tests and the server's load run also write
what they did to files named by environment variables (VNFEEDS_RELIABILITY_COUNTS, JSON lines;
VNFEEDS_RELIABILITY_JSON, one object). A test file that does not exist is reported as "not run".
Exit status 1 when any counted case failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.clock import now  # noqa: E402

OUT = ROOT / "bench" / "reliability.md"


@dataclass
class Run:
    """The outcomes of one or more pytest runs, per test function and per case id."""

    cases: dict[str, Counter[str]] = field(default_factory=dict)  # test function -> outcomes
    failed: list[str] = field(default_factory=list)  # node ids that failed or errored
    seconds: float = 0.0
    ran: bool = False

    def add_junit(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        for case in root.iter("testcase"):
            name = case.get("name", "")
            function = name.split("[", 1)[0]
            if case.find("skipped") is not None:
                outcome = "skipped"
            elif case.find("failure") is not None or case.find("error") is not None:
                outcome = "failed"
                self.failed.append(f"{case.get('classname')}::{name}")
            else:
                outcome = "passed"
            self.cases.setdefault(function, Counter())[outcome] += 1
        self.ran = True

    def count(self, function: str, outcome: str | None = None) -> int:
        c = self.cases.get(function, Counter())
        return sum(c.values()) if outcome is None else c[outcome]

    def others(self, *functions: str) -> Counter[str]:
        """Outcomes of the module's other tests (the checks around the counted cases)."""
        total: Counter[str] = Counter()
        for name, c in self.cases.items():
            if name not in functions:
                total.update(c)
        return total


def pytest_run(targets: list[str], work: Path, tag: str, env: dict[str, str] | None = None) -> Run:
    """Run pytest on `targets` (files or node ids) and read back its JUnit XML."""
    run = Run()
    missing = [t for t in targets if not (ROOT / t.split("::", 1)[0]).exists()]
    if missing:
        print(f"  {tag}: {', '.join(missing)} not found: not run", flush=True)
        return run
    xml = work / f"{tag}.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}"]
    t0 = time.monotonic()
    print(f"  {tag}: {' '.join(targets)}", flush=True)
    result = subprocess.run(
        [*cmd, *targets],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    run.seconds = time.monotonic() - t0
    if not xml.exists():
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        return run
    run.add_junit(xml)
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"    {summary[0]} ({run.seconds:.0f} s)", flush=True)
    return run


def merge(runs: list[Run]) -> Run:
    total = Run()
    for r in runs:
        for name, c in r.cases.items():
            total.cases.setdefault(name, Counter()).update(c)
        total.failed += r.failed
        total.seconds += r.seconds
        total.ran = total.ran or r.ran
    return total


def _json_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# -- the rows -------------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    tried: str
    passed: str
    failed: str
    evidence: str


NOT_RUN = "not run"


def faults_row(work: Path, long: bool) -> tuple[Row, Run]:
    run = pytest_run(["tests/test_faults.py"], work, "faults")
    fn = "test_crawl_survives_fault"
    if not run.ran or not run.count(fn):
        return Row("Fault types a crawl survives", NOT_RUN, "–", "–", "tests/test_faults.py"), run
    return (
        Row(
            "Fault types a crawl survives (one crawl each, a healthy portal beside it)",
            f"{run.count(fn)} fault types",
            f"{run.count(fn, 'passed')} survived",
            str(run.count(fn, "failed")),
            f"`{fn}` ({_others(run, fn)})",
        ),
        run,
    )


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _others(run: Run, *functions: str) -> str:
    o = run.others(*functions)
    return f"+ {_n(sum(o.values()), 'other check')}, {o['failed']} failed"


def crash_row(work: Path, long: bool) -> tuple[Row, Run]:
    env = {"VNFEEDS_CRASH_LONG": "1"} if long else {}
    run = pytest_run(["tests/test_crash.py"], work, "crash", env)
    fn = "test_kill_point_leaves_consistent_state"
    if not run.ran:
        return Row("Kill -9 at kill points", NOT_RUN, "–", "–", "tests/test_crash.py"), run
    points = {n.split("@")[0] for n in _case_ids(work / "crash.xml", fn)}
    return (
        Row(
            "Kill -9 at a named kill point, then integrity, consistency, rerun, feeds",
            f"{_n(run.count(fn), 'run')} at {len(points)} kill points",
            f"{run.count(fn, 'passed')} consistent",
            str(run.count(fn, "failed")),
            f"`{fn}` ({_others(run, fn)})",
        ),
        run,
    )


def _case_ids(xml: Path, function: str) -> list[str]:
    if not xml.exists():
        return []
    root = ET.parse(xml).getroot()
    return [
        c.get("name", "").split("[", 1)[1].rstrip("]")
        for c in root.iter("testcase")
        if c.get("name", "").startswith(function + "[")
    ]


def hostile_row(work: Path, long: bool) -> tuple[Row, Run]:
    run = pytest_run(["tests/test_hostile.py"], work, "hostile")
    fn = "test_vector_is_blocked"
    if not run.ran:
        return Row("XSS vectors", NOT_RUN, "–", "–", "tests/test_hostile.py"), run
    return (
        Row(
            "XSS vectors in body, caption, author, title and sapo; stored, every feed, "
            "index.html, status.html",
            f"{run.count(fn)} vectors",
            f"{run.count(fn, 'passed')} blocked",
            str(run.count(fn, "failed")),
            f"`{fn}` ({_others(run, fn)}: XML-illegal characters, raw bytes, pages)",
        ),
        run,
    )


def concurrency_row(work: Path, long: bool) -> tuple[Row, Run]:
    counts = work / "concurrency.jsonl"
    runs = [
        pytest_run(
            ["tests/test_concurrency.py"],
            work,
            f"concurrency-{i}",
            {"VNFEEDS_RELIABILITY_COUNTS": str(counts)},
        )
        for i in range(3 if long else 1)
    ]
    run = merge(runs)
    if not run.ran:
        return Row("Concurrent operations", NOT_RUN, "–", "–", "tests/test_concurrency.py"), run
    lines = _json_lines(counts)
    ops: Counter[str] = Counter()
    for line in lines:
        ops.update({str(k): int(v) for k, v in line["detail"].items()})
    errors = sum(int(line["errors"]) for line in lines)
    tests = sum(run.count(n) for n in run.cases)
    detail = ", ".join(f"{v:,} {k}" for k, v in sorted(ops.items(), key=lambda kv: -kv[1]))
    return (
        Row(
            "Concurrent operations: 2 crawl processes + reextract + analysts' queries + "
            "`vnfeeds serve`; full rebuilds while readers fetch",
            f"{sum(ops.values()):,} operations in {_n(tests, 'test run')}",
            f"{sum(ops.values()) - errors:,} without error "
            f"({sum(run.count(n, 'passed') for n in run.cases)} runs passed)",
            f"{errors} errors, {sum(run.count(n, 'failed') for n in run.cases)} runs failed",
            detail,
        ),
        run,
    )


def hardening_rows(work: Path, long: bool) -> tuple[list[Row], Run]:
    target = "tests/test_serve_hardening.py"
    load_json = work / "load.json"
    env = {"VNFEEDS_RELIABILITY_JSON": str(load_json)}
    run = pytest_run([target], work, "hardening", env)
    if not run.ran:
        return [
            Row("Server hardening cases", NOT_RUN, "–", "–", target),
            Row("Load run against `vnfeeds serve`", NOT_RUN, "–", "–", target),
        ], run
    loads = [json.loads(load_json.read_text())] if load_json.exists() else []
    extra = []
    if long:
        for i in range(4):
            load_json.unlink(missing_ok=True)
            extra.append(
                pytest_run(
                    [f"{target}::test_bounded_load_run_has_no_errors"], work, f"load-{i}", env
                )
            )
            if load_json.exists():
                loads.append(json.loads(load_json.read_text()))
    run = merge([run, *extra])
    fn = "test_attack_is_refused"
    rows = [
        Row(
            "Server hardening: traversal, oversized and malformed requests (one case each)",
            f"{run.count(fn)} attacks",
            f"{run.count(fn, 'passed')} refused",
            str(run.count(fn, "failed")),
            f"`{fn}` ({_others(run, fn, 'test_bounded_load_run_has_no_errors')}: slow "
            "clients, idle and excess connections)",
        )
    ]
    load_fn = "test_bounded_load_run_has_no_errors"
    if loads:
        requests = sum(int(x["requests"]) for x in loads)
        errors = sum(int(x["errors"]) for x in loads)
        seconds = sum(float(x["seconds"]) for x in loads)
        rows.append(
            Row(
                "Load run against `vnfeeds serve` (loopback, keep-alive, conditional and gzip)",
                f"{requests:,} requests in {_n(len(loads), 'run')}",
                f"{requests - errors:,} answered as expected ({requests / seconds:,.0f}/s)",
                f"{errors} errors",
                f"`{load_fn}` ({run.count(load_fn, 'passed')}/{run.count(load_fn)} runs passed)",
            )
        )
    else:
        rows.append(Row("Load run against `vnfeeds serve`", NOT_RUN, "–", "–", load_fn))
    return rows, run


# -- the report -----------------------------------------------------------------------------------

ROWS = ("faults", "crash", "hostile", "concurrency", "hardening")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--long", action="store_true", help="longer runs than CI")
    parser.add_argument("--only", default=",".join(ROWS), help=f"rows to run: {','.join(ROWS)}")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the table")
    args = parser.parse_args()
    only = set(args.only.split(","))
    started = time.monotonic()
    rows: list[Row] = []
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="vnfeeds-reliability-") as tmp:
        work = Path(tmp)
        print(f"running the reliability tests{' (long)' if args.long else ''}:", flush=True)
        steps = {
            "faults": (faults_row, "Fault types a crawl survives"),
            "crash": (crash_row, "Kill -9 at kill points"),
            "hostile": (hostile_row, "XSS vectors"),
            "concurrency": (concurrency_row, "Concurrent operations"),
        }
        for name, (step, label) in steps.items():
            if name in only:
                row, run = step(work, args.long)
                rows.append(row)
                runs.append(run)
            else:
                rows.append(Row(label, NOT_RUN, "–", "–", "(not asked: --only)"))
        if "hardening" in only:
            more, run = hardening_rows(work, args.long)
            rows += more
            runs.append(run)
        else:
            rows.append(Row("Server hardening and load run", NOT_RUN, "–", "–", "(--only)"))
    failed = [f for r in runs for f in r.failed]
    write_report(args.out, rows, failed, args.long, time.monotonic() - started)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if failed else 0


def write_report(out: Path, rows: list[Row], failed: list[str], long: bool, seconds: float) -> None:
    command = "python bench/reliability.py" + (" --long" if long else "")
    lines = [
        "# Reliability figures",
        "",
        "Counts from tests anyone can rerun; regenerate this file with:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Last run: {now().strftime('%Y-%m-%d %H:%M')} (Vietnam time), "
        f"{'long' if long else 'CI-size'} run, {seconds / 60:.1f} min, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores.",
        "",
        "| what | tried | passed | failed | from |",
        "|---|---|---|---|---|",
        *(f"| {r.what} | {r.tried} | {r.passed} | {r.failed} | {r.evidence} |" for r in rows),
        "",
    ]
    if failed:
        lines += ["Failed:", "", *(f"- `{f}`" for f in failed), ""]
    else:
        lines += ["No failures.", ""]
    lines += [
        "What each row counts:",
        "",
        "- **Fault types** (tests/test_faults.py): one crawl per fault the fault server injects "
        "(HTTP errors, 429 with Retry-After, timeouts, resets, truncated and bad gzip bodies, "
        "size limits, redirect loops, wrong charsets, deep nesting, robots.txt answers, endless "
        "pagination…): the crawl finishes, retries as configured, records the failure with a "
        "reason, stores no partial article, keeps memory bounded, and the neighbour's articles "
        "land.",
        "- **Kill points** (tests/test_crash.py, crawler/killpoints.py): SIGKILL inside a write "
        "batch, before its COMMIT, between batches, inside and between migrations, after a "
        "published file's temporary copy and between two published files, each proven reached "
        "by a marker file; then `PRAGMA integrity_check`, foreign keys, cross-table checks "
        "(every article has its URL, topics, cluster, search rows, signature; no orphan "
        "rows in article_topics, article_urls, revisions, raw_pages, revisits, "
        "minhash, FTS), whole old-or-new published files, a rerun without duplicates whose "
        "feeds equal those of a crawl never killed.",
        "- **XSS vectors** (tests/data/hostile/xss.py): each in an article's body, image caption "
        "and author line and in another article's title and sapo, crawled from a portal on "
        "127.0.0.1 by the real spider: nothing executable in `content_html`, no markup in "
        "title/author/summary, in the Atom, RSS and JSON feeds (raw bytes and decoded), "
        "index.html and status.html.",
        "- **Concurrent operations** (tests/test_concurrency.py): analysts' sqlite3 queries, "
        "HTTP requests to `vnfeeds serve` (query feeds from the store), article writes of two "
        "crawl processes and `vnfeeds reextract` runs at once; then feed fetches while "
        '`vnfeeds build --full` rewrites every file: no "database is locked", no answer that '
        "does not parse.",
        "- **Server hardening** (tests/test_serve_hardening.py): path traversal in every "
        "spelling, symlinks out of the dir, oversized and malformed requests, slow and idle "
        "clients, too many connections; the load run's requests and errors.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
