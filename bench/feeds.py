"""Feeds at scale: a realistic store of 1,000,000 articles, the time to build every feed from it,
an incremental build after 100 new articles, and the 304/200 throughput of `vnfeeds serve` beside
nginx on the same output dir, in the same run.

    python bench/feeds.py                         # 1,000,000 articles (store cached in --work)
    python bench/feeds.py --articles 50000        # a quick look
    python bench/feeds.py --skip-serve            # builds only
    python bench/feeds.py --baseline-rev HEAD~1   # the same builds with an older feeds/ beside

The store
---------
Ingesting through `ArticleWriter` runs about 500 articles/s (normalization, matching, MinHash,
the search index), i.e. over half an hour for a million, so the store is written by a bulk
loader instead: the real migrations create the file (crawler/store/schema.py), the sources go
through `schema.sync_sources`, and the loader fills the tables feeds read: `articles` (every
column, the same formats: ISO dates with +07:00, `seq` and `docid` in first-seen order,
`backfill` by the writer's rule), `article_topics`, `article_urls`, `article_attachments`,
`clusters` (id = first-seen member, representative = earliest published) and `revisits` (last
week). Left empty: `raw_pages`, `revisions`, `minhash*` (nothing in a build reads them) and the
search index unless `--fts` (query feeds only; not measured here). The 100 new articles of the
incremental build go through the real writer (dedupe, clusters, search index and all).

Distributions (seeded, so the same arguments give the same store):
- 34 provinces, sizes skewed (Hà Nội and Hồ Chí Minh about 4x the median); per province its
  portal, three department sites, and the pre-2025 portals merged into it (archives that stop
  on 2025-07-01);
- published over the 5 years before `--now`, volume growing 10 %/year, weekdays and office hours
  heavier; the service started 2.5 years before `--now` and backfilled older history
  (`backfill` = published more than 30 days before first seen); later articles are first seen
  5 minutes to 6 hours after publication, 1.5 % are crawled 1 to 20 days late;
- 1 to 3 topics per article (55/35/10 %), topic popularity skewed (chỉ đạo điều hành,
  kinh tế, chính trị common; đối ngoại rare);
- bodies: Vietnamese paragraphs generated from the sample portals' golden texts (a word-bigram
  model), length log-normal with a median of 2,800 characters (10th percentile about 1,300,
  90th about 6,000, at most 40,000), 0 to 2 figures with captions, a sapo on 85 %, an author
  on 70 %, an image on 80 %, attachments on 5 %;
- 7 % of stories are press releases republished by 1 to 3 other portals within two days (one
  near-duplicate cluster); 4 % are edited after publication, 0.3 % removed (`gone_at`).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import places  # noqa: E402
from crawler.clock import iso, parse_iso  # noqa: E402
from crawler.store import open_store  # noqa: E402
from crawler.store.schema import sync_sources  # noqa: E402
from crawler.store.writer import ARTICLE_NS, BACKFILL_AFTER  # noqa: E402

DEFAULT_NOW = "2026-11-27T10:00:00+07:00"
STORE_VERSION = 1  # bump when the generator changes: a cached store is rebuilt

# -- text --------------------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def _corpus() -> list[str]:
    """Paragraphs of real Vietnamese portal prose: the golden bodies of the sample portals."""
    paragraphs: list[str] = []
    for path in sorted((ROOT / "crawler" / "sampleportals").glob("*/golden/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("summary", "title"):
            if isinstance(data.get(key), str):
                paragraphs.append(data[key])
        body = data.get("body") or []
        paragraphs += [p for p in body if isinstance(p, str)]
    return [p for p in paragraphs if len(p) > 20]


class Prose:
    """A word-bigram model of the corpus: sentences that read like portal news."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        follow: dict[str, list[str]] = {}
        starts: list[str] = []
        for paragraph in _corpus():
            words = _WORD.findall(paragraph)
            if len(words) < 4:
                continue
            starts.append(words[0])
            for a, b in itertools.pairwise(words):
                follow.setdefault(a, []).append(b)
        self.follow = follow
        self.starts = [w for w in starts if w[:1].isupper()] or starts

    def sentence(self, lo: int = 12, hi: int = 40) -> str:
        rng = self.rng
        n = rng.randint(lo, hi)
        word = rng.choice(self.starts)
        out = [word]
        while len(out) < n:
            nxt = self.follow.get(word)
            word = rng.choice(nxt) if nxt else rng.choice(self.starts)
            out.append(word)
        text = " ".join(out).rstrip(".,;:")
        return text + "."

    def paragraph(self, chars: int) -> str:
        parts: list[str] = []
        size = 0
        while size < chars:
            s = self.sentence()
            parts.append(s)
            size += len(s) + 1
        return " ".join(parts)


# -- the store's shape -------------------------------------------------------------------------

