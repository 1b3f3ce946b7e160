"""国民の祝日 (national holidays) as the 国民の祝日に関する法律 defines them, computed per year.

No holiday package is installed, and a hand-kept list of dates would silently stop at its last
year, so the law itself is written down: fixed days, the Happy Monday days, the equinoxes, the
振替休日 (a holiday on a Sunday moves to the next weekday that is not a holiday) and the 国民の休日
(a day between two holidays). The one-off changes of 2019–2021 (the accession, the Olympic
moves) are listed as data in ``SPECIAL``.

The equinox days use the usual formula fitted to the 国立天文台 tables (valid 1980–2099); the
cabinet fixes each year's dates in the February before, and they have matched the formula so far.
Years before 2016 (before 山の日) and after 2099 are refused rather than guessed.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIRST_YEAR, LAST_YEAR = 2016, 2099

FIXED = ((1, 1, "元日"), (2, 11, "建国記念の日"), (4, 29, "昭和の日"), (5, 3, "憲法記念日"), (5, 4, "みどりの日"),
         (5, 5, "こどもの日"), (8, 11, "山の日"), (11, 3, "文化の日"), (11, 23, "勤労感謝の日"))
# (month, nth Monday, name)
HAPPY_MONDAYS = ((1, 2, "成人の日"), (7, 3, "海の日"), (9, 3, "敬老の日"), (10, 2, "スポーツの日"))

# One-off changes by law: year → (days removed, days added).
SPECIAL: dict[int, tuple[tuple[date, ...], dict[date, str]]] = {
    2019: ((), {date(2019, 5, 1): "即位の日", date(2019, 10, 22): "即位礼正殿の儀"}),
    2020: ((date(2020, 7, 20), date(2020, 8, 11), date(2020, 10, 12)),
           {date(2020, 7, 23): "海の日", date(2020, 7, 24): "スポーツの日", date(2020, 8, 10): "山の日"}),
    2021: ((date(2021, 7, 19), date(2021, 8, 11), date(2021, 10, 11)),
           {date(2021, 7, 22): "海の日", date(2021, 7, 23): "スポーツの日", date(2021, 8, 8): "山の日"}),
}


def _nth_monday(year: int, month: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (nth - 1))


def _equinox(year: int, base: float) -> int:
    return int(base + 0.242194 * (year - 1980) - (year - 1980) // 4)


def _statutory_days(year: int) -> dict[date, str]:
    days = {date(year, m, d): name for m, d, name in FIXED}
    days.update({_nth_monday(year, m, n): name for m, n, name in HAPPY_MONDAYS})
    if year < 2020:
        days[_nth_monday(year, 10, 2)] = "体育の日"
    days[date(year, 3, _equinox(year, 20.8431))] = "春分の日"
    days[date(year, 9, _equinox(year, 23.2488))] = "秋分の日"
    if year >= 2020:
        days[date(year, 2, 23)] = "天皇誕生日"
    elif year <= 2018:
        days[date(year, 12, 23)] = "天皇誕生日"
    removed, added = SPECIAL.get(year, ((), {}))
    for day in removed:
        days.pop(day, None)
    days.update(added)
    return days


@lru_cache(maxsize=128)
def holidays(year: int) -> dict[date, str]:
    """Every 休日 of ``year`` (祝日, 振替休日, 国民の休日) with its name, as the law defines them."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"holidays are computed for {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    days = _statutory_days(year)
    for day in sorted(days):
        if day.weekday() == 6:  # 振替休日: the next day that is not a holiday
            substitute = day + timedelta(days=1)
            while substitute in days:
                substitute += timedelta(days=1)
            days.setdefault(substitute, "振替休日")
    for day in sorted(days):
        between = day + timedelta(days=1)
        if between not in days and between + timedelta(days=1) in days and between.weekday() != 6:
            days[between] = "国民の休日"
    return dict(sorted(days.items()))


def holiday_name(day: date) -> str | None:
    """The name of the holiday on ``day``, or None on an ordinary day."""
    return holidays(day.year).get(day)
