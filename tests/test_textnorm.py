"""crawler/textnorm.py: the display (clean_text), matching (norm_key) and search (fold) forms."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest

from crawler import places
from crawler.textnorm import (
    clean_text,
    fold,
    has_diacritics,
    norm_key,
    slugify,
    strip_illegal,
    syllables,
    unify_tones,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------
# norm_key: one tone-mark placement
# --------------------------------------------------------------------------------------------

# (old style "oà/uỷ/oẻ", new style "òa/ủy/ỏe", the expected key)
TONE_PAIRS = [
    ("hoà", "hòa", "hòa"),
    ("thuỷ", "thủy", "thủy"),
    ("khoẻ", "khỏe", "khỏe"),
    ("Thuỵ", "Thụy", "thụy"),
    ("uỷ ban", "ủy ban", "ủy ban"),
    ("Khánh Hoà", "Khánh Hòa", "khánh hòa"),
    ("Thanh Hoá", "Thanh Hóa", "thanh hóa"),
    ("Hoà Bình", "Hòa Bình", "hòa bình"),
    ("Tỉnh uỷ Gia Lai", "Tỉnh ủy Gia Lai", "tỉnh ủy gia lai"),
    ("chăm sóc sức khoẻ", "chăm sóc sức khỏe", "chăm sóc sức khỏe"),
    ("toà án nhân dân", "tòa án nhân dân", "tòa án nhân dân"),
    ("tuỳ chọn", "tùy chọn", "tùy chọn"),
    ("hoạ sĩ", "họa sĩ", "họa sĩ"),
    (
        "UỶ BAN NHÂN DÂN TỈNH KHÁNH HOÀ",
        "Ủy ban nhân dân tỉnh Khánh Hòa",
        "ủy ban nhân dân tỉnh khánh hòa",
    ),
]


@pytest.mark.parametrize(("old", "new", "key"), TONE_PAIRS, ids=[p[0] for p in TONE_PAIRS])
def test_norm_key_unifies_tone_styles(old: str, new: str, key: str) -> None:
    # NFC alone does not make them equal: that is the point of norm_key.
    assert nfc(old).lower() != nfc(new).lower()
    assert norm_key(old) == key
    assert norm_key(new) == key


@pytest.mark.parametrize(("old", "new", "key"), TONE_PAIRS, ids=[p[0] for p in TONE_PAIRS])
def test_norm_key_unifies_tone_styles_from_nfd(old: str, new: str, key: str) -> None:
    assert nfd(old) != nfc(old)
    assert norm_key(nfd(old)) == key
    assert norm_key(nfd(new)) == key


def test_norm_key_code_points() -> None:
    # o + U+00E0 (old style) becomes U+00F2 + a (the traditional placement)
    assert norm_key("ho\u00e0") == "h\u00f2a"
    assert norm_key("thu\u1ef7") == "th\u1ee7y"
    assert norm_key("kho\u1ebb") == "kh\u1ecfe"


# Words whose tone is already where it belongs: unifying must not move it.
FIXED_WORDS = [
    "hoàng",
    "quý",
    "giữa",
    "người",
    "thuở",
    "khuya",
    "quyết",
    "quốc",
    "quỳnh",
    "giường",
    "gì",
    "gìn",
    "nghiêng",
    "khuỷu",
    "tuyển",
    "thuyền",
    "nguyễn",
    "của",
    "mía",
    "quà",
    "giá",
    "ngoài",
    "xoáy",
    "khuấy",
    "cứu",
    "huế",
    "đắk",
]


@pytest.mark.parametrize("word", FIXED_WORDS)
def test_tone_does_not_move(word: str) -> None:
    assert unify_tones(word) == word
    assert norm_key(word) == word
    assert norm_key(nfd(word)) == word
    assert norm_key(word.upper()) == word


def test_unify_tones_on_lowercase_sentence() -> None:
    text = "uỷ ban nhân dân tỉnh khánh hoà họp về thuỷ lợi và sức khoẻ người dân"
    assert unify_tones(text) == (
        "ủy ban nhân dân tỉnh khánh hòa họp về thủy lợi và sức khỏe người dân"
    )


def test_unify_tones_leaves_untoned_and_digits_alone() -> None:
    assert unify_tones("covid-19 khuya 2025") == "covid-19 khuya 2025"


def test_hoa_and_hoa_differ_under_norm_key_but_not_under_fold() -> None:
    # "hóa" (acute) and "hòa" (grave) are different words ...
    assert norm_key("hóa") != norm_key("hòa")
    assert norm_key("Thanh Hoá") != norm_key("Thanh Hòa")
    # ... in either tone style
    assert norm_key("hoá") == norm_key("hóa") == "hóa"
    assert norm_key("hoà") == norm_key("hòa") == "hòa"
    # ... and the same once diacritics are dropped for search
    assert fold("hóa") == fold("hòa") == fold("hoá") == fold("hoà") == "hoa"


def test_norm_key_cleans_and_lowercases() -> None:
    assert norm_key("  UỶ\u200b  BAN\u00a0NHÂN DÂN  ") == "ủy ban nhân dân"
    assert norm_key("S&#7903; Y t&#7871; &amp; B&#7879;nh vi&#7879;n") == "sở y tế & bệnh viện"
    assert norm_key(None) == ""


# --------------------------------------------------------------------------------------------
# clean_text: the display form
# --------------------------------------------------------------------------------------------


def test_clean_text_nfd_to_nfc() -> None:
    decomposed = nfd("Bình Định")
    assert len(decomposed) == 11
    cleaned = clean_text(decomposed)
    assert cleaned == "Bình Định"
    assert len(cleaned) == 9


def test_clean_text_keeps_original_tone_style() -> None:
    # display is the portal's business: the old style stays old
    assert clean_text("Khánh Hoà") == "Khánh Ho\u00e0"
    assert clean_text("Khánh Hòa") == "Khánh H\u00f2a"
    assert clean_text(nfd("Thuỵ Anh")) == "Thu\u1ef5 Anh"


CLEAN_CASES = [
    ("zwsp-inside-word", "Quả\u200bng Ninh", "Quảng Ninh"),
    ("zwsp-beside-space", "Hà\u200b Nội", "Hà Nội"),
    ("zwnj-zwj-word-joiner", "Đà\u200c Nẵng\u200d\u2060", "Đà Nẵng"),
    ("soft-hyphen", "Bình Đị\u00adnh", "Bình Định"),
    ("bom", "\ufeffCổng thông tin điện tử tỉnh Gia Lai", "Cổng thông tin điện tử tỉnh Gia Lai"),
    ("nbsp", "Hà\u00a0Nội", "Hà Nội"),
    ("nbsp-entity", "Bình&nbsp;Định", "Bình Định"),
    ("numeric-entity", "H&agrave; N&#7897;i", "Hà Nội"),
    (
        "entities-in-footer",
        "S&#7903; Th&ocirc;ng tin v&agrave; Truy&#7873;n th&ocirc;ng",
        "Sở Thông tin và Truyền thông",
    ),
    ("amp", "Sở Khoa học &amp; Công nghệ", "Sở Khoa học & Công nghệ"),
    (
        "quot",
        "Ghi rõ nguồn &quot;daklak.gov.vn&quot; khi phát hành lại",
        'Ghi rõ nguồn "daklak.gov.vn" khi phát hành lại',
    ),
    ("bare-ampersand", "Sở KH&CN Lâm Đồng", "Sở KH&CN Lâm Đồng"),
    ("collapse-spaces", "  Tỉnh   Gia\tLai \n\n ", "Tỉnh Gia Lai"),
    ("nul-vt-esc", "Gia\x00 Lai\x0b \x1bmới", "Gia Lai mới"),
    ("lone-surrogate", "Đắk\ud800 Lắk", "Đắk Lắk"),
    ("noncharacters", "Cà\ufffe Mau\uffff", "Cà Mau"),
    ("c1-controls", "Huế\x80\x9f", "Huế"),
    ("empty", "", ""),
    ("none", None, ""),
    ("only-invisible", "\ufeff\u200b\u00ad\u00a0", ""),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in CLEAN_CASES], ids=[c[0] for c in CLEAN_CASES]
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_real_headline_all_at_once() -> None:
    raw = (
        "\ufeff(binhdinh.gov.vn)&nbsp;-\u200b UBND tỉnh&nbsp;&nbsp;Khánh Ho&agrave;\x0b "
        + nfd("họp bàn")
        + " về   dự án\u00ad cao tốc &amp; cảng biển"
    )
    assert clean_text(raw) == (
        "(binhdinh.gov.vn) - UBND tỉnh Khánh Hoà họp bàn về dự án cao tốc & cảng biển"
    )


def test_clean_text_keep_newlines() -> None:
    raw = "Dòng   một  \r\n\r\n\n  Dòng\u00a0hai\u200b \n\t\n Dòng ba  "
    assert clean_text(raw, keep_newlines=True) == "Dòng một\nDòng hai\nDòng ba"
    assert clean_text(raw) == "Dòng một Dòng hai Dòng ba"


# --------------------------------------------------------------------------------------------
# strip_illegal
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    [
        "\x00",
        "\x01",
        "\x08",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1f",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
    ],
    ids=["NUL", "SOH", "BS", "VT", "FF", "ESC", "US", "D800", "DFFF", "FFFE", "FFFF"],
)
def test_strip_illegal_removes(char: str) -> None:
    assert strip_illegal(f"Tây{char} Ninh") == "Tây Ninh"


def test_strip_illegal_keeps_legal_text() -> None:
    text = "Tin nổi bật:\tĐà Nẵng\nCà Mau\r\n© 2025 — “trích dẫn” 😀"
    assert strip_illegal(text) == text


def test_strip_illegal_output_is_valid_xml() -> None:
    raw = "Lâm\x00 Đồng\x0b\x1b \ud800Hải\ufffe Phòng"
    cleaned = strip_illegal(raw)
    assert cleaned == "Lâm Đồng Hải Phòng"
    element = ET.fromstring(f"<t>{escape(cleaned)}</t>".encode())
    assert element.text == "Lâm Đồng Hải Phòng"


# --------------------------------------------------------------------------------------------
# fold, has_diacritics, slugify, syllables
# --------------------------------------------------------------------------------------------

FOLD_CASES = [
    ("Bình Định", "binh dinh"),
    (nfd("Bình Định"), "binh dinh"),
    ("ĐẮK LẮK", "dak lak"),
    ("Thừa Thiên Huế", "thua thien hue"),
    ("Khánh Hoà", "khanh hoa"),
    ("Khánh Hòa", "khanh hoa"),
    ("  Bà Rịa\u00a0- Vũng Tàu ", "ba ria - vung tau"),
    ("Uỷ ban nhân dân", "uy ban nhan dan"),
    ("Người dân Quảng Ngãi", "nguoi dan quang ngai"),
    (None, ""),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    FOLD_CASES,
    ids=[
        "nfc",
        "nfd",
        "upper-d-stroke",
        "hue",
        "old-tone",
        "new-tone",
        "nbsp",
        "uy-ban",
        "nguoi",
        "none",
    ],
)
def test_fold(text: str | None, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", True),
        ("Ha Noi", False),
        ("Dak Lak", False),
        ("Đak Lak", True),
        ("đ", True),
        (nfd("Cà Mau"), True),
        ("COVID-19", False),
        ("", False),
    ],
    ids=["nfc", "ascii", "ascii-d", "d-stroke-upper", "d-stroke-lower", "nfd", "covid", "empty"],
)
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("Thành phố Hồ Chí Minh", "thanh-pho-ho-chi-minh"),
        ("Đắk Lắk", "dak-lak"),
        (nfd("Đắk Lắk"), "dak-lak"),
        ("  Khánh Hoà!! ", "khanh-hoa"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("Quảng Trị (mới)", "quang-tri-moi"),
        ("\ufeffGia\u00a0Lai\u200b", "gia-lai"),
        ("Sở KH&amp;CN", "so-kh-cn"),
    ],
    ids=["hyphen", "hcm", "dak-lak", "nfd", "punct", "hue", "parens", "invisible", "entity"],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_matches_current_province_slugs() -> None:
    rows = places.provinces()
    assert len(rows) == 34
    mismatched = {p.slug: slugify(p.short_name) for p in rows.values()}
    assert {k: v for k, v in mismatched.items() if k != v} == {}


def test_slugify_matches_former_province_slugs() -> None:
    rows = places.former_provinces()
    assert len(rows) == 63
    mismatched = {p.slug: slugify(p.name) for p in rows.values()}
    assert {k: v for k, v in mismatched.items() if k != v} == {}


def test_syllables() -> None:
    expected = ["ủy", "ban", "nhân", "dân", "tỉnh", "khánh", "hòa"]
    assert syllables("Uỷ ban nhân dân tỉnh Khánh Hoà") == expected
    assert syllables("Ủy ban nhân dân tỉnh Khánh Hòa") == expected
    assert syllables(nfd("UỶ BAN NHÂN DÂN TỈNH KHÁNH HOÀ")) == expected


def test_syllables_split_on_punctuation_and_keep_digits() -> None:
    assert syllables("COVID-19, Bình\u00a0Định.") == ["covid", "19", "bình", "định"]
    assert syllables(None) == []
    assert syllables("  ") == []
