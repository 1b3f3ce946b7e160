"""The engine's dataclass of each resident/seal/tax document, built from the 中間DB (residents,
household, seal registration with its 印影, tax records of the year)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.certificates import rules
from app.config import mynumber_keys
from app.residents.models import Resident, SealRegistration, TaxRecord
from app.residents.rules import REGISTERED
from certificate_engine import documents as d

SEX = {"1": "男", "2": "女", "9": ""}
INCOME_LINES = (("給与所得", "salary_earnings"), ("営業等所得", "business_earnings"), ("農業所得", "farm_earnings"),
                ("不動産所得", "real_estate_earnings"), ("利子所得", "interest_earnings"),
                ("配当所得", "dividend_earnings"), ("雑所得", "misc_earnings"))


def full_address(resident: Resident) -> str:
    return f"{resident.address}{(' ' + resident.address_katagaki) if resident.address_katagaki else ''}"


def my_number(session: Session, resident: Resident) -> str:
    """The resident's 個人番号, decrypted (IV ‖ AES-256-CBC, as the resident data link stores it)."""
    if not resident.mynumber_enc:
        return ""
    return session.scalar(text("SELECT convert_from(decrypt_iv(substr(:enc, 17), :key, substr(:enc, 1, 16), "
                               "'aes-cbc'), 'UTF8')"), {"enc": resident.mynumber_enc, "key": mynumber_keys()[0]})


def person_of(resident: Resident, number: str = "") -> d.Person:
    """The engine's Person of a resident record (``number``: the 個人番号, only when asked for)."""
    foreign = None
    if resident.resident_kind == "2":
        foreign = d.ForeignResidentItems(nationality=resident.nationality, residence_card_no=resident.residence_card_no,
                                         status=resident.residence_status, period=resident.residence_period,
                                         period_until=resident.residence_expiry)
    return d.Person(name=resident.name, kana=resident.name_kana, former_name=resident.former_surname,
                    alias=resident.alias_name, birth_date=resident.birth_date, sex=SEX.get(resident.sex, ""),
                    relationship=resident.relationship, address=full_address(resident),
                    address_since=resident.address_since, previous_address=resident.previous_address,
                    resident_since=resident.resident_since, honseki=resident.honseki, hittousha=resident.hittousha,
                    my_number=number, foreign=foreign)


def household_head(session: Session, resident: Resident) -> str:
    if resident.is_household_head:
        return resident.name
    head = session.scalar(select(Resident.name).where(
        Resident.lg_code == resident.lg_code, Resident.household_no == resident.household_no,
        Resident.is_household_head, Resident.status == REGISTERED))
    return head or ""


def household(session: Session, resident: Resident) -> list[Resident]:
    """The resident's household (住登内), the head first."""
    return list(session.scalars(select(Resident).where(
        Resident.lg_code == resident.lg_code, Resident.household_no == resident.household_no,
        Resident.status == REGISTERED).order_by(Resident.is_household_head.desc(), Resident.birth_date)))


def active_seal(session: Session, resident: Resident) -> SealRegistration | None:
    return session.scalar(select(SealRegistration).where(
        SealRegistration.lg_code == resident.lg_code, SealRegistration.atena_no == resident.atena_no,
        SealRegistration.abolished_on.is_(None)))


def tax_record(session: Session, resident: Resident, fiscal_year: int) -> TaxRecord | None:
    return session.scalar(select(TaxRecord).where(
        TaxRecord.lg_code == resident.lg_code, TaxRecord.atena_no == resident.atena_no,
        TaxRecord.fiscal_year == fiscal_year))


def builder(session: Session, resident: Resident, document_type: str, options: dict, channel: str,
            omitted: frozenset[int] = frozenset()) -> Callable[[d.Header], d.Document]:
    """A function of the header that returns the document (the data is read now, once).
    ``omitted``: household members (resident ids) left off a 連記式 copy (支援措置, decided at the
    counter)."""
    if document_type in rules.RESIDENT_DOCUMENTS:
        return _resident_document(session, resident, document_type, options, channel, omitted)
    if document_type == rules.SEAL:
        seal = active_seal(session, resident)
        person = person_of(resident)
        return lambda header: d.SealCertificate(header=header, registration_no=seal.registration_no, person=person,
                                                seal_image=seal.impression_png or b"")
    return _tax_document(tax_record(session, resident, options["fiscal_year"]), resident, document_type, options)


def _resident_document(session, resident, document_type, options, channel, omitted):
    flags = d.ResidentOptions(head_and_relationship=bool(options.get("head_and_relationship")),
                              honseki=bool(options.get("honseki")), my_number=bool(options.get("my_number")))
    head = household_head(session, resident)
    number = my_number(session, resident) if flags.my_number else ""
    if document_type == rules.RESIDENT_ITEMS:
        person = person_of(resident, number)
        return lambda header: d.ResidentItemsCertificate(header=header, household_head=head, person=person,
                                                         options=flags,
                                                         submitted_to=str(options.get("submitted_to", ""))[:60])
    # 連記式 (the whole household on one sheet) only at the counter; kiosks print one person a sheet.
    members = household(session, resident) if options.get("household") and channel == rules.COUNTER else [resident]
    members = [m for m in members if m.id == resident.id or m.id not in omitted]
    persons = tuple(person_of(m, my_number(session, m) if flags.my_number else "") for m in members)
    return lambda header: d.ResidentRecordCopy(header=header, household_head=head, persons=persons, options=flags)


def _tax_document(tax: TaxRecord, resident: Resident, document_type: str, options: dict):
    payer = d.TaxPayer(name=resident.name, address=full_address(resident), birth_date=resident.birth_date,
                       address_on_assessment_date=full_address(resident))
    year = tax.fiscal_year
    incomes = tuple(d.Amount(label, getattr(tax, column)) for label, column in INCOME_LINES if getattr(tax, column))
    deductions = (d.Amount("所得控除合計", tax.deductions),)
    if document_type == rules.INCOME:
        return lambda header: d.IncomeCertificate(header=header, fiscal_year=year, payer=payer, incomes=incomes,
                                                  deductions=deductions, dependants=tax.dependants)
    if document_type == rules.ASSESSMENT:
        return lambda header: d.TaxAssessmentCertificate(header=header, fiscal_year=year, payer=payer,
                                                         per_capita_levy=tax.per_capita_levy,
                                                         income_levy=tax.income_levy)
    if document_type == rules.INCOME_TAX:
        return lambda header: d.IncomeTaxCertificate(header=header, fiscal_year=year, payer=payer, incomes=incomes,
                                                     deductions=deductions, dependants=tax.dependants,
                                                     per_capita_levy=tax.per_capita_levy, income_levy=tax.income_levy)
    payments = (d.TaxPayment("市県民税", tax.annual_tax, tax.paid_amount),)
    return lambda header: d.TaxPaymentCertificate(header=header, fiscal_year=year, payer=payer, payments=payments,
                                                  purpose=str(options.get("purpose", ""))[:40])
