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

import re
import zlib
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import sqlite_utils

from crawler.clock import iso, parse_iso
from crawler.textnorm import norm_key, syllables

SHINGLE = 4
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

# -- MinHash ------------------------------------------------------------------------------------
#
# One-permutation MinHash with densification (Li, Owen & Zhang 2012; Shrivastava 2017): every
# shingle is hashed once to 64 bits, its top bits pick one of NUM_PERM bins and the rest is its
# value; a bin keeps its minimum. A bin no shingle fell into borrows the value of the next
# non-empty bin to its right (circularly), shifted by the distance, so two texts' empty bins
# agree exactly when their donors do. The same estimator of Jaccard similarity as NUM_PERM
# independent permutations, at the cost of one hash per shingle instead of NUM_PERM.
#
# Each syllable gets a 64-bit hash (CRC-32 of its UTF-8 bytes through the SplitMix64 finalizer;
# cached: the language has a few thousand syllables); a shingle's hash mixes its syllables'
# hashes in order, in numpy over the whole text at once.

_M64 = 0xFFFFFFFFFFFFFFFF


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


_SYLLABLE_HASH: dict[str, int] = {}
_MAX_CACHED = 200_000


def _syllable_hash(token: str) -> int:
    h = _splitmix64(zlib.crc32(token.encode("utf-8")) ^ (SEED << 32))
    if len(_SYLLABLE_HASH) < _MAX_CACHED:
        _SYLLABLE_HASH[token] = h
    return h


_MIX = np.uint64(0x9E3779B97F4A7C15)
_FIN1 = np.uint64(0xBF58476D1CE4E5B9)
_FIN2 = np.uint64(0x94D049BB133111EB)


def _token_hashes(tokens: list[str]) -> np.ndarray:
    get = _SYLLABLE_HASH.get
    return np.array([get(tok) or _syllable_hash(tok) for tok in tokens], dtype=np.uint64)


def _shingles(t: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of several token-hash sequences laid end to end (`starts`: where each
    begins), and the sequence each shingle belongs to; shingles crossing a boundary dropped."""
    n_total = len(t)
    ends = np.append(starts[1:], n_total)
    owner = np.repeat(np.arange(len(starts)), ends - starts)
    n = n_total - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    with np.errstate(over="ignore"):
        h = t[:n].copy()
        for j in range(1, k):
            h = (h * _MIX) ^ t[j : j + n]
        # SplitMix64's finalizer: every input bit reaches the top bits (they pick the bin).
        h ^= h >> np.uint64(30)
        h *= _FIN1
        h ^= h >> np.uint64(27)
        h *= _FIN2
        h ^= h >> np.uint64(31)
    keep = owner[:n] == owner[k - 1 : k - 1 + n]
    return h[keep], owner[:n][keep]


def shingle_hashes(tokens: list[str], k: int = SHINGLE) -> np.ndarray:
    """Well-mixed 64-bit hashes of the k-syllable shingles, one per position (a repeated
    shingle repeats its hash: harmless to a minimum)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    h, _ = _shingles(_token_hashes(tokens), np.array([0]), min(k, len(tokens)))
    return h


_EMPTY = np.uint64(np.iinfo(np.uint64).max)


def signatures(token_lists: list[list[str]], params: Params = DEFAULT) -> list[np.ndarray | None]:
    """MinHash signatures of many syllable sequences at once (None for those too short to
    compare): one numpy pass over a whole write batch."""
    m = params.num_perm
    bits = m.bit_length() - 1
    if 1 << bits != m:
        raise ValueError("num_perm must be a power of two")
    out: list[np.ndarray | None] = [None] * len(token_lists)
    rows = [i for i, tokens in enumerate(token_lists) if len(tokens) >= MIN_SYLLABLES]
    if not rows:
        return out
    lengths = np.array([len(token_lists[i]) for i in rows])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    t = _token_hashes([tok for i in rows for tok in token_lists[i]])
    h, owner = _shingles(t, starts, params.shingle)
    cells = owner * m + (h >> np.uint64(64 - bits)).astype(np.intp)
    values = h & np.uint64((1 << (64 - bits)) - 1)
    flat = np.full(len(rows) * m, _EMPTY, dtype=np.uint64)
    np.minimum.at(flat, cells, values)
    sig = flat.reshape(len(rows), m)
    empty = sig == _EMPTY
    if empty.any():
        # For every bin, the next non-empty bin to its right, circularly (a row has at least
        # MIN_SYLLABLES - SHINGLE + 1 shingles, so some bin is filled).
        cols = np.arange(2 * m)
        filled2 = np.tile(~empty, 2)
        marks = np.where(filled2, cols, 4 * m)
        nxt = np.minimum.accumulate(marks[:, ::-1], axis=1)[:, ::-1][:, :m]
        distance = (nxt - cols[:m]).astype(np.uint64)
        donors = np.take_along_axis(sig, nxt % m, axis=1)
        sig = np.where(empty, donors + (distance << np.uint64(64 - bits)), sig)
    for row, i in enumerate(rows):
        out[i] = sig[row]
    return out


def signature_of_tokens(tokens: list[str], params: Params = DEFAULT) -> np.ndarray | None:
    """The MinHash signature of a syllable sequence (None when too short to compare)."""
    return signatures([tokens], params)[0]


def signature(text: str, params: Params = DEFAULT) -> np.ndarray | None:
    return signature_of_tokens(syllables(text), params)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


_BAND_MIX = np.uint64(0xFF51AFD7ED558CCD)


def band_keys(sig: np.ndarray, params: Params = DEFAULT) -> list[int]:
    """One 63-bit key per band (the band's number mixed in, so a single indexed column holds
    them all; 63 bits fit SQLite's signed integers)."""
    rows = sig.astype(np.uint64).reshape(params.bands, params.rows)
    with np.errstate(over="ignore"):
        h = np.arange(params.bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for j in range(params.rows):
            h = (h ^ rows[:, j]) * _BAND_MIX
            h ^= h >> np.uint64(33)
    return [int(v) >> 1 for v in h]


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


# -- dates ---------------------------------------------------------------------------------------
#
# A press release republished elsewhere keeps its dates (a copy may drop a paragraph and a date
# with it, not add one of its own); a periodic notice written on the same template ("lịch tiếp
# công dân tháng 02/2023", then "tháng 3/2023") changes the dates of its occasion and keeps those
# of the laws it cites. Two texts that each print a date the other does not are different
# stories, however similar their wording.

_WORDS = re.compile(r"\w+")


def words(key: str) -> list[str]:
    """The syllables of a normalized text (crawler.textnorm.syllables without normalizing)."""
    return _WORDS.findall(key)


_NUMBERS = re.compile(r"\d+(?:/\d+)+")
_SPELLED = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2})")


