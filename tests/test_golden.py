"""Every article page of every sample portal, crawled by the real spider, against its golden file
(written by hand from the page as a reader sees it)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest

from crawler.samples import SamplePortal, sample_portals
from crawler.textnorm import clean_text
from tests.conftest import Site, golden_files, load_golden

GOLDENS = golden_files()
FIELDS = (
    "url",
    "title",
    "published",
    "author",
    "summary",
    "body",
    "images",
    "attachments",
    "lead_image",
    "native_key",
    "topics",
    "boilerplate",
)


def _row(site: Site, portal: SamplePortal, golden: dict[str, Any]) -> dict[str, Any]:
    con = sqlite3.connect(site.db)
    con.row_factory = sqlite3.Row
    url = site.url(portal.name, golden["url"])
    row = con.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
    assert row is not None, f"{url} was not stored"
    out = dict(row)
    out["topics"] = [
        r[0]
        for r in con.execute("SELECT topic FROM article_topics WHERE article_id = ?", (row["id"],))
    ]
    out["attachments"] = [
        dict(r)
        for r in con.execute(
            "SELECT url, title FROM article_attachments WHERE article_id = ? ORDER BY url",
            (row["id"],),
        )
    ]
    con.close()
    return out


def _abs(site: Site, portal: SamplePortal, path: str | None) -> str | None:
    return urljoin(site.servers[portal.name].base_url + "/", path) if path else None


def _norm(text: str | None) -> str:
    return clean_text(text or "")


@pytest.mark.parametrize(
    ("portal", "golden_path"), GOLDENS, ids=[f"{p.name}/{g.stem[:40]}" for p, g in GOLDENS]
)
def test_article_matches_golden(sample_site: Site, portal: SamplePortal, golden_path: Path) -> None:
    golden = load_golden(golden_path)
    row = _row(sample_site, portal, golden)

    assert row["title"] == golden["title"]
    assert row["published"] == golden["published"]
    assert (row["author"] or None) == golden["author"]
    assert _norm(row["summary"]) == _norm(golden["summary"])
    ours = [_norm(b) for b in row["content_text"].split("\n\n") if b.strip()]
    theirs = [_norm(b) for b in golden["body"] if _norm(b)]
    assert " ".join(ours) == " ".join(theirs)

    # Images with their captions, as figure/figcaption in the stored HTML.
    doc = lxml.html.fragment_fromstring(row["content_html"], create_parent="div")
    images = []
    for img in doc.iter("img"):
        fig = next(img.iterancestors("figure"), None)
        cap = fig.find("figcaption") if fig is not None else None
        images.append((img.get("src"), _norm(cap.text_content()) if cap is not None else ""))
    expected_images = [
        (_abs(sample_site, portal, i["src"]), _norm(i.get("caption"))) for i in golden["images"]
    ]
    assert images == expected_images

    expected_attachments = sorted(
        (_abs(sample_site, portal, a["url"]), _norm(a["title"])) for a in golden["attachments"]
    )
    assert sorted((a["url"], _norm(a["title"])) for a in row["attachments"]) == expected_attachments

    lead = golden["lead_image"]
    if lead:
        # og:image often names the portal's real host (the copy's `stands_for`).
        assert row["image_url"] in {
            _abs(sample_site, portal, lead),
            urljoin(portal.stands_for + "/", lead),
        }
    else:  # no og:image: the first body image, or nothing
        assert row["image_url"] in {None, images[0][0] if images else None}

    assert row["native_key"] == golden["native_key"]

    stored_text = " ".join(
        [
            row["title"],
            row["summary"] or "",
            row["content_text"],
            row["content_html"],
            row["author"] or "",
        ]
    )
    for string in golden["boilerplate"]:
        if string in (golden["author"] or "") or string in golden["title"]:
            continue  # e.g. the byline "Hoàng Anh" is boilerplate in the body, not in author
        assert string not in " ".join(
            [row["summary"] or "", row["content_text"], row["content_html"]]
        ), f"boilerplate leaked: {string!r}"
    assert stored_text  # every stored field read


def test_topics_agree_with_hand_labels(sample_site: Site) -> None:
    """Section topics plus the keyword rules find a hand-labelled topic for nearly every article."""
    hits = total = 0
    for portal, path in GOLDENS:
        golden = load_golden(path)
        row = _row(sample_site, portal, golden)
        total += 1
        hits += bool(set(row["topics"]) & set(golden["topics"]))
    assert total >= 30
    assert hits / total >= 0.9, f"{hits}/{total} articles got one of their hand-labelled topics"


@pytest.mark.parametrize("portal", sample_portals(), ids=lambda p: p.name)
def test_sample_portal_is_complete(sample_site: Site, portal: SamplePortal) -> None:
    """A sample portal without complete goldens fails: every crawled article has a golden, every
    golden names every field, points at a page of the copy, and says where the copy comes from."""
    assert portal.provenance.strip() and portal.stands_for.startswith("https://")
    goldens = [load_golden(g) for g in sorted(portal.golden_dir.glob("*.json"))]
    assert goldens, f"{portal.name} has no golden files"
    for g in goldens:
        missing = [f for f in FIELDS if f not in g]
        assert not missing, f"{portal.name} {g.get('url')}: golden lacks {missing}"
        assert portal.file_for(g["url"]), f"{portal.name}: golden {g['url']} has no page"
    con = sqlite3.connect(sample_site.db)
    ids = [s["id"] for s in portal.sources]
    stored = {
        r[0]
        for r in con.execute(
            f"SELECT url FROM articles WHERE source_id IN ({','.join('?' * len(ids))})", ids
        )
    }
    con.close()
    expected = {sample_site.url(portal.name, g["url"]) for g in goldens}
    assert stored == expected, json.dumps(
        {
            "crawled without golden": sorted(stored - expected),
            "golden not crawled": sorted(expected - stored),
        },
        indent=1,
    )
