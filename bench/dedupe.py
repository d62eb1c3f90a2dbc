"""Near-duplicate detection benchmark.

1. Precision and recall on the hand-labelled pairs (tests/data/dedupe_pairs.jsonl): each pair is
   decided the way the store decides (crawler.dedupe.same_story): LSH candidate (a shared band
   key) AND estimated Jaccard of the signatures at or above the threshold AND no contradicting
   dates. A sweep over shingle sizes and thresholds shows
   where the shipped values (crawler/dedupe.py) sit.
2. Ingest cost as the store grows: articles written in batches through ArticleWriter into a real
   SQLite file (normalizing, matching, clustering, search index and all), the near-duplicate
   index pruned daily; milliseconds per article at given store sizes, and the index's size.

    python bench/dedupe.py                                   # both, 20,000 articles
    python bench/dedupe.py --size 200000 --report 20000     # the store-growth target
    python bench/dedupe.py --no-pairs --size 20000 --baseline-rev HEAD~3   # another revision first
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import dedupe  # noqa: E402
from crawler.clock import iso, parse_iso  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.store import open_store  # noqa: E402
from crawler.store.maintenance import prune_near_duplicate_index  # noqa: E402
from crawler.store.writer import ArticleWriter  # noqa: E402

PAIRS = ROOT / "tests" / "data" / "dedupe_pairs.jsonl"


def load_pairs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]


def decide(a: str, b: str, params: dedupe.Params) -> tuple[bool, float]:
    return dedupe.same_story(a, b, params)


def text_of(side: dict[str, Any]) -> str:
    return str(side["text"])


def evaluate(pairs: list[dict[str, Any]], params: dedupe.Params) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for pair in pairs:
        predicted, _ = decide(text_of(pair["a"]), text_of(pair["b"]), params)
        if pair["label"] == 1:
            tp += predicted
            fn += not predicted
        else:
            fp += predicted
            tn += not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def part_pairs() -> None:
    pairs = load_pairs()
    print(f"## Labelled pairs: {len(pairs)} ({sum(p['label'] for p in pairs)} positive)\n")
    print("| shingle | threshold | precision | recall | F1 | FP | FN |")
    print("|---|---|---|---|---|---|---|")
    for k in (2, 3, 4, 5):
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            params = dedupe.Params(shingle=k, threshold=threshold)
            r = evaluate(pairs, params)
            mark = " **(shipped)**" if params == dedupe.DEFAULT else ""
            print(
                f"| {k} | {threshold}{mark} | {r['precision']:.3f} | {r['recall']:.3f} | "
                f"{r['f1']:.3f} | {r['fp']} | {r['fn']} |"
            )
    shipped = evaluate(pairs, dedupe.DEFAULT)
    print(
        f"\nShipped ({dedupe.DEFAULT}): precision {shipped['precision']:.3f}, recall "
        f"{shipped['recall']:.3f}, F1 {shipped['f1']:.3f}"
    )
    misses = []
    for pair in pairs:
        predicted, score = decide(text_of(pair["a"]), text_of(pair["b"]), dedupe.DEFAULT)
        if predicted != bool(pair["label"]):
            misses.append(
                f"{pair['id']} ({pair['kind']}, label {pair['label']}, "
                f"estimated Jaccard {score:.2f})"
            )
    if misses:
        print("Wrong decisions: " + "; ".join(misses))


class Stream:
    """A portal-like stream of distinct texts made of the pair set's vocabulary (250 syllables,
    the labelled texts' median), 1,000 articles a day from 34 sources; every tenth article
    republishes one of the day's earlier ones on another source with a new dateline and a
    few words changed, so clusters form and merge as they do in production."""

    PER_DAY = 1000

    def __init__(self, seed: int = 7):
        self.words = " ".join(text_of(p["a"]) for p in load_pairs()).split()
        self.rng = random.Random(seed)
        self.start = parse_iso("2026-06-01T08:00:00+07:00")
        self.recent: list[str] = []

    def text(self, j: int) -> str:
        if j % 10 == 9 and self.recent:
            words = self.rng.choice(self.recent).split()
            for _ in range(5):
                words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
            return f"(tinh{j % 34}.gov.vn) - " + " ".join(words)
        text = " ".join(self.rng.choice(self.words) for _ in range(250))
        self.recent = [*self.recent[-50:], text]
        return text

    def when(self, j: int) -> Any:
        return self.start + timedelta(seconds=j * 86400 // self.PER_DAY)

    def article(self, j: int) -> Article:
        when = iso(self.when(j))
        url = f"https://tinh{j % 34}.gov.vn/tin-tuc/bai-{j}.html"
        text = self.text(j)
        return Article(
            source_id=f"s{j % 34}",
            province="gia-lai",
            province_then="gia-lai",
            url=url,
            urls=[url],
            title=f"Bài {j}",
            summary="",
            content_html=f"<p>{text}</p>",
            content_text=text,
            published=when,
            published_source="selector",
            fetched_at=when,
        )


def _index_bytes(db: Any) -> str:
    try:
        row = db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('minhash', 'minhash_bands',"
            " 'minhash_bands_new', 'idx_minhash_seen')"
        ).fetchone()
        return f"{row[0] / 2**20:.1f}"
    except Exception:
        return "n/a"


def part_ingest(size: int, batch: int = 200, report: tuple[int, ...] = ()) -> None:
    print(
        f"\n## Ingest: {size} articles in batches of {batch} through ArticleWriter "
        f"({Stream.PER_DAY} a day, the near-duplicate index pruned daily as the runner does)\n"
    )
    stream = Stream()
    marks = sorted({*report, size})
    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(Path(tmp) / "bench.db")
        writer = ArticleWriter(db)
        rows: list[tuple[int, float, float, int, int, str, float]] = []
        slice_times: list[float] = []
        prune_ms: list[float] = []
        day = stream.when(0).date()
        for i in range(0, size, batch):
            articles = [stream.article(j) for j in range(i, min(i + batch, size))]
            t0 = time.perf_counter()
            writer.write_batch(articles)
            slice_times.append((time.perf_counter() - t0) * 1000 / len(articles))
            done = i + len(articles)
            now = stream.when(done)
            if now.date() != day:
                day = now.date()
                t1 = time.perf_counter()
                prune_near_duplicate_index(db, now)
                prune_ms.append((time.perf_counter() - t1) * 1000)
            if marks and done >= marks[0]:
                marks.pop(0)
                indexed = db.execute("SELECT count(*) FROM minhash").fetchone()[0]
                bands = db.execute(
                    "SELECT (SELECT count(*) FROM minhash_bands)"
                    " + (SELECT count(*) FROM minhash_bands_new)"
                ).fetchone()[0]
                recent = slice_times[-max(len(slice_times) // 4, 5) :]
                med, mean = statistics.median(recent), statistics.fmean(recent)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                rows.append((done, med, mean, indexed, bands, _index_bytes(db), rss))
        clusters = db.execute("SELECT count(*) FROM clusters WHERE merged_into IS NULL").fetchone()
        db.close()
    print(
        "| store size | ms per article (median of recent batches) | articles/s |"
        " mean ms per article (same batches) | articles/s |"
        " articles in the index | band rows | index MB | process max RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for done, ms, mean, indexed, bands, mb, rss in rows:
        print(
            f"| {done} | {ms:.3f} | {1000 / ms:.0f} | {mean:.3f} | {1000 / mean:.0f} | {indexed}"
            f" | {bands} | {mb} | {rss:.0f} |"
        )
    if len(rows) >= 2:
        print(f"\nCost at {rows[-1][0]} / cost at {rows[0][0]}: {rows[-1][1] / rows[0][1]:.2f}x")
    if prune_ms:
        print(f"Daily prune: median {statistics.median(prune_ms):.1f} ms")
    print(f"Clusters: {clusters[0]} for {size} articles")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=20000, help="articles to ingest")
    ap.add_argument(
        "--report", type=int, action="append", default=[], help="also report at this size"
    )
    ap.add_argument("--batch", type=int, default=200, help="articles per write transaction")
    ap.add_argument("--no-ingest", action="store_true")
    ap.add_argument("--no-pairs", action="store_true")
    ap.add_argument(
        "--baseline-rev",
        help="before this tree's ingest, run another revision's (git archive) with the same sizes",
    )
    args = ap.parse_args()
    if not args.no_pairs:
        part_pairs()
    if not args.no_ingest:
        if args.baseline_rev:
            baseline_ingest(args.baseline_rev, args)
            print("\n# This tree")
        part_ingest(args.size, batch=args.batch, report=tuple(args.report))
    return 0


def baseline_ingest(rev: str, args: argparse.Namespace) -> None:
    """The ingest part of another revision, in a child process, right before this tree's: the
    two side by side in one run (this machine's speed drifts from one hour to the next)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        cmd = [sys.executable, str(Path(tmp) / "bench" / "dedupe.py"), "--no-pairs"]
        cmd += ["--size", str(args.size), "--batch", str(args.batch)]
        for size in args.report:
            cmd += ["--report", str(size)]
        print(f"\n# Baseline {rev}", flush=True)
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    raise SystemExit(main())
