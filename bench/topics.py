"""Topic classification benchmark on the hand-labelled articles (tests/data/topics/).

Each article gets what the crawl would give it (crawler.classify.topics_for: the section's
topics, the keyword rules, the fallback) and is compared with its hand labels. Per topic:
support (labelled articles), predicted, precision, recall, F1; then macro-F1 (the mean of the
16 topic F1s), micro-F1, exact-match rate and the mean number of topics per article.

    python bench/topics.py                      # held-out part, then the tuning part
    python bench/topics.py --part tune --errors # where the rules miss, to tune them
    python bench/topics.py --explain t023       # which phrases fired for one article
    python bench/topics.py --rules old.toml     # another rules file (e.g. an older version)
    python bench/topics.py --goldens            # also the sample portals' golden articles

Tune the rules on the tuning part only; the held-out part measures them (see the README there).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import places  # noqa: E402
from crawler.classify import RULES_FILE, Rules, explain, load_rules, scores, topics_for  # noqa: E402

DATA = ROOT / "tests" / "data" / "topics"
PARTS = {"heldout": DATA / "heldout.jsonl", "tune": DATA / "tune.jsonl"}
GOLDENS = ROOT / "crawler" / "sampleportals"


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def golden_articles() -> list[dict[str, Any]]:
    """The sample portals' golden files as labelled articles (labelled by hand by others;
    their section topics are not applied here, so this measures the rules alone)."""
    out = []
    for path in sorted(GOLDENS.glob("*/golden/*.json")):
        g = json.loads(path.read_text(encoding="utf-8"))
        body = g["body"] if isinstance(g["body"], str) else "\n\n".join(g["body"])
        out.append(
            {
                "id": f"{path.parent.parent.name}/{path.stem[:30]}",
                "title": g["title"],
                "summary": g.get("summary") or "",
                "text": body,
                "section_topics": [],
                "topics": g["topics"],
            }
        )
    return out


def predict(article: dict[str, Any], rules: Rules, *, sections: bool = True) -> list[str]:
    given = article["section_topics"] if sections else []
    return [
        t
        for t, _ in topics_for(article["title"], article["summary"], article["text"], given, rules)
    ]


@dataclass
class Scores:
    per_topic: dict[str, tuple[int, int, int]]  # topic -> (tp, fp, fn)
    exact: int
    n: int
    assigned: int

    def prf(self, topic: str) -> tuple[float, float, float]:
        tp, fp, fn = self.per_topic[topic]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def macro_f1(self) -> float:
        # Topics with no label and no prediction in this part are left out of the mean.
        used = [t for t, (tp, fp, fn) in self.per_topic.items() if tp + fp + fn]
        return sum(self.prf(t)[2] for t in used) / len(used) if used else 0.0

    def micro_f1(self) -> float:
        tp = sum(v[0] for v in self.per_topic.values())
        fp = sum(v[1] for v in self.per_topic.values())
        fn = sum(v[2] for v in self.per_topic.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def evaluate(
    articles: list[dict[str, Any]], rules: Rules, *, sections: bool = True
) -> tuple[Scores, list[tuple[dict[str, Any], list[str]]]]:
    counts = {t: [0, 0, 0] for t in places.topics()}
    exact = assigned = 0
    errors = []
    for a in articles:
        gold, got = set(a["topics"]), predict(a, rules, sections=sections)
        assigned += len(got)
        for t in gold | set(got):
            c = counts[t]
            if t in gold and t in got:
                c[0] += 1
            elif t in got:
                c[1] += 1
            else:
                c[2] += 1
        if gold == set(got):
            exact += 1
        else:
            errors.append((a, got))
    per_topic = {t: (c[0], c[1], c[2]) for t, c in counts.items()}
    return Scores(per_topic, exact, len(articles), assigned), errors


def table(name: str, s: Scores) -> str:
    lines = [
        f"{name}: {s.n} articles",
        "",
        "| topic | support | predicted | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for topic, (tp, fp, fn) in s.per_topic.items():
        if not tp + fp + fn:
            continue
        p, r, f = s.prf(topic)
        lines.append(f"| {topic} | {tp + fn} | {tp + fp} | {p:.2f} | {r:.2f} | {f:.2f} |")
    lines += [
        "",
        f"macro-F1 {s.macro_f1():.3f}   micro-F1 {s.micro_f1():.3f}   "
        f"exact match {s.exact}/{s.n}   topics per article {s.assigned / s.n:.2f}",
    ]
    return "\n".join(lines)


def show_errors(errors: list[tuple[dict[str, Any], list[str]]]) -> str:
    lines = []
    for a, got in errors:
        gold = set(a["topics"])
        missed = sorted(gold - set(got))
        extra = [t for t in got if t not in gold]
        lines.append(f"{a['id']}  {a['title'][:70]}")
        lines.append(f"    labels {a['topics']}  got {got}  missed {missed}  extra {extra}")
    return "\n".join(lines)


def show_explain(article: dict[str, Any], rules: Rules) -> str:
    title, summary, text = article["title"], article["summary"], article["text"]
    lines = [f"{article['id']}  {title}", f"    labels {article['topics']}"]
    lines.append(f"    section topics {article['section_topics']}")
    lines.append(
        f"    assigned {topics_for(title, summary, text, article['section_topics'], rules)}"
    )
    total = scores(title, summary, text, rules)
    by_topic: dict[str, list[str]] = {}
    for h in explain(title, summary, text, rules):
        by_topic.setdefault(h.topic, []).append(
            f"{h.phrase!r} ({h.kind}) title {h.title} summary {h.summary} body {h.body}"
            f" -> {h.points:+.1f}"
        )
    for topic in sorted(by_topic, key=lambda t: -total.get(t, 0.0)):
        lines.append(f"  {topic}: {total.get(topic, 0.0):.1f}")
        lines += [f"      {line}" for line in by_topic[topic]]
    lines.append(
        f"  (a topic needs {rules.min_score:g} points and {rules.relative:g} of the best;"
        f" at most {rules.max_topics})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--part", choices=["heldout", "tune", "both"], default="both")
    ap.add_argument("--rules", type=Path, default=RULES_FILE, help="rules file (TOML)")
    ap.add_argument("--errors", action="store_true", help="list the articles not matched exactly")
    ap.add_argument("--explain", metavar="ID", help="show the rules that fired for one article")
    ap.add_argument("--rules-only", action="store_true", help="ignore the section topics")
    ap.add_argument("--goldens", action="store_true", help="also the sample portals' goldens")
    args = ap.parse_args(argv)
    rules = load_rules(args.rules.resolve())

    parts = ["heldout", "tune"] if args.part == "both" else [args.part]
    if args.explain:
        every = {a["id"]: a for name in PARTS for a in load(PARTS[name])}
        every.update({a["id"]: a for a in golden_articles()})
        if args.explain not in every:
            print(f"no article with id {args.explain!r}", file=sys.stderr)
            return 2
        print(show_explain(every[args.explain], rules))
        return 0

    print(f"rules: {args.rules}\n")
    for name in parts:
        s, errors = evaluate(load(PARTS[name]), rules, sections=not args.rules_only)
        print(table(f"## {name}", s))
        if args.errors:
            print("\n" + show_errors(errors))
        print()
    if args.goldens:
        s, errors = evaluate(golden_articles(), rules, sections=False)
        print(table("## sample-portal goldens (rules only)", s))
        if args.errors:
            print("\n" + show_errors(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
