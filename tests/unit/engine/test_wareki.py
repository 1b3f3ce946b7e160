from datetime import UTC, date, datetime

import pytest

from certificate_engine import wareki


@pytest.mark.parametrize(("day", "expected"), [
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(2026, 11, 25), "令和8年11月25日"),
    (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1989, 1, 8), "平成元年1月8日"),
    (date(1926, 12, 25), "昭和元年12月25日"),
    (date(1926, 12, 24), "大正15年12月24日"),
])
def test_format_date_at_era_boundaries(day, expected):
    assert wareki.format_date(day) == expected


def test_format_date_without_gannen():
    assert wareki.format_date(date(2019, 5, 1), gannen=False) == "令和1年5月1日"


def test_format_datetime_uses_japan_time():
    # 2026-11-25 15:30 UTC is 2026-11-26 00:30 in Japan
    assert wareki.format_datetime(datetime(2026, 11, 25, 15, 30, tzinfo=UTC)) == "令和8年11月26日 00:30"


def test_before_meiji_is_refused():
    with pytest.raises(ValueError):
        wareki.format_date(date(1800, 1, 1))


def test_empty_values_format_as_empty_text():
    assert wareki.format_date(None) == ""
    assert wareki.format_datetime(None) == ""


@pytest.mark.parametrize(("era", "year", "month", "day", "expected"), [
    ("平成", 31, 4, 30, date(2019, 4, 30)),
    ("平成", 31, 5, 1, None),  # 令和元年 by then
    ("令和", 1, 5, 1, date(2019, 5, 1)),
    ("R", 1, 4, 30, None),
    ("h", 9, 5, 1, date(1997, 5, 1)),
    ("昭和", 64, 1, 7, date(1989, 1, 7)),
    ("S", 64, 1, 8, None),
    ("明治", 1, 1, 25, date(1868, 1, 25)),
    ("M", 1, 1, 24, None),
    ("令和", 0, 5, 1, None),
    ("令和", 8, 2, 29, None),
    ("令和", 6, 2, 29, date(2024, 2, 29)),
    ("慶応", 1, 1, 1, None),
])
def test_from_era_knows_where_each_era_begins_and_ends(era, year, month, day, expected):
    assert wareki.from_era(era, year, month, day) == expected


def test_from_era_reads_back_every_era_s_first_and_last_day():
    starts = sorted(start for start, _ in wareki.ERAS)
    for first, following in zip(starts, [*starts[1:], None], strict=True):
        for day in (first, following and date.fromordinal(following.toordinal() - 1)):
            if day is not None:
                name, year = wareki.era_of(day)
                assert wareki.from_era(name, year, day.month, day.day) == day