TOPIC_WEIGHTS = {
    "chi-dao-dieu-hanh": 18,
    "kinh-te": 14,
    "chinh-tri": 12,
    "xa-hoi-lao-dong": 8,
    "van-hoa-the-thao-du-lich": 8,
    "nong-nghiep": 7,
    "giao-duc": 6,
    "y-te": 6,
    "xay-dung-giao-thong": 5,
    "chuyen-doi-so": 5,
    "cai-cach-hanh-chinh": 4,
    "tai-nguyen-moi-truong": 4,
    "quoc-phong-an-ninh": 3,
    "thong-bao": 3,
    "khoa-hoc-cong-nghe": 3,
    "doi-ngoai": 1,
}
BIG = {"ha-noi": 4.0, "ho-chi-minh": 4.0, "hai-phong": 2.0, "da-nang": 2.0, "can-tho": 1.8}
MERGER = "2025-07-01T00:00:00+07:00"
DEPARTMENTS = (
    ("sotttt", "Sở Thông tin và Truyền thông"),
    ("sokhcn", "Sở Khoa học và Công nghệ"),
    ("sogddt", "Sở Giáo dục và Đào tạo"),
)


@dataclass(frozen=True)
class Source:
    id: str
    province: str  # current unit
    province_then: str
    name: str
    homepage: str
    host: str
    weight: float
    until: str | None = None  # archives of pre-2025 portals stop at the merger


def _host(slug: str) -> str:
    return slug.replace("-", "") + ".gov.vn"


def make_sources(rng: random.Random) -> list[Source]:
    out: list[Source] = []
    former = places.former_provinces()
    for slug, p in places.provinces().items():
        size = BIG.get(slug, rng.uniform(0.6, 1.4))
        portal = former[slug].portal if slug in former else f"https://{_host(slug)}"
        host = portal.split("//", 1)[1].rstrip("/")
        out.append(
            Source(
                slug, slug, slug, f"Cổng thông tin điện tử {p.name}", portal + "/", host, size * 6
            )
        )
        for prefix, dept in DEPARTMENTS:
            dhost = f"{prefix}.{host}"
            out.append(
                Source(
                    f"{prefix}-{slug}",
                    slug,
                    slug,
                    f"{dept} {p.name}",
                    f"https://{dhost}/",
                    dhost,
                    size,
                )
            )
        for f in former.values():
            if f.merged_into == slug and f.slug != slug:
                fhost = f.portal.split("//", 1)[1].rstrip("/")
                out.append(
                    Source(
                        f"{f.slug}-archive",
                        slug,
                        f.slug,
                        f"Cổng thông tin điện tử tỉnh {f.name} (lưu trữ)",
                        f.portal + "/",
                        fhost,
                        size * 3,
                        until=MERGER,
                    )
                )
    return out


def _source_rows(sources: list[Source]) -> list[dict[str, object]]:
    rows = []
    for s in sources:
        config = {"id": s.id, "province": s.province, "homepage": s.homepage, "bench": True}
        rows.append(
            {
                "id": s.id,
                "province": s.province,
                "name": s.name,
                "homepage": s.homepage,
                "platform": "generic",
                "enabled": int(s.until is None),
                "former_province": s.province_then if s.province_then != s.province else None,
                "interval": "60m",
                "notes": "bench/feeds.py synthetic source",
                "config": json.dumps(config, sort_keys=True),
            }
        )
    return rows


def _slug(title: str) -> str:
    from crawler.textnorm import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(title).lower()).strip("-")[:80]


@dataclass
class Draft:
    """One article before ids and counters are assigned."""

    source: Source
    published: datetime
    first_seen: datetime
    updated: datetime
    gone: datetime | None
    story: int  # index of the story (copies of a press release share it)
    copy: int  # 0 for the original, 1.. for the other portals' copies
    topics: list[str]


