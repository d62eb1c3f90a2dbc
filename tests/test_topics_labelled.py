"""The topic classifier against the hand-labelled articles of tests/data/topics/ (see the README
there: labels written by reading, the held-out part never used to tune the rules), the seed
article, and bench/topics.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler import places
from crawler.classify import classify, topics_for

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "topics"
SEED_GOLDEN = (
    ROOT
    / "crawler/sampleportals/binhdinh/golden"
    / "hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.json"
)

# Floors, below the measured figures (bench/BENCH.md, "Topic classification"): held-out 0.894,
# tuning 0.962 at the time of writing. The held-out floor is the target.
HELDOUT_MACRO_F1 = 0.85
TUNE_MACRO_F1 = 0.90


def load(name: str) -> list[dict[str, Any]]:
    path = DATA / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


TUNE = load("tune")
HELDOUT = load("heldout")
SLUGS = set(places.topics())


def predicted(a: dict[str, Any]) -> list[str]:
    return [t for t, _ in topics_for(a["title"], a["summary"], a["text"], a["section_topics"])]


def macro_f1(articles: list[dict[str, Any]], labels: list[list[str]] | None = None) -> float:
    """Mean per-topic F1 of the classifier's topics against `labels` (default: the hand labels)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for i, a in enumerate(articles):
        gold, got = set(labels[i] if labels else a["topics"]), set(predicted(a))
        tp.update(gold & got)
        fp.update(got - gold)
        fn.update(gold - got)
    f1 = [2 * tp[t] / (2 * tp[t] + fp[t] + fn[t]) for t in SLUGS if tp[t] + fp[t] + fn[t]]
    return sum(f1) / len(f1)


# --------------------------------------------------------------------------------------------
# the labelled set itself
# --------------------------------------------------------------------------------------------


def test_labelled_set_size_and_split() -> None:
    assert len(TUNE) + len(HELDOUT) >= 150
    assert len(HELDOUT) >= 60
    assert all(a["id"].startswith("t") for a in TUNE)
    assert all(a["id"].startswith("h") for a in HELDOUT)
    ids = [a["id"] for a in TUNE + HELDOUT]
    assert len(ids) == len(set(ids))
    titles = [unicodedata.normalize("NFC", a["title"]).lower() for a in TUNE + HELDOUT]
    assert len(titles) == len(set(titles)), "the same article in both parts"


@pytest.mark.parametrize("part", ["tune", "heldout"])
def test_every_article_is_well_formed(part: str) -> None:
    for a in load(part):
        assert set(a) == {"id", "title", "summary", "text", "section_topics", "topics", "note"}
        assert a["title"].strip() and a["note"].strip(), a["id"]
        assert 1 <= len(a["topics"]) <= 3, a["id"]
        assert len(set(a["topics"])) == len(a["topics"]), a["id"]
        assert set(a["topics"]) <= SLUGS, a["id"]
        assert set(a["section_topics"]) <= set(a["topics"]), a["id"]
        sentences = [s for s in re.split(r"[.!?…](?:\s|$)", a["text"]) if s.strip()]
        assert 2 <= len(sentences) <= 8, (a["id"], len(sentences))


@pytest.mark.parametrize("part", ["tune", "heldout"])
def test_every_topic_is_present_several_times_in_each_part(part: str) -> None:
    counts = Counter(t for a in load(part) for t in a["topics"])
    assert set(counts) == SLUGS
    assert min(counts.values()) >= 4, counts.most_common()[-3:]
    assert sum(len(a["topics"]) > 1 for a in load(part)) >= 15  # multi-label articles


def test_the_set_has_nfd_text_and_both_tone_styles() -> None:
    texts = [a["title"] + a["summary"] + a["text"] for a in TUNE + HELDOUT]
    nfd = [t for t in texts if not unicodedata.is_normalized("NFC", t)]
    assert len(nfd) >= 5
    nfc = " ".join(unicodedata.normalize("NFC", t) for t in texts).lower()
    for old, new in [("hoá", "hóa"), ("uỷ", "ủy")]:
        assert re.search(rf"\b{old}\b", nfc) and re.search(rf"\b{new}\b", nfc), old


# --------------------------------------------------------------------------------------------
# the classifier on it
# --------------------------------------------------------------------------------------------


def test_heldout_macro_f1_stays_above_the_floor() -> None:
    assert macro_f1(HELDOUT) >= HELDOUT_MACRO_F1


def test_tuning_macro_f1_stays_above_the_floor() -> None:
    assert macro_f1(TUNE) >= TUNE_MACRO_F1


def test_macro_f1_can_fail() -> None:
    # Against the labels of the next article instead of its own, the same predictions score far
    # below the floor: the figure measures agreement with the labels, not a property of the set.
    shifted = [a["topics"] for a in HELDOUT[1:] + HELDOUT[:1]]
    assert macro_f1(HELDOUT, shifted) < 0.3


@pytest.mark.parametrize("part", ["tune", "heldout"])
def test_every_article_gets_at_least_one_topic(part: str) -> None:
    for a in load(part):
        got = predicted(a)
        assert 1 <= len(got) <= 3 + len(a["section_topics"]), a["id"]
        assert set(got) <= SLUGS


def test_nfd_articles_classify_like_their_nfc_form() -> None:
    nfd = [a for a in TUNE + HELDOUT if not unicodedata.is_normalized("NFC", a["text"])]
    assert nfd
    for a in nfd:
        nfc = {k: unicodedata.normalize("NFC", a[k]) for k in ("title", "summary", "text")}
        assert classify(a["title"], a["summary"], a["text"]) == classify(
            nfc["title"], nfc["summary"], nfc["text"]
        )


def _seed() -> tuple[str, str, str]:
    """The seed article (reference/seed-article-binhdinh.txt) as the binhdinh sample portal's
    golden holds it: its real title, sapo and paragraphs, written out by hand."""
    golden = json.loads(SEED_GOLDEN.read_text(encoding="utf-8"))
    return golden["title"], golden["summary"], "\n\n".join(golden["body"])


def test_seed_article_is_science_and_technology() -> None:
    title, summary, body = _seed()
    assert "Khoa học và Công nghệ" in title and len(body.split()) > 1000
    assert topics_for(title, summary, body) == [("khoa-hoc-cong-nghe", "rule")]


# --------------------------------------------------------------------------------------------
# bench/topics.py
# --------------------------------------------------------------------------------------------


def _bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "topics.py"), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_bench_prints_a_table_per_topic_and_the_macro_f1() -> None:
    out = _bench("--part", "heldout")
    for slug in SLUGS:
        assert re.search(
            rf"^\| {slug} \| \d+ \| \d+ \| [01]\.\d\d \| [01]\.\d\d \| [01]\.\d\d \|$", out, re.M
        ), slug
    reported = float(re.search(r"macro-F1 (\d\.\d{3})", out).group(1))  # type: ignore[union-attr]
    assert reported == pytest.approx(macro_f1(HELDOUT), abs=0.0005)


def test_bench_explains_one_article() -> None:
    out = _bench("--explain", "t023")
    assert out.startswith("t023 ")
    assert "nong-nghiep" in out and "(strong)" in out and "assigned" in out
