"""The issuance service every channel uses (counter, online, kiosk, らくらく窓口): eligibility,
the menu with fees, a quote, the issue itself (gap-free serial per document type, signed PDF,
issuance log with the money) and void / reissue.

All-or-nothing: every check runs before the serial is taken, and the serial, the stored PDF and
the log row are written in the caller's one transaction, so a refusal stores nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor
from app.certificates import builders, fees, rules, sources
from app.certificates.issuer import Issuer
from app.certificates.models import IssuedCertificate
from app.certificates.services import Store, Subject, issue_document, void_issued
from app.certificates.statistics import office_hours
from app.db import get_or_not_found
from app.errors import DomainError
from app.residents.models import Resident
from app.residents.rules import MOVED_OUT, REGISTERED
from certificate_engine.fonts import unsupported

SERIAL_PREFIX = {rules.RESIDENT_COPY: "住", rules.RESIDENT_ITEMS: "記", rules.SEAL: "印", rules.INCOME: "所",
                 rules.ASSESSMENT: "課", rules.INCOME_TAX: "所課", rules.PAYMENT: "納"}
OPTION_KEYS = {rules.RESIDENT_COPY: {"head_and_relationship", "honseki", "my_number", "household"},
               rules.RESIDENT_ITEMS: {"head_and_relationship", "honseki", "my_number", "submitted_to"},
               rules.SEAL: set(), rules.INCOME: {"fiscal_year"}, rules.ASSESSMENT: {"fiscal_year"},
               rules.INCOME_TAX: {"fiscal_year"}, rules.PAYMENT: {"fiscal_year", "purpose"},
               rules.DISASTER: {"disaster_id"}}


class IssuanceRefused(DomainError):
    """The issue is refused for the reason named by ``code`` (a key of ``rules.MESSAGES``)."""

    status = 422
    title = "証明書を発行できません"

    def __init__(self, refusal: rules.Refusal, status: int | None = None):
        super().__init__(refusal.message, code=refusal.code)
        if status:
            self.status = status


@dataclass(frozen=True)
class MenuItem:
    """One document on a menu: its fee, and why not when the person cannot have it."""

    document_type: str
    fee_yen: int
    refusal: rules.Refusal | None = None

    def as_json(self) -> dict:
        return {"document_type": self.document_type, "fee_yen": self.fee_yen, "available": self.refusal is None,
                "refusal": None if self.refusal is None else {"code": self.refusal.code,
                                                               "message": self.refusal.message}}


@dataclass(frozen=True)
class Quote:
    document_type: str
    options: dict
    charges: rules.Charges


def person_facts(session: Session, resident: Resident, day: date) -> rules.PersonFacts:
    """The facts eligibility needs about ``resident`` (household move-outs, printable characters)."""
    moving = session.scalar(select(func.count()).select_from(Resident).where(
        Resident.lg_code == resident.lg_code, Resident.household_no == resident.household_no,
        Resident.id != resident.id, Resident.removed_on >= day, Resident.status.in_((REGISTERED, MOVED_OUT))))
    missing = unsupported(resident.name + builders.full_address(resident))
    return rules.PersonFacts(birth_date=resident.birth_date, status=resident.status, removed_on=resident.removed_on,
                             is_protected=resident.is_protected, household_moving_out=bool(moving),
                             unprintable=tuple(missing))


def person_refusal(session: Session, resident: Resident, channel: str, day: date) -> rules.Refusal | None:
    """Why ``resident`` may not be issued anything through ``channel`` (None: eligible)."""
    return rules.person_refusal(person_facts(session, resident, day), channel, day)


def document_facts(session: Session, resident: Resident, document_type: str, options: dict, channel: str,
                   day: date, setting: fees.FeeSetting | None = None) -> rules.DocumentFacts:
    """The facts about one document for ``resident`` (fee row, tax record of the year, active seal, the
    grade of the issued certificate a document source keeps for a copy)."""
    setting = setting or fees.fee_for(session, resident.lg_code, document_type, channel)
    year = options.get("fiscal_year") if document_type in rules.TAX_DOCUMENTS else None
    record = sources.find_record(session, document_type, resident.id, options)
    return rules.DocumentFacts(
        document_type=document_type, is_offered=setting.is_offered, is_weekday_only=setting.is_weekday_only,
        fiscal_year=year,
        has_tax_record=year is not None and builders.tax_record(session, resident, year) is not None,
        has_seal=document_type == rules.SEAL and builders.active_seal(session, resident) is not None,
        final_grade=record.final_grade if record else "")


def office_closed(session: Session, lg_code: str, day: date) -> str | None:
    """Why the municipality's office is closed on ``day`` (祝日, 年末年始, its own 閉庁日…), or None."""
    return office_hours.hours_of(session, lg_code).closed_reason(day)


def menu(session: Session, resident: Resident, channel: str, day: date) -> list[MenuItem]:
    """The documents the resident's municipality offers through ``channel`` with their fees; each
    one the person cannot have now carries the reason."""
    person = person_refusal(session, resident, channel, day)
    closed = office_closed(session, resident.lg_code, day)
    items = []
    for setting in fees.fee_table(session, resident.lg_code, channel):
        if setting.document_type not in rules.channel_documents(channel) or not setting.is_offered:
            continue
        options = normalise_options(setting.document_type, {}, day)
        why = person or rules.document_refusal(
            document_facts(session, resident, setting.document_type, options, channel, day, setting), channel, day,
            closed)
        if why is not None and why.code == "no_final_grade":
            continue  # only households with an issued 罹災証明書 see it on the menu
        fee = rules.charges(setting.document_type, channel, setting.fee_yen).fee_yen
        items.append(MenuItem(setting.document_type, fee, why))
    return items


