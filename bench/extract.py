"""Extraction benchmark over the golden corpus (crawler/sampleportals/*/golden/*.json).

Three extractors on the same article pages, scored with the same scorer:

- "ours": the real crawl (the portal spider in a child process, the source's platform and
  selectors, the page the crawler fetched, APIs included), read back from the store; its time is
  the re-extraction of the archived raw page (decode + parse + extract), as `vnfeeds reextract`
  does it.
- "generic": `platform = "generic"` with no selectors on each article's public HTML page, with no
  help from the list page (no list title, no list date): the harder case.
- "trafilatura": trafilatura.extract() (default settings, target_language="vi", metadata on) on
  the same HTML page.

Timing: each extractor gets the page already decoded to text (decoding is the fetch's job) and
includes its own HTML parsing; the median over the pages of each page's median of --repeat runs.

Scores per page: title exact (whitespace-normalized), published exact to the minute (and, for
trafilatura, which only returns a day, to the day), author exact (None = None counts), body
token F1 (syllable tokens, NFC, lower case, multiset overlap), boilerplate leaks (the golden's
boilerplate strings found in the extracted text); median ms per page.

    python bench/extract.py                 # every portal, trafilatura if installed
    python bench/extract.py --repeat 5      # more timing repetitions
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.clock import iso  # noqa: E402
from crawler.config import Config  # noqa: E402
from crawler.extract.encoding import decode_html  # noqa: E402
from crawler.platforms import get_platform  # noqa: E402
from crawler.platforms.base import Page  # noqa: E402
from crawler.registry import Selectors, load_registry  # noqa: E402
from crawler.runner import crawl_sources  # noqa: E402
from crawler.samples import PortalServer, SamplePortal, sample_portals  # noqa: E402
from crawler.textnorm import clean_text, syllables  # noqa: E402
from crawler.urls import canonicalize  # noqa: E402


def token_f1(predicted: str, gold: str) -> float:
    p, g = Counter(syllables(predicted)), Counter(syllables(gold))
    if not p and not g:
        return 1.0
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Score:
    title: list[bool] = field(default_factory=list)
    published: list[bool] = field(default_factory=list)
    published_day: list[bool] = field(default_factory=list)
    author: list[bool] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    leaks: int = 0
    leak_pages: int = 0
    ms: list[float] = field(default_factory=list)

    def add(
        self,
        gold: dict[str, Any],
        title: str | None,
        published: str | None,
        author: str | None,
        text: str,
        ms: list[float],
    ) -> None:
        self.title.append(clean_text(title or "") == clean_text(gold["title"]))
        gp = gold["published"] or ""
        self.published.append(bool(published) and (published or "")[:16] == gp[:16])
        self.published_day.append(bool(published) and (published or "")[:10] == gp[:10])
        self.author.append(clean_text(author or "") == clean_text(gold["author"] or ""))
        self.f1.append(token_f1(text, " ".join(gold["body"])))
        leaked = [
            b
            for b in gold["boilerplate"]
            if b
            and b in text
            and b not in (gold["author"] or "")
            and b not in " ".join(gold["body"])
        ]
        self.leaks += len(leaked)
        self.leak_pages += bool(leaked)
        self.ms += ms

    def merge(self, other: Score) -> None:
        for name in ("title", "published", "published_day", "author", "f1", "ms"):
            getattr(self, name).extend(getattr(other, name))
        self.leaks += other.leaks
        self.leak_pages += other.leak_pages

    def row(self, label: str) -> str:
        n = len(self.f1)
        pct = lambda xs: f"{100 * sum(xs) / max(len(xs), 1):.1f} %"  # noqa: E731
        med = f"{statistics.median(self.ms):.2f}" if self.ms else "–"
        return (
            f"| {label} | {n} | {pct(self.title)} | {pct(self.published)} "
            f"({pct(self.published_day)} day) | {pct(self.author)} | "
            f"{statistics.mean(self.f1):.3f} | {min(self.f1):.3f} | "
            f"{self.leaks} ({self.leak_pages} pages) | {med} |"
        )


def crawl_portal(portal: SamplePortal, workdir: Path) -> tuple[Path, str]:
    server = PortalServer(portal).start()
    try:
        sources = workdir / "sources"
        sources.mkdir(parents=True, exist_ok=True)
        (sources / f"{portal.name}.toml").write_text(
            portal.sources_toml(server.base_url), encoding="utf-8"
        )
        db = workdir / "store.db"
        os.environ["VNFEEDS_NOW"] = iso(portal.replay_at)
        config = Config.load(
            {
                "db": str(db),
                "sources": str(sources),
                "download_delay": 0.0,
                "autothrottle": False,
                "retry_times": 0,
            }
        )
        crawl_sources(config, load_registry(sources).enabled())
        return db, server.base_url
    finally:
        os.environ.pop("VNFEEDS_NOW", None)
        server.stop()


def extract_fresh(platform: Any, selectors: Any, page: Page) -> Any:
    """Extract from a fresh copy of the page (its parse is part of the measured work)."""
    return platform.extract(Page(url=page.url, text=page.text, headers=page.headers), selectors)


def timed(fn: Any, repeat: int) -> tuple[Any, list[float]]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return result, [statistics.median(times)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--portal", action="append", help="only these sample portals")
    ap.add_argument("--repeat", type=int, default=3, help="timing repetitions per page")
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--json", help="also write the per-page scores here")
    args = ap.parse_args()
    try:
        if args.no_trafilatura:
            raise ImportError
        import trafilatura
    except ImportError:
        trafilatura = None  # type: ignore[assignment]

    generic = get_platform("generic")
    scores: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    details: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vnfeeds-bench-") as tmp:
        for portal in sample_portals():
            if args.portal and portal.name not in args.portal:
                continue
            platform_name = portal.sources[0]["platform"]
            db, base = crawl_portal(portal, Path(tmp) / portal.name)
            con = sqlite3.connect(db)
            con.row_factory = sqlite3.Row
            source = load_registry(Path(tmp) / portal.name / "sources").get(portal.sources[0]["id"])
            platform = get_platform(source.platform)
            selectors = platform.selectors(source.selectors)
            for golden_path in sorted(portal.golden_dir.glob("*.json")):
                gold = json.loads(golden_path.read_text(encoding="utf-8"))
                url = canonicalize(base + gold["url"])
                row = con.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
                raw = (
                    con.execute(
                        "SELECT r.url, r.body, r.headers FROM raw_pages r JOIN articles a"
                        " ON a.id = r.article_id WHERE a.url = ? ORDER BY r.id DESC LIMIT 1",
                        (url,),
                    ).fetchone()
                    if row
                    else None
                )
                ours_ms: list[float] = []
                if raw is not None:
                    import zlib

                    body = zlib.decompress(raw["body"])
                    ctype = json.loads(raw["headers"]).get("Content-Type")
                    raw_text = decode_html(body, ctype).text

                    page = Page(
                        url=raw["url"], text=raw_text, headers={"Content-Type": ctype or ""}
                    )
                    _, ours_ms = timed(
                        functools.partial(extract_fresh, platform, selectors, page), args.repeat
                    )
                scores[platform_name]["ours"].add(
                    gold,
                    row["title"] if row else None,
                    row["published"] if row else None,
                    row["author"] if row else None,
                    row["content_text"] if row else "",
                    ours_ms,
                )
                page_file = portal.file_for(gold["url"])
                html_bytes = page_file.read_bytes() if page_file else b""
                page_url = base + gold["url"]

                html_text = decode_html(html_bytes, None).text

                def run_generic(text: str = html_text, page_url: str = page_url) -> Any:
                    page = Page(url=page_url, text=text)
                    return generic.extract(page, generic.selectors(Selectors()))

                g, g_ms = timed(run_generic, args.repeat)
                scores[platform_name]["generic"].add(
                    gold,
                    g.title,
                    g.published.isoformat() if g.published else None,
                    g.author,
                    g.body.text,
                    g_ms,
                )
                t_result: dict[str, Any] = {}
                if trafilatura is not None:

                    def run_trafilatura(
                        html_text: str = html_text, page_url: str = page_url
                    ) -> Any:
                        return trafilatura.extract(
                            html_text,
                            url=page_url,
                            output_format="json",
                            with_metadata=True,
                            target_language="vi",
                        )

                    out, t_ms = timed(run_trafilatura, args.repeat)
                    t_result = json.loads(out) if out else {}
                    scores[platform_name]["trafilatura"].add(
                        gold,
                        t_result.get("title"),
                        t_result.get("date"),
                        t_result.get("author"),
                        t_result.get("text") or "",
                        t_ms,
                    )
                details.append(
                    {
                        "portal": portal.name,
                        "url": gold["url"],
                        "ours_f1": scores[platform_name]["ours"].f1[-1],
                        "generic_f1": scores[platform_name]["generic"].f1[-1],
                    }
                )
            con.close()

    header = (
        "| family / extractor | pages | title | published (minute) | author | "
        "body F1 mean | body F1 min | boilerplate leaks | median ms/page |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    print(header)
    totals: dict[str, Score] = defaultdict(Score)
    for family in sorted(scores):
        for extractor, score in scores[family].items():
            print(score.row(f"{family} / {extractor}"))
            totals[extractor].merge(score)
    for extractor, score in totals.items():
        print(score.row(f"**all / {extractor}**"))
    if args.json:
        Path(args.json).write_text(json.dumps(details, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