def _publication_times(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """n instants over 5 years, volume growing 10 %/year, weekdays and office hours heavier."""
    span_days = 5 * 365
    start = now - timedelta(days=span_days)
    out: list[datetime] = []
    growth = math.log(1.10) / 365
    norm = math.exp(growth * span_days)
    while len(out) < n:
        day = math.log(1 + rng.random() * (norm - 1)) / growth  # density ∝ e^{growth·day}
        base = start + timedelta(days=int(day))
        if base.weekday() >= 5 and rng.random() > 0.3:
            continue
        if rng.random() < 0.85:
            minute = int(rng.triangular(7 * 60, 18 * 60, 10 * 60))
        else:
            minute = rng.randrange(24 * 60)
        when = base.replace(hour=0, minute=0, second=0) + timedelta(minutes=minute)
        when += timedelta(seconds=rng.choice((0, 0, 0, rng.randrange(60))))
        if when < now - timedelta(minutes=20):
            out.append(when)
    out.sort()
    return out


def plan(n: int, now: datetime, seed: int) -> tuple[list[Source], list[Draft]]:
    """Who published what and when (no text yet): n articles in all, copies included."""
    rng = random.Random(seed)
    sources = make_sources(rng)
    started = now - timedelta(days=int(2.5 * 365))
    topic_names = list(TOPIC_WEIGHTS)
    topic_w = list(TOPIC_WEIGHTS.values())
    live = [s for s in sources if s.until is None]
    live_w = [s.weight for s in live]
    all_w = [s.weight for s in sources]
    by_province: dict[str, list[Source]] = {}
    for s in live:
        by_province.setdefault(s.province, []).append(s)
    merger = parse_iso(MERGER)
    times = _publication_times(rng, n, now)
    drafts: list[Draft] = []
    story = 0
    i = 0
    while len(drafts) < n:
        published = times[i % len(times)]
        i += 1
        pool, weights = (sources, all_w) if published < merger else (live, live_w)
        source = rng.choices(pool, weights)[0]
        if source.until and published >= merger:
            continue
        k = rng.choices((1, 2, 3), (55, 35, 10))[0]
        topics: list[str] = []
        while len(topics) < k:
            t = rng.choices(topic_names, topic_w)[0]
            if t not in topics:
                topics.append(t)
        copies = rng.choices((0, 1, 2, 3), (93, 3.5, 2.5, 1))[0]
        for c in range(copies + 1):
            if c == 0:
                src, pub = source, published
            else:
                if rng.random() < 0.5:
                    src = rng.choice(by_province[source.province])
                else:
                    src = rng.choices(live, live_w)[0]
                pub = published + timedelta(minutes=rng.randrange(5, 2 * 24 * 60))
                if pub > now - timedelta(minutes=10):
                    continue
            first_seen = _first_seen(rng, pub, started, now)
            updated = pub
            if rng.random() < 0.04:
                updated = min(first_seen + timedelta(hours=rng.uniform(1, 24 * 7)), now)
            gone = None
            if rng.random() < 0.003:
                gone = min(max(updated, first_seen) + timedelta(days=rng.uniform(1, 30)), now)
            drafts.append(Draft(src, pub, first_seen, updated, gone, story, c, topics[:]))
        story += 1
    return sources, drafts[:n]


def _first_seen(
    rng: random.Random, published: datetime, started: datetime, now: datetime
) -> datetime:
    if published < started - timedelta(days=180):
        # History fetched by `vnfeeds crawl --backfill` runs in the first months of service.
        seen = started + timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 24))
    elif published < started:
        seen = started + timedelta(hours=rng.uniform(0, 48))  # the first crawl's deep pages
    elif rng.random() < 0.015:
        seen = published + timedelta(days=rng.uniform(1, 20))  # a list page seen late
    else:
        seen = published + timedelta(minutes=rng.uniform(5, 6 * 60))
    return min(seen, now - timedelta(minutes=rng.uniform(0, 10)))


# -- writing -----------------------------------------------------------------------------------

AUTHORS = (
    "Minh Châu",
    "Thanh Hà",
    "Quốc Dũng",
    "Ngọc Ánh",
    "Văn Long",
    "Thu Trang",
    "Hoàng Nam",
    "Phương Thảo",
    "Đức Anh",
    "Bảo Ngọc",
)


