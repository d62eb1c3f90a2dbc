"""crawler/extract/encoding.py: decoding portal pages, legacy Vietnamese encodings included.

The bytes of every legacy page are built here from real Vietnamese text:
- windows-1258 has few precomposed letters: each character is encoded as itself when the code
  page has it, else as its base letter plus a combining tone mark (what Windows produced);
- TCVN3 ("ABC", .VnTime fonts) is built by inverting the module's own `_TCVN3` table; the normal
  font has no toned capitals, the all-capitals font (.VnTimeH) draws the lower-case codes as
  capitals.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable

import pytest

from crawler.extract.encoding import _TCVN3, decode_html, tcvn3_to_unicode, vietnamese_score

TITLE = "Hội nghị sơ kết công tác chuyển đổi số quý I năm 2023"
NEWS = (
    "Sáng ngày 17/3, Ủy ban nhân dân tỉnh Bình Định tổ chức hội nghị sơ kết công tác chuyển "
    "đổi số quý I năm 2023. Phát biểu tại hội nghị, đồng chí Phó Chủ tịch UBND tỉnh đề nghị các "
    "sở, ngành, địa phương tiếp tục đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng "
    "phục vụ người dân và doanh nghiệp trên môi trường số; phấn đấu đến cuối năm, 100% hồ sơ "
    "được tiếp nhận và giải quyết trực tuyến, không để xảy ra tình trạng trễ hẹn."
)
# The same news for the TCVN3 normal font, which has no toned capitals ("Ủy" cannot be drawn).
NEWS_VN3 = NEWS.replace("Ủy ban nhân dân", "UBND")
ENGLISH = (
    "The provincial People's Committee held a conference on digital transformation on Friday, "
    "reviewing the first quarter and setting targets for online public services."
)
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def page(body: str = NEWS, head: str = "", title: str = TITLE) -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>{body}</p></body></html>"
    )


def cp1258_bytes(text: str) -> bytes:
    """windows-1258 as Windows writes it: precomposed when the code page has the letter, else
    the base letter (with its shape mark) followed by a combining tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = nfc("".join(c for c in decomposed if c not in TONE_MARKS))
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


_TO_TCVN3 = {uni: code for code, uni in _TCVN3.items()}


def tcvn3_bytes(text: str) -> bytes:
    """TCVN3 bytes of `text` for the normal .VnTime font (toned capitals are not drawable)."""
    out = []
    for ch in text:
        if ch in _TO_TCVN3:
            out.append(_TO_TCVN3[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} has no code in the TCVN3 normal font")
    return "".join(out).encode("latin-1")


def tcvn3_caps_bytes(text: str) -> bytes:
    """TCVN3 bytes of an all-capitals run for a .VnTimeH font: the lower-case codes."""
    return tcvn3_bytes(text.lower())


# -- the helpers build what the encodings really are -------------------------------------------


def test_cp1258_helper_uses_combining_tone_marks() -> None:
    # "ệ" is not in windows-1258: "ê" (0xEA) then the combining dot below (0xF2).
    assert cp1258_bytes("Việt") == b"Vi\xea\xf2t"
    # "á" is: one byte. "ử" is not: "ư" (0xFD) then the combining hook above (0xD2).
    assert cp1258_bytes("Sáng cử") == b"S\xe1ng c\xfd\xd2"
    assert nfc(cp1258_bytes(NEWS).decode("cp1258")) == NEWS


def test_tcvn3_helper_matches_known_bytes() -> None:
    assert tcvn3_bytes("Bát Xát") == "B¸t X¸t".encode("latin-1") == b"B\xb8t X\xb8t"
    assert tcvn3_bytes("Hưng Yên") == b"H\xadng Y\xaan"
    with pytest.raises(ValueError):
        tcvn3_bytes("Ủy ban")


# -- UTF-8 and byte order marks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        (None, ""),
        ("text/html", ""),
        ("text/html; charset=utf-8", ""),
        ("text/html; charset=UTF-8", ""),
        ('text/html; charset="utf-8"', ""),
        (None, '<meta charset="utf-8">'),
        (None, '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'),
    ],
)
def test_utf8_with_and_without_a_declared_charset(content_type: str | None, head: str) -> None:
    html = page(head=head)
    decoded = decode_html(html.encode("utf-8"), content_type)
    assert decoded.encoding == "utf-8"
    assert decoded.problem is None
    assert decoded.text == html


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1258"])
def test_a_byte_order_mark_wins_and_is_removed(
    bom: bytes, codec: str, expected: str, content_type: str | None
) -> None:
    html = page(head='<meta charset="iso-8859-1">')
    decoded = decode_html(bom + html.encode(codec), content_type)
    assert decoded.encoding == expected
    assert decoded.problem is None
    assert decoded.text == html  # no BOM character left at the start
    assert NEWS in decoded.text


