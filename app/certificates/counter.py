"""窓口交付: staff find a person, see what the person can get at the counter (with the fee or the
reason for a refusal), issue it through the issuance service, and void or reissue it. Opening a
person's page is audited (it shows personal data); the issue itself is audited by the service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import issuance, rules
from app.certificates.issuer import Issuer
from app.certificates.models import IssuedCertificate
from app.certificates.services import Subject, download, issued_for
from app.errors import NotFound, ValidationError
from app.residents.models import Resident
from certificate_engine.content import fiscal_year

# The options staff can tick, per key (the service checks which keys a document accepts).
FLAG_OPTIONS = {"head_and_relationship": "世帯主・続柄", "honseki": "本籍・筆頭者", "my_number": "個人番号",
                "household": "世帯全員（連記式）"}


# At らくらく窓口 one person a sheet, as at a kiosk (連記式 is the counter's).
SELF_SERVICE_FLAGS = {key: label for key, label in FLAG_OPTIONS.items() if key != "household"}


def describe_options(options: dict) -> str:
    """The chosen options in words for the 受付票 and the queue (e.g. 「世帯主・続柄、令和7年度」)."""
    words = [FLAG_OPTIONS[key] for key in FLAG_OPTIONS if options.get(key)]
    if options.get("fiscal_year"):
        words.append(fiscal_year(options["fiscal_year"]))
    return "、".join(words)


@dataclass(frozen=True)
class CounterPerson:
    """What the counter page shows for one person."""

    resident: Resident
    menu: list[issuance.MenuItem]
    issued: list[IssuedCertificate]


def find_resident(session: Session, atena_no: str) -> Resident:
    """The resident (of the actor's municipality, by RLS) with the 宛名番号."""
    resident = session.scalar(select(Resident).where(Resident.atena_no == atena_no))
    if resident is None:
        raise NotFound("指定された住民は見つかりません。")
    return resident


def open_person(session: Session, actor: Actor, atena_no: str, day: date) -> CounterPerson:
    """The person's counter page: the counter menu with fees and refusals and the certificates issued
    to the person (audited as a view of personal data)."""
    resident = find_resident(session, atena_no)
    record(session, actor, "record_view", "resident", [resident.atena_no], screen="certificates")
    return CounterPerson(resident, issuance.menu(session, resident, rules.COUNTER, day),
                         issued_for(session, Subject("resident", resident.id)))


def options_from_form(document_type: str, form, flags: dict[str, str] = FLAG_OPTIONS) -> dict:
    """The ticked options (of ``flags``) the document accepts, and the fiscal year for tax documents."""
    accepted = issuance.OPTION_KEYS.get(document_type, set())
    options = {key: True for key in flags if key in accepted and form.get(key) == "y"}
    if "fiscal_year" in accepted and (form.get("fiscal_year") or "").strip():
        try:
            options["fiscal_year"] = int(form["fiscal_year"])
        except ValueError as exc:
            raise ValidationError("年度は数字で入力してください。", code="fiscal_year_invalid") from exc
    return options


def issue_at_counter(session: Session, actor: Actor, issuer: Issuer, atena_no: str, document_type: str,
                     options: dict, day: date) -> IssuedCertificate:
    """Issue one document to the person at the counter (channel 窓口, the municipality's fee)."""
    resident = find_resident(session, atena_no)
    return issuance.issue(session, actor, issuer, resident, document_type, options, rules.COUNTER, day=day)


def person_certificate(session: Session, actor: Actor, atena_no: str, issued_id: int) -> IssuedCertificate:
    """One certificate issued to the person, served again (audited by ``download``)."""
    resident = find_resident(session, atena_no)
    return download(session, actor, issued_id, Subject("resident", resident.id))


def void_for_person(session: Session, actor: Actor, atena_no: str, issued_id: int, reason: str) -> None:
    """Void one of the person's certificates (reason required)."""
    _own(session, atena_no, issued_id)
    issuance.void(session, actor, issued_id, reason)


def reissue_for_person(session: Session, actor: Actor, issuer: Issuer, atena_no: str, issued_id: int,
                       reason: str, day: date) -> IssuedCertificate:
    """再交付 of one of the person's certificates (free of charge; the old one is voided)."""
    old = _own(session, atena_no, issued_id)
    if not reason.strip():
        raise ValidationError("再交付の理由を入力してください。", code="reason_missing")
    return issuance.reissue(session, actor, issuer, old.id, reason.strip(), day=day)


def _own(session: Session, atena_no: str, issued_id: int) -> IssuedCertificate:
    resident = find_resident(session, atena_no)
    issued = session.get(IssuedCertificate, issued_id)
    if issued is None or (issued.subject_type, issued.subject_id) != ("resident", resident.id):
        raise NotFound("指定された証明書は見つかりません。")
    return issued
