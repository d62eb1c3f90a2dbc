"""Every published file of the sample store, parsed back with real parsers (feedparser, lxml,
json) and checked against the feed rules: valid documents, permanent unique ids, absolute URLs,
no unsafe markup, +07:00 dates, self links, deterministic bytes."""

from __future__ import annotations

import email.utils
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from crawler import places
from tests.conftest import BASE_URL, Site

ATOM = "{http://www.w3.org/2005/Atom}"
UNSAFE = re.compile(
    r"<\s*(script|iframe|object|embed|style|form|meta|base|svg|math)\b|"
    r"\son\w+\s*=|javascript:|vbscript:|data:text/html",
    re.I,
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def _files(site: Site, suffix: str) -> list[Path]:
    return sorted(p for p in site.out.rglob(f"*{suffix}") if not p.name.startswith("."))


def test_the_layout_of_design_md(sample_site: Site) -> None:
    out = sample_site.out
    for name in (
        "all.atom",
        "all.rss",
        "all.json",
        "index.opml",
        "index.html",
        "status.html",
        "status.atom",
    ):
        assert (out / name).is_file(), name
    for p in places.provinces():
        for fmt in ("atom", "rss", "json"):
            assert (out / f"province/{p}.{fmt}").is_file()
        assert (out / f"province/{p}.opml").is_file()
        for t in places.topics():
            assert (out / f"province/{p}/{t}.atom").is_file()
    for t in places.topics():
        assert (out / f"topic/{t}.rss").is_file()
    assert len(_files(sample_site, ".atom")) == 1 + 34 + 16 + 34 * 16 + 1  # + status.atom


def _check_html(html: str, where: str) -> None:
    assert not UNSAFE.search(html), f"unsafe markup in {where}"
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in doc.iter("a", "img"):
        url = el.get("href") or el.get("src") or ""
        assert urlsplit(url).scheme in {"http", "https", "mailto"}, f"{where}: relative {url!r}"


def test_every_atom_feed_is_valid(sample_site: Site) -> None:
    entries_seen = 0
    for path in _files(sample_site, ".atom"):
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        root = lxml.etree.fromstring(data)
        for tag in ("id", "title", "updated"):
            assert len(root.findall(f"{ATOM}{tag}")) == 1, (path, tag)
        assert RFC3339.match(root.findtext(f"{ATOM}updated") or ""), path
        rel = path.relative_to(sample_site.out).as_posix()
        selfs = [
            link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"
        ]
        assert selfs == [BASE_URL + rel]
        assert root.find(f"{ATOM}author") is not None
        ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        assert len(ids) == len(set(ids)), f"duplicate ids in {path}"
        updated = []
        for entry in root.findall(f"{ATOM}entry"):
            entries_seen += 1
            assert re.match(r"^urn:uuid:[0-9a-f-]{36}$", entry.findtext(f"{ATOM}id") or "")
            for tag in ("published", "updated"):
                assert RFC3339.match(entry.findtext(f"{ATOM}{tag}") or ""), (path, tag)
            updated.append(entry.findtext(f"{ATOM}updated"))
            if rel != "status.atom":  # alert episodes, not portal articles
                source = entry.find(f"{ATOM}source")
                assert source is not None, "the portal is the entry's atom:source"
                for tag in ("id", "title", "updated"):
                    assert source.findtext(f"{ATOM}{tag}"), (path, "source", tag)
            assert entry.findtext(f"{ATOM}title")
            # rel defaults to "alternate" (RFC 4287 4.2.7.2)
            assert [
                link
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            for tag in ("content", "summary"):
                el = entry.find(f"{ATOM}{tag}")
                if el is not None and el.get("type") == "html":
                    _check_html(el.text or "", str(path))
        if updated:
            # The feed's updated is its newest entry's, never the build time.
            assert root.findtext(f"{ATOM}updated") == max(updated)
    assert entries_seen > 50


def test_every_rss_feed_is_valid(sample_site: Site) -> None:
    for path in _files(sample_site, ".rss"):
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        channel = lxml.etree.fromstring(data).find("channel")
        assert channel is not None
        for tag in ("title", "link", "description", "lastBuildDate"):
            assert channel.findtext(tag), (path, tag)
        assert channel.findtext("link") == BASE_URL + "index.html"  # a page, not the feed
        guids = []
        for item in channel.findall("item"):
            guid = item.find("guid")
            assert guid is not None and guid.get("isPermaLink") == "false"
            guids.append(guid.text)
            date = item.findtext("pubDate") or ""
            assert email.utils.parsedate_to_datetime(date).utcoffset().total_seconds() == 7 * 3600
            assert re.search(r"\b\d{4} \d\d:\d\d:\d\d \+0700$", date), date
            content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
            _check_html(content or item.findtext("description") or "", str(path))
        assert len(guids) == len(set(guids))
        atom_self = channel.find(f"{ATOM}link[@rel='self']")
        assert atom_self is not None
        assert atom_self.get("href") == BASE_URL + path.relative_to(sample_site.out).as_posix()


def test_every_json_feed_conforms_to_json_feed_1_1(sample_site: Site) -> None:
    for path in _files(sample_site, ".json"):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] and isinstance(feed["items"], list)
        assert feed["feed_url"] == BASE_URL + path.relative_to(sample_site.out).as_posix()
        ids = [item["id"] for item in feed["items"]]
        assert len(ids) == len(set(ids))
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"].startswith("urn:uuid:")
            assert "content_html" in item or "content_text" in item
            assert RFC3339.match(item["date_published"])
            assert urlsplit(item["url"]).scheme in {"http", "https"}
            _check_html(item["content_html"], str(path))


def test_opml_lists_the_feeds(sample_site: Site) -> None:
    root = lxml.etree.parse(str(sample_site.out / "index.opml")).getroot()
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert len(urls) == 1 + 34 + 16
    assert BASE_URL + "province/gia-lai.atom" in urls
    prov = lxml.etree.parse(str(sample_site.out / "province/gia-lai.opml")).getroot()
    purls = [o.get("xmlUrl") for o in prov.iter("outline") if o.get("xmlUrl")]
    assert purls == [BASE_URL + f"province/gia-lai/{t}.atom" for t in places.topics()]


def test_index_page_offers_every_feed(sample_site: Site) -> None:
    html = (sample_site.out / "index.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(html)
    hrefs = set(doc.xpath("//a/@href"))
    for p in places.provinces():
        assert BASE_URL + f"province/{p}.atom" in hrefs
        assert BASE_URL + f"province/{p}.opml" in hrefs
    for t in places.topics():
        assert BASE_URL + f"topic/{t}.rss" in hrefs
    assert doc.xpath("//link[@rel='alternate'][@type='application/atom+xml']")
    assert "Bình Định" not in html or "Gia Lai" in html


def test_all_feeds_carry_summaries_others_full_text(sample_site: Site) -> None:
    all_feed = feedparser.parse((sample_site.out / "all.atom").read_bytes())
    province = feedparser.parse((sample_site.out / "province/gia-lai.atom").read_bytes())
    assert all_feed.entries and province.entries
    assert all("content" not in e for e in all_feed.entries)
    assert all(len(e.content[0].value) > len(e.summary) for e in province.entries)


def test_same_store_gives_same_bytes(sample_site: Site, tmp_path: Path) -> None:
    other = tmp_path / "again"
    sample_site.build(out=other)
    for path in sorted(sample_site.out.rglob("*")):
        if path.is_file():
            twin = other / path.relative_to(sample_site.out)
            assert twin.read_bytes() == path.read_bytes(), path
    # And rebuilding in place rewrites nothing.
    assert sample_site.build().written == []


@pytest.mark.parametrize("slug", ["gia-lai", "ha-noi", "hung-yen"])
def test_province_feed_holds_its_portals(sample_site: Site, slug: str) -> None:
    parsed = feedparser.parse((sample_site.out / f"province/{slug}.atom").read_bytes())
    assert parsed.entries
    for entry in parsed.entries:
        assert slug in {t["term"] for t in entry.tags}


def test_precompressed_twins_match_their_files(sample_site: Site) -> None:
    """Every text file of 1 KiB or more has a .gz twin holding exactly its bytes (for nginx's
    gzip_static); a twin never outlives or differs from its file."""
    import gzip

    twins = sorted(sample_site.out.rglob("*.gz"))
    assert twins
    for twin in twins:
        original = twin.with_name(twin.name[: -len(".gz")])
        assert original.is_file(), twin
        assert gzip.decompress(twin.read_bytes()) == original.read_bytes(), twin
    for suffix in (".atom", ".rss", ".json", ".opml", ".html"):
        for path in _files(sample_site, suffix):
            has_twin = path.with_name(path.name + ".gz").is_file()
            assert has_twin == (path.stat().st_size >= 1024), path


def test_full_rebuild_rewrites_every_file_in_place(sample_site: Site, tmp_path: Path) -> None:
    """`--full` rewrites every file with the same bytes (new mtimes), never removing the output
    dir first: a reader fetching during the rebuild always gets a whole feed."""
    import shutil

    from crawler.clock import parse_iso
    from feeds.build import build
    from tests.conftest import BASE_URL, BUILD_NOW

    out = tmp_path / "out"
    shutil.copytree(sample_site.out, out)
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    result = build(sample_site.db, out, base_url=BASE_URL, now=parse_iso(BUILD_NOW), full=True)
    assert (
        result.unchanged == 0 and len(result.written) == result.feeds + 1 + 34 + 3
    )  # + OPMLs, pages
    after = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert set(after) == set(before)
    for path, (data, mtime) in after.items():
        assert data == before[path][0], path
        if not path.name.endswith(".gz"):
            assert mtime != before[path][1], path