def test_a_page_cut_inside_a_utf8_character_keeps_everything_before_the_cut() -> None:
    data = page().encode("utf-8")
    cut = data[: data.index("phục vụ".encode()) + 4]  # "p", "h", then 2 of the 3 bytes of "ụ"
    for content_type in (None, "text/html; charset=utf-8"):
        decoded = decode_html(cut, content_type)
        assert decoded.encoding == "utf-8"
        assert decoded.text.endswith("nâng cao chất lượng ph\ufffd")
        assert decoded.text.count("\ufffd") == 1
        assert TITLE in decoded.text


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=windows-1258",
        "text/html; charset=windows-1252",
        "text/html; charset=iso-8859-1",
    ],
)
def test_utf8_bytes_declared_as_a_legacy_charset_are_read_as_utf8(content_type: str) -> None:
    html = page()
    decoded = decode_html(html.encode("utf-8"), content_type)
    assert decoded.encoding == "utf-8"
    assert decoded.text == html


# -- windows-1258 ------------------------------------------------------------------------------

CP1258_CASES = [
    pytest.param("text/html; charset=windows-1258", "", id="header"),
    pytest.param("text/html; charset=Windows-1258", "", id="header-mixed-case"),
    pytest.param(None, '<meta charset="windows-1258">', id="meta-charset"),
    pytest.param(
        None,
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">',
        id="meta-http-equiv",
    ),
    pytest.param(None, "", id="undeclared"),
    pytest.param("text/html", "", id="header-without-charset"),
    pytest.param("text/html; charset=utf-8", "", id="header-wrongly-utf8"),
    pytest.param("text/html; charset=iso-8859-1", "", id="header-wrongly-latin1"),
    pytest.param(None, '<meta charset="utf-8">', id="meta-wrongly-utf8"),
    pytest.param(None, '<meta charset="iso-8859-1">', id="meta-wrongly-latin1"),
    pytest.param(
        "text/html; charset=utf-8", '<meta charset="windows-1258">', id="header-wrong-meta-right"
    ),
]


@pytest.mark.parametrize(("content_type", "head"), CP1258_CASES)
def test_windows_1258_is_detected_and_composed_to_nfc(content_type: str | None, head: str) -> None:
    html = page(head=head)
    data = cp1258_bytes(html)
    assert "\u0300".encode("cp1258") in data  # really decomposed bytes (huyền as 0xCC)
    decoded = decode_html(data, content_type)
    assert decoded.encoding == "cp1258"
    assert decoded.problem is None
    assert decoded.text == html
    assert unicodedata.is_normalized("NFC", decoded.text)
    assert NEWS in decoded.text and TITLE in decoded.text


# -- TCVN3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        pytest.param(None, "", id="undeclared"),
        pytest.param("text/html", "", id="header-without-charset"),
        pytest.param("text/html; charset=windows-1252", "", id="header-cp1252"),
        pytest.param("text/html; charset=iso-8859-1", "", id="header-latin1"),
        pytest.param(None, '<meta charset="windows-1252">', id="meta-cp1252"),
        pytest.param(
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
            id="meta-latin1",
        ),
    ],
)
def test_tcvn3_is_detected_and_converted(content_type: str | None, head: str) -> None:
    data = tcvn3_bytes(page(NEWS_VN3, head=head, title="Hội nghị sơ kết"))
    assert b"<title>H\xe9i ngh\xde s\xac k\xd5t</title>" in data  # "Héi nghÞ s¬ kÕt"
    decoded = decode_html(data, content_type)
    assert decoded.encoding == "tcvn3"
    assert decoded.problem is None
    assert NEWS_VN3 in decoded.text
    assert "<title>Hội nghị sơ kết</title>" in decoded.text
    assert "¸" not in decoded.text and "Þ" not in decoded.text