class Writer:
    """Text for each draft and the bulk INSERTs."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.prose = Prose(rng)
        self.pool = [self.prose.paragraph(int(rng.lognormvariate(6.0, 0.5))) for _ in range(6000)]
        self.summaries = [self.prose.paragraph(rng.randint(140, 320)) for _ in range(4000)]
        self.titles = [self.prose.sentence(8, 22).rstrip(".") for _ in range(20000)]
        self.captions = [self.prose.sentence(6, 16) for _ in range(2000)]
        self.stories: dict[int, tuple[str, str, str, list[str]]] = {}

    def story_text(self, story: int) -> tuple[str, str, str, list[str]]:
        """(title, summary, author, paragraphs) of a story: copies on other portals share it."""
        hit = self.stories.get(story)
        if hit:
            return hit
        rng = self.rng
        chars = min(40000, int(rng.lognormvariate(math.log(2800), 0.6)))
        paragraphs: list[str] = []
        size = 0
        while size < chars:
            p = rng.choice(self.pool)
            paragraphs.append(p)
            size += len(p) + 2
        title = self.title(story)
        summary = rng.choice(self.summaries) if rng.random() < 0.85 else ""
        author = rng.choice(AUTHORS) if rng.random() < 0.7 else ""
        value = (title, summary, author, paragraphs)
        if len(self.stories) > 50000:
            self.stories.clear()
        self.stories[story] = value
        return value

    def title(self, story: int) -> str:
        return self.titles[(story * 7919) % len(self.titles)]

    def html(self, host: str, paragraphs: list[str], figures: int) -> str:
        parts: list[str] = []
        every = max(1, len(paragraphs) // (figures + 1))
        for i, p in enumerate(paragraphs):
            if figures and i and i % every == 0:
                figures -= 1
                img = f"https://{host}/upload/2005340/{self.rng.randrange(10**8)}.jpg"
                cap = self.rng.choice(self.captions)
                parts.append(
                    f'<figure><img src="{img}" alt="{cap}"><figcaption>{cap}</figcaption></figure>'
                )
            if self.rng.random() < 0.1:
                parts.append(f"<p><strong>{p}</strong></p>")
            else:
                parts.append(f"<p>{p}</p>")
        return "".join(parts)


_ARTICLE_SQL = (
    "INSERT INTO articles (id, docid, url, source_id, native_key, province, province_then,"
    " title, summary, content_html, content_text, author, published, published_source, updated,"
    " first_seen, last_seen, gone_at, section_url, image_url, content_hash, title_key,"
    " text_length, backfill, cluster_id, first_run_id, last_run_id, seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL,"
    " NULL, ?)"
)


def write_store(path: Path, n: int, now: datetime, seed: int, fts: bool, log: Any) -> None:
    t0 = time.monotonic()
    sources, drafts = plan(n, now, seed)
    took = time.monotonic() - t0
    log(f"planned {len(drafts):,} articles from {len(sources)} sources in {took:.0f} s")
    db = open_store(path)
    sync_sources(db, _source_rows(sources))
    # The service started 2.5 years before `now` (feeds print it as the fallback `updated`).
    created = iso(now - timedelta(days=int(2.5 * 365)))
    db.execute("UPDATE meta SET value = ? WHERE key = 'created'", (created,))
    db.conn.close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = OFF")  # a bulk load into a new file: no crash safety needed
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -1000000")
    # Secondary indexes are dropped during the load and created again from their own SQL.
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND"
        " tbl_name IN ('articles', 'article_topics', 'article_urls', 'revisits')"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    rng = random.Random(seed + 1)
    writer = Writer(rng)
    # Counters in first-seen order, as the writer assigns them; edits and removals move `seq`.
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].first_seen, i))
    docid = {i: k + 1 for k, i in enumerate(order)}
    changes = sorted(
        range(len(drafts)),
        key=lambda i: (
            max(drafts[i].first_seen, drafts[i].updated, drafts[i].gone or drafts[i].first_seen),
            i,
        ),
    )
    seq = {i: k + 1 for k, i in enumerate(changes)}
    story_members: dict[int, list[int]] = {}
    for i, d in enumerate(drafts):
        story_members.setdefault(d.story, []).append(i)
    ids: dict[int, str] = {}
    urls: dict[int, str] = {}
    for i, d in enumerate(drafts):
        title = writer.title(d.story)
        url = f"https://{d.source.host}/tin-tuc/{_slug(title)}-{d.story}-{d.copy}.html"
        urls[i] = url
        ids[i] = str(uuid.uuid5(ARTICLE_NS, url))
    log(f"ids and counters in {time.monotonic() - t0:.0f} s")
    con.execute("BEGIN")
    batch: list[tuple[Any, ...]] = []
    topic_rows: list[tuple[str, str, str]] = []
    url_rows: list[tuple[str, str, str]] = []
    attach_rows: list[tuple[str, str, str]] = []
    cluster_rows: list[tuple[str, str, str]] = []
    revisit_rows: list[tuple[str, str, str]] = []
    week_ago = now - timedelta(days=7)

    def flush() -> None:
        con.executemany(_ARTICLE_SQL, batch)
        con.executemany(
            "INSERT INTO article_topics (article_id, topic, origin) VALUES (?, ?, ?)", topic_rows
        )
        con.executemany(
            "INSERT INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)", url_rows
        )
        con.executemany(
            "INSERT INTO article_attachments (article_id, url, title) VALUES (?, ?, ?)",
            attach_rows,
        )
        con.executemany(
            "INSERT INTO clusters (id, representative, created, merged_into)"
            " VALUES (?, ?, ?, NULL)",
            cluster_rows,
        )
        con.executemany(
            "INSERT INTO revisits (article_id, url, step, next_at, strikes) VALUES (?, ?, 0, ?, 0)",
            revisit_rows,
        )
        for rows in (batch, topic_rows, url_rows, attach_rows, cluster_rows, revisit_rows):
            rows.clear()

    for done, i in enumerate(order, 1):
        d = drafts[i]
        title, summary, author, paragraphs = writer.story_text(d.story)
        if d.copy:
            # Another portal's copy: its own dateline and footer around the same release.
            paragraphs = [*paragraphs, f"Nguồn: {d.source.name}."]
        text = "\n\n".join(paragraphs)
        figures = rng.choices((0, 1, 2), (30, 50, 20))[0]
        html = writer.html(d.source.host, paragraphs, figures)
        members = story_members[d.story]
        first = min(members, key=lambda m: (drafts[m].first_seen, m))
        rep = min(members, key=lambda m: (drafts[m].published, drafts[m].first_seen, ids[m]))
        published = iso(d.published)
        seen = iso(d.first_seen)
        backfill = int(d.first_seen - d.published > BACKFILL_AFTER)
        image = f"https://{d.source.host}/upload/2005340/{rng.randrange(10**8)}.jpg"
        batch.append(
            (
                ids[i],
                docid[i],
                urls[i],
                d.source.id,
                None,
                d.source.province,
                d.source.province_then,
                title,
                summary,
                html,
                text,
                author or None,
                published,
                "selector",
                iso(d.updated),
                seen,
                iso(max(d.first_seen, d.updated)),
                iso(d.gone) if d.gone else None,
                f"https://{d.source.host}/tin-tuc",
                image if rng.random() < 0.8 else None,
                hashlib.sha256(text.encode()).hexdigest(),
                title.lower(),
                len(text),
                backfill,
                ids[first],
                seq[i],
            )
        )
        for t in d.topics:
            topic_rows.append((ids[i], t, rng.choice(("rule", "rule", "section"))))
        url_rows.append((urls[i], ids[i], seen))
        if rng.random() < 0.05:
            for k in range(rng.randint(1, 2)):
                attach_rows.append(
                    (
                        ids[i],
                        f"https://{d.source.host}/upload/vb/{d.story}-{k}.pdf",
                        f"Văn bản {k + 1}",
                    )
                )
        if i == first:
            cluster_rows.append((ids[i], ids[rep], seen))
        if d.first_seen >= week_ago and d.gone is None:
            revisit_rows.append((ids[i], urls[i], seen))
        if len(batch) >= 5000:
            flush()
        if done % 100000 == 0:
            log(f"  {done:,} articles written ({time.monotonic() - t0:.0f} s)")
    flush()
    con.execute("COMMIT")
    log(f"rows written in {time.monotonic() - t0:.0f} s; creating indexes")
    for _, sql in indexes:
        con.execute(sql)
    if fts:
        log("filling the search index (--fts)")
        for table in ("search_exact", "search_folded"):
            con.execute(
                f"INSERT INTO {table} (rowid, title, summary, body)"
                " SELECT docid, title, summary, content_text FROM articles"
            )
    con.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_store', ?)",
        (
            json.dumps(
                {"version": STORE_VERSION, "articles": n, "now": iso(now), "seed": seed, "fts": fts}
            ),
        ),
    )
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    log(f"store written in {time.monotonic() - t0:.0f} s ({path.stat().st_size / 1e9:.2f} GB)")


def ensure_store(work: Path, n: int, now: datetime, seed: int, fts: bool, log: Any) -> Path:
    """The cached store for these arguments, written when missing or different."""
    path = work / f"store-{n}.db"
    wanted = {"version": STORE_VERSION, "articles": n, "now": iso(now), "seed": seed, "fts": fts}
    if path.exists():
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            row = con.execute("SELECT value FROM meta WHERE key = 'bench_store'").fetchone()
            con.close()
            if row and json.loads(row[0]) == wanted:
                log(f"store {path} ({path.stat().st_size / 1e9:.2f} GB) reused")
                return path
        except sqlite3.Error:
            pass
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    write_store(path, n, now, seed, fts, log)
    return path


def new_articles(db_path: Path, count: int, at: datetime, seed: int) -> int:
    """`count` new articles written through the real writer (ArticleWriter: matching, clusters,
    the near-duplicate and search indexes), first seen in the quarter hour before `at`, from
    random live sources: what a crawl round adds."""
    from crawler.items import Article
    from crawler.store.writer import ArticleWriter

    rng = random.Random(seed)
    sources = [s for s in make_sources(random.Random(seed)) if s.until is None]
    weights = [s.weight for s in sources]
    writer = Writer(rng)
    articles = []
    for k in range(count):
        source = rng.choices(sources, weights)[0]
        title = f"{writer.title(rng.randrange(10**6))} ({k})"
        _, summary, author, paragraphs = writer.story_text(10**9 + k)
        seen = at - timedelta(minutes=rng.uniform(0, 15))
        published = seen - timedelta(minutes=rng.uniform(5, 120))
        url = f"https://{source.host}/tin-tuc/{_slug(title)}-new-{seed}-{k}.html"
        text = "\n\n".join(paragraphs)
        k_topics = rng.choices((1, 2, 3), (55, 35, 10))[0]
        topics = rng.sample(list(TOPIC_WEIGHTS), k_topics)
        articles.append(
            Article(
                source_id=source.id,
                province=source.province,
                province_then=source.province_then,
                url=url,
                urls=[url],
                title=title,
                summary=summary,
                content_html=writer.html(source.host, paragraphs, 1),
                content_text=text,
                author=author or None,
                published=iso(published),
                published_source="selector",
                fetched_at=iso(seen),
                topics={t: "rule" for t in topics},
            )
        )
    db = open_store(db_path)
    try:
        result = ArticleWriter(db).write_batch(articles)
    finally:
        db.close()
    return result.new


# -- measuring ---------------------------------------------------------------------------------


# The child runs `vnfeeds build` after importing what it needs, and reports how long the
# command itself took: a build inside the running service (its build thread) starts there.
_CHILD = """
import sys, time
import crawler.cli, feeds.build
sys.argv = ["vnfeeds", *sys.argv[1:]]
t0 = time.perf_counter()
try:
    crawler.cli.main()
