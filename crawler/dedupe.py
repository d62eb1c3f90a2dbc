"""Near-duplicate detection: the same press release republished by several portals (another
header, footer, dateline, small edits) becomes one cluster, so a feed shows the story once.

MinHash over syllable shingles (`SHINGLE` consecutive syllables of the normalized text: NFC, one
tone placement, lower case, so "hoà"/"hòa" and NFD copies agree), `NUM_PERM` permutations,
LSH with `BANDS` bands of `ROWS` rows. The band hashes live in indexed SQLite tables
(`minhash_bands`, and `minhash_bands_new` for the latest writes' until they are merged into it)
holding only the articles first seen in the last `WINDOW_DAYS`, so looking up candidates costs
the same whether the store holds a thousand articles or a million, and nothing is rebuilt per
crawl. A candidate is a duplicate when the estimated Jaccard similarity of the
shingle sets reaches `THRESHOLD`. These values were chosen on the hand-labelled pairs of
tests/data/dedupe_pairs.jsonl (bench/dedupe.py measures them).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

import numpy as np
import sqlite_utils

from crawler.clock import iso, parse_iso
from crawler.textnorm import cached_all, norm_key, syllables

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
    return np.array(cached_all(_SYLLABLE_HASH, _syllable_hash, tokens), dtype=np.uint64)


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
_BAND_SEED = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sig: np.ndarray, params: Params = DEFAULT) -> list[int]:
    """One 63-bit key per band (the band's number mixed in, so a single indexed column holds
    them all; 63 bits fit SQLite's signed integers)."""
    keys: list[int] = band_key_rows(sig.reshape(1, -1), params)[0].tolist()
    return keys


def band_key_rows(sigs: np.ndarray, params: Params = DEFAULT) -> np.ndarray:
    """`band_keys` of many signatures (the rows of `sigs`) in one numpy pass: (n, bands)."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), params.bands, params.rows)
    with np.errstate(over="ignore"):
        h = np.tile(np.arange(params.bands, dtype=np.uint64) * _BAND_SEED, (len(sigs), 1))
        for j in range(params.rows):
            h = (h ^ rows[:, :, j]) * _BAND_MIX
            h ^= h >> np.uint64(33)
    return (h >> np.uint64(1)).astype(np.int64)


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


def _slashed_numbers(key: str) -> list[str]:
    """`_NUMBERS.findall(key)`, found from the slashes: a scan of the whole text by the regex
    tries a match at every character (most of the time `dates_of` took)."""
    runs = []
    end = 0  # where the previous run ended: the next starts there at the earliest
    slash = key.find("/")
    while slash != -1:
        start = slash
        while start > end and key[start - 1].isdecimal():  # isdecimal: what \d matches
            start -= 1
        if start < slash:
            m = _NUMBERS.match(key, start)
            if m is not None:
                runs.append(m.group())
                end = m.end()
                slash = key.find("/", end)
                continue
        slash = key.find("/", slash + 1)
    return runs


def dates_of(key: str) -> frozenset[str]:
    """The dates a normalized text prints: "15/9" for a day (of "15/9" or "15/9/2025"), "9/2025"
    for a month."""
    found = set()
    if "/" in key:
        for run in _slashed_numbers(key):
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
#
# Band rows go to two tables of the same shape, an LSM tree of two levels: `minhash_bands_new`
# takes the rows of the latest writes and `minhash_bands` the rest. 32 band keys per article are
# 32 inserts at random places of a B-tree; into the whole window's table (a million rows, some
# 4,000 pages) a batch of 200 articles dirtied 2,500 of its pages, and every one of them went to
# the WAL at each commit (half of what a write batch wrote). The small table's pages stay few
# and hot; every `MERGE_ROWS` rows it is moved into the big one in key order, which rewrites
# each of the big table's pages once per merge instead of once per batch. A lookup probes both.

BAND_TABLE = "minhash_bands"
NEW_BAND_TABLE = "minhash_bands_new"
# Rows (32 per article) the new-rows table holds before it is merged into `minhash_bands`.
MERGE_ROWS = 64_000


def _drop_bands(db: sqlite_utils.Database, docs: list[int]) -> None:
    """Delete the band rows of these articles (recomputed from their stored signatures: the
    band tables have no index but their primary key, which keeps inserting into them cheap)."""
    rows = []
    for start in range(0, len(docs), 500):
        chunk = docs[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for doc, blob in db.execute(
            f"SELECT docid, signature FROM minhash WHERE docid IN ({marks})", chunk
        ).fetchall():
            rows += [(key, doc) for key in band_keys(from_blob(blob))]
    rows.sort()
    for table in (NEW_BAND_TABLE, BAND_TABLE):
        db.conn.executemany(f"DELETE FROM {table} WHERE key = ? AND docid = ?", rows)


class BandRows:
    """The band rows as one write transaction sees them, for its lookups and its writes.

    Looked up one article at a time, between that article's other writes, a probe of the band
    tables cost twice what it costs when the probes run back to back (bench/BENCH.md, "Ingest").
    So the writer looks up a whole batch's band keys at once when the batch begins
    (`prefetch`), keeps the rows the batch adds here, and writes them just before COMMIT, in
    key order (`flush`). `candidates` answers exactly what the two tables would: the rows found
    before, but for those of articles re-indexed since (`drop`), plus the rows added since."""

    CHUNK = 2000  # keys per lookup statement (twice as many parameters: two tables)

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._found: dict[int, list[int]] = {}  # key -> docids in the tables when looked up
        self._dropped: set[int] = set()
        self._added: dict[int, list[int]] = {}  # docid -> band keys added in this transaction
        self._by_key: dict[int, set[int]] = {}  # band key -> docids added in this transaction

    def prefetch(self, keys: Iterable[int]) -> None:
        """Look up these keys in both tables (those not looked up yet), in key order."""
        missing = sorted({k for k in keys if k not in self._found})
        found = self._found
        for start in range(0, len(missing), self.CHUNK):
            chunk = missing[start : start + self.CHUNK]
            for key in chunk:
                found[key] = []
            marks = ", ".join(["?"] * len(chunk))
            for key, doc in self.db.conn.execute(
                f"SELECT key, docid FROM {BAND_TABLE} WHERE key IN ({marks}) UNION ALL"
                f" SELECT key, docid FROM {NEW_BAND_TABLE} WHERE key IN ({marks})",
                chunk + chunk,
            ):
                found[key].append(doc)

    def candidates(self, keys: Sequence[int]) -> set[int]:
        """The docids that have a band row under any of these keys."""
        found = self._found
        missing = [key for key in keys if key not in found]
        if missing:  # the batch's keys were looked up when it began
            self.prefetch(missing)
        out = set(chain.from_iterable(map(found.__getitem__, keys)))
        if self._dropped:
            out -= self._dropped
        for key in keys:
            added = self._by_key.get(key)
            if added:
                out |= added
        return out

    def drop(self, doc: int) -> None:
        """Delete an article's band rows (before it is indexed again)."""
        _drop_bands(self.db, [doc])
        self._dropped.add(doc)
        for key in self._added.pop(doc, ()):
            self._by_key[key].discard(doc)

    def add(self, doc: int, keys: Sequence[int]) -> None:
        self._added.setdefault(doc, []).extend(keys)
        by_key = self._by_key
        for key in keys:
            docs = by_key.get(key)
            if docs is None:
                by_key[key] = {doc}
            else:
                docs.add(doc)

    def flush(self) -> None:
        """Write the added rows into the new-rows table, in key order."""
        rows = sorted((key, doc) for doc, keys in self._added.items() for key in keys)
        self._added.clear()
        self._by_key.clear()
        self._found.clear()
        self._dropped.clear()
        if rows:
            self.db.conn.executemany(
                f"INSERT OR IGNORE INTO {NEW_BAND_TABLE} (key, docid) VALUES (?, ?)", rows
            )


def index(
    db: sqlite_utils.Database,
    doc: int,
    sig: np.ndarray,
    first_seen: str,
    dates: frozenset[str] = frozenset(),
    *,
    bands: list[int] | None = None,
    new: bool = False,
    rows: BandRows,
) -> None:
    """Store an article's signature, dates and band keys under its docid (replacing earlier
    ones, unless the article is `new`). The band keys go through `rows`, the transaction's
    `BandRows`, to the new-rows table; the writer calls `merge_if_due` once per batch."""
    if not new:
        rows.drop(doc)
        db.execute("DELETE FROM minhash WHERE docid = ?", (doc,))
    # A plain INSERT: INSERT OR REPLACE measured 30 times slower here, conflict or not.
    db.conn.execute(
        "INSERT INTO minhash (docid, signature, first_seen, dates) VALUES (?, ?, ?, ?)",
        (doc, to_blob(sig), first_seen, to_dates(dates)),
    )
    rows.add(doc, bands if bands is not None else band_keys(sig))


def merge_if_due(db: sqlite_utils.Database, limit: int | None = None) -> bool:
    """Move the new band rows into `minhash_bands` once there are `limit` of them (default
    `MERGE_ROWS`). True when it merged."""
    limit = MERGE_ROWS if limit is None else limit
    # Counting stops at the limit: a bounded scan of a small table.
    count = db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {NEW_BAND_TABLE} LIMIT ?)", (limit,))
    if count.fetchone()[0] < limit:
        return False
    merge(db)
    return True