def dates_of(key: str) -> frozenset[str]:
    """The dates a normalized text prints: "15/9" for a day (of "15/9" or "15/9/2025"), "9/2025"
    for a month."""
    found = set()
    if "/" in key:
        for run in _NUMBERS.findall(key):
            parts = run.split("/")
            if len(parts) > 3 or any(len(p) > 4 for p in parts):
                continue  # a document number, a fraction, an id
            first, second = int(parts[0]), int(parts[1])
            if len(parts[0]) <= 2 and len(parts[1]) <= 2 and 0 < first <= 31 and 0 < second <= 12:
                found.add(f"{first}/{second}")
            elif len(parts) == 2 and 0 < first <= 12 and len(parts[1]) == 4:
                found.add(f"{first}/{parts[1]}")
    if "tháng" in key:
        found |= {f"{int(d)}/{int(m)}" for d, m in _SPELLED.findall(key)}
    return frozenset(found)


def dates_disagree(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a - b) and bool(b - a)


def fingerprint(text: str, params: Params = DEFAULT) -> tuple[np.ndarray | None, frozenset[str]]:
    """Signature and dates of a text (the store computes them from its normalized forms)."""
    key = norm_key(text)
    return signature_of_tokens(_WORDS.findall(key), params), dates_of(key)


def accept(
    score: float, dates: frozenset[str], their_dates: frozenset[str], params: Params
) -> bool:
    """The decision on a candidate (a text sharing a band key): similar enough, and not
    printing other dates."""
    return score >= params.threshold and not dates_disagree(dates, their_dates)


def same_story(a: str, b: str, params: Params = DEFAULT) -> tuple[bool, float]:
    """The store's decision on a pair of texts, and their estimated similarity."""
    (sa, da), (sb, db_) = fingerprint(a, params), fingerprint(b, params)
    if sa is None or sb is None:
        return False, 0.0
    score = similarity(sa, sb)
    candidate = bool(set(band_keys(sa, params)) & set(band_keys(sb, params)))
    return candidate and accept(score, da, db_, params), score


