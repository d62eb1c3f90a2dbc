"""Vietnamese portal dates -> timezone-aware datetimes.

Formats seen on the portals (PORTALS.md 4.4): `Thứ Sáu, 17/03/2023 08:30`, `21/07/2022 | 10:00 AM`,
`(29/06/2026, 14:49)`, `10/06/2026 | Lượt xem: 1.532`, `Ngày đăng 06/01/2016 | 03:20 PM`,
`Tin đăng ngày: 6/2/2020 - Xem: 92`, `08:30 17/03/2023`, `17 tháng 3 năm 2023`, ISO 8601 in meta
tags and APIs. Dates are day-first and Vietnam time unless they carry an offset.

A day and month without a year ("Ngày 17/3, …" in a lead) is never a publication date: every
pattern here needs a four-digit year. Future dates (beyond a small clock skew) and dates before
1995 (before any portal existed) are rejected by `plausible`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crawler.clock import VN_TZ, now, parse_iso
from crawler.textnorm import clean_text

EARLIEST = datetime(1995, 1, 1, tzinfo=VN_TZ)
# Portal clocks drift and some print the time of scheduling; allow this much into the future.
FUTURE_SKEW = timedelta(hours=1)

_TIME = (
    r"(?P<{p}h>[01]?\d|2[0-3])\s*[:hg]\s*(?P<{p}m>[0-5]\d)(?:\s*:\s*(?P<{p}s>[0-5]\d))?"
    r"(?:\s*(?P<{p}ampm>AM|PM|SA|CH|sáng|chiều|tối)\b)?"
)
_DMY = r"(?<!\d)(?P<d>[0-3]?\d)\s*[/.\-]\s*(?P<mo>[01]?\d)\s*[/.\-]\s*(?P<y>(?:19|20)\d\d)(?!\d)"
_DMY_WORDS = (
    r"(?<!\d)(?P<d>[0-3]?\d)\s+tháng\s+(?P<mo>[01]?\d)\s*(?:,\s*|\s+)năm\s+(?P<y>(?:19|20)\d\d)"
)
_SEP = r"[\s,|\-–—()\[\]lúcvàoLúcngày:]*"

_PATTERNS = [
    # date then time: "17/03/2023 08:30", "21/07/2022 | 10:00 AM", "(29/06/2026, 14:49)"
    re.compile(_DMY + _SEP + r"(?:" + _TIME.format(p="a") + r")?", re.IGNORECASE),
    re.compile(_DMY_WORDS + _SEP + r"(?:" + _TIME.format(p="a") + r")?", re.IGNORECASE),
]
# time then date: "08:30 17/03/2023", "14:49 - 29/06/2026"
_TIME_FIRST = re.compile(_TIME.format(p="b") + r"[\s,|\-–—]*(?:ngày\s*)?" + _DMY, re.IGNORECASE)
_ISO = re.compile(
    r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
    r"(?:Z|[+-][0-2]\d:?[0-5]\d)?)?)"
)


def _hour(h: int, ampm: str | None) -> int:
    if not ampm or h > 12:
        return h  # "14:00 PM": a 24-hour time with a stray marker
    tag = ampm.lower()
    if tag in {"pm", "ch", "chiều", "tối"}:
        return h if h == 12 else h + 12
    if tag in {"am", "sa", "sáng"}:
        return 0 if h == 12 else h
    return h


def _build(m: re.Match[str], prefix: str, tz: ZoneInfo) -> tuple[datetime, bool] | None:
    try:
        day, month, year = int(m.group("d")), int(m.group("mo")), int(m.group("y"))
        hour_s = m.group(f"{prefix}h")
        has_time = hour_s is not None
        hour = _hour(int(hour_s), m.group(f"{prefix}ampm")) if has_time else 0
        minute = int(m.group(f"{prefix}m")) if has_time else 0
        second = int(m.group(f"{prefix}s") or 0) if has_time else 0
        return datetime(year, month, day, hour, minute, second, tzinfo=tz), has_time
    except (ValueError, TypeError):
        return None


def parse_vn_date(text: str | None, tz: ZoneInfo = VN_TZ) -> tuple[datetime, bool] | None:
    """The first full date in `text`, with whether it carried a time of day.

    Returns None when there is no date with a four-digit year.
    """
    if not text:
        return None
    s = clean_text(text)
    candidates: list[tuple[int, datetime, bool]] = []
    m = _TIME_FIRST.search(s)
    if m:
        built = _build(m, "b", tz)
        if built:
            candidates.append((m.start(), *built))
    for pattern in _PATTERNS:
        m = pattern.search(s)
        if m:
            built = _build(m, "a", tz)
            if built:
                candidates.append((m.start(), *built))
    m = _ISO.search(s)
    if m:
        try:
            dt = parse_iso(m.group("iso").replace(" ", "T"), tz)
            candidates.append(
                (m.start(), dt.astimezone(tz), "T" in m.group("iso") or " " in m.group("iso"))
            )
        except ValueError:
            pass
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    _, dt, has_time = candidates[0]
    return dt, has_time


def parse_iso_date(text: str | None, tz: ZoneInfo = VN_TZ) -> datetime | None:
    """A machine date (meta tag, JSON-LD, <time datetime>); naive values are portal time."""
    if not text:
        return None
    m = _ISO.search(text.strip())
    if not m:
        return None
    try:
        return parse_iso(m.group("iso").replace(" ", "T"), tz).astimezone(VN_TZ)
    except ValueError:
        return None


def plausible(dt: datetime | None, reference: datetime | None = None) -> bool:
    """Not before 1995, not in the future (beyond FUTURE_SKEW)."""
    if dt is None:
        return False
    ref = reference or now()
    return EARLIEST <= dt <= ref + FUTURE_SKEW
