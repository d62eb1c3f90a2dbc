"""The registry as data: bundled sources valid, provinces/topics facts, and errors that name the
file, the source id, the key and the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import places
from crawler.config import BUNDLED_SOURCES
from crawler.platforms import PLATFORMS, get_platform
from crawler.registry import RegistryError, load_registry
from tests.conftest import run_cli

GOOD = """
[[source]]
id = "gia-lai"
province = "gia-lai"
name = "Cổng thông tin điện tử tỉnh Gia Lai"
homepage = "https://gialai.gov.vn/"
platform = "upload-cms"
interval = "60m"

[[source.section]]
url = "https://gialai.gov.vn/tin-tuc/tin-tong-hop"
topics = []
"""


def test_bundled_registry_is_valid() -> None:
    registry = load_registry(BUNDLED_SOURCES)
    assert len(registry) >= 4
    for source in registry:
        assert source.province in places.provinces()
        get_platform(source.platform)
        assert source.notes, f"{source.id}: say what is verified and what is inferred"
        if source.former_province:
            assert not source.enabled, f"{source.id}: archival sources start disabled"


def test_provinces_topics_and_the_merger() -> None:
    provinces = places.provinces()
    former = places.former_provinces()
    assert len(provinces) == 34 and len(former) == 63 and len(places.topics()) == 16
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", slug) for slug in [*provinces, *former])
    # Facts from the 2025 merger (NQ 202/2025/QH15; GSO 915/CTK-CSCL).
    assert provinces["gia-lai"].code == "52" and former["binh-dinh"].code == "52"
    assert former["gia-lai"].code == "64" and former["gia-lai"].merged_into == "gia-lai"
    assert provinces["ha-noi"].code == "01" and provinces["ho-chi-minh"].code == "79"
    assert former["ba-ria-vung-tau"].merged_into == "ho-chi-minh"
    assert former["ha-giang"].merged_into == "tuyen-quang"
    assert former["thua-thien-hue"].merged_into == "hue"
    assert former["phu-yen"].merged_into == "dak-lak"
    assert {f.merged_into for f in former.values()} == set(provinces)
    assert places.retired_slugs()["binh-dinh"] == "gia-lai"
    assert "gia-lai" not in places.retired_slugs()
    assert set(places.topics()) == {
        "chinh-tri",
        "chi-dao-dieu-hanh",
        "kinh-te",
        "nong-nghiep",
        "khoa-hoc-cong-nghe",
        "chuyen-doi-so",
        "giao-duc",
        "y-te",
        "van-hoa-the-thao-du-lich",
        "xa-hoi-lao-dong",
        "tai-nguyen-moi-truong",
        "xay-dung-giao-thong",
        "quoc-phong-an-ninh",
        "cai-cach-hanh-chinh",
        "doi-ngoai",
        "thong-bao",
    }
    assert places.topics()["y-te"].name == "Y tế"


def _problems(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gia-lai.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(tmp_path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_a_good_file_loads(tmp_path: Path) -> None:
    (tmp_path / "gia-lai.toml").write_text(GOOD, encoding="utf-8")
    source = load_registry(tmp_path).get("gia-lai")
    assert source.interval_td.total_seconds() == 3600 and source.max_pages == 3


@pytest.mark.parametrize(
    ("change", "key", "hint"),
    [
        (('province = "gia-lai"', 'province = "gialai"'), "province", "crawler/data/provinces.csv"),
        (
            ('province = "gia-lai"', 'province = "binh-dinh"'),
            "province",
            "former_province = 'binh-dinh'",
        ),
        (('platform = "upload-cms"', 'platform = "wordpress"'), "platform", "liferay"),
        (('interval = "60m"', 'interval = "hourly"'), "interval", "30m, 2h, 1d"),
        (('id = "gia-lai"', 'id = "Gia Lai"'), "id", "slug"),
        (("topics = []", 'topics = ["suc-khoe"]'), "section[0].topics", "y-te"),
        (
            ('homepage = "https://gialai.gov.vn/"', 'homepage = "gialai.gov.vn"'),
            "homepage",
            "https://",
        ),
        (('interval = "60m"', 'interval = "60m"\nlisst_item = "x"'), "lisst_item", "remove it"),
        (('name = "Cổng thông tin điện tử tỉnh Gia Lai"\n', ""), "name", "add it"),
        (
            ('interval = "60m"', 'interval = "60m"\nmax_pages = "three"'),
            "max_pages",
            "whole number",
        ),
        (
            ('interval = "60m"', 'interval = "60m"\nformer_province = "kon-tum"'),
            "",
            "set province = 'quang-ngai'",
        ),
    ],
)
def test_errors_name_file_source_key_and_fix(
    tmp_path: Path, change: tuple[str, str], key: str, hint: str
) -> None:
    old, new = change
    assert old in GOOD
    message = _problems(tmp_path, GOOD.replace(old, new, 1))
    assert "source '" in message
    if key:
        assert f"key '{key}'" in message, message
    assert "Fix:" in message and hint in message, message


def test_selector_typos_are_named(tmp_path: Path) -> None:
    message = _problems(tmp_path, GOOD + '\n[source.selectors]\nbdy = "div.x"\n')
    assert "key 'selectors.bdy'" in message and "body" in message


def test_broken_toml_and_duplicate_ids(tmp_path: Path) -> None:
    assert "not valid TOML" in _problems(tmp_path, GOOD.replace("[[source]]", "[[source]"))
    (tmp_path / "other.toml").write_text(GOOD, encoding="utf-8")
    message = _problems(tmp_path, GOOD)
    assert "id already used" in message


def test_platform_names_match_modules() -> None:
    for name in PLATFORMS:
        platform = get_platform(name)
        assert platform.name == name
        assert (
            platform.__class__.__module__
            and (platform.__class__.__doc__ or "")
            + (__import__(platform.__class__.__module__, fromlist=["x"]).__doc__ or "")
        ).count("How to configure me") == 1


def test_sources_cli(tmp_path: Path) -> None:
    listing = run_cli("sources", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    assert '"sotttt-hanoi"' in listing.stdout
    shown = run_cli("sources", "show", "lai-chau")
    assert shown.returncode == 0 and '"effective_selectors"' in shown.stdout
    assert '"list_item": ".post-item"' in shown.stdout
    assert run_cli("sources", "check").returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('province = "gia-lai"', 'province = "gialai"'), encoding="utf-8")
    checked = run_cli("sources", "check", "--sources", str(bad))
    assert checked.returncode == 1
    assert "key 'province'" in checked.stderr and "Fix:" in checked.stderr
    assert "Traceback" not in checked.stderr
    unknown = run_cli("sources", "show", "nowhere")
    assert unknown.returncode == 1 and "no source 'nowhere'" in unknown.stderr
