"""The seed article round trip: binhdinh.gov.vn's real article, from its fixture page (with the
portal's real boilerplate) to an entry in province/gia-lai.atom and topic/khoa-hoc-cong-nghe.atom.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import feedparser
import lxml.html
import pytest

from crawler.textnorm import clean_text
from tests.conftest import Site, load_golden

SEED = (
    "crawler/sampleportals/binhdinh/golden/"
    "hoi-nghi-giam-doc-cac-so-khoa-hoc-va-cong-nghe-toan-quoc-nam-2023.json"
)
TITLE = "Hội nghị Giám đốc các Sở Khoa học và Công nghệ toàn quốc năm 2023"
NEVER = ("Tăng tương phản", "Giảm tương phản", "A- A A+", "Tin nổi bật")


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    from tests.conftest import ROOT

    return load_golden(ROOT / SEED)


def reader_blocks(html: str) -> list[str]:
    """The text of an entry's HTML as a reader sees it, one string per paragraph or caption."""
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks = []
    for el in doc.iter("p", "figcaption", "li", "h2", "h3", "h4", "blockquote"):
        text = clean_text(el.text_content())
        if text:
            blocks.append(text)
    return blocks


@pytest.mark.parametrize("feed", ["province/gia-lai.atom", "topic/khoa-hoc-cong-nghe.atom"])
def test_seed_entry_in_feed(sample_site: Site, golden: dict[str, Any], feed: str) -> None:
    path = sample_site.out / feed
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    entries = [e for e in parsed.entries if e.title == TITLE]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.published == "2023-03-17T16:30:00+07:00"
    assert entry.updated == "2023-03-17T16:30:00+07:00"
    assert entry.author == "DTD"
    assert entry.id.startswith("urn:uuid:")
    assert entry.link == sample_site.url("binhdinh", golden["url"])
    terms = {t["term"] for t in entry.tags}
    assert {"khoa-hoc-cong-nghe", "gia-lai"} <= terms

    blocks = reader_blocks(entry.content[0].value)
    # Sapo first, then every paragraph and caption of the golden text, then the attribution.
    assert blocks[0] == clean_text(golden["summary"])
    assert blocks[1:-1] == [clean_text(b) for b in golden["body"]]
    assert blocks[-1].startswith("Nguồn: Cổng thông tin điện tử tỉnh Bình Định")
    entry_text = " ".join([entry.title, entry.summary, entry.content[0].value])
    for string in golden["boilerplate"]:
        assert string not in entry_text, string


def test_seed_stored_row(sample_site: Site, golden: dict[str, Any]) -> None:
    con = sqlite3.connect(sample_site.db)
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM articles WHERE title = ?", (TITLE,)).fetchone()
    assert row["province"] == "gia-lai"
    assert row["province_then"] == "binh-dinh"
    assert row["published"] == "2023-03-17T16:30:00+07:00"
    assert row["published_source"] == "selector"
    assert row["author"] == "DTD"
    assert row["content_text"].split("\n\n") == [clean_text(b) for b in golden["body"]]
    topics = {
        r[0]: r[1]
        for r in con.execute(
            "SELECT topic, origin FROM article_topics WHERE article_id = ?", (row["id"],)
        )
    }
    # The section's topics are empty: the topic comes from classification.
    assert topics == {"khoa-hoc-cong-nghe": "rule"}
    assert row["section_url"].endswith("/tin-tuc/tin-tong-hop")
    for string in NEVER:
        for column in ("title", "summary", "content_text", "content_html"):
            assert string not in row[column]
    con.close()


def test_boilerplate_never_reaches_any_feed(sample_site: Site) -> None:
    checked = 0
    for path in sample_site.out.rglob("*"):
        if path.suffix in {".atom", ".rss", ".json"}:
            text = path.read_text(encoding="utf-8")
            for string in NEVER:
                assert string not in text, f"{string!r} in {path}"
            checked += 1
    assert checked > 1000
