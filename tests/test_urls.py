"""crawler/urls.py: one canonical spelling per article URL, and same-site checks."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize, same_site

QN = "https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=168658"
HN_LIFERAY = (
    "https://sotttt.hanoi.gov.vn/tin-tuc-su-kien/-/view_content/"
    "4430301-thong-bao-lich-to-chuc-thi-tuyen-cong-chuc-nam-2022.html"
)
DANANG = "https://danang.gov.vn/web/guest/chi-tiet?id=123456"
VI_PATH = "https://binhdinh.gov.vn/tin-t%E1%BB%A9c/h%E1%BB%99i-ngh%E1%BB%8B-t%E1%BB%89nh.html"

# (id, input, expected canonical URL)
CASES = [
    # scheme and host
    ("host-case", "HTTPS://WWW.QuangNinh.GOV.VN/Trang/ChiTietTinTuc.aspx?nid=168658", QN),
    ("already-canonical", QN, QN),
    ("surrounding-spaces", f"  {QN}\n", QN),
    ("trailing-dot-host", "https://www.quangninh.gov.vn./Trang/ChiTietTinTuc.aspx?nid=168658", QN),
    (
        "path-case-kept",
        "https://www.quangninh.gov.vn/trang/chitiettintuc.aspx?nid=168658",
        "https://www.quangninh.gov.vn/trang/chitiettintuc.aspx?nid=168658",
    ),
    # ports
    (
        "https-443-dropped",
        "https://www.quangninh.gov.vn:443/Trang/ChiTietTinTuc.aspx?nid=168658",
        QN,
    ),
    (
        "http-80-dropped",
        "http://www.quangninh.gov.vn:80/Trang/ChiTietTinTuc.aspx?nid=168658",
        "http://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=168658",
    ),
    (
        "http-443-kept",
        "http://www.quangninh.gov.vn:443/Trang/ChiTietTinTuc.aspx?nid=168658",
        "http://www.quangninh.gov.vn:443/Trang/ChiTietTinTuc.aspx?nid=168658",
    ),
    (
        "https-8443-kept",
        "https://www.quangninh.gov.vn:8443/Trang/ChiTietTinTuc.aspx?nid=168658",
        "https://www.quangninh.gov.vn:8443/Trang/ChiTietTinTuc.aspx?nid=168658",
    ),
    # fragments
    ("fragment", QN + "#binh-luan", QN),
    ("empty-fragment", QN + "#", QN),
    # tracking
    ("utm", QN + "&utm_source=zalo&utm_medium=social&utm_campaign=tet2026", QN),
    (
        "utm-before-id",
        "https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?utm_source=fb&nid=168658",
        QN,
    ),
    ("fbclid", QN + "&fbclid=IwAR0xYzAbC123", QN),
    ("gclid", QN + "&gclid=Cj0KCQjw", QN),
    ("zarsrc", QN + "&zarsrc=30&utm_source=zalo", QN),
    ("tracking-case-insensitive", QN + "&UTM_Source=zalo&FBCLID=x", QN),
    # session noise
    (
        "jsessionid",
        "https://danang.gov.vn/web/guest/chi-tiet;jsessionid=A1B2C3D4E5?id=123456",
        DANANG,
    ),
    (
        "jsessionid-upper",
        "https://danang.gov.vn/web/guest/chi-tiet;JSESSIONID=A1B2C3?id=123456",
        DANANG,
    ),
    ("jsessionid-query", DANANG + "&jsessionid=A1B2C3", DANANG),
    (
        "phpsessid-query",
        "https://tayson.binhdinh.gov.vn/index.php?nv=news&PHPSESSID=abc123",
        "https://tayson.binhdinh.gov.vn/index.php?nv=news",
    ),
    (
        "aspnet-cookieless",
        "https://www.quangninh.gov.vn/(S(lit3py55t21z5v55vlm25s55))/Trang/ChiTietTinTuc.aspx?nid=168658",
        QN,
    ),
    (
        "aspnet-cookieless-multi",
        "https://www.quangninh.gov.vn/(X(1)S(lit3py55t21z5v55vlm25s55))/Trang/ChiTietTinTuc.aspx?nid=168658",
        QN,
    ),
    # Liferay portlet state
    (
        "liferay-p_p",
        HN_LIFERAY
        + "?p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-1"
        "&p_p_col_pos=1&p_p_col_count=2",
        HN_LIFERAY,
    ),
    (
        "liferay-101-list-state",
        HN_LIFERAY + "?p_p_id=101&_101_delta=10&_101_keywords=&_101_advancedSearch=false"
        "&_101_andOperator=true&p_r_p_564233524_resetCur=false&_101_cur=3",
        HN_LIFERAY,
    ),
    (
        "liferay-101-redirect",
        HN_LIFERAY + "?_101_redirect=%2Ftin-tuc-su-kien%3Fp_p_id%3D101",
        HN_LIFERAY,
    ),
    (
        "liferay-redirect-backurl",
        HN_LIFERAY + "?redirect=%2Ftin-tuc&backURL=%2Ftrang-chu",
        HN_LIFERAY,
    ),
    (
        "liferay7-redirect",
        HN_LIFERAY + "?_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_ab12"
        "_redirect=%2Fx",
        HN_LIFERAY,
    ),
    ("danang-p_p", DANANG + "&p_p_id=chitiet_WAR_portlet&p_p_lifecycle=0", DANANG),
    # id parameters are the page
    ("nid-kept", QN, QN),
    (
        "itemid-kept",
        "https://baohiemxahoi.gov.vn/pages/chi-tiet-kenh-rss.aspx?ItemID=12",
        "https://baohiemxahoi.gov.vn/pages/chi-tiet-kenh-rss.aspx?ItemID=12",
    ),
    ("id-kept", DANANG, DANANG),
    (
        "articleid-kept",
        "https://soyte.hanoi.gov.vn/web/guest/chi-tiet?articleId=98765&p_p_id=56&utm_source=x",
        "https://soyte.hanoi.gov.vn/web/guest/chi-tiet?articleId=98765",
    ),
    (
        "idtin-kept",
        "https://fdi.mof.gov.vn/Pages/chitiettin.aspx?idTin=4242&fbclid=z",
        "https://fdi.mof.gov.vn/Pages/chitiettin.aspx?idTin=4242",
    ),
    (
        "base64-id-kept",
        "https://skhcn.binhdinh.gov.vn/index.php/Home/ChiTietTin/?tin=NDY1OA==",
        "https://skhcn.binhdinh.gov.vn/index.php/Home/ChiTietTin/?tin=NDY1OA%3D%3D",
    ),
    # query ordering
    (
        "query-sorted",
        "https://camau.gov.vn/Rss.aspx?rec=50&catid=47983&sub=F&id=1396",
        "https://camau.gov.vn/Rss.aspx?catid=47983&id=1396&rec=50&sub=F",
    ),
    (
        "query-plus-vs-percent20",
        "https://baclieu.gov.vn/tintuc/lists/posts/post.aspx?Source=%2ftintuc&Category=Tin+t%e1%bb%a9c",
        "https://baclieu.gov.vn/tintuc/lists/posts/post.aspx?Category=Tin%20t%E1%BB%A9c&Source=%2Ftintuc",
    ),
    (
        "query-encoded-ampersand-kept",
        "https://example.gov.vn/tim-kiem?q=a%26b&x=1",
        "https://example.gov.vn/tim-kiem?q=a%26b&x=1",
    ),
    (
        "only-tracking-query",
        "https://laichau.gov.vn/tin-tuc-su-kien/slug.html?utm_campaign=x",
        "https://laichau.gov.vn/tin-tuc-su-kien/slug.html",
    ),
    # Vietnamese paths
    ("vi-path-raw", "https://binhdinh.gov.vn/tin-tức/hội-nghị-tỉnh.html", VI_PATH),
    ("vi-path-upper-percent", VI_PATH, VI_PATH),
    (
        "vi-path-lower-percent",
        "https://binhdinh.gov.vn/tin-t%e1%bb%a9c/h%e1%bb%99i-ngh%e1%bb%8b-t%e1%bb%89nh.html",
        VI_PATH,
    ),
    (
        "space-in-path",
        "https://example.gov.vn/van ban/quyet dinh.pdf",
        "https://example.gov.vn/van%20ban/quyet%20dinh.pdf",
    ),
    (
        "unreserved-decoded",
        "https://example.gov.vn/%7Euser/tin%2Dtuc",
        "https://example.gov.vn/~user/tin-tuc",
    ),
    # trailing slash and empty path
    ("trailing-slash-kept", "https://gialai.gov.vn/tin-tuc/", "https://gialai.gov.vn/tin-tuc/"),
    ("no-trailing-slash-kept", "https://gialai.gov.vn/tin-tuc", "https://gialai.gov.vn/tin-tuc"),
    ("empty-path", "https://gialai.gov.vn", "https://gialai.gov.vn/"),
]


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize("url", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize(url)
    assert canonicalize(once) == once


def test_query_order_does_not_matter() -> None:
    a = canonicalize("https://camau.gov.vn/Rss.aspx?catid=47983&catname=cac-du-an&rec=50&id=1396")
    b = canonicalize("https://camau.gov.vn/Rss.aspx?id=1396&rec=50&catname=cac-du-an&catid=47983")
    assert a == b
    assert a.endswith("?catid=47983&catname=cac-du-an&id=1396&rec=50")


def test_trailing_slash_distinguishes_pages() -> None:
    assert canonicalize("https://gialai.gov.vn/tin-tuc/") != canonicalize(
        "https://gialai.gov.vn/tin-tuc"
    )


def test_different_nid_stay_different() -> None:
    a = canonicalize("https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=168658")
    b = canonicalize("https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=168659")
    assert a != b


def test_vietnamese_path_spellings_share_one_canonical_form() -> None:
    spellings = [
        "https://binhdinh.gov.vn/tin-tức/hội-nghị-tỉnh.html",
        "https://BINHDINH.gov.vn/tin-t%E1%BB%A9c/h%E1%BB%99i-ngh%E1%BB%8B-t%E1%BB%89nh.html",
        "https://binhdinh.gov.vn:443/tin-t%e1%bb%a9c/h%e1%bb%99i-ngh%e1%bb%8b-t%e1%bb%89nh.html#top",
    ]
    canon = {canonicalize(s) for s in spellings}
    assert canon == {VI_PATH}
    assert canonicalize(canonicalize(VI_PATH)) == VI_PATH


def test_vietnamese_query_value_is_stable() -> None:
    once = canonicalize("https://example.gov.vn/tim-kiem?q=Bình Định&utm_source=x")
    assert once == "https://example.gov.vn/tim-kiem?q=B%C3%ACnh%20%C4%90%E1%BB%8Bnh"
    assert canonicalize(once) == once


# --------------------------------------------------------------------------------------------
# same_site
# --------------------------------------------------------------------------------------------

SAME_SITE = [
    ("same-host", QN, "https://www.quangninh.gov.vn/", True),
    ("www-vs-bare", "https://quangninh.gov.vn/Trang/x.aspx", "https://www.quangninh.gov.vn/", True),
    ("bare-vs-www", QN, "https://quangninh.gov.vn/", True),
    ("subdomain", "https://media.quangninh.gov.vn/a/b.jpg", "https://www.quangninh.gov.vn/", True),
    ("department-subdomain", HN_LIFERAY, "https://hanoi.gov.vn/", True),
    (
        "host-case",
        "HTTPS://WWW.QUANGNINH.GOV.VN/Trang/x.aspx",
        "https://www.quangninh.gov.vn/",
        True,
    ),
    ("scheme-differs", "http://gialai.gov.vn/tin-tuc", "https://gialai.gov.vn/", True),
    ("port", "https://gialai.gov.vn:8443/tin-tuc", "https://gialai.gov.vn/", True),
    ("other-province", "https://gialai.gov.vn/tin-tuc", "https://www.quangninh.gov.vn/", False),
    ("suffix-lookalike", "https://evilquangninh.gov.vn/x", "https://quangninh.gov.vn/", False),
    ("prefix-lookalike", "https://quangninh.gov.vn.evil.com/x", "https://quangninh.gov.vn/", False),
    ("parent-domain", "https://gov.vn/x", "https://quangninh.gov.vn/", False),
    ("sibling-subdomain", "https://soyte.hanoi.gov.vn/x", "https://sotttt.hanoi.gov.vn/", False),
    ("relative", "/Trang/ChiTietTinTuc.aspx?nid=1", "https://www.quangninh.gov.vn/", False),
]


@pytest.mark.parametrize(
    ("url", "homepage", "expected"), [c[1:] for c in SAME_SITE], ids=[c[0] for c in SAME_SITE]
)
def test_same_site(url: str, homepage: str, expected: bool) -> None:
    assert same_site(url, homepage) is expected


# --------------------------------------------------------------------------------------------
# regressions (bugs found by these tests, now fixed)
# --------------------------------------------------------------------------------------------

SOYTE = (
    "https://soyte.hanoi.gov.vn/tin-tuc-su-kien-noi-bat/-/asset_publisher/4IVkx5Jltnbg/content/slug"
)


@pytest.mark.parametrize(
    "query",
    [
        "p_p_id=101_INSTANCE_4IVkx5Jltnbg&_101_INSTANCE_4IVkx5Jltnbg_redirect=%2Ftin-tuc",
        "_101_INSTANCE_4IVkx5Jltnbg_cur=2&_101_INSTANCE_4IVkx5Jltnbg_delta=10",
    ],
    ids=["instance-redirect", "instance-cur-delta"],
)
def test_liferay_instanced_portlet_noise_removed(query: str) -> None:
    assert canonicalize(f"{SOYTE}?{query}") == SOYTE


def test_encoded_slash_in_path_is_kept() -> None:
    url = "https://vpubnd.daklak.gov.vn/Documents/Detail/so-12%2F2025%2FQD-UBND"
    assert canonicalize(url) == url


def test_ipv6_host_keeps_brackets() -> None:
    url = "http://[2001:db8::1]:8080/tin-tuc"
    assert canonicalize(url) == url
