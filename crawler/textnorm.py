"""Vietnamese text normalization, in one place.

Three forms, each for one job:

- `clean_text`: what we store and display. NFC, no XML-illegal or control characters, no
  zero-width or soft-hyphen characters, HTML entities decoded, whitespace collapsed. The original
  tone-mark placement is kept (display is the portal's business).
- `norm_key`: what we compare and hash. `clean_text`, then one tone-mark placement
  ("hoà" = "hòa", "thuỷ" = "thủy", "khoẻ" = "khỏe") and lower case.
- `fold`: what the diacritic-insensitive search index holds. `norm_key` with every diacritic
  removed and đ -> d, so "binh dinh" finds "Bình Định".

NFC alone does not make the two tone styles equal: "hoà" is o + U+00E0 while "hòa" is U+00F2 + a.
So `norm_key` takes every syllable apart (base letters, one tone) and puts the tone back with one
rule (the traditional placement, the one most portals use).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import TypeVar, cast

T = TypeVar("T")

# Characters XML 1.0 forbids, plus C1 controls, lone surrogates and the non-characters.
_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# Zero-width and invisible formatting characters portals leave in copied text.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# XML-illegal and invisible characters, removed in one pass.
_DROP = re.compile(f"{_XML_ILLEGAL.pattern}|{_INVISIBLE.pattern}")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")

# Combining tone marks: grave, acute, tilde, hook above, dot below.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
# Vowels that carry a shape mark; the tone goes on them when present.
_MARKED_VOWELS = set("ăâêôơư")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def strip_illegal(text: str) -> str:
    """Remove characters that are illegal in XML 1.0 (and lone surrogates)."""
    return _XML_ILLEGAL.sub("", text)


def strip_invisible(text: str) -> str:
    """Remove zero-width and invisible formatting characters (they survive HTML sanitizing)."""
    return _INVISIBLE.sub("", text)


# "<" directly before a letter, "!", "/" or "?" opens a tag or a comment for an HTML tokenizer.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z!/?])")


def defang_markup(text: str) -> str:
    """Plain text that no renderer can take for markup: "<script>" becomes "< script>".

    Titles, authors and sapos are text, yet portals print markup into them (double-escaped
    titles, a <title> element's text, injections), and some feed readers render RSS titles as
    HTML. A space after the "<" keeps the text readable and makes it text for every tokenizer,
    lenient ones included."""
    return _TAG_OPEN.sub("< ", text) if "<" in text else text


def clean_text(text: str | None, *, keep_newlines: bool = False) -> str:
    """Display form: NFC, entities decoded, illegal/invisible characters gone, spaces collapsed."""
    if not text:
        return ""
    text = _clean_chars(text)
    if keep_newlines:
        text = _SPACES.sub(" ", text)
        text = _BLANK_LINES.sub("\n", text)
        return "\n".join(line.strip() for line in text.split("\n") if line.strip())
    return " ".join(text.split())  # str.split() knows every Unicode space


def _clean_chars(text: str) -> str:
    """`clean_text` but for the spaces: entities decoded, NFC, illegal/invisible characters gone."""
    text = html.unescape(text) if "&" in text else text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _DROP.sub("", text)


def split_tone(syllable: str) -> tuple[str, str]:
    """'hoà' -> ('hoa', U+0300). Shape marks (circumflex, breve, horn) stay on the letters."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONES:
            tone = ch  # a syllable has one tone; the last one wins on malformed input
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(base: str) -> int | None:
    """Index in `base` (lower case, toneless, NFC) of the letter that carries the tone."""
    start = 0
    # "qu" and "gi" before another vowel are consonants: the u/i does not take the tone.
    qu = base.startswith("qu") and len(base) > 2
    gi = base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS
    if qu or gi:
        start = 2
    i = start
    while i < len(base) and base[i] not in _VOWELS:
        i += 1
    if i == len(base):
        # "gì", "gỉ": the i after g is the only vowel.
        return 1 if base.startswith("gi") and len(base) == 2 else None
    j = i
    while j < len(base) and base[j] in _VOWELS:
        j += 1
    cluster = base[i:j]
    has_final = j < len(base)
    # A shape-marked vowel takes the tone ("ươ" -> on ơ, the later one).
    marked = [k for k, ch in enumerate(cluster) if ch in _MARKED_VOWELS]
    if marked:
        return i + marked[-1]
    if len(cluster) == 1:
        return i
    if has_final:
        return i + len(cluster) - 1
    if len(cluster) == 3:
        return i + 1
    return i  # open two-vowel syllables: hòa, thủy, khỏe, mía, của


@lru_cache(maxsize=65536)
def _retone(word: str) -> str:
    # Vietnamese has a few thousand syllables: caching makes this a dictionary lookup.
    base, tone = split_tone(word)
    if not tone:
        return base
    pos = _tone_position(base)
    if pos is None:
        return unicodedata.normalize("NFC", word)
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


def _unify_token(token: str) -> str:
    return _WORD.sub(lambda m: _retone(m.group(0)), token)


# Space-separated tokens ("định,", "(binhdinh.gov.vn)") already unified: a text is a few
# hundred dictionary lookups instead of a regex callback per syllable.
_TOKENS: dict[str, str] = {}
_MAX_TOKENS = 200_000


def unify_tones(text: str) -> str:
    """Put every syllable's tone mark in one place (expects lower case NFC text)."""
    get = _TOKENS.get
    return " ".join([get(token) or _unify_new(token) for token in text.split(" ")])


def _unify_new(token: str) -> str:
    done = _unify_token(token)
    if len(_TOKENS) < _MAX_TOKENS and len(token) < 40:
        _TOKENS[token] = done
    return done


def norm_key(text: str | None) -> str:
    """Matching/hashing form: clean, lower case, one tone placement."""
    cleaned = clean_text(text).lower()
    return unify_tones(cleaned)


# Space-separated token -> (its norm_key form, its syllables).
_ENTRIES: dict[str, tuple[str, tuple[str, ...]]] = {}


def _entry(token: str) -> tuple[str, tuple[str, ...]]:
    unified = _unify_token(token)
    entry = (unified, tuple(_SYLLABLE.findall(unified)))
    if len(_ENTRIES) < _MAX_TOKENS and len(token) < 40:
        _ENTRIES[token] = entry
    return entry


def cached_all(cache: dict[str, T], make: Callable[[str], T], keys: list[str]) -> list[T]:
    """`cache[key]` for each key, `make(key)` for those not in it (which caches what it makes):
    the lookups run in C, one `map` over the keys."""
    found = list(map(cache.get, keys))
    if None not in found:
        return cast(list[T], found)
    return [v if v is not None else make(k) for v, k in zip(found, keys, strict=True)]


def norm_key_words(text: str | None) -> tuple[str, list[str]]:
    """`norm_key(text)` and `syllables(text)` in one pass (one cached lookup per token).

    The tokens are those of `clean_text(text).lower().split(" ")` without building the cleaned
    text first: splitting a text is most of what cleaning costs, and no character's lower case
    is or holds a space unless it is one."""
    tokens = _clean_chars(text).lower().split() if text else []
    entries = cached_all(_ENTRIES, _entry, tokens)
    # itemgetter/chain: the per-token loops run in C.
    return " ".join(map(_FIRST, entries)), list(chain.from_iterable(map(_SECOND, entries)))


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


# The marks Vietnamese letters decompose into: five tones, circumflex, breve, horn.
_VI_MARKS = tuple(chr(c) for c in (0x300, 0x301, 0x303, 0x309, 0x323, 0x302, 0x306, 0x31B))
# What may still hold a combining mark after those are gone: another Latin mark, or a character
# outside Latin and general punctuation (other scripts have marks of their own).
_MAYBE_MARKED = re.compile("[\u0300-\u036f]|[^\x00-\u02ff\u2000-\u206f\u20a0-\u20cf]")


def strip_diacritics(text: str) -> str:
    """NFD, then every combining mark dropped (đ -> d first: it has no decomposition)."""
    out = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    for mark in _VI_MARKS:
        out = out.replace(mark, "")
    if _MAYBE_MARKED.search(out):
        out = "".join(ch for ch in out if not unicodedata.combining(ch))
    return out


def fold(text: str | None) -> str:
    """Search form without diacritics: 'Bình Định' -> 'binh dinh'."""
    return strip_diacritics(norm_key(text))


def fold_letters(key: str) -> str:
    """The part of `fold` an FTS5 `remove_diacritics 2` tokenizer does not do: đ -> d (a letter
    of its own, with no decomposition). For text already in `norm_key` form."""
    return key.replace("đ", "d")


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


def slugify(text: str) -> str:
    """ASCII slug: diacritics dropped, đ -> d, hyphens.

    'Bà Rịa - Vũng Tàu' -> 'ba-ria-vung-tau'
    """
    folded = strip_diacritics(clean_text(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


_SYLLABLE = re.compile(r"\w+")


def syllables(text: str | None) -> list[str]:
    """Folded-case syllable tokens (for shingles and token F1), diacritics kept."""
    return _SYLLABLE.findall(norm_key(text))
