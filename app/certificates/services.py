"""Issuing certificates: render and sign through the certificate engine, store the signed PDF with
its serial and verification code, serve it again, void it, and verify a code for anyone.

Callers (e.g. 罹災証明書 applications) number the document and build its dataclass from their own
records; ``issue_document`` does the rest in the caller's transaction, so a failed signature
leaves no issue behind.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import fees, rules
from app.certificates.issuer import Issuer
from app.certificates.models import CertificateLayout, IssuanceLog, IssuedCertificate
from app.certificates.wording import Wording
from app.clock import format_date, japan_date
from app.db import get_or_not_found
from app.errors import ValidationError, require_version
from app.tenants.services import get_municipality
from certificate_engine import issue
from certificate_engine.documents import Document, Header
from certificate_engine.fonts import UnsupportedCharacters
from certificate_engine.layout import Layout
from certificate_engine.verification import make_code, normalise

MAX_SEAL_BYTES = 512 * 1024


def get_layout(session: Session, lg_code: str) -> CertificateLayout | None:
    return session.get(CertificateLayout, lg_code)


def engine_layout(session: Session, lg_code: str, verify_url: str) -> Layout:
    """The municipality's layout for the engine; refused when the mayor is not set up yet."""
    stored = get_layout(session, lg_code)
    if stored is None or not stored.mayor_name.strip():
        raise ValidationError("証明書の様式（市町村長名・公印）が設定されていません。"
                              "システム管理者に設定を依頼してください。", code="layout_missing")
    municipality = get_municipality(session, lg_code)
    return Layout(municipality=municipality.full_name, mayor_title=stored.mayor_title, mayor_name=stored.mayor_name,
                  verify_url=verify_url, seal_image=stored.seal_png, titles=tuple(sorted(stored.titles.items())),
                  statements=tuple(sorted(stored.statements.items())))


def set_layout(session: Session, actor: Actor, *, mayor_title: str, mayor_name: str,
               seal_png: bytes | None = None) -> CertificateLayout:
    """Set the mayor (and, when given, the 公印 PNG) printed on the municipality's certificates."""
    if not mayor_title.strip() or not mayor_name.strip():
        raise ValidationError("市町村長の職名と氏名を入力してください。", code="mayor_missing")
    if seal_png is not None and (not seal_png.startswith(b"\x89PNG") or len(seal_png) > MAX_SEAL_BYTES):
        raise ValidationError("公印の画像は 512KB 以下の PNG にしてください。", code="seal_not_png")
    stored = get_layout(session, actor.lg_code)
    if stored is None:
        stored = CertificateLayout(lg_code=actor.lg_code, mayor_title="", mayor_name="")
        session.add(stored)
    stored.mayor_title, stored.mayor_name = mayor_title.strip(), mayor_name.strip()
    if seal_png is not None:
        stored.seal_png = seal_png
    session.flush()
    record(session, actor, "certificate_layout_update", "municipality", [actor.lg_code],
           mayor=stored.mayor_name, seal_changed=seal_png is not None)
    return stored


def update_layout(session: Session, actor: Actor, *, version: int, confirmed: bool, mayor_title: str,
                  mayor_name: str, seal_png: bytes | None = None, wording: Wording | None = None,
                  print_fee: bool | None = None) -> CertificateLayout:
    """The administration screen's save: optimistic lock on the layout and the confirmation checkbox;
    ``wording`` replaces the municipality's titles and 証明文 (checked by ``wording.from_form``);
    ``print_fee`` prints the fee paid in the footer of its certificates."""
    stored = get_layout(session, actor.lg_code)
    if stored is not None:
        require_version(stored.version, version, "証明書の様式は他の職員が先に更新しました。内容を確認してください。",
                        {"職名": stored.mayor_title, "氏名": stored.mayor_name})
    if not confirmed:
        raise ValidationError("変更内容を確認し、チェックを入れてから更新してください。", code="not_confirmed")
    stored = set_layout(session, actor, mayor_title=mayor_title, mayor_name=mayor_name, seal_png=seal_png)
    if wording is not None:  # audited with the layout by set_layout
        stored.titles, stored.statements = wording.titles, wording.statements
    if print_fee is not None:
        stored.print_fee = print_fee
    session.flush()
    return stored


@dataclass(frozen=True)
class Subject:
    """What an issued certificate is about (a record of the calling domain)."""

    type: str
    id: int


@dataclass(frozen=True)
class Store:
    """Where a kiosk issue happened: the store operator (chain), the store and its municipality."""

    operator: str
    store_id: str
    lg_code: str


