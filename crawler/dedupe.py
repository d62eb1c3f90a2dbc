"""Near-duplicate detection: the same press release republished by several portals (another
header, footer, dateline, small edits) becomes one cluster, so a feed shows the story once.

MinHash over syllable shingles (`SHINGLE` consecutive syllables of the normalized text: NFC, one
tone placement, lower case, so "hoà"/"hòa" and NFD copies agree), `NUM_PERM` permutations,
LSH with `BANDS` bands of `ROWS` rows. The band hashes live in an indexed SQLite table
(`minhash_bands`) holding only the articles first seen in the last `WINDOW_DAYS`, so looking up
candidates costs the same whether the store holds a thousand articles or a million, and nothing
is rebuilt per crawl. A candidate is a duplicate when the estimated Jaccard similarity of the
shingle sets reaches `THRESHOLD`. These values were chosen on the hand-labelled pairs of
tests/data/dedupe_pairs.jsonl (bench/dedupe.py measures them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import sqlite_utils
from datasketch import MinHash

from crawler.clock import iso, parse_iso
from crawler.textnorm import syllables

SHINGLE = 3
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.5
WINDOW_DAYS = 30
MIN_SYLLABLES = 40  # shorter texts (notices) are matched exactly, never as near-duplicates
SEED = 1  # fixed: signatures stay comparable across processes and releases


@dataclass(frozen=True)
class Params:
    shingle: int = SHINGLE
    num_perm: int = NUM_PERM
    bands: int = BANDS
    threshold: float = THRESHOLD

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


DEFAULT = Params()


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    tokens = syllables(text)
    if len(tokens) < k:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)}


def signature(text: str, params: Params = DEFAULT) -> np.ndarray | None:
    """The MinHash signature of a text (None when it is too short to compare)."""
    if len(syllables(text)) < MIN_SYLLABLES:
        return None
    minhash = MinHash(num_perm=params.num_perm, seed=SEED)
    minhash.update_batch(list(shingles(text, params.shingle)))
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def band_hashes(sig: np.ndarray, params: Params = DEFAULT) -> list[int]:
    """One 63-bit hash per band (fits SQLite's signed integers)."""
    out = []
    raw = sig.astype("<u8").tobytes()
    width = params.rows * 8
    for band in range(params.bands):
        digest = hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).digest()
        out.append(int.from_bytes(digest, "little") >> 1)
    return out


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


# -- the index in the store (called inside the writer's transaction) --------------------------


def index(db: sqlite_utils.Database, article_id: str, sig: np.ndarray, first_seen: str) -> None:
    """Store an article's signature and band hashes (replacing earlier ones)."""
    db.execute("DELETE FROM minhash_bands WHERE article_id = ?", (article_id,))
    db.execute(
        "INSERT OR REPLACE INTO minhash (article_id, signature, first_seen) VALUES (?, ?, ?)",
        (article_id, to_blob(sig), first_seen),
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (band, hash, article_id, first_seen)"
        " VALUES (?, ?, ?, ?)",
        [(band, h, article_id, first_seen) for band, h in enumerate(band_hashes(sig))],
    )


def near_duplicates(
    db: sqlite_utils.Database,
    sig: np.ndarray,
    exclude: str | None = None,
    params: Params = DEFAULT,
) -> list[tuple[str, float]]:
    """Articles in the window whose similarity reaches the threshold, best first."""
    hashes = band_hashes(sig, params)
    values = ", ".join("(?, ?)" for _ in hashes)
    flat = [v for band, h in enumerate(hashes) for v in (band, h)]
    candidates = [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT article_id FROM minhash_bands"
            f" WHERE (band, hash) IN (VALUES {values})",
            flat,
        )
        if row[0] != exclude
    ]
    found = []
    for article_id in candidates:
        row = db.execute(
            "SELECT signature FROM minhash WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            continue
        score = similarity(sig, from_blob(row[0]))
        if score >= params.threshold:
            found.append((article_id, score))
    found.sort(key=lambda f: (-f[1], f[0]))
    return found


def prune(db: sqlite_utils.Database, now_iso: str, days: int = WINDOW_DAYS) -> int:
    """Drop band hashes (and signatures) older than the window: the index stays bounded."""
    cutoff = iso(parse_iso(now_iso) - timedelta(days=days))
    cur = db.execute("DELETE FROM minhash_bands WHERE first_seen < ?", (cutoff,))
    db.execute("DELETE FROM minhash WHERE first_seen < ?", (cutoff,))
    return int(cur.rowcount or 0)
