"""What each document prints: its title, item blocks (label/value rows) and 証明文.

The renderer draws a ``Content`` the same way for every document type, so adding a document is
adding one function here. Dates are 和暦; optional 住民票 items appear only when chosen.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from certificate_engine import documents as d
from certificate_engine.layout import Layout
from certificate_engine.wareki import era_of, format_date

Row = tuple[str, str]


@dataclass(frozen=True)
class Block:
    """A group of rows, e.g. one person of a 連記式 住民票."""

    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Content:
    """The printable content of one document."""

    kind: str
    title: str
    blocks: tuple[Block, ...]
    statement: str
    seal_impression: bytes | None = None  # 印鑑登録証明書: the registered 印影


def yen(amount: int) -> str:
    return f"{amount:,}円"


def fiscal_year(year: int) -> str:
    """``令和8年度`` for the fiscal year starting in April ``year``.

    The era is the one in force for most of the year (May): FY2019 is 令和元年度, not 平成31年度.
    """
    era, number = era_of(date(year, 5, 1))
    return f"{era}{'元' if number == 1 else number}年度"


def _person_rows(person: d.Person, options: d.ResidentOptions, head: str) -> tuple[Row, ...]:
    name = person.name + (f"（旧氏 {person.former_name}）" if person.former_name else "")
    rows: list[Row] = [("氏名", name), ("フリガナ", person.kana)]
    if person.alias:
        rows.append(("通称", person.alias))
    rows += [("生年月日", format_date(person.birth_date)), ("性別", person.sex)]
    if options.head_and_relationship:
        rows += [("世帯主", head), ("続柄", person.relationship)]
    rows += [("住所", person.address), ("住所を定めた年月日", format_date(person.address_since))]
    if options.previous_address and person.previous_address:
        rows.append(("前住所", person.previous_address))
    rows.append(("住民となった日", format_date(person.resident_since)))
    if options.honseki and person.foreign is None:
        rows += [("本籍", person.honseki), ("筆頭者", person.hittousha)]
    if options.my_number and person.my_number:
        rows.append(("個人番号", person.my_number))
    if options.foreign_items and person.foreign is not None:
        rows += _foreign_rows(person.foreign)
    return tuple((label, value) for label, value in rows if value or label in ("氏名", "住所"))


def _foreign_rows(items: d.ForeignResidentItems) -> list[Row]:
    return [("国籍・地域", items.nationality), ("30条の45規定区分", items.category), ("在留資格", items.status),
            ("在留期間", items.period), ("在留期間の満了の日", format_date(items.period_until)),
            ("在留カード等番号", items.residence_card_no)]


def _resident_copy(doc: d.ResidentRecordCopy, layout: Layout) -> Content:
    blocks = tuple(Block(f"{i}" if doc.is_household_sheet else "", _person_rows(p, doc.options, doc.household_head))
                   for i, p in enumerate(doc.persons, start=1))
    return Content(doc.kind, layout.title(doc.kind), blocks, layout.statement(doc.kind))


def _resident_items(doc: d.ResidentItemsCertificate, layout: Layout) -> Content:
    blocks = [Block("", _person_rows(doc.person, doc.options, doc.household_head))]
    if doc.submitted_to:
        blocks.append(Block("", (("提出先", doc.submitted_to),)))
    return Content(doc.kind, layout.title(doc.kind), tuple(blocks), layout.statement(doc.kind))


def _seal(doc: d.SealCertificate, layout: Layout) -> Content:
    p = doc.person
    rows = (("登録番号", doc.registration_no), ("氏名", p.name), ("生年月日", format_date(p.birth_date)),
            ("性別", p.sex), ("住所", p.address))
    return Content(doc.kind, layout.title(doc.kind), (Block("", rows),), layout.statement(doc.kind),
                   seal_impression=doc.seal_image)


def _payer_rows(year: int, payer: d.TaxPayer) -> tuple[Row, ...]:
    rows = (("年度", fiscal_year(year)), ("住所", payer.address), ("氏名", payer.name),
            ("生年月日", format_date(payer.birth_date)),
            ("賦課期日（1月1日）の住所", payer.address_on_assessment_date or payer.address))
    return tuple(r for r in rows if r[1])


def _amount_rows(amounts: tuple[d.Amount, ...]) -> tuple[Row, ...]:
    return tuple((a.label, yen(a.yen)) for a in amounts)


def _income_blocks(incomes, deductions, dependants) -> list[Block]:
    total, deducted = sum(a.yen for a in incomes), sum(a.yen for a in deductions)
    return [Block("所得の内訳（前年中）", (*_amount_rows(incomes), ("合計所得金額", yen(total)))),
            Block("所得控除・扶養", (*_amount_rows(deductions), ("所得控除の合計", yen(deducted)),
                                 ("扶養親族の数", f"{dependants}人")))]


def _levy_block(per_capita: int, income_levy: int) -> Block:
    return Block("市町村民税・道府県民税", (("均等割額", yen(per_capita)), ("所得割額", yen(income_levy)),
                                     ("年税額", yen(per_capita + income_levy))))


def _income(doc: d.IncomeCertificate, layout: Layout) -> Content:
    blocks = [Block("", _payer_rows(doc.fiscal_year, doc.payer)),
              *_income_blocks(doc.incomes, doc.deductions, doc.dependants)]
    return Content(doc.kind, layout.title(doc.kind), tuple(blocks), layout.statement(doc.kind))


def _assessment(doc: d.TaxAssessmentCertificate, layout: Layout) -> Content:
    kind = "非課税証明書" if doc.is_exempt else doc.kind
    blocks = (Block("", _payer_rows(doc.fiscal_year, doc.payer)), _levy_block(doc.per_capita_levy, doc.income_levy))
    return Content(kind, layout.title(kind), blocks, layout.statement(kind))


def _income_tax(doc: d.IncomeTaxCertificate, layout: Layout) -> Content:
    blocks = [Block("", _payer_rows(doc.fiscal_year, doc.payer)),
              *_income_blocks(doc.incomes, doc.deductions, doc.dependants),
              _levy_block(doc.per_capita_levy, doc.income_levy)]
    return Content(doc.kind, layout.title(doc.kind), tuple(blocks), layout.statement(doc.kind))


def _payment(doc: d.TaxPaymentCertificate, layout: Layout) -> Content:
    rows = tuple((p.tax, f"税額 {yen(p.assessed)}　納付済額 {yen(p.paid)}　未納額 {yen(p.outstanding)}")
                 for p in doc.payments)
    blocks = [Block("", _payer_rows(doc.fiscal_year, doc.payer)), Block("納税の状況", rows)]
    if doc.purpose:
        blocks.append(Block("", (("使用目的", doc.purpose),)))
    return Content(doc.kind, layout.title(doc.kind), tuple(blocks), layout.statement(doc.kind))


CHOSEN, NOT_CHOSEN = "■", "□"
# The five grades up to 準半壊 fill one line of the item; 準半壊に至らない（一部損壊） takes the next.
GRADES_PER_LINE = 5


def choices(options: tuple[tuple[str, str], ...], chosen: str, per_line: int | None = None) -> str:
    """Every option's wording with a box, the ``chosen`` one filled (■) and the others empty (□), as
    the standard forms print a choice; ``per_line`` options to a line (all on one when None)."""
    marked = [f"{CHOSEN if value == chosen else NOT_CHOSEN}{wording}" for value, wording in options]
    size = per_line or len(marked)
    return "\n".join("　".join(marked[i:i + size]) for i in range(0, len(marked), size))


def _cause(name: str, cause: str, day: date) -> str:
    return f"{cause}（{name}、{format_date(day)}発生）"


def _disaster(doc: d.DisasterCertificate, layout: Layout) -> Content:
    rows: list[Row] = [("世帯主の住所", doc.head_address), ("世帯主の氏名", doc.head_name)]
    if doc.members:
        rows.append(("世帯構成員", "、".join(doc.members)))
    rows += [("罹災原因", _cause(doc.disaster_name, doc.cause, doc.disaster_date)),
             ("被災住家の所在地", doc.dwelling_address),
             ("住家の被害の程度", choices(d.DAMAGE_GRADES, doc.grade, per_line=GRADES_PER_LINE))]
    if doc.flood_level:
        rows.append(("浸水区分", choices(d.FLOOD_LEVELS, doc.flood_level)))
    if doc.note:
        rows.append(("備考", doc.note))
    return Content(doc.kind, layout.title(doc.kind), (Block("", tuple(rows)),), layout.statement(doc.kind))


def _damage_report(doc: d.DamageReportCertificate, layout: Layout) -> Content:
    rows: list[Row] = [("世帯主の住所", doc.head_address), ("世帯主の氏名", doc.head_name),
                       ("罹災原因", _cause(doc.disaster_name, doc.cause, doc.disaster_date)),
                       ("被害を受けたもの", doc.damaged_property)]
    if doc.note:
        rows.append(("備考", doc.note))
    return Content(doc.kind, layout.title(doc.kind), (Block("", tuple(rows)),), layout.statement(doc.kind))


BUILDERS: dict[type, Callable[..., Content]] = {
    d.ResidentRecordCopy: _resident_copy, d.ResidentItemsCertificate: _resident_items, d.SealCertificate: _seal,
    d.IncomeCertificate: _income, d.TaxAssessmentCertificate: _assessment, d.IncomeTaxCertificate: _income_tax,
    d.TaxPaymentCertificate: _payment, d.DisasterCertificate: _disaster, d.DamageReportCertificate: _damage_report,
}


def content_of(document: d.Document, layout: Layout) -> Content:
    """The printable content of ``document`` under ``layout``."""
    return BUILDERS[type(document)](document, layout)
