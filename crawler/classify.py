"""Topic classification: the section's configured topics plus keyword rules from
crawler/data/topic_rules.toml (an editable data file; see its header for the scoring).

    topics_for(title, summary, body, section_topics)   what an article gets (never empty)
    classify(title, summary, body)                      the topics the rules alone assign
    explain(title, summary, body)                       which phrase scored what, and where

Phrases and text are compared in `match_form`: `norm_key` (NFC, lower case, one tone-mark
placement, so "hoà"/"hòa" and NFD text match alike while diacritics still tell words apart:
"hóa" is not "hòa", "thuế" is not "thuê"), with punctuation inside a sentence ignored.

Matching is leftmost-longest over all topics' phrases at once: where "khu công nghiệp" matches,
"công nghiệp" inside it does not count again, and "đô thị thông minh" (chuyen-doi-so) leaves
nothing for "đô thị" (xay-dung-giao-thong). One phrase may be listed under several topics.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from crawler import places
from crawler.textnorm import norm_key

RULES_FILE = Path(__file__).resolve().parent / "data" / "topic_rules.toml"

# The phrase lists a topic may have, and what one occurrence is worth before the field weight.
KINDS = {"strong": 2.0, "words": 1.0, "weak": 0.5, "against": -2.0}
SETTINGS: dict[str, type] = {
    "title_weight": float,
    "summary_weight": float,
    "body_cap": int,
    "body_words": int,
    "min_score": float,
    "relative": float,
    "max_topics": int,
    "fallback_min": float,
    "fallback": str,
}
DEFAULTS: dict[str, Any] = {
    "title_weight": 4.0,
    "summary_weight": 2.0,
    "body_cap": 5,
    "body_words": 400,
    "min_score": 8.0,
    "relative": 0.4,
    "max_topics": 3,
    "fallback_min": 0.0,
    "fallback": "chi-dao-dieu-hanh",
}


class RulesError(ValueError):
    """A malformed rules file; the message names the file, the key and what to do."""


@dataclass(frozen=True)
class Phrase:
    topic: str  # "" for an ignored phrase
    text: str  # as written in the rules file
    kind: str  # a key of KINDS, or "ignore"
    weight: float


@dataclass(frozen=True)
class Rules:
    title_weight: float
    summary_weight: float
    body_cap: int
    body_words: int  # bodies longer than this many words have their points scaled down
    min_score: float
    relative: float
    max_topics: int
    fallback_min: float
    fallback: str
    phrases: dict[str, list[Phrase]]  # topic -> its phrases
    by_form: dict[str, list[Phrase]]  # match form -> the phrases written that way
    # first word -> (words, match form) of every phrase starting with it, longest first
    index: dict[str, list[tuple[tuple[str, ...], str]]]


@dataclass(frozen=True)
class Hit:
    """One phrase found in an article: how often per field, and the points it gave its topic."""

    topic: str
    phrase: str
    kind: str
    title: int
    summary: int
    body: int
    points: float


# Commas, hyphens, quotes and the like do not separate the words of a phrase ("phòng cháy, chữa
# cháy" is "phòng cháy chữa cháy"); sentence and line ends do: a phrase never spans two sentences.
_SENTENCE_END = re.compile(r"[.!?;:…]+(?=\s|$)")
_NOT_WORD = re.compile(r"[^\w|]+")


def match_form(text: str | None) -> str:
    """`norm_key` per line, words joined by one space, "|" at sentence and line ends."""
    lines = (_SENTENCE_END.sub(" | ", norm_key(line)) for line in (text or "").splitlines())
    return " ".join(_NOT_WORD.sub(" ", " | ".join(lines)).split())


def _fail(path: Path, key: str, problem: str) -> RulesError:
    return RulesError(f"{path}: {key}: {problem}")


def _setting(path: Path, raw: dict[str, Any], name: str) -> Any:
    value = raw.get(name, DEFAULTS[name])
    kind = SETTINGS[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _fail(path, f"settings.{name}", f"expected a {kind.__name__}, got {value!r}")
    return value


def _phrases(path: Path, topic: str, spec: Any, where: str = "") -> list[Phrase]:
    if not isinstance(spec, dict):
        raise _fail(path, f"topics.{topic}", "expected a table of phrase lists")
    out: list[Phrase] = []
    for kind, values in spec.items():
        key = where or f"topics.{topic}.{kind}"
        if kind not in KINDS:
            raise _fail(path, key, f"unknown list; use one of {', '.join(KINDS)}")
        if not isinstance(values, list):
            raise _fail(path, key, 'expected a list of strings, e.g. ["bệnh viện", "y tế"]')
        for text in values:
            if not isinstance(text, str) or not match_form(text).replace("|", "").strip():
                raise _fail(path, key, f"{text!r} is not a phrase (a non-empty string of words)")
            if "|" in match_form(text):
                raise _fail(path, key, f"{text!r} spans a sentence end; remove the punctuation")
            out.append(Phrase(topic, text, kind, KINDS[kind]))
    return out


@cache
def load_rules(path: Path = RULES_FILE) -> Rules:
    """Parse and check a rules file. Errors name the file and the key to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RulesError(f"{path}: not valid TOML ({e})") from e
    unknown = sorted(set(data) - {"settings", "ignore", "topics"})
    if unknown:
        raise _fail(path, unknown[0], "unknown table; use [settings], [ignore], [topics.<slug>]")
    raw_settings = data.get("settings", {})
    unknown = sorted(set(raw_settings) - set(SETTINGS))
    if unknown:
        raise _fail(path, f"settings.{unknown[0]}", f"unknown; known: {', '.join(SETTINGS)}")
    known = places.topics()
    phrases: dict[str, list[Phrase]] = {}
    for topic, spec in data.get("topics", {}).items():
        if topic not in known:
            raise _fail(path, f"[topics.{topic}]", f"not a topic slug; known: {', '.join(known)}")
        phrases[topic] = _phrases(path, topic, spec)
    ignore = data.get("ignore", {})
    if not isinstance(ignore, dict) or set(ignore) - {"phrases"}:
        raise _fail(path, "ignore", 'expected phrases = ["…"] and nothing else')
    # Ignored phrases take part in longest matching and score nothing: a name or another sense
    # that contains a keyword ("lào cai" is no foreign affair) shields it.
    shields = [
        Phrase("", p.text, "ignore", 0.0)
        for p in _phrases(path, "", {"words": ignore.get("phrases", [])}, "ignore.phrases")
    ]
    by_form: dict[str, list[Phrase]] = {}
    for entries in [*phrases.values(), shields]:
        for p in entries:
            same = by_form.setdefault(match_form(p.text), [])
            if p.topic and any(q.topic == p.topic for q in same):
                raise _fail(path, f"topics.{p.topic}", f"{p.text!r} is listed twice; keep one")
            same.append(p)
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for form in by_form:
        words = tuple(form.split(" "))
        index.setdefault(words[0], []).append((words, form))
    for entries_ in index.values():
        entries_.sort(key=lambda e: -len(e[0]))
    s = {name: _setting(path, raw_settings, name) for name in SETTINGS}
    if s["fallback"] not in known:
        raise _fail(path, "settings.fallback", f"{s['fallback']!r} is not a topic slug")
    if s["max_topics"] < 1 or s["body_cap"] < 0 or s["body_words"] < 0:
        raise _fail(path, "settings", "need max_topics >= 1, body_cap >= 0, body_words >= 0")
    if not 0 < s["relative"] <= 1:
        raise _fail(path, "settings.relative", f"need 0 < relative <= 1, got {s['relative']}")
    return Rules(**s, phrases=phrases, by_form=by_form, index=index)


