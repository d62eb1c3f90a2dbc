"""Topic classification: the section's configured topics plus keyword rules from
crawler/data/topic_rules.toml (an editable data file; see its header for the scoring)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crawler import places
from crawler.textnorm import norm_key

RULES_FILE = Path(__file__).resolve().parent / "data" / "topic_rules.toml"


@dataclass(frozen=True)
class Rules:
    title_weight: float
    summary_weight: float
    body_cap: int
    min_score: float
    relative: float
    max_topics: int
    # topic -> [(compiled phrase, weight)]
    phrases: dict[str, list[tuple[re.Pattern[str], float]]]


def _phrase(text: str) -> re.Pattern[str]:
    key = re.escape(norm_key(text))
    return re.compile(rf"(?<!\w){key}(?!\w)")


@cache
def load_rules(path: Path = RULES_FILE) -> Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    s = data.get("settings", {})
    known = places.topics()
    phrases: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for topic, spec in data.get("topics", {}).items():
        if topic not in known:
            raise ValueError(
                f"{path}: [topics.{topic}] is not a topic slug; known: {', '.join(known)}"
            )
        entries: list[tuple[re.Pattern[str], float]] = []
        for key, weight in (("strong", 2.0), ("words", 1.0), ("weak", 0.5)):
            entries += [(_phrase(p), weight) for p in spec.get(key, [])]
        phrases[topic] = entries
    return Rules(
        title_weight=float(s.get("title_weight", 4.0)),
        summary_weight=float(s.get("summary_weight", 2.0)),
        body_cap=int(s.get("body_cap", 5)),
        min_score=float(s.get("min_score", 8.0)),
        relative=float(s.get("relative", 0.4)),
        max_topics=int(s.get("max_topics", 3)),
        phrases=phrases,
    )


def scores(title: str, summary: str, body: str, rules: Rules | None = None) -> dict[str, float]:
    r = rules or load_rules()
    t, s, b = norm_key(title), norm_key(summary), norm_key(body)
    out: dict[str, float] = {}
    for topic, entries in r.phrases.items():
        total = 0.0
        for pattern, weight in entries:
            hits = (
                len(pattern.findall(t)) * r.title_weight
                + len(pattern.findall(s)) * r.summary_weight
                + min(len(pattern.findall(b)), r.body_cap)
            )
            total += hits * weight
        if total:
            out[topic] = total
    return out


def classify(title: str, summary: str, body: str, rules: Rules | None = None) -> list[str]:
    """Topics the rules assign, best first (ties by slug)."""
    r = rules or load_rules()
    scored = scores(title, summary, body, r)
    if not scored:
        return []
    best = max(scored.values())
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        topic for topic, score in ranked if score >= r.min_score and score >= r.relative * best
    ][: r.max_topics]
