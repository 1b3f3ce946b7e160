"""Issuance statistics and the monthly settlement, read from the issuance log (no personal data).

The database sums a month's issues per municipality, document type, channel and store operator,
counting those outside office hours (each municipality's, ``office_hours``; the open intervals come
from ``rules.OfficeHours``)
and outside the municipality; the pure rules then add the groups up. Row-level security decides
whose issues are read: a municipality's staff see their own, the operator scope (J-LIS) sees every municipality's.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Date, String, and_, cast, column, func, literal, not_, select, text
from sqlalchemy.dialects.postgresql import TSTZMULTIRANGE
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates.models import IssuanceLog
from app.certificates.statistics import office_hours
from app.certificates.statistics.rules import (
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
from app.clock import JST
from app.db import get_scope
from app.errors import ValidationError
from app.kiosk.refunds import RefundLine, refund_lines

LG_CODE = re.compile(r"[0-9]{6}")


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


def _multirange(intervals: list[tuple[datetime, datetime]]) -> str:
    return "{" + ",".join(f"[{a.isoformat()},{b.isoformat()})" for a, b in intervals) + "}"


def _open_hours(month: Month, own_hours: Mapping[str, OfficeHours]):
    """The month's open hours of each issue's municipality as a tstzmultirange: no time-zone
    arithmetic per row. Each range is a constant parsed once (a scalar subquery for the standard
    hours; constants in a VALUES list joined by lg_code for the municipalities with their own)."""
    standard = select(cast(literal(_multirange(DEFAULT_OFFICE_HOURS.open_intervals(month)), String),
                           TSTZMULTIRANGE)).scalar_subquery()
    if not own_hours:
        return None, standard
    rows = ", ".join(f"('{code}', '{_multirange(own.open_intervals(month))}'::tstzmultirange)"
                     for code, own in sorted(own_hours.items()) if LG_CODE.fullmatch(code))
    own = text(f"SELECT * FROM (VALUES {rows}) AS v(lg_code, open_hours)").columns(
        column("lg_code", String), column("open_hours", TSTZMULTIRANGE)).subquery("own_hours")
    return own, func.coalesce(own.c.open_hours, standard)


def issue_groups(session: Session, month: Month) -> list[IssueGroup]:
    """The month's issues summed per municipality, document type, channel and store operator:
    issues not voided, of which outside office hours (each municipality's own, else the standard)
    and outside the municipality, voided issues, and the yen of the issues not voided. One pass over
    the month's rows."""
    log = IssuanceLog
    valid = log.voided_at.is_(None)
    own, open_hours = _open_hours(month, office_hours.hours_by_municipality(session))
    outside_hours = and_(valid, not_(open_hours.op("@>")(log.issued_at)))
    outside_municipality = and_(valid, log.channel == KIOSK, log.store_lg_code != "",
                                log.store_lg_code != log.lg_code)
    stmt = (select(log.lg_code, log.document_type, log.channel, log.store_operator,
                   func.count().filter(valid), func.count().filter(outside_hours),
                   func.count().filter(outside_municipality), func.count().filter(not_(valid)),
                   *(func.coalesce(func.sum(column).filter(valid), 0)
                     for column in (log.fee_yen, log.commission_yen, log.bcl_fee_yen)))
            .where(log.issued_at >= month.start, log.issued_at < month.end)
            .group_by(log.lg_code, log.document_type, log.channel, log.store_operator))
    if own is not None:
        stmt = stmt.select_from(log).outerjoin(own, own.c.lg_code == log.lg_code)
    # A national month is millions of rows: hash them in memory, and skip JIT compilation (it
    # costs more than it saves on this query).
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL jit = off"))
    return [IssueGroup(*row) for row in session.execute(stmt)]


def daily_counts(session: Session, month: Month,
                 hours: OfficeHours = DEFAULT_OFFICE_HOURS) -> list[tuple[date, int, str | None]]:
    """Every day of the month: issues (not voided) and why the office was closed, if it was."""
    day = cast(_local(IssuanceLog.issued_at), Date)
    stmt = (select(day, func.count()).where(IssuanceLog.issued_at >= month.start, IssuanceLog.issued_at < month.end,
                                             IssuanceLog.voided_at.is_(None)).group_by(day))
    counts = dict(session.execute(stmt).all())
    return [(d, counts.get(d, 0), hours.closed_reason(d)) for d in month.days()]


def monthly_statistics(session: Session, month: Month) -> MonthlyStatistics:
    """Counts by document type × channel × store operator, the outside-hours and
    outside-municipality shares and the daily counts (closed days by the office hours of the
    municipality the session acts for) of every issue the session can read."""
    stats = summarise(issue_groups(session, month))
    lg_code = get_scope(session).lg_code
    stats.daily = daily_counts(session, month,
                               office_hours.hours_of(session, lg_code) if lg_code else DEFAULT_OFFICE_HOURS)
    return stats


@dataclass(frozen=True)
class Settlement:
    """Settlement lines and their totals row; ``refunds``: kiosk requests paid and never issued."""

    lines: list[SettlementLine]
    total: SettlementLine
    refunds: list[RefundLine] = field(default_factory=list)

    def chart_items(self, amount: str, names: dict[str, str] | None = None) -> list[tuple[str, int]]:
        """(label, ``amount``) per line for a bar chart; ``names`` turns codes into names."""
        names = names or {}
        return [(names.get(line.key[0], line.key[0]), getattr(line, amount)) for line in self.lines]


def _settlement(groups: list[IssueGroup], key) -> Settlement:
    lines = settle(groups, key)
    return Settlement(lines, settlement_total(lines))


def municipality_settlement(session: Session, month: Month) -> Settlement:
    """A municipality's month: per channel and store operator the issues, fees collected,
    commissions owed to the store operator, BCL fees and the net, with the totals row; and the
    kiosk refunds that fell due in the month (still due, refunded)."""
    return replace(_settlement(issue_groups(session, month), by_store),
                   refunds=refund_lines(session, month.start, month.end))


@dataclass(frozen=True)
class OperatorSettlement:
    """The operator's month: per municipality, and per store operator (what each is owed)."""

    municipalities: Settlement
    store_operators: Settlement
    refunds: list[RefundLine] = field(default_factory=list)


def operator_settlement(session: Session, month: Month) -> OperatorSettlement:
    """Settlement across municipalities (operator scope): per municipality and per store operator."""
    groups = issue_groups(session, month)
    return OperatorSettlement(_settlement(groups, by_municipality),
                              _settlement([g for g in groups if g.store_operator], by_operator),
                              refund_lines(session, month.start, month.end))


def statistics_by_municipality(session: Session, month: Month,
                               groups: list[IssueGroup] | None = None) -> dict[str, MonthlyStatistics]:
    """The month's statistics of each municipality with issues (operator scope)."""
    per_code: dict[str, list[IssueGroup]] = {}
    for group in issue_groups(session, month) if groups is None else groups:
        per_code.setdefault(group.lg_code, []).append(group)
    return {code: summarise(groups) for code, groups in sorted(per_code.items())}


@dataclass
class OperatorStatistics:
    """All municipalities together and each one, from one read of the month."""

    overall: MonthlyStatistics
    per_municipality: dict[str, MonthlyStatistics]


def operator_statistics(session: Session, month: Month) -> OperatorStatistics:
    """The operator's statistics page: the month across municipalities and per municipality (each
    one's issues counted against its own office hours; the national daily chart marks the standard
    closed days)."""
    groups = issue_groups(session, month)
    overall = summarise(groups)
    overall.daily = daily_counts(session, month)
    return OperatorStatistics(overall, statistics_by_municipality(session, month, groups))


def record_export(session: Session, actor: Actor, table: str, month: Month, file_format: str) -> None:
    """Audit a download of statistics or settlement (aggregates only, still recorded)."""
    record(session, actor, "certificate_statistics_export", "issuance_log", [], table=table, month=month.key,
           format=file_format)
