"""The documents the engine issues: one frozen dataclass per document type.

Every document carries a ``Header`` (who issues it, when, under which serial and verification
code) and its own items. Optional items of the 住民票 are printed only when ``ResidentOptions`` says
so (the resident chooses them; 個人番号 only where the law allows it). Amounts are yen (int).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Header:
    """The issuing side: municipality, mayor, issue date, serial number and verification code."""

    lg_code: str
    municipality: str  # 宮城県桜ヶ丘町
    mayor_title: str  # 桜ヶ丘町長
    mayor_name: str
    issued_on: date
    serial: str  # 証明番号 / 交付番号
    verification_code: str  # see certificate_engine.verification


@dataclass(frozen=True)
class ForeignResidentItems:
    """住民票 items of a foreign resident (住民基本台帳法 30条の45)."""

    nationality: str = ""  # 国籍・地域
    residence_card_no: str = ""  # 在留カード等番号
    status: str = ""  # 在留資格
    period: str = ""  # 在留期間 (e.g. 3年)
    period_until: date | None = None  # 在留期間の満了の日
    category: str = ""  # 30条の45規定区分 (中長期在留者 等)


@dataclass(frozen=True)
class Person:
    """One person as recorded in the 住民基本台帳."""

    name: str
    kana: str = ""
    former_name: str = ""  # 旧氏
    alias: str = ""  # 通称
    birth_date: date | None = None
    sex: str = ""
    relationship: str = ""  # 続柄 (to the head of household)
    address: str = ""
    address_since: date | None = None  # 住所を定めた年月日
    previous_address: str = ""  # 前住所
    resident_since: date | None = None  # 住民となった日
    honseki: str = ""  # 本籍 (Japanese nationals)
    hittousha: str = ""  # 筆頭者
    my_number: str = ""  # 個人番号
    foreign: ForeignResidentItems | None = None


@dataclass(frozen=True)
class ResidentOptions:
    """Which optional 住民票 items to print (all off unless the resident asked for them)."""

    head_and_relationship: bool = False  # 世帯主・続柄
    honseki: bool = False  # 本籍・筆頭者
    my_number: bool = False  # 個人番号
    foreign_items: bool = True  # 国籍・地域 etc. are base items for foreign residents
    previous_address: bool = True


@dataclass(frozen=True)
class ResidentRecordCopy:
    """住民票の写し: 個票式 (one person per sheet) or 連記式 (the household on one sheet)."""

    header: Header
    household_head: str
    persons: tuple[Person, ...]
    options: ResidentOptions = field(default_factory=ResidentOptions)
    kind: str = "住民票の写し"

    @property
    def is_household_sheet(self) -> bool:
        """連記式 when more than one person is on the sheet."""
        return len(self.persons) > 1


@dataclass(frozen=True)
class ResidentItemsCertificate:
    """住民票記載事項証明書: the chosen items of one person, for the stated submission."""

    header: Header
    household_head: str
    person: Person
    options: ResidentOptions = field(default_factory=ResidentOptions)
    submitted_to: str = ""  # 提出先
    kind: str = "住民票記載事項証明書"


@dataclass(frozen=True)
class SealCertificate:
    """印鑑登録証明書 with the registered 印影 (PNG bytes)."""

    header: Header
    registration_no: str
    person: Person
    seal_image: bytes
    kind: str = "印鑑登録証明書"


@dataclass(frozen=True)
class TaxPayer:
    """The person a tax certificate is about, as of the 賦課期日 (1 January of the fiscal year)."""

    name: str
    address: str
    birth_date: date | None = None
    address_on_assessment_date: str = ""  # 賦課期日の住所


@dataclass(frozen=True)
class Amount:
    """One labelled amount line (income, deduction, tax)."""

    label: str
    yen: int


@dataclass(frozen=True)
class IncomeCertificate:
    """所得証明書: income by kind, total, deductions and dependants of one fiscal year."""

    header: Header
    fiscal_year: int  # 年度 (Western year, printed in 和暦)
    payer: TaxPayer
    incomes: tuple[Amount, ...]
    deductions: tuple[Amount, ...] = ()
    dependants: int = 0
    kind: str = "所得証明書"


@dataclass(frozen=True)
class TaxAssessmentCertificate:
    """課税証明書 or, when nothing is assessed, 非課税証明書 (均等割 and 所得割 of the 住民税)."""

    header: Header
    fiscal_year: int
    payer: TaxPayer
    per_capita_levy: int  # 均等割
    income_levy: int  # 所得割
    kind: str = "課税証明書"

    @property
    def is_exempt(self) -> bool:
        return self.per_capita_levy == 0 and self.income_levy == 0


@dataclass(frozen=True)
class IncomeTaxCertificate:
    """所得課税証明書: the income certificate and the assessment on one sheet."""

    header: Header
    fiscal_year: int
    payer: TaxPayer
    incomes: tuple[Amount, ...]
    deductions: tuple[Amount, ...]
    dependants: int
    per_capita_levy: int
    income_levy: int
    kind: str = "所得課税証明書"


@dataclass(frozen=True)
class TaxPayment:
    """One tax of a 納税証明書: assessed, paid and outstanding."""

    tax: str  # 税目 (市県民税 普通徴収, 固定資産税 …)
    assessed: int
    paid: int

    @property
    def outstanding(self) -> int:
        return self.assessed - self.paid


@dataclass(frozen=True)
class TaxPaymentCertificate:
    """納税証明書: taxes of a fiscal year with what was paid and what is outstanding."""

    header: Header
    fiscal_year: int
    payer: TaxPayer
    payments: tuple[TaxPayment, ...]
    purpose: str = ""  # 使用目的
    kind: str = "納税証明書"


# 住家の被害の程度 as the 内閣府 standard form lists them, most severe first, with the wording it prints
# (準半壊に至らない is also called 一部損壊). A 罹災証明書 prints them all and marks the household's.
DAMAGE_GRADES: tuple[tuple[str, str], ...] = (
    ("全壊", "全壊"), ("大規模半壊", "大規模半壊"), ("中規模半壊", "中規模半壊"), ("半壊", "半壊"),
    ("準半壊", "準半壊"), ("準半壊に至らない", "準半壊に至らない（一部損壊）"))
FLOOD_LEVELS: tuple[tuple[str, str], ...] = (("床上", "床上浸水"), ("床下", "床下浸水"), ("なし", "浸水なし"))


@dataclass(frozen=True)
class DisasterCertificate:
    """罹災証明書 (災害対策基本法 90条の2): the certified damage grade of a dwelling.

    ``grade`` is one of ``DAMAGE_GRADES`` and ``flood_level`` empty or one of ``FLOOD_LEVELS``;
    anything else raises ``ValueError`` (a certificate never marks a grade that is not on the form).
    """

    header: Header
    disaster_name: str
    disaster_date: date
    cause: str  # 罹災原因
    head_name: str  # 世帯主
    head_address: str
    dwelling_address: str  # 被災住家の所在地
    grade: str  # 住家の被害の程度 (the six grades)
    members: tuple[str, ...] = ()  # 世帯構成員 (printed when given)
    flood_level: str = ""  # 浸水区分: 床上 / 床下 / なし (optional)
    note: str = ""  # 備考
    kind: str = "罹災証明書"

    def __post_init__(self) -> None:
        if self.grade not in dict(DAMAGE_GRADES):
            raise ValueError(f"unknown damage grade {self.grade!r}")
        if self.flood_level and self.flood_level not in dict(FLOOD_LEVELS):
            raise ValueError(f"unknown flood level {self.flood_level!r}")


@dataclass(frozen=True)
class DamageReportCertificate:
    """被災証明書: records only that the damage (non-dwelling, belongings) was reported."""

    header: Header
    disaster_name: str
    disaster_date: date
    cause: str
    head_name: str
    head_address: str
    damaged_property: str
    note: str = ""
    kind: str = "被災証明書"


Document = (ResidentRecordCopy | ResidentItemsCertificate | SealCertificate | IncomeCertificate
            | TaxAssessmentCertificate | IncomeTaxCertificate | TaxPaymentCertificate | DisasterCertificate
            | DamageReportCertificate)

DOCUMENT_TYPES: tuple[type, ...] = (ResidentRecordCopy, ResidentItemsCertificate, SealCertificate,
                                    IncomeCertificate, TaxAssessmentCertificate, IncomeTaxCertificate,
                                    TaxPaymentCertificate, DisasterCertificate, DamageReportCertificate)