except SystemExit as exc:
    if exc.code:
        raise
print(f"BUILD_SECONDS {time.perf_counter() - t0:.6f}", file=sys.stderr)
"""


def run_build(
    db: Path, out: Path, now: datetime, *, full: bool = False, code: Path | None = None
) -> tuple[float, str]:
    """`vnfeeds build` in a child process (the operator's command), wall time in seconds.
    `code`: a directory holding another revision's crawler/ and feeds/ (the baseline)."""
    elapsed, _, line = run_build_timed(db, out, now, full=full, code=code)
    return elapsed, line


def run_build_timed(
    db: Path, out: Path, now: datetime, *, full: bool = False, code: Path | None = None
) -> tuple[float, float, str]:
    """`run_build`, and also the seconds the build command took once Python had started and
    imported vnfeeds (what a build costs inside the service)."""
    env = dict(os.environ, VNFEEDS_NOW=iso(now), PYTHONPATH=str(code or ROOT))
    cmd = [sys.executable, "-c", _CHILD, "build", "--db", str(db), "--out", str(out)]
    cmd += ["--base-url", "https://feeds.example.vn/"]
    if full:
        cmd.append("--full")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=code or ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"build failed: {proc.stderr[-3000:]}")
    err = proc.stderr.splitlines()
    inside = [float(x.split()[1]) for x in err if x.startswith("BUILD_SECONDS")]
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return elapsed, inside[-1] if inside else float("nan"), line