def normalise_options(document_type: str, options: dict | None, day: date) -> dict:
    """The request's options, checked: only known keys; tax documents default to the current 年度."""
    if document_type not in OPTION_KEYS:
        raise IssuanceRefused(rules.Refusal("document_unknown"))
    options = dict(options or {})
    unknown = set(options) - OPTION_KEYS[document_type]
    if unknown:
        raise IssuanceRefused(rules.Refusal("option_unknown"))
    if document_type in rules.TAX_DOCUMENTS:
        year = options.get("fiscal_year", rules.current_fiscal_year(day))
        if not isinstance(year, int) or isinstance(year, bool):
            raise IssuanceRefused(rules.Refusal("option_unknown"))
        options["fiscal_year"] = year
    disaster_id = options.get("disaster_id")
    if disaster_id is not None and (not isinstance(disaster_id, int) or isinstance(disaster_id, bool)):
        raise IssuanceRefused(rules.Refusal("option_unknown"))
    return options


def quote(session: Session, resident: Resident, document_type: str, options: dict | None, channel: str,
          day: date) -> Quote:
    """Check everything for one document and price it; raises ``IssuanceRefused``."""
    if document_type not in rules.channel_documents(channel):
        raise IssuanceRefused(rules.Refusal("document_unknown"))
    options = normalise_options(document_type, options, day)
    setting = fees.fee_for(session, resident.lg_code, document_type, channel)
    why = person_refusal(session, resident, channel, day) or rules.document_refusal(
        document_facts(session, resident, document_type, options, channel, day, setting), channel, day,
        office_closed(session, resident.lg_code, day))
    if why is not None:
        raise IssuanceRefused(why, status=403 if why.code in PERSON_CODES else None)
    return Quote(document_type, options, rules.charges(document_type, channel, setting.fee_yen))


PERSON_CODES = {"under_age", "moved_out", "household_moving_out", "deceased", "not_resident", "protected",
                "unprintable"}


def next_serial(session: Session, lg_code: str, document_type: str, day: date) -> str:
    """The next serial of the type this year (e.g. 住2026-000001): gap-free, one issuer at a time per
    municipality and type (the lock lasts until the transaction ends)."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('certificate-serial:' || :lg || :kind))"),
                    {"lg": lg_code, "kind": document_type})
    prefix = f"{SERIAL_PREFIX[document_type]}{day.year}-"
    used = session.scalar(select(func.count()).select_from(IssuedCertificate).where(
        IssuedCertificate.lg_code == lg_code, IssuedCertificate.document_type == document_type,
        IssuedCertificate.serial.like(prefix + "%")))
    return f"{prefix}{used + 1:06d}"


def issue(session: Session, actor: Actor, issuer: Issuer, resident: Resident, document_type: str,
          options: dict | None, channel: str, *, day: date, store: Store | None = None,
          quoted: Quote | None = None, omitted: frozenset[int] = frozenset()) -> IssuedCertificate:
    """Issue one document to ``resident`` through ``channel``: checks, serial, signed PDF, log row with
    the charges (store context for kiosks). ``actor`` acts for the resident's municipality.
    ``omitted``: household members left off a 連記式 copy (the counter's 支援措置 decisions)."""
    quoted = quoted or quote(session, resident, document_type, options, channel, day)
    if document_type in rules.ISSUED_DOCUMENTS:
        build = builders.builder(session, resident, document_type, quoted.options, channel, omitted)
        serial, subject = next_serial(session, actor.lg_code, document_type, day), Subject("resident", resident.id)
    else:
        copy = _copy_from_source(session, resident, document_type, quoted.options, channel)
        serial, subject, build = copy.serial, copy.subject, copy.build
    return issue_document(session, actor, issuer, serial=serial, channel=channel, subject=subject, build=build,
                          charges=quoted.charges, store=store)


def _copy_from_source(session: Session, resident: Resident, document_type: str, options: dict,
                      channel: str) -> sources.DocumentCopy:
    """The next copy of the certificate a document source keeps for the resident's household (a
    罹災証明書 the counter issued)."""
    record = sources.find_record(session, document_type, resident.id, options)
    if record is None:  # a 再調査 requested since the quote
        raise IssuanceRefused(rules.Refusal("no_final_grade", channel))
    return record.next_copy(session)


def void(session: Session, actor: Actor, issued_id: int, reason: str) -> IssuedCertificate:
    """Void one issued certificate (and its issuance log row)."""
    issued = get_or_not_found(session, IssuedCertificate, issued_id, "指定された証明書は見つかりません。",
                              "issued_certificate")
    void_issued(session, actor, [issued], reason)
    return issued


def reissue(session: Session, actor: Actor, issuer: Issuer, issued_id: int, reason: str, *, day: date,
            options: dict | None = None) -> IssuedCertificate:
    """再交付: the same document for the same resident from today's data under a new serial (at the
    counter, free of charge); the old one is voided. Refused as a new issue would be."""
    old = get_or_not_found(session, IssuedCertificate, issued_id, "指定された証明書は見つかりません。",
                           "issued_certificate")
    if old.subject_type != "resident" or old.voided_at is not None:
        raise IssuanceRefused(rules.Refusal("not_reissuable"))
    resident = session.get(Resident, old.subject_id)
    quoted = quote(session, resident, old.document_type, options, rules.COUNTER, day)
    free = Quote(quoted.document_type, quoted.options, rules.Charges(0, 0, 0))
    new = issue(session, actor, issuer, resident, old.document_type, quoted.options, rules.COUNTER, day=day,
                quoted=free)
    void_issued(session, actor, [old], f"再交付: {reason}")
    return new
