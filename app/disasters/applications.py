"""Use cases of 罹災証明書 and 被災証明書 applications: receive, follow the survey, issue, re-survey.

An application moves 申請 → 調査 → 判定 → 交付 as the house's survey does (``rules.next_status``);
a 罹災証明書 is issued only on a grade a reviewer made final. After 交付 the resident may ask for a
再調査; the new final grade is issued under a new 証明番号. Issuing is one service call,
``issue_certificate``: it numbers the certificate and hands the document to the certificate engine
(app.certificates), which stores the signed PDF; the certificate it replaces is voided.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import rules as certificate_rules
from app.certificates import services as certificates
from app.certificates import sources
from app.certificates.issuer import Issuer
from app.certificates.models import IssuedCertificate
from app.clock import today_in_japan
from app.damage import rules as damage_rules
from app.damage.models import Building, DamageSurvey
from app.damage.services import certified_grade
from app.db import get_or_not_found
from app.disasters import rules
from app.disasters.models import CertificateApplication, CertificateIssue, Disaster, Victim, VictimHousehold
from app.errors import ValidationError, require_version
from certificate_engine import documents

FLOOD_LEVELS = ("", "床上", "床下", "なし")
DISASTER_UNKNOWN = "disaster_id は対応中の災害の番号です（GET /disasters）。"
NUMBER_PREFIX = {rules.RISAI: "罹", rules.HISAI: "被"}


def get_application(session: Session, application_id: int) -> CertificateApplication:
    return get_or_not_found(session, CertificateApplication, application_id, "指定された申請は見つかりません。",
                            "certificate_application")


def list_applications(session: Session, disaster_id: int, status: str = "") -> list[CertificateApplication]:
    stmt = select(CertificateApplication).where(CertificateApplication.disaster_id == disaster_id)
    if status:
        stmt = stmt.where(CertificateApplication.status == status)
    return list(session.scalars(stmt.order_by(CertificateApplication.id.desc())))


def create_application(session: Session, actor: Actor, disaster_id: int, *, kind: str, channel: str,
                       applicant_name: str, applicant_address: str, cause: str, applicant_phone: str = "",
                       building_id: int | None = None, damaged_property: str = "",
                       flood_level: str = "") -> CertificateApplication:
    """Receive an application. A 罹災証明書 names the damaged dwelling (住家); a 被災証明書 names the
    non-dwelling or the belongings."""
    disaster = get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")
    fields = {"世帯主の氏名": applicant_name, "世帯主の住所": applicant_address, "罹災原因": cause}
    missing = [label for label, value in fields.items() if not (value or "").strip()]
    if missing:
        raise ValidationError(f"{'、'.join(missing)}を入力してください。", code="missing")
    if kind not in rules.CERTIFICATE_KINDS:
        raise ValidationError(f"証明書の種類「{kind}」はありません。", code="kind_unknown")
    if channel not in rules.APPLICATION_CHANNELS or flood_level not in FLOOD_LEVELS:
        raise ValidationError("受付方法または浸水区分が正しくありません。", code="choice_unknown")
    building = session.get(Building, building_id) if building_id else None
    if building_id and building is None:
        raise ValidationError("指定された建物は見つかりません。", code="building_unknown")
    if kind == rules.RISAI and (building is None or not building.is_dwelling):
        raise ValidationError("罹災証明書には被災した住家を指定してください（住家以外・家財は被災証明書）。",
                              code="dwelling_required")
    if kind == rules.HISAI and building is None and not damaged_property.strip():
        raise ValidationError("被災証明書には被害を受けた建物または家財等を入力してください。", code="property_missing")
    application = CertificateApplication(
        lg_code=actor.lg_code, disaster_id=disaster.id, kind=kind, channel=channel, status="申請",
        applicant_name=applicant_name.strip(), applicant_address=applicant_address.strip(),
        applicant_phone=(applicant_phone or "").strip(), cause=cause.strip(), building_id=building_id,
        damaged_property=(damaged_property or "").strip(), flood_level=flood_level, note="")
    session.add(application)
    session.flush()
    record(session, actor, "certificate_application_create", "certificate_application", [application.id], kind=kind)
    return application


def survey_state(session: Session, application: CertificateApplication) -> rules.SurveyState:
    """What the surveys of the application's building in its disaster show now."""
    if application.building_id is None:
        return rules.SurveyState()
    surveys = list(session.scalars(select(DamageSurvey).where(
        DamageSurvey.disaster_id == application.disaster_id, DamageSurvey.building_id == application.building_id)))
    requested = application.resurvey_requested_at
    return rules.SurveyState(
        has_survey=bool(surveys),
        has_judgement=any(s.status in (damage_rules.AWAITING_REVIEW, damage_rules.FINAL) for s in surveys),
        final_grade=certified_grade(session, application.disaster_id, application.building_id),
        resurvey_after_request=requested is not None and any(
            s.round == damage_rules.RESURVEY and s.created_at >= requested for s in surveys))