def twin_sizes(out: Path) -> tuple[int, int]:
    """(bytes of the feeds' .gz twins, bytes of the same files gzipped whole by ISA-L at the
    same level): what compressing twins part by part costs in size."""
    from isal import igzip

    from feeds.publish import GZIP_LEVEL

    twins = whole = 0
    for path in feed_files(out):
        twin = path.with_name(path.name + ".gz")
        if twin.exists():
            twins += twin.stat().st_size
            whole += len(igzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0))
    return twins, whole


def feed_files(out: Path) -> list[Path]:
    return sorted(
        p
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".atom", ".rss", ".json") and not p.name.startswith(".")
    )


def same_tree(a: Path, b: Path) -> list[str]:
    """Relative paths whose bytes differ between two output dirs (state files aside)."""

    def files(root: Path) -> dict[str, Path]:
        return {
            str(p.relative_to(root)): p
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        }

    fa, fb = files(a), files(b)
    diff = sorted(set(fa) ^ set(fb))
    for rel in sorted(set(fa) & set(fb)):
        if fa[rel].read_bytes() != fb[rel].read_bytes():
            diff.append(rel)
    return diff


def baseline_code(rev: str, work: Path) -> Path:
    """crawler/ and feeds/ of another revision, exported with `git archive` (read-only)."""
    target = work / f"code-{rev.replace('/', '_').replace('~', '-')}"
    if target.exists():
        return target
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev, "crawler", "feeds", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


# -- serving -----------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 20.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Served:
    """A server process on 127.0.0.1 (vnfeeds serve or nginx), stopped on exit."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        port: int,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ):
        self.name, self.port = name, port
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,  # `python -m` puts the working dir first on sys.path, before PYTHONPATH
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_port(port)
        except RuntimeError:
            self.proc.kill()
            err = self.proc.stderr.read()[-2000:] if self.proc.stderr else b""
            raise RuntimeError(f"{name} did not start: {err!r}") from None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_vnfeeds(out: Path, db: Path, code: Path | None = None) -> Served:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(code or ROOT))
    cmd = [sys.executable, "-m", "crawler.cli", "serve", "--quiet", "--out", str(out)]
    cmd += ["--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    return Served("vnfeeds serve" + (" (baseline)" if code else ""), cmd, port, env, code or ROOT)


def start_nginx(out: Path, work: Path, upstream: int) -> Served:
    """nginx with the server block `vnfeeds nginx-conf` prints, one worker (like serve: one
    process), access log off."""
    binary = "/usr/sbin/nginx"
    port = _free_port()
    conf = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "nginx-conf",
            "--out",
            str(out),
            "--listen",
            f"127.0.0.1:{port}",
            "--upstream",
            f"http://127.0.0.1:{upstream}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ndir = work / "nginx"
    ndir.mkdir(parents=True, exist_ok=True)
    (ndir / "vnfeeds.conf").write_text(conf, encoding="utf-8")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (ndir / sub).mkdir(exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    (ndir / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {ndir}/nginx.pid;
error_log {ndir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {ndir}/body;
    proxy_temp_path {ndir}/proxy;
    fastcgi_temp_path {ndir}/fastcgi;
    uwsgi_temp_path {ndir}/uwsgi;
    scgi_temp_path {ndir}/scgi;
    include {ndir}/vnfeeds.conf;
}}
""",
        encoding="utf-8",
    )
    cmd = [binary, "-p", str(ndir), "-c", str(ndir / "nginx.conf"), "-g", "daemon off;"]
    return Served("nginx", cmd, port)


def _validators(port: int, paths: list[str]) -> list[tuple[str, str]]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    for path in paths:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{path}: {resp.status}")
        out.append((path, resp.getheader("ETag") or ""))
    conn.close()
    return out


_LUA = """
local requests = {}
%s
local i = 0
request = function()
    i = i %% #requests + 1
    return requests[i]
end
"""
# Counting statuses in Lua slows wrk down (it parses every response for the callback), so a
# separate short run checks that every answer has the expected status.
_LUA_CHECK = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
    if status ~= %d then bad = bad + 1 end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do total = total + t:get("bad") end
    io.write(string.format("BADSTATUS %%d\\n", total))
