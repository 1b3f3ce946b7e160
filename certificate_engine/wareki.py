"""和暦 (Japanese era) dates for screens, CSVs and certificates: formatting, and the day a 和暦 date names."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

# (first day of the era, name); newest first.
ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)
# The letters that stand for the eras in short forms (R8.11.25, H9.5.1).
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}


def era_of(day: date) -> tuple[str, int]:
    """The era name and year number of ``day`` (元年 is year 1)."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day.isoformat()} is before the Meiji era")


def from_era(era: str, year: int, month: int, day: int) -> date | None:
    """The day 和暦 ``era`` (its name, or its letter in ``ERA_LETTERS``) year ``year`` (元年 is 1),
    ``month``, ``day`` names; None when there is no such day in that era: an unknown era, a date the
    calendar does not have, or one before the era began or after it ended (平成31年5月1日)."""
    name = ERA_LETTERS.get(era.upper(), era)
    eras = [start for start, era_name in ERAS if era_name == name]
    if not eras or year < 1:
        return None
    start = eras[0]
    try:
        found = date(start.year + year - 1, month, day)
    except ValueError:
        return None
    later = [next_start for next_start, _ in ERAS if next_start > start]
    last_day = min(later) - timedelta(days=1) if later else date.max
    return found if start <= found <= last_day else None


def format_date(day: date | datetime | None, *, gannen: bool = True) -> str:
    """``令和8年11月25日``; the first year of an era is written 元年 unless ``gannen`` is False."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(JST).date() if day.tzinfo else day.date()
    era, year = era_of(day)
    year_text = "元" if (year == 1 and gannen) else str(year)
    return f"{era}{year_text}年{day.month}月{day.day}日"


def format_datetime(moment: datetime | None) -> str:
    """``令和8年11月25日 14:05`` in Japan time."""
    if moment is None:
        return ""
    local = moment.astimezone(JST) if moment.tzinfo else moment
    return f"{format_date(local.date())} {local:%H:%M}"
