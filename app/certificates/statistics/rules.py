"""Pure rules of the issuance statistics and the monthly settlement (no DB, no Flask).

Definitions (docs/certificate-statistics.md):

- A month is the calendar month in Japan time (JST): ``[1st 00:00 JST, next 1st 00:00 JST)``.
- Office hours (窓口時間) are data (``OfficeHours``): by default weekdays 08:30–17:15 JST, opening
  time included and closing time excluded; Saturdays, Sundays, 国民の祝日 (``holidays.py``) and
  the year-end closure 12/29–1/3 are closed all day. An issue outside them is 時間外.
- 住所地以外 (outside the resident's municipality): a kiosk (コンビニ) issue whose store is in another
  municipality (``store_lg_code`` set and ≠ ``lg_code``). Other channels are at the municipality's
  own office or online, so they never count; kiosk rows without a store code count as inside.
- Both shares are taken over kiosk issues, as the seed's figures (市区町村窓口時間外のコンビニ交付割合,
  他市区町村でのコンビニ交付割合) are; the outside-hours count of every channel is shown too.
- Voided issues (``voided_at`` set) are left out of counts and settlement and counted separately.
- Money is integer yen. The municipality's net per issue = fee − store commission − BCL fee.
  Each issue's yen are those of its log row, as charged when it was issued.
- Kiosk issues of the 住民票記載事項証明書 carry no BCL fee; settlement lines count them apart
  (``SettlementLine.resident_items``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.certificates.rules import COUNTER, KIOSK, ONLINE, RESIDENT_ITEMS, SELF_SERVICE
from app.certificates.statistics.holidays import holiday_name
from app.clock import JST, era_of, require_aware

CHANNEL_ORDER = (COUNTER, SELF_SERVICE, ONLINE, KIOSK)
NO_STORE = "（店舗以外）"
WEEKDAY_NAMES = "月火水木金土日"


@dataclass(frozen=True)
class OfficeHours:
    """When the municipality's counter is open. ``extra_closed_days`` holds a municipality's own
    閉庁日; ``year_end`` is the closure from (month, day) to (month, day) across New Year."""

    opens: time = time(8, 30)
    closes: time = time(17, 15)
    closed_weekdays: frozenset[int] = frozenset({5, 6})
    year_end: tuple[tuple[int, int], tuple[int, int]] = ((12, 29), (1, 3))
    extra_closed_days: frozenset[date] = frozenset()

    def closed_reason(self, day: date) -> str | None:
        """Why the office is closed all day on ``day`` (土曜日, 祝日の名前, 年末年始…), or None."""
        if (day.month, day.day) >= self.year_end[0] or (day.month, day.day) <= self.year_end[1]:
            return "年末年始"
        if day in self.extra_closed_days:
            return "閉庁日"
        name = holiday_name(day)
        if name:
            return name
        if day.weekday() in self.closed_weekdays:
            return f"{WEEKDAY_NAMES[day.weekday()]}曜日"
        return None

    def is_open_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def within(self, moment: datetime) -> bool:
        """Whether ``moment`` (timezone-aware; a naive one is refused) falls in office hours, judged
        in Japan time."""
        local = require_aware(moment, "moment").astimezone(JST)
        return self.is_open_day(local.date()) and self.opens <= local.time() < self.closes

    def open_intervals(self, month: Month) -> list[tuple[datetime, datetime]]:
        """The half-open ``[opens, closes)`` intervals of ``month``'s open days, in Japan time: what
        the database tests each issue against (anything outside them is 時間外)."""
        return [(datetime.combine(day, self.opens, JST), datetime.combine(day, self.closes, JST))
                for day in month.days() if self.is_open_day(day) and self.opens < self.closes]


DEFAULT_OFFICE_HOURS = OfficeHours()


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in Japan time."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` → Month; anything else raises ValueError."""
        year, _, month = text.strip().partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
            raise ValueError(f"not a month: {text!r}")
        return cls(int(year), int(month))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The month in Japan time of ``moment`` (timezone-aware; a naive one is refused)."""
        local = require_aware(moment, "moment").astimezone(JST)
        return cls(local.year, local.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=JST)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def days(self) -> list[date]:
        first = date(self.year, self.month, 1)
        return [first + timedelta(days=n) for n in range((self.end.date() - first).days)]

    @property
    def wareki(self) -> str:
        era, year = era_of(date(self.year, self.month, 1))
        return f"{era}{'元' if year == 1 else year}年{self.month}月"

    @property
    def label(self) -> str:
        """``令和8年11月（2026年11月）``: the month picker shows both calendars."""
        return f"{self.wareki}（{self.year}年{self.month}月）"


def recent_months(current: Month, count: int = 24) -> list[Month]:
    """``current`` and the ``count - 1`` months before it, newest first."""
    months = [current]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


def is_outside_municipality(channel: str, lg_code: str, store_lg_code: str) -> bool:
    """A kiosk issue at a store in another municipality (住所地以外での交付)."""
    return channel == KIOSK and bool(store_lg_code) and store_lg_code != lg_code


def net_yen(fee_yen: int, commission_yen: int, bcl_fee_yen: int) -> int:
    """What the municipality keeps: fee − store commission − BCL fee (may be negative)."""
    return fee_yen - commission_yen - bcl_fee_yen


def share_percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent to one decimal, or None when there is nothing to divide."""
    return round(part * 100 / whole, 1) if whole else None


@dataclass(frozen=True)
class IssueGroup:
    """A month's issues of one municipality, document type, channel and store operator, as the
    database sums them: issues not voided, of which outside office hours and outside the
    municipality, voided issues, and the yen of the issues not voided."""

    lg_code: str
    document_type: str
    channel: str
    store_operator: str
    count: int
    outside_hours: int = 0
    outside_municipality: int = 0
    voided: int = 0
    fee_yen: int = 0
    commission_yen: int = 0
    bcl_fee_yen: int = 0