def advance(session: Session, actor: Actor, application_id: int, *, version: int,
            issuer: Issuer, resurvey_confirmed: bool = False) -> CertificateApplication:
    """Move the application to its next step, as far as the survey allows; 交付 issues the certificate
    (a signed PDF made with ``issuer``). A 再調査依頼 reopens a certified case, so it is taken only
    from its confirmation screen (``resurvey_confirmed``)."""
    application = get_application(session, application_id)
    require_version(application.version, version, "この申請は他の職員が先に更新しました。画面を開き直してください。",
                    {"状態": application.status})
    state = survey_state(session, application)
    target, why = rules.next_status(application.kind, application.status, state)
    if target is None:
        raise ValidationError(why, code="not_ready")
    if target == rules.RESURVEY_REQUESTED and not resurvey_confirmed:
        raise ValidationError("再調査の依頼は、確認画面で内容を確認し、チェックを入れてから受け付けてください。",
                              code="resurvey_unconfirmed")
    if target == "交付":
        issue_certificate(session, actor, issuer, application, state.final_grade or "")
    if target == rules.RESURVEY_REQUESTED:
        # The database's clock, like the surveys' created_at it is compared with.
        application.resurvey_requested_at = func.now()
    application.status = target
    session.flush()
    record(session, actor, "certificate_application_advance", "certificate_application", [application.id],
           status=target)
    return application


def issue_certificate(session: Session, actor: Actor, issuer: Issuer, application: CertificateApplication,
                      grade: str, void_reason: str = "再調査による再交付") -> CertificateIssue:
    """Number the certificate of an application (証明番号 per municipality, year and kind, without
    gaps), void the one it replaces and issue the signed PDF."""
    # One issuer at a time per municipality, so numbers never repeat or skip.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('certificate-no:' || :lg))"), {"lg": actor.lg_code})
    year = today_in_japan().year
    prefix = f"{NUMBER_PREFIX[application.kind]}{year}-"
    issued = session.scalar(select(func.count()).select_from(CertificateIssue)
                            .where(CertificateIssue.certificate_no.like(prefix + "%")))
    number = f"{prefix}{issued + 1:06d}"
    subject = certificates.Subject("certificate_application", application.id)
    disaster = session.get(Disaster, application.disaster_id)
    building = session.get(Building, application.building_id) if application.building_id else None
    # Issue first: a refused document (no layout, unprintable characters) leaves the old one valid.
    new = certificates.issue_document(session, actor, issuer, serial=number, channel=application.channel,
                                      subject=subject,
                                      build=lambda header: _document(header, application, disaster, building, grade))
    certificates.void_subject(session, actor, subject, void_reason, keep=new.id)
    issue = CertificateIssue(lg_code=actor.lg_code, application_id=application.id, certificate_no=number, grade=grade,
                             issued_by=actor.login_id)
    session.add(issue)
    application.certificate_no, application.issued_grade = number, grade
    application.issued_at, application.issued_by = datetime.now(UTC), actor.login_id
    session.flush()
    record(session, actor, "certificate_issue", "certificate_application", [application.id], number=number,
           grade=grade)
    return issue


def _document(header: documents.Header, application: CertificateApplication, disaster: Disaster,
              building: Building | None, grade: str) -> documents.Document:
    """The engine's dataclass for the application's certificate."""
    common = {"header": header, "disaster_name": disaster.name, "disaster_date": disaster.started_on,
              "cause": application.cause, "head_name": application.applicant_name,
              "head_address": application.applicant_address}
    if application.kind == rules.RISAI:
        return documents.DisasterCertificate(**common, dwelling_address=building.address if building else "",
                                             grade=grade, flood_level=application.flood_level)
    return documents.DamageReportCertificate(
        **common, damaged_property=building.address if building else application.damaged_property)


def reissue(session: Session, actor: Actor, issuer: Issuer, application_id: int, *, version: int,
            reason: str) -> CertificateApplication:
    """再交付 (lost or damaged certificate): the same grade under a new 証明番号; the old one is voided."""
    application = get_application(session, application_id)
    require_version(application.version, version, "この申請は他の職員が先に更新しました。画面を開き直してください。",
                    {"状態": application.status})
    if application.status != "交付" or not application.certificate_no:
        raise ValidationError("交付済みの申請だけを再交付できます。", code="not_issued")
    if not reason.strip():
        raise ValidationError("再交付の理由を入力してください。", code="reason_missing")
    issue_certificate(session, actor, issuer, application, application.issued_grade,
                      void_reason=f"再交付: {reason.strip()}")
    return application