@pytest.mark.parametrize(
    "opening",
    [
        '<font face=".VnTimeH">',
        "<font face='.VnTimeH' size=4>",
        '<font face=".VnArialH">',
        '<span style="font-family: .VnTimeH; font-size: 14pt">',
        "<p style=\"font-family:'.VnTimeH'\">",
    ],
)
def test_tcvn3_capitals_font_run_comes_out_upper_case(opening: str) -> None:
    tag = opening[1:].split()[0].rstrip(">")
    heading = "Hội nghị tổng kết công tác năm 2023 của tỉnh Hưng Yên"
    data = (
        b"<html><body><div>"
        + opening.encode()
        + tcvn3_caps_bytes(heading)
        + f"</{tag}>".encode()
        + b"<p>"
        + tcvn3_bytes(NEWS_VN3)
        + b"</p></div></body></html>"
    )
    decoded = decode_html(data, "text/html; charset=windows-1252")
    assert decoded.encoding == "tcvn3"
    assert f"{opening}HỘI NGHỊ TỔNG KẾT CÔNG TÁC NĂM 2023 CỦA TỈNH HƯNG YÊN</{tag}>" in decoded.text
    # The normal-font text around it keeps its case.
    assert NEWS_VN3 in decoded.text


def test_tcvn3_capitals_run_with_inline_markup_is_upper_case_throughout() -> None:
    run = (
        tcvn3_caps_bytes("hội nghị ")
        + b"<b>"
        + tcvn3_caps_bytes("tổng")
        + b"</b>"
        + tcvn3_caps_bytes(" kết công tác")
    )
    data = b'<p><font face=".VnTimeH">' + run + b"</font></p><p>" + tcvn3_bytes(NEWS_VN3) + b"</p>"
    decoded = decode_html(data, "text/html; charset=windows-1252")
    assert decoded.encoding == "tcvn3"
    assert '<font face=".VnTimeH">HỘI NGHỊ <b>TỔNG</b> KẾT CÔNG TÁC</font>' in decoded.text


def test_tcvn3_capitals_run_keeps_entities_intact() -> None:
    data = (
        b'<p><font face=".VnTimeH">'
        + tcvn3_caps_bytes("tỉnh")
        + b"&nbsp;"
        + tcvn3_caps_bytes("hưng yên")
        + b"</font></p><p>"
        + tcvn3_bytes(NEWS_VN3)
        + b"</p>"
    )
    decoded = decode_html(data, "text/html; charset=windows-1252")
    assert "TỈNH&nbsp;HƯNG YÊN" in decoded.text


# -- VNI ----------------------------------------------------------------------------------------

VNI_TEXT = (
    "Vieät Nam ñang phaùt trieån kinh teá soá. Saùng nay, UBND tænh toå chöùc hoäi nghò sô keát "
    "coâng taùc chuyeån ñoåi soá quyù I naêm 2023 vaø ñeà ra giaûi phaùp trong thôøi gian tôùi."
)


# The example phrase alone reads the same in cp1258 and cp1252 (no byte differs).
VNI_PHRASE = "Vieät Nam ñang phaùt trieån kinh teá soá vaø chuyeån ñoåi soá quoác gia."


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        pytest.param(VNI_TEXT, "text/html; charset=windows-1252", id="cp1252"),
        pytest.param(VNI_TEXT, "text/html; charset=iso-8859-1", id="latin1"),
        pytest.param(VNI_TEXT, None, id="undeclared"),
        pytest.param(VNI_PHRASE, "text/html; charset=windows-1252", id="phrase-cp1252"),
        pytest.param(VNI_PHRASE, None, id="phrase-undeclared"),
    ],
)
def test_vni_text_is_refused_with_a_reason(text: str, content_type: str | None) -> None:
    html = page(text, title="Tin tuc")
    decoded = decode_html(html.encode("latin-1"), content_type)
    assert decoded.problem is not None
    assert "VNI" in decoded.problem