def to_dates(dates: frozenset[str]) -> str:
    return " ".join(sorted(dates))


def from_dates(value: str | None) -> frozenset[str]:
    return frozenset((value or "").split())


# -- the index in the store (called inside the writer's transaction) --------------------------


def _drop_bands(db: sqlite_utils.Database, docs: list[int]) -> None:
    """Delete the band rows of these articles (recomputed from their stored signatures: the
    band table has no index but its primary key, which keeps inserting into it cheap)."""
    rows = []
    for start in range(0, len(docs), 500):
        chunk = docs[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for doc, blob in db.execute(
            f"SELECT docid, signature FROM minhash WHERE docid IN ({marks})", chunk
        ).fetchall():
            rows += [(key, doc) for key in band_keys(from_blob(blob))]
    db.conn.executemany("DELETE FROM minhash_bands WHERE key = ? AND docid = ?", rows)


def index(
    db: sqlite_utils.Database,
    doc: int,
    sig: np.ndarray,
    first_seen: str,
    dates: frozenset[str] = frozenset(),
    *,
    bands: list[int] | None = None,
    new: bool = False,
) -> None:
    """Store an article's signature, dates and band keys under its docid (replacing earlier
    ones, unless the article is `new`). Integer keys keep the band rows small: 32 of them per
    article, inserted at random places of one B-tree, are most of the cost of indexing."""
    if not new:
        _drop_bands(db, [doc])
        db.execute("DELETE FROM minhash WHERE docid = ?", (doc,))
    # A plain INSERT: INSERT OR REPLACE measured 30 times slower here, conflict or not.
    db.execute(
        "INSERT INTO minhash (docid, signature, first_seen, dates) VALUES (?, ?, ?, ?)",
        (doc, to_blob(sig), first_seen, to_dates(dates)),
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (key, docid) VALUES (?, ?)",
        [(key, doc) for key in (bands if bands is not None else band_keys(sig))],
    )


def near_duplicates(
    db: sqlite_utils.Database,
    sig: np.ndarray,
    exclude: int | None = None,
    params: Params = DEFAULT,
    dates: frozenset[str] = frozenset(),
    bands: list[int] | None = None,
) -> list[tuple[int, float]]:
    """Docids of the articles in the window whose similarity reaches the threshold (and whose
    dates do not contradict), best first."""
    keys = bands if bands is not None else band_keys(sig, params)
    marks = ", ".join("?" for _ in keys)
    # One primary-key probe per band, then the candidates' signatures.
    rows = db.execute(
        "SELECT m.docid, m.signature, m.dates FROM minhash m WHERE m.docid IN ("
        f" SELECT docid FROM minhash_bands WHERE key IN ({marks}))",
        keys,
    ).fetchall()
    found = []
    for doc, blob, their_dates in rows:
        if doc == exclude:
            continue
        score = similarity(sig, from_blob(blob))
        if accept(score, dates, from_dates(their_dates), params):
            found.append((doc, score))
    found.sort(key=lambda f: (-f[1], f[0]))
    return found


def reindex_recent(db: sqlite_utils.Database) -> None:
    """Index the articles first seen in the window before the newest (store migrations)."""
    db.execute("DELETE FROM minhash_bands")
    db.execute("DELETE FROM minhash")
    newest = db.execute("SELECT max(first_seen) FROM articles").fetchone()[0]
    if not newest:
        return
    cutoff = iso(parse_iso(newest) - timedelta(days=WINDOW_DAYS))
    for doc, summary, text, first_seen in db.execute(
        "SELECT docid, summary, content_text, first_seen FROM articles WHERE first_seen >= ?",
        (cutoff,),
    ).fetchall():
        key = f"{norm_key(summary)}\n{norm_key(text)}"
        sig = signature_of_tokens(_WORDS.findall(key))
        if sig is not None:
            index(db, doc, sig, first_seen, dates_of(key), new=True)


def prune(db: sqlite_utils.Database, now_iso: str, days: int = WINDOW_DAYS) -> int:
    """Drop the band keys and signatures of articles first seen before the window: the index
    stays bounded. Returns the number of articles dropped from it."""
    cutoff = iso(parse_iso(now_iso) - timedelta(days=days))
    old = [r[0] for r in db.execute("SELECT docid FROM minhash WHERE first_seen < ?", (cutoff,))]
    _drop_bands(db, old)
    db.execute("DELETE FROM minhash WHERE first_seen < ?", (cutoff,))
    return len(old)