def merge(db: sqlite_utils.Database) -> None:
    """Move every new band row into `minhash_bands`, in key order (the new table's): each page
    of the big table is written once per merge."""
    db.execute(
        f"INSERT OR IGNORE INTO {BAND_TABLE} (key, docid) SELECT key, docid FROM {NEW_BAND_TABLE}"
    )
    db.execute(f"DELETE FROM {NEW_BAND_TABLE}")


def near_duplicates(
    db: sqlite_utils.Database,
    sig: np.ndarray,
    band_rows: BandRows,
    exclude: int | None = None,
    params: Params = DEFAULT,
    dates: frozenset[str] = frozenset(),
    bands: list[int] | None = None,
) -> list[tuple[int, float]]:
    """Docids of the articles in the window whose similarity reaches the threshold (and whose
    dates do not contradict), best first. `band_rows`: the writer's transaction's view of the
    band tables (`BandRows`)."""
    keys = bands if bands is not None else band_keys(sig, params)
    docs = sorted(band_rows.candidates(keys)) if keys else []
    if not docs:
        return []
    rows = db.conn.execute(
        "SELECT docid, signature, dates FROM minhash"
        f" WHERE docid IN ({', '.join(['?'] * len(docs))})",
        docs,
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
    """Index the articles first seen in the window before the newest (store migrations): their
    band rows go straight into `minhash_bands`, in key order."""
    db.execute(f"DELETE FROM {BAND_TABLE}")
    if NEW_BAND_TABLE in db.table_names():
        db.execute(f"DELETE FROM {NEW_BAND_TABLE}")
    db.execute("DELETE FROM minhash")
    newest = db.execute("SELECT max(first_seen) FROM articles").fetchone()[0]
    if not newest:
        return
    cutoff = iso(parse_iso(newest) - timedelta(days=WINDOW_DAYS))
    bands: list[tuple[int, int]] = []
    for doc, summary, text, first_seen in db.execute(
        "SELECT docid, summary, content_text, first_seen FROM articles WHERE first_seen >= ?",
        (cutoff,),
    ).fetchall():
        key = f"{norm_key(summary)}\n{norm_key(text)}"
        sig = signature_of_tokens(_WORDS.findall(key))
        if sig is not None:
            db.execute(
                "INSERT INTO minhash (docid, signature, first_seen, dates) VALUES (?, ?, ?, ?)",
                (doc, to_blob(sig), first_seen, to_dates(dates_of(key))),
            )
            bands += [(band, doc) for band in band_keys(sig)]
    bands.sort()
    db.conn.executemany(f"INSERT OR IGNORE INTO {BAND_TABLE} (key, docid) VALUES (?, ?)", bands)


def prune(db: sqlite_utils.Database, now_iso: str, days: int = WINDOW_DAYS) -> int:
    """Drop the band keys and signatures of articles first seen before the window: the index
    stays bounded. Returns the number of articles dropped from it."""
    cutoff = iso(parse_iso(now_iso) - timedelta(days=days))
    old = [r[0] for r in db.execute("SELECT docid FROM minhash WHERE first_seen < ?", (cutoff,))]
    _drop_bands(db, old)
    db.execute("DELETE FROM minhash WHERE first_seen < ?", (cutoff,))
    return len(old)