@dataclass(frozen=True)
class CountRow:
    """Issues of one document type through one channel (and store operator)."""

    document_type: str
    channel: str
    store_operator: str
    count: int
    outside_hours: int
    outside_municipality: int


@dataclass
class MonthlyStatistics:
    """The month's counts, without voided issues (counted in ``voided``)."""

    rows: list[CountRow]
    voided: int
    daily: list[tuple[date, int, str | None]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    def _by(self, key: Callable[[CountRow], str], order: Iterable[str] = ()) -> list[tuple[str, int]]:
        sums: dict[str, int] = defaultdict(int)
        for row in self.rows:
            sums[key(row)] += row.count
        ranked = list(order)
        return sorted(sums.items(), key=lambda kv: (ranked.index(kv[0]) if kv[0] in ranked else len(ranked),
                                                    -kv[1], kv[0]))

    @property
    def by_document_type(self) -> list[tuple[str, int]]:
        return self._by(lambda r: r.document_type)

    @property
    def by_channel(self) -> list[tuple[str, int]]:
        return self._by(lambda r: r.channel, CHANNEL_ORDER)

    @property
    def by_store_operator(self) -> list[tuple[str, int]]:
        return [(name, n) for name, n in self._by(lambda r: r.store_operator) if name]

    def channel_outside_hours(self) -> list[tuple[str, int, int, float | None]]:
        """Per channel: issues, of which outside office hours, and the share in percent."""
        counts = dict(self.by_channel)
        outside: dict[str, int] = defaultdict(int)
        for row in self.rows:
            outside[row.channel] += row.outside_hours
        return [(ch, n, outside[ch], share_percent(outside[ch], n)) for ch, n in counts.items()]

    @property
    def kiosk(self) -> int:
        return sum(r.count for r in self.rows if r.channel == KIOSK)

    @property
    def kiosk_outside_hours(self) -> int:
        return sum(r.outside_hours for r in self.rows if r.channel == KIOSK)

    @property
    def kiosk_outside_municipality(self) -> int:
        return sum(r.outside_municipality for r in self.rows if r.channel == KIOSK)

    @property
    def outside_hours_share(self) -> float | None:
        return share_percent(self.kiosk_outside_hours, self.kiosk)

    @property
    def outside_municipality_share(self) -> float | None:
        return share_percent(self.kiosk_outside_municipality, self.kiosk)


def summarise(groups: Iterable[IssueGroup]) -> MonthlyStatistics:
    """Counts per (document type, channel, store operator); voided issues only as one number."""
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    voided = 0
    for g in groups:
        voided += g.voided
        if not g.count:
            continue
        entry = sums[(g.document_type, g.channel, g.store_operator)]
        entry[0] += g.count
        entry[1] += g.outside_hours
        entry[2] += g.outside_municipality
    rows = [CountRow(d, c, s, *values) for (d, c, s), values in sums.items()]
    channel_rank = {ch: n for n, ch in enumerate(CHANNEL_ORDER)}
    rows.sort(key=lambda r: (r.document_type, channel_rank.get(r.channel, 9), r.store_operator))
    return MonthlyStatistics(rows=rows, voided=voided)


@dataclass(frozen=True)
class SettlementLine:
    """Counts and yen of one settlement row (a store operator, a municipality, or the total);
    ``resident_items`` counts its kiosk issues of the 住民票記載事項証明書 (no BCL fee)."""

    key: tuple[str, ...]
    count: int = 0
    fee_yen: int = 0
    commission_yen: int = 0
    bcl_fee_yen: int = 0
    resident_items: int = 0
    municipalities: int = 0

    @property
    def net_yen(self) -> int:
        return net_yen(self.fee_yen, self.commission_yen, self.bcl_fee_yen)


def is_kiosk_resident_items(group: IssueGroup) -> bool:
    """Kiosk issues of the 住民票記載事項証明書: kiosk documents without the BCL fee, settled apart."""
    return group.channel == KIOSK and group.document_type == RESIDENT_ITEMS


def settle(groups: Iterable[IssueGroup], key: Callable[[IssueGroup], tuple[str, ...]]) -> list[SettlementLine]:
    """Sum the issues not voided per ``key``; lines sorted by key."""
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    places: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for g in groups:
        if not g.count:
            continue
        entry = sums[key(g)]
        entry[0] += g.count
        entry[1] += g.fee_yen
        entry[2] += g.commission_yen
        entry[3] += g.bcl_fee_yen
        entry[4] += g.count if is_kiosk_resident_items(g) else 0
        places[key(g)].add(g.lg_code)
    return [SettlementLine(k, *v, municipalities=len(places[k])) for k, v in sorted(sums.items())]


def settlement_total(lines: Iterable[SettlementLine], label: str = "合計") -> SettlementLine:
    """The totals row of ``lines``."""
    lines = list(lines)
    return SettlementLine((label,), sum(x.count for x in lines), sum(x.fee_yen for x in lines),
                          sum(x.commission_yen for x in lines), sum(x.bcl_fee_yen for x in lines),
                          sum(x.resident_items for x in lines))


def by_store(group: IssueGroup) -> tuple[str, ...]:
    """Settlement key of a municipality: its channel and store operator (counter issues have none)."""
    return (group.channel, group.store_operator or NO_STORE)


def by_municipality(group: IssueGroup) -> tuple[str, ...]:
    return (group.lg_code,)


def by_operator(group: IssueGroup) -> tuple[str, ...]:
    return (group.store_operator,)
