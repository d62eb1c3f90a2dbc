"""Time in Vietnam, and the one clock every part of vnfeeds reads.

`VNFEEDS_NOW` (an ISO datetime) pins the clock; child processes inherit it through the
environment, so a test that sets it sees the same "now" in the crawler, the store and the feeds.
Every timestamp we write is ISO 8601 in Vietnam time with its offset, seconds precision, so that
text ordering is time ordering (`2023-03-17T08:30:00+07:00`).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW_ENV = "VNFEEDS_NOW"


def parse_iso(value: str, default_tz: ZoneInfo | timezone = VN_TZ) -> datetime:
    """Parse an ISO 8601 datetime; a naive value is taken as Vietnam time."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    return dt


def now() -> datetime:
    """The current time in Vietnam, or the pinned `VNFEEDS_NOW`."""
    pinned = os.environ.get(NOW_ENV)
    if pinned:
        try:
            return parse_iso(pinned).astimezone(VN_TZ)
        except ValueError as exc:
            raise ValueError(
                f"{NOW_ENV}={pinned!r} is not an ISO datetime (e.g. 2023-03-18T09:00:00+07:00)"
            ) from exc
    return datetime.now(VN_TZ)


def to_vn(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ)


def iso(dt: datetime) -> str:
    """The store's one timestamp format: Vietnam time, seconds, with offset."""
    return to_vn(dt).replace(microsecond=0).isoformat()


def now_iso() -> str:
    return iso(now())


def parse_duration(text: str) -> timedelta:
    """'30m', '2h', '1d', '45s' (also '1h30m') -> timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    total = 0
    number = ""
    matched = False
    for ch in text.strip().lower():
        if ch.isdigit():
            number += ch
        elif ch in units and number:
            total += int(number) * units[ch]
            number = ""
            matched = True
        else:
            raise ValueError(
                f"bad duration {text!r}. Fix: use a number and a unit, e.g. 30m, 2h, 1d"
            )
    if number or not matched:
        raise ValueError(f"bad duration {text!r}. Fix: use a number and a unit, e.g. 30m, 2h, 1d")
    return timedelta(seconds=total)