def issues_of(session: Session, application_id: int) -> list[CertificateIssue]:
    return list(session.scalars(select(CertificateIssue).where(CertificateIssue.application_id == application_id)
                                .order_by(CertificateIssue.id)))


def issued_pdfs(session: Session, application_id: int) -> list[IssuedCertificate]:
    """The signed PDFs issued for the application, oldest first (voided ones included)."""
    return certificates.issued_for(session, certificates.Subject("certificate_application", application_id))


def certificate_pdf(session: Session, actor: Actor, application_id: int,
                    issued_id: int | None = None) -> IssuedCertificate:
    """The signed PDF of the application (the valid one unless ``issued_id`` names an older one);
    the download is audited."""
    application = get_application(session, application_id)
    subject = certificates.Subject("certificate_application", application.id)
    if issued_id is None:
        # The counter's own certificate, not a copy printed at a kiosk (serial 証明番号-N).
        valid = [i for i in certificates.issued_for(session, subject)
                 if i.voided_at is None and i.serial == application.certificate_no]
        if not valid:
            raise ValidationError("交付済みの証明書がありません。", code="not_issued")
        issued_id = valid[-1].id
    return certificates.download(session, actor, issued_id, subject)


def household_certificate(session: Session, resident_id: int, disaster_id: int | None = None,
                          kind: str = rules.RISAI) -> CertificateApplication | None:
    """The issued (交付) application of ``kind`` of the resident's household, found through the
    被災者台帳 (the household's dwelling is the application's building): the latest disaster's, or
    that of ``disaster_id``. What a kiosk or らくらく窓口 prints another copy of; None while there is
    none (not yet issued at the counter, or a 再調査 pending)."""
    query = (select(CertificateApplication)
             .join(VictimHousehold, (VictimHousehold.disaster_id == CertificateApplication.disaster_id)
                   & (VictimHousehold.building_id == CertificateApplication.building_id))
             .join(Victim, Victim.household_id == VictimHousehold.id)
             .where(Victim.resident_id == resident_id, CertificateApplication.kind == kind,
                    CertificateApplication.status == "交付", CertificateApplication.certificate_no.is_not(None)))
    if disaster_id is not None:
        query = query.where(CertificateApplication.disaster_id == disaster_id)
    return session.scalars(query.order_by(CertificateApplication.disaster_id.desc(),
                                          CertificateApplication.id.desc())).first()


def certificate_copy(session: Session, application: CertificateApplication) -> sources.DocumentCopy:
    """The next copy of the application's certificate, stating the grade issued at the counter. The
    copy belongs to the application, so a 再交付 or a re-survey's new certificate voids it too."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('certificate-no:' || :lg))"),
                    {"lg": application.lg_code})
    copies = session.scalar(select(func.count()).select_from(IssuedCertificate).where(
        IssuedCertificate.lg_code == application.lg_code, IssuedCertificate.document_type == application.kind,
        IssuedCertificate.serial.like(f"{application.certificate_no}-%")))
    disaster = session.get(Disaster, application.disaster_id)
    building = session.get(Building, application.building_id) if application.building_id else None
    grade = application.issued_grade
    return sources.DocumentCopy(f"{application.certificate_no}-{copies + 2}",
                                certificates.Subject("certificate_application", application.id),
                                lambda header: _document(header, application, disaster, building, grade))


def receive_online(session: Session, actor: Actor, data: dict) -> CertificateApplication:
    """An application sent by an online application system (the resident applied there), its body
    already checked against ``schemas.NEW_APPLICATION``. The damaged house is found by its address;
    the disaster must be one the municipality is handling."""
    disaster = session.get(Disaster, data["disaster_id"])
    if disaster is None or disaster.status != rules.RESPONDING:
        raise ValidationError(DISASTER_UNKNOWN, code="disaster_unknown")
    building_id = None
    if data.get("building_address", "").strip():
        building_id = session.scalar(select(Building.id).where(Building.address == data["building_address"].strip())
                                     .order_by(Building.is_dwelling.desc(), Building.id))
        if building_id is None:
            raise ValidationError("building_address の建物が見つかりません（住所を確認してください）。",
                                  code="building_unknown")
    return create_application(
        session, actor, disaster.id, kind=data["kind"], channel=certificate_rules.ONLINE,
        applicant_name=data["applicant_name"], applicant_address=data["applicant_address"],
        applicant_phone=data.get("applicant_phone", ""), cause=data["cause"], building_id=building_id,
        damaged_property=data.get("damaged_property", ""), flood_level=data.get("flood_level", ""))


def open_disasters(session: Session) -> list[Disaster]:
    return list(session.scalars(select(Disaster).where(Disaster.status == rules.RESPONDING).order_by(Disaster.id)))