def test_vietnamese_with_a_few_vni_like_letters_is_not_refused() -> None:
    # "Việt Nam ñ": real Vietnamese that happens to contain a Latin-1 letter is fine.
    html = page(NEWS + " (Español: Viet Nam, España)")
    for data, content_type in (
        (html.encode("utf-8"), None),
        (cp1258_bytes(html), "text/html; charset=windows-1258"),
    ):
        decoded = decode_html(data, content_type)
        assert decoded.problem is None
        assert decoded.text == html


# -- normalization -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "codec", "content_type"),
    [
        (b"", "utf-8", None),
        (b"", "utf-8", "text/html; charset=utf-8"),
        (codecs.BOM_UTF8, "utf-8", None),
        (codecs.BOM_UTF16_LE, "utf-16-le", None),
    ],
)
def test_nfd_input_comes_out_nfc(prefix: bytes, codec: str, content_type: str | None) -> None:
    html = page()
    decomposed = unicodedata.normalize("NFD", html)
    assert decomposed != html
    decoded = decode_html(prefix + decomposed.encode(codec), content_type)
    assert decoded.text == html
    assert unicodedata.is_normalized("NFC", decoded.text)


# -- pages that are not Vietnamese, or barely -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "content_type"),
    [
        pytest.param(ENGLISH, "ascii", None, id="ascii-undeclared"),
        pytest.param(ENGLISH, "ascii", "text/html; charset=utf-8", id="ascii-utf8"),
        pytest.param(ENGLISH, "ascii", "text/html; charset=iso-8859-1", id="ascii-latin1"),
        pytest.param(ENGLISH, "ascii", "text/html; charset=windows-1258", id="ascii-cp1258"),
        pytest.param(
            ENGLISH + " Prices rose 5% – “sharply” – to €12, the café said.",
            "utf-8",
            None,
            id="english-utf8",
        ),
        pytest.param(
            ENGLISH + " Prices rose 5% – “sharply” – to €12, the café said.",
            "cp1252",
            "text/html; charset=windows-1252",
            id="english-cp1252-declared",
        ),
        pytest.param(
            ENGLISH + " Flights from São Paulo to Malmö and Curaçao resumed, the café said.",
            "cp1252",
            None,
            id="english-cp1252-undeclared",
        ),
        pytest.param(
            ENGLISH + " Delegates from Zürich and Ångström Labs attended.",
            "latin-1",
            "text/html; charset=iso-8859-1",
            id="english-latin1-declared",
        ),
    ],
)
def test_english_pages_are_not_mangled(text: str, codec: str, content_type: str | None) -> None:
    html = page(text, title="Digital transformation conference")
    decoded = decode_html(html.encode(codec), content_type)
    assert decoded.problem is None
    assert decoded.text == html


def test_undeclared_western_european_page_is_read_as_windows_1252() -> None:
    html = page(
        ENGLISH + " Niccolò Machiavelli was born in Florence; Forlì is a city in Italy.",
        title="Digital transformation conference",
    )
    decoded = decode_html(html.encode("cp1252"))
    assert decoded.text == html


MARKUP = (
    "<script>var _gaq = _gaq || []; function menu(a){return document.getElementById(a);}"
    + "window.cfg = {a: 1, b: 'x'};" * 200
    + "</script><style>"
    + ".menu a{color:#036;padding:2px 4px}.footer{font-size:11px}" * 120
    + "</style>"
)
MENU = "<ul class='menu'>" + "<li><a href='/gioi-thieu'>Gioi thieu</a></li>" * 200 + "</ul>"
HEADLINE = "Tỉnh Bình Định đẩy mạnh chuyển đổi số"
HEADLINE_VN3 = "tỉnh Bình Định đẩy mạnh chuyển đổi số"


def _markup_page(headline: str, before: str = MARKUP) -> str:
    return (
        f"<html><head><title>Portal</title>{before}</head><body>{MENU}"
        f"<div class='news'><a href='/tin/1'>{headline}</a></div></body></html>"
    )


