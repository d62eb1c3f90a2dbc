"""crawler/extract/dates.py: portal date strings -> aware datetimes in Vietnam time."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.dates import parse_iso_date, parse_vn_date, plausible

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SEVEN_HOURS = timedelta(hours=7)

# (id, text, expected ISO in Vietnam time, whether the string carried a time of day)
FORMATS = [
    ("weekday", "Thứ Sáu, 17/03/2023 08:30", "2023-03-17T08:30:00+07:00", True),
    ("weekday-lower-dash", "Thứ sáu, 17/3/2023 - 08:30", "2023-03-17T08:30:00+07:00", True),
    ("weekday-digit", "Thứ 6, 17/03/2023 08:30", "2023-03-17T08:30:00+07:00", True),
    ("sunday", "Chủ nhật, 19/03/2023 07:05", "2023-03-19T07:05:00+07:00", True),
    ("liferay-am", "21/07/2022 | 10:00 AM", "2022-07-21T10:00:00+07:00", True),
    ("liferay-pm", "21/07/2022 | 03:20 PM", "2022-07-21T15:20:00+07:00", True),
    ("liferay-12pm-is-noon", "21/07/2022 | 12:05 PM", "2022-07-21T12:05:00+07:00", True),
    ("liferay-12am-is-midnight", "21/07/2022 | 12:30 AM", "2022-07-21T00:30:00+07:00", True),
    ("liferay-lower-am", "21/07/2022 | 10:00 am", "2022-07-21T10:00:00+07:00", True),
    ("daklak-list", "(29/06/2026, 14:49)", "2026-06-29T14:49:00+07:00", True),
    (
        "daklak-list-after-title",
        "Gia Lai phát triển du lịch cộng đồng. (29/06/2026, 14:49)",
        "2026-06-29T14:49:00+07:00",
        True,
    ),
    ("views-with-dot", "10/06/2026 | Lượt xem: 1.532", "2026-06-10T00:00:00+07:00", False),
    ("views", "17/03/2023 | Lượt xem: 92", "2023-03-17T00:00:00+07:00", False),
    ("ngay-dang-pm", "Ngày đăng 06/01/2016 | 03:20 PM", "2016-01-06T15:20:00+07:00", True),
    ("tin-dang-ngay", "Tin đăng ngày: 6/2/2020 - Xem: 92", "2020-02-06T00:00:00+07:00", False),
    ("time-h-first", "Cập nhật lúc 14h30 ngày 17/03/2023", "2023-03-17T14:30:00+07:00", True),
    ("time-first", "08:30 17/03/2023", "2023-03-17T08:30:00+07:00", True),
    ("time-first-dash", "14:49 - 29/06/2026", "2026-06-29T14:49:00+07:00", True),
    ("words", "17 tháng 3 năm 2023", "2023-03-17T00:00:00+07:00", False),
    ("words-capitalised", "Ngày 17 Tháng 3 Năm 2023", "2023-03-17T00:00:00+07:00", False),
    (
        "words-with-time",
        "Ngày 17 tháng 03 năm 2023 lúc 14:30",
        "2023-03-17T14:30:00+07:00",
        True,
    ),
    ("seconds", "17/03/2023 - 08:30:15", "2023-03-17T08:30:15+07:00", True),
    ("h-separator", "17/03/2023 08h30", "2023-03-17T08:30:00+07:00", True),
    ("luc", "Đăng lúc: 17/03/2023 lúc 8h05", "2023-03-17T08:05:00+07:00", True),
    ("chieu", "17/03/2023 08:30 chiều", "2023-03-17T20:30:00+07:00", True),
    ("ch-tag", "06/01/2016 03:20 CH", "2016-01-06T15:20:00+07:00", True),
    ("dots", "17.03.2023", "2023-03-17T00:00:00+07:00", False),
    ("leap-day", "29/02/2024", "2024-02-29T00:00:00+07:00", False),
    ("iso-naive", "2026-01-19T08:50:00", "2026-01-19T08:50:00+07:00", True),
    ("iso-offset", "2023-03-17T08:30:00+07:00", "2023-03-17T08:30:00+07:00", True),
    ("iso-utc-z", "2023-03-17T01:30:00Z", "2023-03-17T08:30:00+07:00", True),
    ("iso-utc-offset", "2023-03-17T01:30:00+00:00", "2023-03-17T08:30:00+07:00", True),
    ("iso-minus-offset", "2023-03-17T08:30:00-05:00", "2023-03-17T20:30:00+07:00", True),
    ("iso-space", "2023-03-17 08:30", "2023-03-17T08:30:00+07:00", True),
    ("iso-date-only", "2023-03-17", "2023-03-17T00:00:00+07:00", False),
    (
        "entities",
        "&#272;&#259;ng ng&agrave;y 17/03/2023 08:30",
        "2023-03-17T08:30:00+07:00",
        True,
    ),
    (
        "first-full-date-after-lead",
        "Ngày 17/3, tại Hội trường UBND tỉnh … Cập nhật 18/03/2023 09:00",
        "2023-03-18T09:00:00+07:00",
        True,
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "has_time"), [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS]
)
def test_parse_vn_date_formats(text: str, expected: str, has_time: bool) -> None:
    result = parse_vn_date(text)
    assert result is not None
    dt, timed = result
    assert dt.isoformat() == expected
    assert timed is has_time


@pytest.mark.parametrize(
    ("text", "expected", "has_time"), [f[1:] for f in FORMATS[:6]], ids=[f[0] for f in FORMATS[:6]]
)
def test_parse_vn_date_nfd_input(text: str, expected: str, has_time: bool) -> None:
    result = parse_vn_date(unicodedata.normalize("NFD", text))
    assert result is not None
    assert result[0].isoformat() == expected
    assert result[1] is has_time


@pytest.mark.parametrize(
    "text",
    [
        "Thứ Sáu, 17/03/2023 08:30",
        "21/07/2022 | 10:00 AM",
        "(29/06/2026, 14:49)",
        "17 tháng 3 năm 2023",
        "2023-03-17T01:30:00Z",
        "2023-03-17T08:30:00+09:00",
    ],
    ids=["weekday", "liferay", "daklak", "words", "iso-utc", "iso-tokyo"],
)
def test_parse_vn_date_is_aware_vietnam_time(text: str) -> None:
    result = parse_vn_date(text)
    assert result is not None
    dt = result[0]
    assert dt.tzinfo is not None
    assert dt.utcoffset() == SEVEN_HOURS
    assert str(dt.tzinfo) == "Asia/Ho_Chi_Minh"


def test_utc_iso_converts_to_vietnam_time() -> None:
    expected = datetime(2023, 3, 17, 8, 30, tzinfo=VN)
    parsed = parse_vn_date("2023-03-17T01:30:00Z")
    assert parsed is not None
    assert parsed[0] == expected
    assert parsed[0].hour == 8
    iso = parse_iso_date("2023-03-17T01:30:00Z")
    assert iso is not None
    assert iso.isoformat() == "2023-03-17T08:30:00+07:00"
    assert (iso.year, iso.month, iso.day, iso.hour, iso.minute) == (2023, 3, 17, 8, 30)


def test_utc_evening_rolls_over_to_next_vietnam_day() -> None:
    iso = parse_iso_date("2023-03-16T20:15:00Z")
    assert iso is not None
    assert iso.isoformat() == "2023-03-17T03:15:00+07:00"


@pytest.mark.parametrize(
    "text",
    [
        "Ngày 17/3, tại Hội trường UBND tỉnh, đồng chí Chủ tịch UBND tỉnh chủ trì hội nghị.",
        "(binhdinh.gov.vn) - Ngày 17/3, tại Hội trường UBND tỉnh, Sở Y tế tổ chức hội nghị.",
        "Sáng 17/3, đoàn công tác của tỉnh đã làm việc với huyện.",
        "Từ ngày 1/7, các xã mới chính thức đi vào hoạt động.",
        "ngày 17/3",
    ],
    ids=["lead", "binhdinh-dateline", "sang", "tu-ngay", "bare"],
)
def test_day_month_without_year_is_not_a_date(text: str) -> None:
    assert parse_vn_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2023",
        "31/02/2023 08:30",
        "29/02/2023",
        "17/13/2023",
        "00/03/2023",
        "2023-02-31T08:00:00",
        "2023-13-01",
        "12:05 PM",
        "Lượt xem: 1.532",
        "không có ngày đăng",
        "",
        None,
    ],
    ids=[
        "feb-31",
        "feb-31-with-time",
        "feb-29-non-leap",
        "month-13",
        "day-0",
        "iso-feb-31",
        "iso-month-13",
        "time-only",
        "views-only",
        "no-date",
        "empty",
        "none",
    ],
)
def test_invalid_or_missing_dates_give_none(text: str | None) -> None:
    assert parse_vn_date(text) is None


def test_parse_vn_date_honours_source_timezone() -> None:
    result = parse_vn_date("17/03/2023 08:30", tz=ZoneInfo("UTC"))
    assert result is not None
    assert result[0] == datetime(2023, 3, 17, 15, 30, tzinfo=VN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-19T08:50:00", "2026-01-19T08:50:00+07:00"),
        ("2023-03-17T08:30:00+07:00", "2023-03-17T08:30:00+07:00"),
        ("2023-03-17T01:30:00+00:00", "2023-03-17T08:30:00+07:00"),
        ("2023-03-17T08:30:00+0900", "2023-03-17T06:30:00+07:00"),
        ("2023-03-17 08:30:00", "2023-03-17T08:30:00+07:00"),
        ("  2023-03-17T08:30:00+07:00\n", "2023-03-17T08:30:00+07:00"),
        ("2023-03-17", "2023-03-17T00:00:00+07:00"),
    ],
    ids=["naive", "vn-offset", "utc-offset", "compact-offset", "space", "padded", "date-only"],
)
def test_parse_iso_date(text: str, expected: str) -> None:
    dt = parse_iso_date(text)
    assert dt is not None
    assert dt.isoformat() == expected
    assert dt.utcoffset() == SEVEN_HOURS


def test_parse_iso_date_naive_uses_given_timezone() -> None:
    dt = parse_iso_date("2023-03-17T01:30:00", tz=ZoneInfo("UTC"))
    assert dt is not None
    assert dt.isoformat() == "2023-03-17T08:30:00+07:00"


@pytest.mark.parametrize(
    "text",
    ["17/03/2023", "2023-13-01T00:00:00", "2023-02-30", "hôm nay", "", None],
    ids=["dmy", "month-13", "feb-30", "words", "empty", "none"],
)
def test_parse_iso_date_rejects(text: str | None) -> None:
    assert parse_iso_date(text) is None


# --------------------------------------------------------------------------------------------
# plausible
# --------------------------------------------------------------------------------------------

REFERENCE = datetime(2023, 3, 17, 12, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (REFERENCE, True),
        (REFERENCE - timedelta(days=3650), True),
        (REFERENCE + timedelta(minutes=59), True),
        (REFERENCE + timedelta(hours=1), True),
        (REFERENCE + timedelta(hours=1, seconds=1), False),
        (REFERENCE + timedelta(days=1), False),
        (datetime(2030, 1, 1, tzinfo=VN), False),
        (datetime(1995, 1, 1, 0, 0, tzinfo=VN), True),
        (datetime(1994, 12, 31, 23, 59, tzinfo=VN), False),
        (datetime(1970, 1, 1, tzinfo=VN), False),
        # the same instants written in UTC
        (datetime(2023, 3, 17, 5, 59, tzinfo=UTC), True),
        (datetime(2023, 3, 17, 6, 1, tzinfo=UTC), False),
        (datetime(1994, 12, 31, 17, 30, tzinfo=UTC), True),
        (None, False),
    ],
    ids=[
        "now",
        "ten-years-ago",
        "59-min-ahead",
        "exactly-1h-ahead",
        "1h-1s-ahead",
        "tomorrow",
        "2030",
        "1995-01-01",
        "1994-12-31",
        "1970",
        "utc-within-skew",
        "utc-beyond-skew",
        "utc-1995-in-vn",
        "none",
    ],
)
def test_plausible(dt: datetime | None, expected: bool) -> None:
    assert plausible(dt, reference=REFERENCE) is expected


def test_plausible_without_reference_uses_pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNFEEDS_NOW", "2023-03-18T09:00:00+07:00")
    assert plausible(datetime(2023, 3, 18, 9, 59, tzinfo=VN)) is True
    assert plausible(datetime(2023, 3, 18, 10, 1, tzinfo=VN)) is False


def test_parsed_pre_1995_date_is_not_plausible() -> None:
    result = parse_vn_date("17/03/1990 08:30")
    assert result is not None
    assert result[0].year == 1990
    assert plausible(result[0], reference=REFERENCE) is False


def test_parsed_future_date_is_not_plausible() -> None:
    result = parse_vn_date("(29/06/2026, 14:49)")
    assert result is not None
    assert plausible(result[0], reference=REFERENCE) is False
    assert plausible(result[0], reference=datetime(2026, 6, 29, 14, 0, tzinfo=VN)) is True


# --------------------------------------------------------------------------------------------
# regressions (bugs found by these tests, now fixed)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/07/2022 | 14:00 PM", "2022-07-21T14:00:00+07:00"),
        ("Ngày đăng 06/01/2016 | 15:20 PM", "2016-01-06T15:20:00+07:00"),
    ],
    ids=["14pm", "15pm"],
)
def test_24h_time_with_pm_keeps_the_date(text: str, expected: str) -> None:
    result = parse_vn_date(text)
    assert result is not None
    assert result[0].isoformat() == expected
    assert result[1] is True
