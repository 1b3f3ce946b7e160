"""窓口交付: staff find a person, see what the person can get at the counter (with the fee or the
reason for a refusal), issue it through the issuance service, and void or reissue it. Opening a
person's page is audited (it shows personal data); the issue itself is audited by the service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import builders, issuance, rules
from app.certificates.issuer import Issuer
from app.certificates.models import PROTECTED_DECISIONS, IssuedCertificate, ProtectedPersonDecision
from app.certificates.services import Subject, download, issued_for
from app.errors import NotFound, ValidationError
from app.inputs import typed_integer
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
    """What the counter page shows for one person; ``protected_members``: the others of the
    household under 支援措置 (the page warns, and a 世帯全員 copy needs a decision on each)."""

    resident: Resident
    menu: list[issuance.MenuItem]
    issued: list[IssuedCertificate]
    protected_members: list[Resident]


@dataclass(frozen=True)
class MemberDecision:
    """The counter's decision on one protected member of a 世帯全員 copy: 省略 or 記載 (with why)."""

    decision: str
    reason: str = ""


def find_resident(session: Session, atena_no: str) -> Resident:
    """The resident (of the actor's municipality, by RLS) with the 宛名番号."""
    resident = session.scalar(select(Resident).where(Resident.atena_no == atena_no))
    if resident is None:
        raise NotFound("指定された住民は見つかりません。")
    return resident


def protected_members(session: Session, resident: Resident) -> list[Resident]:
    """The other members of the resident's household (住登内) who are under 支援措置."""
    return [m for m in builders.household(session, resident) if m.is_protected and m.id != resident.id]


def open_person(session: Session, actor: Actor, atena_no: str, day: date) -> CounterPerson:
    """The person's counter page: the counter menu with fees and refusals, the certificates issued
    to the person and the household's members under 支援措置 (audited as a view of personal data)."""
    resident = find_resident(session, atena_no)
    protected = protected_members(session, resident)
    record(session, actor, "record_view", "resident", [resident.atena_no, *(m.atena_no for m in protected)],
           screen="certificates")
    return CounterPerson(resident, issuance.menu(session, resident, rules.COUNTER, day),
                         issued_for(session, Subject("resident", resident.id)), protected)


def options_from_form(document_type: str, form, flags: dict[str, str] = FLAG_OPTIONS) -> dict:
    """The ticked options (of ``flags``) the document accepts, and the fiscal year for tax documents."""
    accepted = issuance.OPTION_KEYS.get(document_type, set())
    options = {key: True for key in flags if key in accepted and form.get(key) == "y"}
    if "fiscal_year" in accepted:
        year = typed_integer(form.get("fiscal_year"), "年度", minimum=1, maximum=9999, code="fiscal_year_invalid")
        if year is not None:
            options["fiscal_year"] = year
    return options


def decisions_from_form(form) -> dict[str, MemberDecision]:
    """The decisions on protected members sent with an issue (``decision_<宛名番号>``, ``reason_<宛名番号>``)."""
    chosen = {key.removeprefix("decision_"): value for key, value in form.items() if key.startswith("decision_")}
    return {atena_no: MemberDecision(value, form.get(f"reason_{atena_no}", "")) for atena_no, value in chosen.items()}


def issue_at_counter(session: Session, actor: Actor, issuer: Issuer, atena_no: str, document_type: str,
                     options: dict, day: date, decisions: dict[str, MemberDecision] | None = None
                     ) -> IssuedCertificate:
    """Issue one document to the person at the counter (channel 窓口, the municipality's fee). A
    住民票の写し of the whole household needs ``decisions`` (by 宛名番号) on every other member under
    支援措置: those left off (省略) are not printed; the decisions are kept with the certificate."""
    resident = find_resident(session, atena_no)
    chosen = _checked_decisions(session, resident, document_type, options, decisions or {})
    issued = issuance.issue(session, actor, issuer, resident, document_type, options, rules.COUNTER, day=day,
                            omitted=frozenset(m.id for m, d in chosen if d.decision == "省略"))
    _keep_decisions(session, actor, issued, chosen)
    return issued


def _checked_decisions(session: Session, resident: Resident, document_type: str, options: dict,
                       decisions: dict[str, MemberDecision]) -> list[tuple[Resident, MemberDecision]]:
    """Each protected member of a 世帯全員 copy with its decision; a missing decision, or 記載
    without a reason, is refused before anything is issued."""
    if document_type != rules.RESIDENT_COPY or not options.get("household"):
        return []
    chosen = []
    for member in protected_members(session, resident):
        decision = decisions.get(member.atena_no)
        if decision is None or decision.decision not in PROTECTED_DECISIONS:
            raise ValidationError(f"支援措置の対象者（{member.name}）を記載するか省略するかを選んでください。",
                                  code="protected_decision_missing")
        reason = (decision.reason or "").strip()
        if len(reason) > 200:
            raise ValidationError("記載する理由は200文字以内で入力してください。", code="protected_reason_invalid")
        if decision.decision == "記載" and not reason:
            raise ValidationError(f"{member.name}を記載する理由を入力してください（例: 本人からの請求）。",
                                  code="protected_reason_missing")
        chosen.append((member, MemberDecision(decision.decision, reason)))
    return chosen


def _keep_decisions(session: Session, actor: Actor, issued: IssuedCertificate,
                    chosen: list[tuple[Resident, MemberDecision]]) -> None:
    if not chosen:
        return
    session.add_all(ProtectedPersonDecision(lg_code=actor.lg_code, issued_certificate_id=issued.id,
                                            atena_no=member.atena_no, name=member.name, decision=d.decision,
                                            reason=d.reason, decided_by=actor.login_id or "system")
                    for member, d in chosen)
    session.flush()
    record(session, actor, "protected_member_decision", "issued_certificate", [issued.id],
           decisions={member.atena_no: d.decision for member, d in chosen})


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
