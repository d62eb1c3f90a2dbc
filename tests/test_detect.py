"""Platform detection (`vnfeeds sources detect`, crawler/detect.py).

Expected families are hand-written data: the platform named in each sample portal's portal.toml
(written by whoever built the copy, from what the portal is) and tests/data/detect/expected.toml
for the real pages. The proposed [[source]] entries are checked against the registry, and the
list they read against the list the sample portal's own hand-written source config reads.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.detect import detect, guess_source, source_toml
from crawler.extract.encoding import decode_html
from crawler.platforms import PLATFORMS, get_platform
from crawler.platforms.base import Page
from crawler.registry import Selectors, parse_file
from crawler.samples import PortalServer, SamplePortal, sample_portals
from tests.conftest import ROOT, run_cli

DATA = Path(__file__).parent / "data" / "detect"
REAL_PAGES = tomllib.loads((DATA / "expected.toml").read_text(encoding="utf-8"))["page"]


def _sample_pages() -> list[tuple[SamplePortal, dict[str, object], str]]:
    """(portal, its source, path) for every list page of every sample portal and its homepage
    when the copy has one."""
    pages = []
    for portal in sample_portals():
        for source in portal.sources:
            paths = [str(sec["url"]).replace("{base}", "") for sec in source["section"]]
            if portal.file_for("http://x/") is not None:
                paths.append("/")
            pages += [(portal, source, path) for path in paths]
    return pages


SAMPLE_PAGES = _sample_pages()


def _read(portal: SamplePortal, path: str) -> tuple[str, str]:
    """The page's text as the portal serves it (charset from the route, if any), and the real
    URL it stands for."""
    file = portal.file_for("http://x" + path)
    assert file is not None, f"{portal.name}: no file for {path}"
    content_type = None
    parts = urlsplit(path)
    for route in portal.routes:
        if route.path == parts.path and route.file and (portal.root / route.file) == file:
            content_type = route.content_type
    text = decode_html(file.read_bytes(), content_type).text
    return text, portal.stands_for.rstrip("/") + path


def test_every_sample_portal_has_pages_to_detect() -> None:
    names = {p.name for p, _, _ in SAMPLE_PAGES}
    assert names == {p.name for p in sample_portals()}
    families = {str(s["platform"]) for _, s, _ in SAMPLE_PAGES}
    assert families == set(PLATFORMS)  # every family module is detected on some page


@pytest.mark.parametrize(
    ("portal", "source", "path"),
    SAMPLE_PAGES,
    ids=[f"{p.name}:{path}"[:70] for p, _, path in SAMPLE_PAGES],
)
def test_sample_portal_family(portal: SamplePortal, source: dict[str, object], path: str) -> None:
    text, url = _read(portal, path)
    detection = detect(text, url)
    assert detection.platform == source["platform"], (detection.reason, detection.scores)
    assert detection.evidence or detection.platform == "generic"
    # The entry it proposes is a valid registry source for that platform.
    toml = source_toml(detection)
    data = tomllib.loads(toml)["source"][0]
    assert data["platform"] == source["platform"]


@pytest.mark.parametrize(
    ("portal", "source", "path"),
    [(p, s, path) for p, s, path in SAMPLE_PAGES if path != "/"],
    ids=[f"{p.name}:{path}"[:70] for p, _, path in SAMPLE_PAGES if path != "/"],
)
def test_proposed_entry_reads_the_list_the_handwritten_config_reads(
    tmp_path: Path, portal: SamplePortal, source: dict[str, object], path: str
) -> None:
    text, url = _read(portal, path)
    detection = detect(text, url)
    toml_file = tmp_path / "proposed.toml"
    toml_file.write_text(source_toml(detection), encoding="utf-8")
    proposed, problems = parse_file(toml_file)
    assert problems == [], toml_file.read_text(encoding="utf-8")
    entry = proposed[0]
    platform = get_platform(entry.platform)
    page = Page(url, text)
    found = platform.parse_list(page, platform.selectors(entry.selectors))
    written = Selectors.model_validate(source.get("selectors") or {})
    expected = platform.parse_list(page, platform.selectors(written))
    assert [e.url for e in found.entries or []] == [e.url for e in expected.entries or []]
    assert bool(found.more) == bool(expected.more)
    assert detection.items == len(found.entries or [])
    if source["platform"] == "dnn" and not found.entries:
        # congan.hanoi.gov.vn: the list comes from the DNN API; the report says so.
        assert detection.list_api.startswith("GET ")
        assert "/DesktopModules/cmsview/api/NewsContent/listnew?" in detection.list_api
        assert "which the crawl follows" in source_toml(detection)
    else:
        assert detection.items > 0


def test_family_defaults_that_miss_the_list_get_induced_selectors() -> None:
    # hungyen.gov.vn is the /upload/<siteId>/ family with its own list rows (PORTALS.md 2.C):
    # the family's defaults find nothing, so the entry carries list selectors.
    portal = next(p for p in sample_portals() if p.name == "hungyen")
    text, url = _read(portal, "/chuyen-muc-tin-tuc-su-kien-c1051.html")
    detection = detect(text, url)
    assert detection.platform == "upload-cms"
    defaults = next(t for t in detection.trials if t.platform == "upload-cms")
    assert defaults.items == 0
    assert detection.selectors_required
    assert detection.selectors["list_item"] == "div.post-item"
    # The headline link, not the picture's link to the same article.
    assert detection.selectors["link"] in {
        "a.article-title::attr(href)",
        "h3.post-title a::attr(href)",
    }
    section = tomllib.loads(source_toml(detection))["source"][0]
    assert section["selectors"]["list_item"] == "div.post-item"


@pytest.mark.parametrize("page", REAL_PAGES, ids=[p["file"] for p in REAL_PAGES])
def test_real_pages(page: dict[str, object], tmp_path: Path) -> None:
    raw = (ROOT / str(page["file"])).read_bytes()
    text = decode_html(raw).text
    for url in (str(page["url"]), None):  # with the URL it was saved from, and as a bare file
        detection = detect(text, url)
        assert detection.platform == page["family"], detection.reason
        assert detection.confidence == "high"
        if "items" in page:
            assert detection.items == page["items"]
            assert detection.newest == page["newest"]
    detection = detect(text, str(page["url"]))
    if "first_item" in page:
        trial = next(t for t in detection.trials if t.platform == page["family"])
        assert trial.sample[0] == page["first_item"]
    toml_file = tmp_path / "proposed.toml"
    toml_file.write_text(source_toml(detection), encoding="utf-8")
    sources, problems = parse_file(toml_file)
    assert problems == []
    assert (sources[0].id, sources[0].province) == ("sotttt-hanoi", "ha-noi")


def test_links_to_other_sites_are_not_evidence() -> None:
    # Portals link to each other's services (a DNN public-service site, a SharePoint agency):
    # their URL shapes say nothing about this page.
    html = """<!DOCTYPE html><html lang="vi"><head><title>Tin tức - Cổng TTĐT tỉnh X</title>
    </head><body><ul class="links">
    <li><a href="https://dichvucong.quangninh.gov.vn/DesktopModules/dvc/Default.aspx">DVC</a>
    <li><a href="https://www.quangninh.gov.vn/Trang/tin-tuc-su-kien.aspx">Quảng Ninh</a>
    <li><img src="https://hue.gov.vn/Portals/0/Medias/logo.png" alt="">
    </ul><div class="list"><a href="/tin-tuc/a-1.html">Một tin tức có tiêu đề đủ dài</a></div>
    </body></html>"""
    detection = detect(html, "https://portal.example.gov.vn/tin-tuc")
    assert detection.platform == "generic"
    assert detection.scores == {}
    # The same paths on the page's own site are evidence.
    own = html.replace("https://dichvucong.quangninh.gov.vn", "").replace("https://hue.gov.vn", "")
    detection = detect(own, "https://portal.example.gov.vn/tin-tuc")
    assert detection.scores.get("dnn", 0) >= 5
    assert detection.platform == "dnn"


def test_a_page_that_only_advertises_feeds_is_rss() -> None:
    html = """<!DOCTYPE html><html><head><title>Cổng thông tin điện tử tỉnh Y</title>
    <link rel="alternate" type="application/rss+xml" title="Tin tức" href="/rss/tintuc.rss">
    </head><body><p>Trang chủ</p></body></html>"""
    detection = detect(html, "https://y.gov.vn/")
    assert detection.platform == "rss"
    assert detection.feeds == ["https://y.gov.vn/rss/tintuc.rss"]
    entry = tomllib.loads(source_toml(detection))["source"][0]
    assert [s["url"] for s in entry["section"]] == ["https://y.gov.vn/rss/tintuc.rss"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://sotttt.hanoi.gov.vn/cong-nghe-thong-tin", ("sotttt-hanoi", "ha-noi", None)),
        ("https://www.quangninh.gov.vn/Trang/x.aspx", ("quang-ninh", "quang-ninh", None)),
        ("https://gialai.gov.vn/", ("gia-lai", "gia-lai", None)),
        ("https://binhdinh.gov.vn/tin-tuc", ("binh-dinh-archive", "gia-lai", "binh-dinh")),
        ("https://hochiminhcity.gov.vn/", ("ho-chi-minh", "ho-chi-minh", None)),
        ("https://thuathienhue.gov.vn/vi-vn/", ("thua-thien-hue-archive", "hue", "thua-thien-hue")),
        (
            "https://baria-vungtau.gov.vn/",
            ("ba-ria-vung-tau-archive", "ho-chi-minh", "ba-ria-vung-tau"),
        ),
        ("https://hue.gov.vn/Tin-tuc", ("hue", "hue", None)),
        ("https://tayson.binhdinh.gov.vn/news/", ("tayson-binhdinh", "gia-lai", "binh-dinh")),
        ("http://127.0.0.1:8080/tin-tuc", ("portal-127-0-0-1", None, None)),
        ("https://moh.gov.vn/", ("moh", None, None)),
    ],
)
def test_guess_source_from_host(url: str, expected: tuple[str, str | None, str | None]) -> None:
    guess = guess_source(url)
    assert (guess.id, guess.province, guess.former_province) == expected


def test_placeholders_are_rejected_by_the_registry_with_a_clear_message(tmp_path: Path) -> None:
    text = (ROOT / str(REAL_PAGES[0]["file"])).read_text(encoding="utf-8")
    detection = detect(text)  # a bare file: no URL, no host
    toml = source_toml(detection)
    assert "CHANGE-ME" in toml
    file = tmp_path / "new.toml"
    file.write_text(toml, encoding="utf-8")
    _, problems = parse_file(file)
    joined = "\n".join(problems)
    assert "key 'province': 'CHANGE-ME' is not one of the 34 current provinces" in joined
    assert "key 'homepage': 'CHANGE-ME' is not an absolute http(s) URL" in joined
    assert "section[0].url" in joined


def test_cli_detect_file_json(tmp_path: Path) -> None:
    page = REAL_PAGES[0]
    result = run_cli(
        "sources", "detect", str(ROOT / page["file"]), "--url", page["url"], "--json",
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["platform"] == "liferay"
    assert data["items"] == page["items"]
    assert {t["platform"] for t in data["trials"]} >= {"liferay", "generic", "upload-cms"}
    liferay = next(t for t in data["trials"] if t["platform"] == "liferay")
    assert liferay["items"] == page["items"]
    assert liferay["selectors"]["list_item"] == ".portlet-asset-publisher .asset-abstract"
    file = tmp_path / "s.toml"
    file.write_text(data["source_toml"], encoding="utf-8")
    sources, problems = parse_file(file)
    assert problems == [] and sources[0].section[0].url == page["url"]


def test_cli_detect_url_of_a_portal_on_localhost(tmp_path: Path) -> None:
    portal = next(p for p in sample_portals() if p.name == "quangninh")
    with PortalServer(portal) as server:
        url = server.base_url + "/Trang/tin-tuc-su-kien.aspx"
        result = run_cli("sources", "detect", url, "--timeout", "5", timeout=60)
        log = list(server.log)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "platform: sharepoint (high confidence)" in out
    entry = tomllib.loads(out[out.index("[[source]]") :])["source"][0]
    assert entry["platform"] == "sharepoint"
    assert entry["section"][0]["url"] == url
    assert entry["province"] == "CHANGE-ME"  # 127.0.0.1 names no province
    assert entry["homepage"] == server.base_url + "/"
    # Politely: robots.txt first, then the page, once each, with vnfeeds' User-Agent.
    paths = [path for _, path, _ in log]
    assert paths == ["/robots.txt", "/Trang/tin-tuc-su-kien.aspx"]
    assert all(h.get("User-Agent", "").startswith("vnfeeds/") for _, _, h in log)


def test_cli_detect_url_disallowed_by_robots() -> None:
    from crawler.samples import Route

    portal = next(p for p in sample_portals() if p.name == "daklak")
    with PortalServer(portal) as server:
        server.add_route(Route(path="/robots.txt", body="User-agent: *\nDisallow: /\n",
                               content_type="text/plain"))  # fmt: skip
        result = run_cli("sources", "detect", server.base_url + "/tin-tuc-su-kien", timeout=60)
        paths = [path for _, path, _ in server.log]
    assert result.returncode == 1
    assert "robots.txt disallows /tin-tuc-su-kien" in result.stderr
    assert paths == ["/robots.txt"]
