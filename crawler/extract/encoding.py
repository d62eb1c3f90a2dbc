"""Decoding portal pages: charset from the BOM, the HTTP header, the <meta> tag, then detection;
legacy Vietnamese encodings recognised instead of stored as mojibake.

- windows-1258 (Microsoft's Vietnamese code page; tones as combining marks) is decoded and
  composed to NFC.
- TCVN3 ("ABC", TCVN 5712:1993 VN3) is a font encoding: pages declare windows-1252 or nothing
  and rely on .VnTime fonts to draw Vietnamese letters on Latin-1 bytes ("B¸t X¸t" is
  "Bát Xát"). Text that reads as TCVN3 is converted with the standard table; capitals drawn by
  the all-capitals fonts (.VnTimeH) are upper-cased where the markup names such a font.
- VNI (VNI-Times) is also a font encoding, with tones as separate Latin-1 letters ("Vieät Nam"):
  pages in it are refused with a stated reason rather than stored garbled.

Every candidate decoding is scored by how much of its text reads as Vietnamese syllables; the
declared charset wins unless it decodes with errors or another reading is clearly better.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from crawler.textnorm import split_tone

# TCVN3 (VN3) -> Unicode, lower case and the seven dedicated capitals (TCVN 5712:1993).
_TCVN3 = {
    "\u00a1": "Ă",
    "\u00a2": "Â",
    "\u00a3": "Ê",
    "\u00a4": "Ô",
    "\u00a5": "Ơ",
    "\u00a6": "Ư",
    "\u00a7": "Đ",
    "\u00a8": "ă",
    "\u00a9": "â",
    "\u00aa": "ê",
    "\u00ab": "ô",
    "\u00ac": "ơ",
    "\u00ad": "ư",
    "\u00ae": "đ",
    "\u00b5": "à",
    "\u00b6": "ả",
    "\u00b7": "ã",
    "\u00b8": "á",
    "\u00b9": "ạ",
    "\u00bb": "ằ",
    "\u00bc": "ẳ",
    "\u00bd": "ẵ",
    "\u00be": "ắ",
    "\u00c6": "ặ",
    "\u00c7": "ầ",
    "\u00c8": "ẩ",
    "\u00c9": "ẫ",
    "\u00ca": "ấ",
    "\u00cb": "ậ",
    "\u00cc": "è",
    "\u00ce": "ẻ",
    "\u00cf": "ẽ",
    "\u00d0": "é",
    "\u00d1": "ẹ",
    "\u00d2": "ề",
    "\u00d3": "ể",
    "\u00d4": "ễ",
    "\u00d5": "ế",
    "\u00d6": "ệ",
    "\u00d7": "ì",
    "\u00d8": "ỉ",
    "\u00dc": "ĩ",
    "\u00dd": "í",
    "\u00de": "ị",
    "\u00df": "ò",
    "\u00e1": "ỏ",
    "\u00e2": "õ",
    "\u00e3": "ó",
    "\u00e4": "ọ",
    "\u00e5": "ồ",
    "\u00e6": "ổ",
    "\u00e7": "ỗ",
    "\u00e8": "ố",
    "\u00e9": "ộ",
    "\u00ea": "ờ",
    "\u00eb": "ở",
    "\u00ec": "ỡ",
    "\u00ed": "ớ",
    "\u00ee": "ợ",
    "\u00ef": "ù",
    "\u00f1": "ủ",
    "\u00f2": "ũ",
    "\u00f3": "ú",
    "\u00f4": "ụ",
    "\u00f5": "ừ",
    "\u00f6": "ử",
    "\u00f7": "ữ",
    "\u00f8": "ứ",
    "\u00f9": "ự",
    "\u00fa": "ỳ",
    "\u00fb": "ỷ",
    "\u00fc": "ỹ",
    "\u00fd": "ý",
    "\u00fe": "ỵ",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)
_VIET_LETTERS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
# A Vietnamese syllable: onset, a vowel nucleus that exists in the language, coda. Checked on
# the toneless form (tones stripped, shape marks kept) so that letters converted from the wrong
# legacy encoding ("vieọt", "ủang") are not mistaken for Vietnamese.
_NUCLEI = re.findall(
    r"\S+",
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iêu iu oa oă oai oao oay oe oeo oi ôi "
    "ơi oo ua uâ uây uê ui uô uôi uơ uy uya uyê uyu ưa ưi ưu ươ ươi ươu yê yêu",
)
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    rf"({'|'.join(sorted(_NUCLEI, key=len, reverse=True))})"
    r"(ng|nh|ch|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")
# VNI-Windows: a base vowel followed by a Latin-1 letter carrying the tone or the shape.
_VNI = re.compile(r"[aeiouyAEIOUY][øùûõïáàåãäâêéèúüëôö](?=[a-zA-Z\s.,;:!?)]|$)")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
# An element drawn with an all-capitals .Vn…H font, up to its own closing tag (the backreference
# keeps inline tags inside the run: <font face=".VnTimeH">a <b>b</b> c</font>).
_CAPS_FONT = re.compile(
    r"(<(font|span|p|div|b|strong|td|h\d)\b[^>]*(?:face|font-family)\s*[:=]\s*[\"']?\s*"
    r"\.?vn\w*h\b[^>]*>)(.*?)(</\2\s*>)",
    re.IGNORECASE | re.DOTALL,
)
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


SCORE_SAMPLE = 60_000  # characters scored per candidate decoding


@dataclass
class Decoded:
    text: str
    encoding: str  # what the bytes were read as ("utf-8", "cp1258", "tcvn3", …)
    problem: str | None = None  # set when the page should be refused


def vietnamese_score(text: str) -> float:
    """Share of the words with Vietnamese letters that are valid Vietnamese syllables, minus
    the share of words that look like mojibake."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    marked = [w for w in words if any(ch in _VIET_LETTERS or ord(ch) > 0x7F for ch in w)]
    if not marked:
        return 0.0
    good = sum(1 for w in marked if _SYLLABLE.match(split_tone(w)[0]))
    return (2 * good - len(marked)) / max(len(words), 1) + good / len(marked)


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (read as Latin-1).

    Capitals drawn by the all-capitals fonts (.VnTimeH) are upper-cased where the markup names
    such a font."""

    def caps(m: re.Match[str]) -> str:
        # Upper-case the text of the run, not its tags or entities.
        parts = _TAG_OR_ENTITY.split(m.group(3))
        inner = "".join(p if _TAG_OR_ENTITY.fullmatch(p) else p.upper() for p in parts)
        return m.group(1) + inner + m.group(4)

    converted = text.translate(_TCVN3_TABLE)
    return _CAPS_FONT.sub(caps, converted)


def _charset_of(content_type: str | None, head: bytes) -> tuple[str | None, str | None]:
    header = None
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        header = m.group(1).lower() if m else None
    m2 = _META_CHARSET.search(head[:4096])
    meta = m2.group(1).decode("ascii", "replace").lower() if m2 else None
    return header, meta


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    aliases = {
        "x-user-defined": "cp1252",
        "iso-8859-1": "cp1252",
        "latin1": "cp1252",
        "us-ascii": "cp1252",
        "ascii": "cp1252",
        "windows-1258": "cp1258",
    }
    name = aliases.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page, detecting windows-1258, TCVN3 and VNI text; NFC output."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            text = body[len(bom) :].decode(enc, "replace")
            return Decoded(unicodedata.normalize("NFC", text), enc)
    header, meta = _charset_of(content_type, body)
    declared = _codec(header) or _codec(meta)
    if declared in (None, "utf-8"):
        # Valid UTF-8 with multi-byte sequences is never an accident: the fast, common path.
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if declared or not body.isascii():
                return Decoded(unicodedata.normalize("NFC", text), "utf-8")
    candidates: dict[str, tuple[str, int]] = {}
    for enc in dict.fromkeys(e for e in (declared, "utf-8", "cp1258", "cp1252") if e):
        text = body.decode(enc, "replace")
        candidates[enc] = (unicodedata.normalize("NFC", text), text.count("\ufffd"))
    latin = body.decode("latin-1")
    candidates["tcvn3"] = (unicodedata.normalize("NFC", tcvn3_to_unicode(latin)), 0)

    def quality(enc: str) -> float:
        # Scored on the text, not the markup: a page may open with 70 KB of __VIEWSTATE.
        sample = _MARKUP.sub(" ", candidates[enc][0])[:SCORE_SAMPLE]
        return vietnamese_score(sample) - sample.count("\ufffd") / max(len(sample), 1) * 50

    scores = {enc: quality(enc) for enc in candidates}
    # Ties go to windows-1252, the web's default for undeclared pages ("Forlì" is not Vietnamese).
    order = ["cp1252", *(c for c in candidates if c != "cp1252")]
    best = max(order, key=lambda enc: scores[enc])
    chosen = best
    # Trust the declared charset unless another reading is clearly more Vietnamese.
    if (
        declared in candidates
        and candidates[declared][1] == 0
        and scores[declared] >= scores[best] - 0.15
    ):
        chosen = declared
    text = candidates[chosen][0]
    problem = None
    if chosen != "utf-8":
        raw = _MARKUP.sub(" ", latin)[:SCORE_SAMPLE]
        words = max(len(_WORD.findall(raw)), 1)
        if len(_VNI.findall(raw)) / words > 0.05:
            problem = "VNI font-encoded text (VNI-Times): not converted, page refused"
    return Decoded(text, "tcvn3" if chosen == "tcvn3" else chosen, problem)