def _count(rules: Rules, text: str) -> Counter[str]:
    """Occurrences of each phrase (by match form), leftmost-longest, never overlapping."""
    words = match_form(text).split(" ")
    found: Counter[str] = Counter()
    i, n = 0, len(words)
    while i < n:
        for phrase, form in rules.index.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                found[form] += 1
                i += len(phrase)
                break
        else:
            i += 1
    return found


def explain(title: str, summary: str, body: str, rules: Rules | None = None) -> list[Hit]:
    """Every phrase found, with its counts per field and its points."""
    r = rules or load_rules()
    t, s, b = _count(r, title), _count(r, summary), _count(r, body)
    # A long article mentions many things in passing: past `body_words` words, body points
    # shrink in proportion, so a mention weighs what it would in an article of that length.
    words = len(body.split())
    scale = r.body_words / words if r.body_words and words > r.body_words else 1.0
    out: list[Hit] = []
    for form in sorted(set(t) | set(s) | set(b), key=lambda f: (-len(f), f)):
        in_body = min(b[form], r.body_cap) * scale
        fields = t[form] * r.title_weight + s[form] * r.summary_weight + in_body
        for p in r.by_form[form]:
            if not p.topic:
                continue  # an ignored phrase: it only shields the keywords inside it
            out.append(Hit(p.topic, p.text, p.kind, t[form], s[form], b[form], fields * p.weight))
    return out


def scores(title: str, summary: str, body: str, rules: Rules | None = None) -> dict[str, float]:
    """Topic -> points, for the topics with a positive total."""
    totals: dict[str, float] = {}
    for hit in explain(title, summary, body, rules):
        totals[hit.topic] = totals.get(hit.topic, 0.0) + hit.points
    return {topic: total for topic, total in totals.items() if total > 0}


def _ranked(scored: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))


def classify(title: str, summary: str, body: str, rules: Rules | None = None) -> list[str]:
    """Topics the rules assign, best first (ties by slug); may be empty."""
    r = rules or load_rules()
    scored = scores(title, summary, body, r)
    if not scored:
        return []
    best = max(scored.values())
    return [
        topic
        for topic, score in _ranked(scored)
        if score >= r.min_score and score >= r.relative * best
    ][: r.max_topics]


def topics_for(
    title: str,
    summary: str,
    body: str,
    section_topics: tuple[str, ...] | list[str] = (),
    rules: Rules | None = None,
) -> list[tuple[str, str]]:
    """(topic, origin) pairs an article gets, never empty: the section's topics ("section"),
    then the rules' ("rule"). With neither, the best-scoring topic if it reaches `fallback_min`,
    else the `fallback` topic (both "rule", so a re-extraction recomputes them)."""
    r = rules or load_rules()
    out = dict.fromkeys(section_topics, "section")
    for topic in classify(title, summary, body, r):
        out.setdefault(topic, "rule")
    if not out:
        ranked = _ranked(scores(title, summary, body, r))
        if ranked and ranked[0][1] >= r.fallback_min:
            out[ranked[0][0]] = "rule"
        else:
            out[r.fallback] = "rule"
    return list(out.items())
