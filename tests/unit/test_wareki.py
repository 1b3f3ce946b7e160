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
