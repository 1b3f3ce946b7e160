"""The CSV/XLSX tables of the issuance statistics and the settlement: header and rows per table.

Each table ends with a totals row. Amounts are integer yen. Staff tables read the session's own
municipality; operator tables read every municipality (operator scope) and name each one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.certificates.statistics import services
from app.certificates.statistics.rules import Month, SettlementLine
from app.errors import NotFound
from app.tenants.services import list_municipalities

MONEY = ("交付通数", "交付手数料（円）", "委託手数料（円）", "BCL利用料（円）", "差引（円）")
# The operator's settlement per municipality shows the kiosk 住民票記載事項証明書 (no BCL fee) apart.
RESIDENT_ITEMS = "うち住民票記載事項証明書（コンビニ）"
COUNTS = ("交付通数", "うち窓口時間外", "うち住所地以外")


@dataclass(frozen=True)
class Table:
    """One downloadable table: file stem, sheet name, header and the rows of a month."""

    stem: str
    sheet: str
    header: Sequence[str]
    rows: Callable[[Session, Month], Iterator[Sequence]]
    widths: Sequence[int] = ()


def _money(line: SettlementLine) -> list[int]:
    return [line.count, line.fee_yen, line.commission_yen, line.bcl_fee_yen, line.net_yen]


def _count_rows(session: Session, month: Month) -> Iterator[Sequence]:
    stats = services.monthly_statistics(session, month)
    for r in stats.rows:
        yield [month.key, r.document_type, r.channel, r.store_operator, r.count, r.outside_hours,
               r.outside_municipality]
    yield [month.key, "合計", "", "", stats.total, sum(r.outside_hours for r in stats.rows),
           sum(r.outside_municipality for r in stats.rows)]


def _settlement_rows(session: Session, month: Month) -> Iterator[Sequence]:
    settlement = services.municipality_settlement(session, month)
    for line in settlement.lines:
        yield [month.key, *line.key, *_money(line)]
    yield [month.key, "合計", "", *_money(settlement.total)]


def _names(session: Session) -> dict[str, str]:
    return {m.lg_code: m.full_name for m in list_municipalities(session)}


def _operator_count_rows(session: Session, month: Month) -> Iterator[Sequence]:
    names = _names(session)
    total = [0, 0, 0]
    for code, stats in services.statistics_by_municipality(session, month).items():
        for r in stats.rows:
            yield [month.key, code, names.get(code, ""), r.document_type, r.channel, r.store_operator, r.count,
                   r.outside_hours, r.outside_municipality]
            total = [total[0] + r.count, total[1] + r.outside_hours, total[2] + r.outside_municipality]
    yield [month.key, "合計", "", "", "", "", *total]


def _money_with_resident_items(line: SettlementLine) -> list[int]:
    count, *yen = _money(line)
    return [count, line.resident_items, *yen]


def _operator_municipality_rows(session: Session, month: Month) -> Iterator[Sequence]:
    names = _names(session)
    settlement = services.operator_settlement(session, month).municipalities
    for line in settlement.lines:
        yield [month.key, line.key[0], names.get(line.key[0], ""), *_money_with_resident_items(line)]
    yield [month.key, "合計", f"{len(settlement.lines)}団体", *_money_with_resident_items(settlement.total)]


def _operator_store_rows(session: Session, month: Month) -> Iterator[Sequence]:
    settlement = services.operator_settlement(session, month).store_operators
    for line in settlement.lines:
        yield [month.key, line.key[0], line.municipalities, line.count, line.commission_yen]
    yield [month.key, "合計", "", settlement.total.count, settlement.total.commission_yen]


REFUNDS = ("事業者", "返金待ち（件）", "返金待ち（円）", "返金済み（件）", "返金済み（円）")


def _refund_amounts(lines) -> list[int]:
    return [sum(r.due for r in lines), sum(r.due_yen for r in lines), sum(r.refunded for r in lines),
            sum(r.refunded_yen for r in lines)]


def _refund_rows(session: Session, month: Month) -> Iterator[Sequence]:
    lines = services.municipality_settlement(session, month).refunds
    for r in lines:
        yield [month.key, r.store_operator, r.due, r.due_yen, r.refunded, r.refunded_yen]
    yield [month.key, "合計", *_refund_amounts(lines)]


def _operator_refund_rows(session: Session, month: Month) -> Iterator[Sequence]:
    names = _names(session)
    lines = services.operator_settlement(session, month).refunds
    for r in lines:
        yield [month.key, r.lg_code, names.get(r.lg_code, ""), r.store_operator, r.due, r.due_yen, r.refunded,
               r.refunded_yen]
    yield [month.key, "合計", "", "", *_refund_amounts(lines)]


STAFF_TABLES = {
    "counts": Table("証明書交付統計", "交付統計", ("年月", "証明書の種類", "交付方法", "事業者", *COUNTS),
                    _count_rows, (10, 24, 14, 24, 12, 14, 14)),
    "settlement": Table("証明書交付精算", "精算", ("年月", "交付方法", "事業者", *MONEY),
                        _settlement_rows, (10, 14, 24, 12, 16, 16, 16, 14)),
    "refunds": Table("コンビニ交付の返金", "返金", ("年月", *REFUNDS), _refund_rows, (10, 24, 14, 14, 14, 14)),
}
OPERATOR_TABLES = {
    "counts": Table("証明書交付統計_全団体", "交付統計",
                    ("年月", "団体コード", "団体名", "証明書の種類", "交付方法", "事業者", *COUNTS),
                    _operator_count_rows, (10, 12, 20, 24, 14, 24, 12, 14, 14)),
    "municipalities": Table("証明書交付精算_団体別", "団体別精算",
                            ("年月", "団体コード", "団体名", MONEY[0], RESIDENT_ITEMS, *MONEY[1:]),
                            _operator_municipality_rows, (10, 12, 20, 12, 22, 16, 16, 16, 14)),
    "store-operators": Table("証明書交付精算_事業者別", "事業者別精算",
                             ("年月", "事業者", "団体数", "交付通数", "委託手数料（円）"),
                             _operator_store_rows, (10, 24, 10, 12, 16)),
    "refunds": Table("コンビニ交付の返金_全団体", "返金", ("年月", "団体コード", "団体名", *REFUNDS),
                     _operator_refund_rows, (10, 12, 20, 24, 14, 14, 14, 14)),
}
FORMATS = ("csv", "xlsx")


def table_for(tables: dict[str, Table], name: str, file_format: str) -> Table:
    """The table ``name`` in ``file_format``; anything else is not found."""
    if name not in tables or file_format not in FORMATS:
        raise NotFound("指定された表はありません。")
    return tables[name]