@pytest.mark.parametrize(
    ("encode", "content_type", "headline", "expected"),
    [
        pytest.param(str.encode, None, HEADLINE, "utf-8", id="utf-8"),
        pytest.param(cp1258_bytes, None, HEADLINE, "cp1258", id="cp1258-undeclared"),
        pytest.param(
            cp1258_bytes, "text/html; charset=windows-1258", HEADLINE, "cp1258", id="cp1258"
        ),
        pytest.param(tcvn3_bytes, None, HEADLINE_VN3, "tcvn3", id="tcvn3-undeclared"),
        pytest.param(
            tcvn3_bytes, "text/html; charset=windows-1252", HEADLINE_VN3, "tcvn3", id="tcvn3"
        ),
    ],
)
def test_mostly_markup_page_with_a_little_vietnamese_decodes_right(
    encode: Callable[[str], bytes], content_type: str | None, headline: str, expected: str
) -> None:
    html = _markup_page(headline)
    assert len(html) > 20_000 and len(headline) < 0.005 * len(html)
    data = encode(html)
    decoded = decode_html(data, content_type)
    assert decoded.encoding == expected
    assert decoded.text == html


VIEWSTATE = (
    "<input type='hidden' name='__VIEWSTATE' value='" + "dDwtMTQ2NjQ1NzU3NTs7Pg" * 3500 + "'>"
)


@pytest.mark.parametrize(
    ("encode", "content_type", "headline"),
    [
        pytest.param(cp1258_bytes, None, HEADLINE, id="cp1258-undeclared"),
        pytest.param(tcvn3_bytes, "text/html; charset=windows-1252", HEADLINE_VN3, id="tcvn3"),
    ],
)
def test_legacy_page_with_a_large_viewstate_decodes_right(
    encode: Callable[[str], bytes], content_type: str | None, headline: str
) -> None:
    html = _markup_page(headline, before=VIEWSTATE)
    assert len(html) > 70_000
    decoded = decode_html(encode(html), content_type)
    assert "\ufffd" not in decoded.text
    assert headline in decoded.text


# -- scoring and the TCVN3 table -----------------------------------------------------------------


def test_vietnamese_score_orders_real_text_mojibake_and_english() -> None:
    real = vietnamese_score(NEWS)
    mojibake = {
        "utf-8 read as cp1252": NEWS.encode("utf-8").decode("cp1252", "replace"),
        "cp1258 read as cp1252": cp1258_bytes(NEWS).decode("cp1252", "replace"),
        "tcvn3 read as latin-1": tcvn3_bytes(NEWS_VN3).decode("latin-1"),
    }
    english = vietnamese_score(ENGLISH)
    assert english == 0.0
    for name, text in mojibake.items():
        score = vietnamese_score(text)
        assert real > score > english, (name, real, score, english)
    assert real > 1.5  # nearly every word is a valid Vietnamese syllable
    # Decomposed input scores like its composed form.
    assert vietnamese_score(unicodedata.normalize("NFD", NEWS)) == pytest.approx(real)


@pytest.mark.parametrize(
    ("vn3", "unicode"),
    [
        ("B¸t X¸t", "Bát Xát"),
        ("H\xadng Yªn", "Hưng Yên"),
        ("Hµ Néi", "Hà Nội"),
        ("§µ N½ng", "Đà Nẵng"),
        ("Qu¶ng Ng·i", "Quảng Ngãi"),
        ("Th¸i B×nh", "Thái Bình"),
        ("CÇn Th¬", "Cần Thơ"),
        ("Kh¸nh Hßa", "Khánh Hòa"),
        ("§¾k L¾k", "Đắk Lắk"),
        ("Thõa Thiªn HuÕ", "Thừa Thiên Huế"),
        ("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ"),
        ("UBND tinh 2023 <b>abc</b>", "UBND tinh 2023 <b>abc</b>"),
    ],
)
def test_tcvn3_to_unicode_on_known_words(vn3: str, unicode: str) -> None:
    assert tcvn3_to_unicode(vn3) == unicode
    assert tcvn3_bytes(unicode) == vn3.encode("latin-1")


def test_tcvn3_table_round_trips_every_letter() -> None:
    letters = "".join(_TCVN3.values())
    # 12 vowels x 5 tones, the 7 shaped lower-case letters, the 7 dedicated capitals.
    assert len(set(letters)) == len(letters) == 60 + 7 + 7
    assert tcvn3_to_unicode(tcvn3_bytes(letters).decode("latin-1")) == letters
    assert tcvn3_to_unicode(tcvn3_bytes(NEWS_VN3).decode("latin-1")) == NEWS_VN3