end
"""


def _wrk_run(port: int, script: Path, seconds: int, connections: int) -> str:
    proc = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def wrk(
    port: int,
    pairs: list[tuple[str, str]],
    conditional: bool,
    seconds: int,
    work: Path,
    connections: int = 50,
) -> dict[str, Any]:
    """Requests/s of wrk over the paths (2 threads, keep-alive connections), cycling through
    them; conditional: If-None-Match with each file's ETag (the 304 path), else a GET with
    Accept-Encoding: gzip (the 200 path)."""
    lines = []
    for path, etag in pairs:
        headers = {"Host": f"127.0.0.1:{port}", "Accept-Encoding": "gzip"}
        if conditional:
            headers["If-None-Match"] = etag
        lua_headers = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
        lines.append(f'table.insert(requests, wrk.format("GET", "{path}", {{{lua_headers}}}))')
    body = "\n".join(lines)
    script = work / f"wrk-{port}-{int(conditional)}.lua"
    script.write_text(_LUA % body, encoding="utf-8")
    check = work / f"wrk-{port}-{int(conditional)}-check.lua"
    check.write_text(_LUA % body + _LUA_CHECK % (304 if conditional else 200), encoding="utf-8")
    text = _wrk_run(port, script, seconds, connections)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    checked = _wrk_run(port, check, 2, connections)
    bad = int(re.search(r"BADSTATUS (\d+)", checked).group(1))  # type: ignore[union-attr]
    return {
        "rate": rate,
        "requests": total,
        "socket_errors": errors.group(1) if errors else "",
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "bad_status_in_check": bad,
    }


# -- the run -----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_builds(args: argparse.Namespace, store: Path, log: Any) -> dict[str, Any]:
    work: Path = args.work
    now = parse_iso(args.now)
    later = now + timedelta(minutes=15)
    db = work / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t0 = time.monotonic()
    subprocess.run(["cp", "--reflink=auto", str(store), str(db)], check=True)
    log(f"store copied for this run in {time.monotonic() - t0:.0f} s")
    # The copy gets the migrations a crawl would apply (e.g. indexes newer than the cached store).
    t0 = time.monotonic()
    open_store(db).close()
    log(f"migrations applied to the copy in {time.monotonic() - t0:.1f} s")
    results: dict[str, Any] = {}
    codes: list[tuple[str, Path | None]] = [("current", None)]
    if args.baseline_rev:
        codes.insert(0, (f"baseline {args.baseline_rev}", baseline_code(args.baseline_rev, work)))
    for label, code in codes:
        out = work / ("out-" + ("current" if code is None else "baseline"))
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        first, line = run_build(db, out, now, code=code)
        log(f"{label}: first build (empty dir) {first:.1f} s: {line}")
        fulls = []
        for _ in range(args.repeat):
            t, line = run_build(db, out, now, full=True, code=code)
            fulls.append(t)
            log(f"{label}: --full {t:.1f} s: {line}")
        nothing, line = run_build(db, out, now, code=code)
        log(f"{label}: nothing changed {nothing:.2f} s: {line}")
        sizes = [p.stat().st_size for p in feed_files(out)]
        results[label] = {
            "first": first,
            "full": fulls,
            "nothing": nothing,
            "files": len(sizes),
            "max_bytes": max(sizes),
            "over_1mb": sum(s > 1_000_000 for s in sizes),
            "total_bytes": sum(sizes),
            "out": out,
            "twins": twin_sizes(out),
        }
    # 100 new articles through the real writer, then an incremental build 15 minutes later.
    t0 = time.monotonic()
    added = new_articles(db, args.new, later, seed=args.seed + 7)
    log(f"{added} new articles written by ArticleWriter in {time.monotonic() - t0:.1f} s")
    # The same incremental `repeat` times for each code, from a copy of the output dir as its
    # previous build left it (the store holds the new articles already). The codes take turns,
    # in alternating order, so that the machine's slower and faster minutes fall on both alike.
    snapshots = {}
    for label, _ in codes:
        out = results[label]["out"]
        snapshots[label] = out.with_name(out.name + "-snapshot")
        subprocess.run(["rm", "-rf", str(snapshots[label])], check=True)
        subprocess.run(["cp", "-a", str(out), str(snapshots[label])], check=True)
        results[label]["incremental_runs"] = []
        results[label]["incremental_inside_runs"] = []
    for r in range(args.repeat):
        for label, code in codes if r % 2 == 0 else codes[::-1]:
            out = results[label]["out"]
            subprocess.run(["rm", "-rf", str(out)], check=True)
            subprocess.run(["cp", "-a", str(snapshots[label]), str(out)], check=True)
            subprocess.run(["sync"], check=True)
            inc, inside, line = run_build_timed(db, out, later, code=code)
            results[label]["incremental_runs"].append(inc)
            results[label]["incremental_inside_runs"].append(inside)
            results[label]["incremental_line"] = line
            log(
                f"{label}: incremental after {added} new {inc:.2f} s"
                f" (the build command alone {inside:.2f} s): {line}"
            )
    for label, _ in codes:
        out = results[label]["out"]
        subprocess.run(["rm", "-rf", str(snapshots[label])], check=True)
        results[label]["incremental"] = _median(results[label]["incremental_runs"])
        results[label]["incremental_inside"] = _median(results[label]["incremental_inside_runs"])
        state = (
            json.loads((out / ".vnfeeds-build.json").read_text(encoding="utf-8"))
            if (out / ".vnfeeds-build.json").exists()
            else {}
        )
        results[label]["state_feeds"] = len(state.get("feeds", {}))
    if args.verify:
        ref = work / "out-reference"
        if ref.exists():
            subprocess.run(["rm", "-rf", str(ref)], check=True)
        t, _ = run_build(db, ref, later)
        diff = same_tree(results["current"]["out"], ref)
        log(f"full build at the same time into a fresh dir ({t:.1f} s): {len(diff)} files differ")
        results["current"]["verify_diff"] = diff
        sizes = [p.stat().st_size for p in feed_files(ref)]
        results["current"]["max_bytes_after"] = max(sizes)
        results["current"]["over_1mb_after"] = sum(s > 1_000_000 for s in sizes)
    results["added"] = added
    return results


def bench_serve(args: argparse.Namespace, out: Path, db: Path, log: Any) -> dict[str, Any]:
    work: Path = args.work
    specs = [p.relative_to(out).as_posix() for p in feed_files(out)]
    rng = random.Random(args.seed)
    paths = ["/" + p for p in rng.sample(specs, min(200, len(specs)))]
    results: dict[str, Any] = {}
    servers: list[tuple[str, Any]] = []
    vn = start_vnfeeds(out, db)
    servers.append(("vnfeeds serve", vn))
    if args.baseline_rev:
        servers.append(
            (
                "vnfeeds serve (baseline)",
                start_vnfeeds(out, db, baseline_code(args.baseline_rev, work)),
            )
        )
    servers.append(("nginx", start_nginx(out, work, vn.port)))
    try:
        pairs = {name: _validators(s.port, paths) for name, s in servers}
        for kind, conditional in (("304", True), ("200 gzip", False)):
            for name, _ in servers:
                results.setdefault(name, {})[kind] = []
            for _ in range(args.repeat):
                # Alternate servers within each round: noise from the other engineers' work on
                # this machine falls on both alike.
                for name, s in servers:
                    r = wrk(s.port, pairs[name], conditional, args.seconds, work)
                    results[name][kind].append(r)
                    log(f"{name} {kind}: {r['rate']:,.0f} req/s {r}")
    finally:
        for _, s in servers:
            s.stop()
    return results


def report(args: argparse.Namespace, builds: dict[str, Any], serve: dict[str, Any]) -> str:
    lines = []
    lines.append(
        f"{args.articles:,} articles, `now` {args.now}, seed {args.seed}, {args.repeat} repeats\n"
    )
    if builds:
        lines.append(
            "| build | first (empty dir) | --full (median) | nothing changed |"
            f" +{builds['added']} new articles | feed files | largest | over 1 MB |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for label, r in builds.items():
            if not isinstance(r, dict):
                continue
            lines.append(
                f"| {label} | {r['first']:.1f} s | {_median(r['full']):.1f} s |"
                f" {r['nothing']:.2f} s | {r['incremental']:.2f} s | {r['files']:,} |"
                f" {r['max_bytes'] / 1e6:.2f} MB | {r['over_1mb']} |"
            )
        cur = builds.get("current", {})
        if "verify_diff" in cur:
            lines.append(
                f"\nIncremental output vs a full build at the same time: {len(cur['verify_diff'])}"
                f" files differ; largest file after: {cur['max_bytes_after'] / 1e6:.2f} MB."
            )
        lines.append(f"\nIncremental build said: `{cur.get('incremental_line', '')}`")
        for label, r in builds.items():
            if isinstance(r, dict) and r.get("incremental_runs"):
                runs = ", ".join(f"{t:.2f}" for t in r["incremental_runs"])
                inside = ", ".join(f"{t:.2f}" for t in r.get("incremental_inside_runs", []))
                lines.append(
                    f"\n{label}: incremental runs {runs} s (median {r['incremental']:.2f});"
                    f" the build command alone, after Python started and imported vnfeeds"
                    f" (a build in the service): {inside} s"
                    f" (median {r.get('incremental_inside', float('nan')):.2f})"
                )
            if isinstance(r, dict) and r.get("twins"):
                twins, whole = r["twins"]
                lines.append(
                    f"{label}: feed twins {twins / 1e6:.1f} MB; the same files gzipped whole"
                    f" {whole / 1e6:.1f} MB ({twins / whole:.3f}x)"
                )
    if serve:
        lines.append("\n| server | 304 req/s (median) | 200 gzip req/s (median) | errors |")
        lines.append("|---|---|---|---|")
        for name, r in serve.items():
            errs = sum(
                x["non_2xx_3xx"] + x["bad_status_in_check"] + (1 if x["socket_errors"] else 0)
                for runs in r.values()
                for x in runs
            )
            lines.append(
                f"| {name} | {_median([x['rate'] for x in r['304']]):,.0f} |"
                f" {_median([x['rate'] for x in r['200 gzip']]):,.0f} | {errs} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vnfeeds-bench")
    ap.add_argument("--now", default=DEFAULT_NOW)
    ap.add_argument("--seed", type=int, default=20251127)
    ap.add_argument("--new", type=int, default=100, help="articles added before the incremental")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="per wrk run")
    ap.add_argument("--fts", action="store_true", help="also fill the search index")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--store-only", action="store_true", help="write the store and stop")
    ap.add_argument("--no-verify", dest="verify", action="store_false")
    ap.add_argument("--baseline-rev", help="also run another revision's feeds (git archive)")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    store = ensure_store(args.work, args.articles, parse_iso(args.now), args.seed, args.fts, log)
    if args.store_only:
        return
    builds: dict[str, Any] = {}
    serve: dict[str, Any] = {}
    if not args.skip_build:
        builds = bench_builds(args, store, log)
    out = args.work / "out-current"
    if not args.skip_serve:
        if not out.exists():
            run_build(store, out, parse_iso(args.now))
        serve = bench_serve(
            args, out, args.work / "run.db" if (args.work / "run.db").exists() else store, log
        )
    text = report(args, builds, serve)
    print(text)
    if args.json:

        def clean(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return str(value) if isinstance(value, Path) else value

        args.json.write_text(json.dumps(clean({"builds": builds, "serve": serve}), indent=1))


if __name__ == "__main__":
    main()
