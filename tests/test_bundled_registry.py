"""The bundled registry (crawler/sources/): every current unit has its portal, every pre-2025
portal whose province merged into another has a disabled archive source, and the files are what
`vnfeeds sources list/check` read.

The expectations are data written by hand from the province lists (crawler/data/*.csv,
shared/reference/provinces_*.csv): the host of each unit's portal, and where each merged-away
province went. The TOML files are read here with tomllib, not through crawler.registry, so a
loader bug cannot hide a registry mistake.
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.config import BUNDLED_SOURCES
from tests.conftest import ROOT, run_cli

# The 34 units since 2025-07-01 -> the host of the portal bundled for it (source id = the slug).
PORTAL_HOST = {
    "ha-noi": "hanoi.gov.vn",
    "cao-bang": "caobang.gov.vn",
    "tuyen-quang": "tuyenquang.gov.vn",
    "dien-bien": "dienbien.gov.vn",
    "lai-chau": "laichau.gov.vn",
    "son-la": "sonla.gov.vn",
    "lao-cai": "laocai.gov.vn",
    "thai-nguyen": "thainguyen.gov.vn",
    "lang-son": "langson.gov.vn",
    "quang-ninh": "www.quangninh.gov.vn",
    "bac-ninh": "bacninh.gov.vn",
    "phu-tho": "phutho.gov.vn",
    "hai-phong": "haiphong.gov.vn",
    "hung-yen": "hungyen.gov.vn",
    "ninh-binh": "ninhbinh.gov.vn",
    "thanh-hoa": "thanhhoa.gov.vn",
    "nghe-an": "nghean.gov.vn",
    "ha-tinh": "hatinh.gov.vn",
    "quang-tri": "quangtri.gov.vn",
    "hue": "hue.gov.vn",
    "da-nang": "danang.gov.vn",
    "quang-ngai": "quangngai.gov.vn",
    "gia-lai": "gialai.gov.vn",
    "khanh-hoa": "khanhhoa.gov.vn",
    "dak-lak": "daklak.gov.vn",
    "lam-dong": "lamdong.gov.vn",
    "dong-nai": "dongnai.gov.vn",
    "ho-chi-minh": "hochiminhcity.gov.vn",
    "tay-ninh": "tayninh.gov.vn",
    "dong-thap": "dongthap.gov.vn",
    "vinh-long": "vinhlong.gov.vn",
    "an-giang": "angiang.gov.vn",
    "can-tho": "cantho.gov.vn",
    "ca-mau": "camau.gov.vn",
}

# Pre-2025 provinces whose slug is not a current one -> (the unit they merged into, their portal's
# host). Each has an archive source `<slug>-archive` in crawler/sources/<merged into>.toml.
MERGED_AWAY = {
    "ha-giang": ("tuyen-quang", "hagiang.gov.vn"),
    "bac-kan": ("thai-nguyen", "backan.gov.vn"),
    "yen-bai": ("lao-cai", "yenbai.gov.vn"),
    "hoa-binh": ("phu-tho", "hoabinh.gov.vn"),
    "bac-giang": ("bac-ninh", "bacgiang.gov.vn"),
    "vinh-phuc": ("phu-tho", "vinhphuc.gov.vn"),
    "hai-duong": ("hai-phong", "haiduong.gov.vn"),
    "thai-binh": ("hung-yen", "thaibinh.gov.vn"),
    "ha-nam": ("ninh-binh", "hanam.gov.vn"),
    "nam-dinh": ("ninh-binh", "namdinh.gov.vn"),
    "quang-binh": ("quang-tri", "quangbinh.gov.vn"),
    "thua-thien-hue": ("hue", "thuathienhue.gov.vn"),
    "quang-nam": ("da-nang", "quangnam.gov.vn"),
    "binh-dinh": ("gia-lai", "binhdinh.gov.vn"),
    "phu-yen": ("dak-lak", "phuyen.gov.vn"),
    "ninh-thuan": ("khanh-hoa", "ninhthuan.gov.vn"),
    "binh-thuan": ("lam-dong", "binhthuan.gov.vn"),
    "kon-tum": ("quang-ngai", "kontum.gov.vn"),
    "dak-nong": ("lam-dong", "daknong.gov.vn"),
    "binh-phuoc": ("dong-nai", "binhphuoc.gov.vn"),
    "binh-duong": ("ho-chi-minh", "binhduong.gov.vn"),
    "ba-ria-vung-tau": ("ho-chi-minh", "baria-vungtau.gov.vn"),
    "long-an": ("tay-ninh", "longan.gov.vn"),
    "tien-giang": ("dong-thap", "tiengiang.gov.vn"),
    "ben-tre": ("vinh-long", "bentre.gov.vn"),
    "tra-vinh": ("vinh-long", "travinh.gov.vn"),
    "kien-giang": ("an-giang", "kiengiang.gov.vn"),
    "hau-giang": ("can-tho", "haugiang.gov.vn"),
    "soc-trang": ("can-tho", "soctrang.gov.vn"),
    "bac-lieu": ("ca-mau", "baclieu.gov.vn"),
}

PLATFORM_NAMES = {"upload-cms", "liferay", "sharepoint", "dnn", "nukeviet", "vgp", "rss", "generic"}


def _bundled() -> list[tuple[Path, dict[str, Any]]]:
    """(file, [[source]] table) for every bundled source, read with tomllib."""
    out = []
    for path in sorted(BUNDLED_SOURCES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(data) == {"source"}, path
        out += [(path, table) for table in data["source"]]
    return out


BUNDLED = _bundled()
BY_ID = {t["id"]: (p, t) for p, t in BUNDLED}


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def test_the_hand_written_tables_agree_with_the_province_lists() -> None:
    data = ROOT / "crawler" / "data"
    with open(data / "provinces.csv", encoding="utf-8") as f:
        current = {r["slug"] for r in csv.DictReader(f)}
    with open(data / "former_provinces.csv", encoding="utf-8") as f:
        former = {r["slug"]: r for r in csv.DictReader(f)}
    assert set(PORTAL_HOST) == current and len(current) == 34
    assert set(MERGED_AWAY) == {s for s in former if s not in current}
    for slug, (merged_into, host) in MERGED_AWAY.items():
        assert former[slug]["merged_into"] == merged_into
        assert former[slug]["portal"] == f"https://{host}"


def test_ids_are_unique_slugs() -> None:
    ids = [t["id"] for _, t in BUNDLED]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for source_id in ids:
        assert source_id == source_id.lower() and source_id.isascii() and " " not in source_id


@pytest.mark.parametrize("province", sorted(PORTAL_HOST))
def test_every_current_unit_has_its_portal(province: str) -> None:
    assert province in BY_ID, f"no source with id {province!r}"
    path, source = BY_ID[province]
    assert path.name == f"{province}.toml"
    assert source["province"] == province and "former_province" not in source
    assert _host(source["homepage"]) == PORTAL_HOST[province]
    notes = source.get("notes", "")
    assert "Verified" in notes and "Inferred" in notes, f"{province}: say what is which"
    if not source.get("enabled", True):
        assert "isabled" in notes, f"{province}: say why it is disabled"


@pytest.mark.parametrize("former", sorted(MERGED_AWAY))
def test_every_merged_away_portal_has_a_disabled_archive(former: str) -> None:
    merged_into, host = MERGED_AWAY[former]
    archives = [(p, t) for p, t in BUNDLED if t.get("former_province") == former]
    assert archives, f"no archive source for {former}"
    for path, source in archives:
        assert path.name == f"{merged_into}.toml"
        assert source["province"] == merged_into
        assert source["enabled"] is False  # written out, not left to the default (true)
        assert "isabled" in source["notes"]
    assert any(_host(t["homepage"]) == host for _, t in archives)
    assert f"{former}-archive" in BY_ID


def test_every_source_is_in_its_provinces_file_with_a_known_platform() -> None:
    for path, source in BUNDLED:
        assert source["province"] in PORTAL_HOST, source["id"]
        assert path.stem == source["province"], f"{source['id']} belongs in {source['province']}"
        assert source.get("former_province") in (None, *MERGED_AWAY), source["id"]
        assert source["platform"] in PLATFORM_NAMES, source["id"]
        assert source.get("notes"), f"{source['id']}: no notes"


def test_homepages_are_https_and_sections_stay_on_the_portal() -> None:
    for _, source in BUNDLED:
        home = urlsplit(source["homepage"])
        assert home.scheme == "https" and home.hostname and home.path.startswith("/"), source["id"]
        assert home.hostname.endswith(".gov.vn"), source["id"]
        assert source["section"], source["id"]
        for section in source["section"]:
            url = urlsplit(section["url"])
            assert url.scheme == "https", section["url"]
            if url.hostname != home.hostname:
                # Allowed only when the notes say where the list lives and why.
                assert url.hostname and url.hostname in source["notes"], section["url"]


def test_sources_list_json_lists_every_bundled_source() -> None:
    result = run_cli("sources", "list", "--json", env={"VNFEEDS_SOURCES": ""}, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted(r["id"] for r in rows) == sorted(BY_ID)
    for row in rows:
        _, source = BY_ID[row["id"]]
        assert row["province"] == source["province"]
        assert row["former_province"] == source.get("former_province")
        assert row["homepage"] == source["homepage"]
        assert row["enabled"] == source.get("enabled", True)
        assert row["sections"] == [s["url"] for s in source["section"]]


def test_sources_check_passes_and_covers_every_province() -> None:
    result = run_cli("sources", "check", env={"VNFEEDS_SOURCES": ""}, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok: {len(BUNDLED)} sources" in result.stdout
    assert "no source for" not in result.stdout