def issue_document(session: Session, actor: Actor, issuer: Issuer, *, serial: str, channel: str,
                   subject: Subject, build: Callable[[Header], Document], charges: rules.Charges | None = None,
                   store: Store | None = None) -> IssuedCertificate:
    """Render, sign and store one certificate and its issuance log row. ``build`` turns the header
    (mayor, date, serial, verification code) into the document. Characters the fonts lack refuse the
    issue, by name. ``charges`` default to the municipality's fee for the type and channel."""
    if channel not in rules.CHANNELS:
        raise ValidationError(f"交付の経路「{channel}」はありません。", code="channel_unknown")
    layout = engine_layout(session, actor.lg_code, issuer.verify_url)
    code = make_code(issuer.secret, actor.lg_code, serial)
    issued_on = japan_date(session.scalar(select(func.now())))
    document = build(layout.header(actor.lg_code, issued_on, serial, code))
    charges = charges or _fee_charges(session, actor.lg_code, document.kind, channel)
    if get_layout(session, actor.lg_code).print_fee and charges.fee_yen > 0:
        layout = replace(layout, fees=((document.kind, charges.fee_yen),))
    try:
        pdf = issue(document, layout, issuer.signer)
    except UnsupportedCharacters as exc:
        raise ValidationError(f"{exc} 外字の取扱いにより窓口で対応してください。", code="unsupported_characters",
                              details={"characters": exc.characters}) from exc
    issued = IssuedCertificate(lg_code=actor.lg_code, document_type=document.kind, serial=serial,
                               verification_code=code, issued_by=actor.login_id or "system", channel=channel,
                               subject_type=subject.type, subject_id=subject.id,
                               pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf)
    session.add(issued)
    session.flush()
    _log_issue(session, issued, charges, store)
    record(session, actor, "certificate_pdf_issue", "issued_certificate", [issued.id], serial=serial,
           document_type=document.kind, channel=channel)
    return issued


def _fee_charges(session: Session, lg_code: str, document_type: str, channel: str) -> rules.Charges:
    """The charges of an issue at the municipality's fee for the type and channel."""
    setting = fees.fee_for(session, lg_code, document_type, channel)
    return rules.charges(document_type, channel, setting.fee_yen)


def _log_issue(session: Session, issued: IssuedCertificate, charges: rules.Charges,
               store: Store | None) -> None:
    """The issuance log row (no personal data): what statistics and the settlement count."""
    session.add(IssuanceLog(lg_code=issued.lg_code, issued_certificate_id=issued.id,
                            document_type=issued.document_type, channel=issued.channel,
                            store_operator=store.operator if store else "",
                            store_lg_code=store.lg_code if store else "",
                            fee_yen=charges.fee_yen, commission_yen=charges.commission_yen,
                            bcl_fee_yen=charges.bcl_fee_yen))
    session.flush()


def void_issued(session: Session, actor: Actor, issued: list[IssuedCertificate], reason: str) -> None:
    """Void the given certificates and their issuance log rows (already voided ones stay as they are)."""
    if not reason.strip():
        raise ValidationError("無効にする理由を入力してください。", code="reason_missing")
    valid = [i for i in issued if i.voided_at is None]
    if not valid:
        return
    for one in valid:
        one.voided_at, one.void_reason = func.now(), reason.strip()
    session.execute(update(IssuanceLog).where(IssuanceLog.issued_certificate_id.in_([i.id for i in valid]))
                    .values(voided_at=func.now()))
    session.flush()
    record(session, actor, "certificate_void", "issued_certificate", [i.id for i in valid], reason=reason)


def void_subject(session: Session, actor: Actor, subject: Subject, reason: str,
                 keep: int | None = None) -> list[IssuedCertificate]:
    """Void every still-valid certificate issued about ``subject`` except ``keep`` (its replacement)."""
    if not reason.strip():
        raise ValidationError("無効にする理由を入力してください。", code="reason_missing")
    valid = list(session.scalars(select(IssuedCertificate).where(
        IssuedCertificate.subject_type == subject.type, IssuedCertificate.subject_id == subject.id,
        IssuedCertificate.voided_at.is_(None), IssuedCertificate.id != (keep or -1))))
    void_issued(session, actor, valid, reason)
    return valid


def issued_for(session: Session, subject: Subject) -> list[IssuedCertificate]:
    """The certificates issued about ``subject``, oldest first."""
    return list(session.scalars(select(IssuedCertificate).where(
        IssuedCertificate.subject_type == subject.type, IssuedCertificate.subject_id == subject.id)
        .order_by(IssuedCertificate.id)))


def download(session: Session, actor: Actor, issued_id: int, subject: Subject | None = None) -> IssuedCertificate:
    """The stored signed PDF (audited: it holds personal data). With ``subject``, only a certificate
    about that subject is served."""
    issued = get_or_not_found(session, IssuedCertificate, issued_id, "指定された証明書は見つかりません。",
                              "issued_certificate")
    if subject is not None and (issued.subject_type, issued.subject_id) != (subject.type, subject.id):
        raise ValidationError("指定された証明書はこの申請のものではありません。", code="wrong_subject")
    record(session, actor, "certificate_download", "issued_certificate", [issued.id], serial=issued.serial)
    return issued


@dataclass(frozen=True)
class Verification:
    """The public answer for a code: genuine or not and, if genuine, the type, date and validity."""

    genuine: bool
    document_type: str = ""
    issued_on: date | None = None
    voided: bool = False

    @property
    def status(self) -> str:
        return "" if not self.genuine else ("無効" if self.voided else "有効")

    def as_json(self) -> dict:
        if not self.genuine:
            return {"genuine": False}
        return {"genuine": True, "document_type": self.document_type, "issued_on": self.issued_on.isoformat(),
                "issued_on_wareki": format_date(self.issued_on), "status": self.status}


def verify(session: Session, typed_code: str) -> Verification:
    """Look a verification code up across municipalities (no tenant needed, nothing personal out)."""
    code = normalise(typed_code)
    if code is None:
        return Verification(genuine=False)
    row = session.execute(text("SELECT document_type, issued_at, voided_at FROM verify_issued_certificate(:code)"),
                          {"code": code}).first()
    if row is None:
        return Verification(genuine=False)
    issued_at: datetime = row.issued_at
    return Verification(genuine=True, document_type=row.document_type, issued_on=japan_date(issued_at),
                        voided=row.voided_at is not None)
