"""Issuance statistics and the monthly settlement, read from the issuance log (no personal data).

The database groups a month's issues by municipality, document type, channel and store operator
and classifies each as inside or outside office hours (the closed days come from
``statistics_rules.OfficeHours``) and inside or outside the municipality; the pure rules then
sum the groups. Row-level security decides whose issues are read: a municipality's staff see
their own, the operator scope (J-LIS) sees every municipality's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, Time, and_, cast, func, not_, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates.models import IssuanceLog
from app.certificates.statistics_rules import (
    DEFAULT_OFFICE_HOURS,
    KIOSK,
    IssueGroup,
    Month,
    MonthlyStatistics,
    OfficeHours,
    SettlementLine,
    by_municipality,
    by_operator,
    by_store,
    recent_months,
    settle,
    settlement_total,
    summarise,
)
from app.errors import ValidationError
from certificate_engine.wareki import JST


def parse_month(text_value: str | None, now: datetime | None = None) -> Month:
    """The month asked for (``2026-11``), or the current month in Japan time when none is given."""
    if not text_value:
        return Month.of(now or datetime.now(JST))
    try:
        return Month.parse(text_value)
    except ValueError as exc:
        raise ValidationError("年月は「2026-11」の形で指定してください。", code="bad_month") from exc


def month_choices(month: Month, now: datetime | None = None) -> list[Month]:
    """The month picker: the last 24 months, newest first, plus ``month`` if it is older."""
    months = recent_months(parse_month(None, now))
    return months if month in months else [*months, month]


def _local(column):
    return func.timezone("Asia/Tokyo", column)


def issue_groups(session: Session, month: Month, hours: OfficeHours = DEFAULT_OFFICE_HOURS) -> list[IssueGroup]:
    """The month's issues grouped by municipality, document type, channel, store operator,
    time of issue (inside/outside office hours), place (inside/outside the municipality) and voiding."""
    log = IssuanceLog
    local = _local(log.issued_at)
    in_hours = and_(cast(local, Time) >= hours.opens, cast(local, Time) < hours.closes)
    closed = hours.closed_days(month)
    if closed:
        in_hours = and_(in_hours, cast(local, Date).not_in(closed))
    outside_municipality = and_(log.channel == KIOSK, log.store_lg_code != "", log.store_lg_code != log.lg_code)
    stmt = (select(log.lg_code, log.document_type, log.channel, log.store_operator, not_(in_hours),
                   outside_municipality, log.voided_at.is_not(None), func.count(),
                   func.sum(log.fee_yen), func.sum(log.commission_yen), func.sum(log.bcl_fee_yen))
            .where(log.issued_at >= month.start, log.issued_at < month.end)
            .group_by(text("1, 2, 3, 4, 5, 6, 7")))
    return [IssueGroup(*row) for row in session.execute(stmt)]


def daily_counts(session: Session, month: Month,
                 hours: OfficeHours = DEFAULT_OFFICE_HOURS) -> list[tuple[date, int, str | None]]:
    """Every day of the month: issues (not voided) and why the office was closed, if it was."""
    day = cast(_local(IssuanceLog.issued_at), Date)
    stmt = (select(day, func.count()).where(IssuanceLog.issued_at >= month.start, IssuanceLog.issued_at < month.end,
                                             IssuanceLog.voided_at.is_(None)).group_by(day))
    counts = dict(session.execute(stmt).all())
    return [(d, counts.get(d, 0), hours.closed_reason(d)) for d in month.days()]


def monthly_statistics(session: Session, month: Month,
                       hours: OfficeHours = DEFAULT_OFFICE_HOURS) -> MonthlyStatistics:
    """Counts by document type × channel × store operator, the outside-hours and
    outside-municipality shares and the daily counts of every issue the session can read."""
    stats = summarise(issue_groups(session, month, hours))
    stats.daily = daily_counts(session, month, hours)
    return stats


@dataclass(frozen=True)
class Settlement:
    """Settlement lines and their totals row."""

    lines: list[SettlementLine]
    total: SettlementLine

    def chart_items(self, amount: str, names: dict[str, str] | None = None) -> list[tuple[str, int]]:
        """(label, ``amount``) per line for a bar chart; ``names`` turns codes into names."""
        names = names or {}
        return [(names.get(line.key[0], line.key[0]), getattr(line, amount)) for line in self.lines]


def _settlement(groups: list[IssueGroup], key) -> Settlement:
    lines = settle(groups, key)
    return Settlement(lines, settlement_total(lines))


def municipality_settlement(session: Session, month: Month) -> Settlement:
    """A municipality's month: per channel and store operator the issues, fees collected,
    commissions owed to the store operator, BCL fees and the net, with the totals row."""
    return _settlement(issue_groups(session, month), by_store)


@dataclass(frozen=True)
class OperatorSettlement:
    """The operator's month: per municipality, and per store operator (what each is owed)."""

    municipalities: Settlement
    store_operators: Settlement


def operator_settlement(session: Session, month: Month) -> OperatorSettlement:
    """Settlement across municipalities (operator scope): per municipality and per store operator."""
    groups = issue_groups(session, month)
    return OperatorSettlement(_settlement(groups, by_municipality),
                              _settlement([g for g in groups if g.store_operator], by_operator))


def statistics_by_municipality(session: Session, month: Month) -> dict[str, MonthlyStatistics]:
    """The month's statistics of each municipality with issues (operator scope)."""
    per_code: dict[str, list[IssueGroup]] = {}
    for group in issue_groups(session, month):
        per_code.setdefault(group.lg_code, []).append(group)
    return {code: summarise(groups) for code, groups in sorted(per_code.items())}


def record_export(session: Session, actor: Actor, table: str, month: Month, file_format: str) -> None:
    """Audit a download of statistics or settlement (aggregates only, still recorded)."""
    record(session, actor, "certificate_statistics_export", "issuance_log", [], table=table, month=month.key,
           format=file_format)
