"""The kiosk's use cases over the issuance service: open a session (hours, challenge), verify the
card, the menu, a request with its quote, the store's payment confirmation and the PDF, issued
exactly once. Every state lives in ``kiosk_sessions``/``kiosk_requests``; nothing is issued before
the payment is confirmed, and a refusal at the last step stores nothing (one transaction)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.cardauth import services as cardauth
from app.cardauth.models import CardChallenge
from app.cardauth.rules import CardAuthRefused, TrustStore
from app.certificates import issuance, rules
from app.certificates.issuer import Issuer
from app.certificates.models import IssuedCertificate
from app.certificates.services import download
from app.db import NO_TENANT, Scope, set_scope
from app.errors import DomainError
from app.kiosk import contracts
from app.kiosk.models import KioskMaintenanceDay, KioskRequest, KioskSession
from app.kiosk.stores import KioskStore
from app.residents.models import Resident
from certificate_engine.wareki import JST

PURPOSE = "kiosk"
SESSION_LIFETIME = timedelta(minutes=10)
REQUEST_LIFETIME = timedelta(minutes=10)
KEEP_EXPIRED = timedelta(days=1)

MESSAGES = {
    "session_unknown": "この端末の利用手続きが見つかりません。最初からやり直してください。",
    "session_expired": "操作の有効時間（10分）が過ぎました。最初からやり直してください。",
    "session_not_verified": "マイナンバーカードによる本人確認がまだ済んでいません。",
    "session_verified": "この手続きでは既に本人確認が済んでいます。",
    "request_unknown": "証明書の請求が見つかりません。最初からやり直してください。",
    "request_expired": "請求の有効時間（10分）が過ぎました。最初からやり直してください。",
    "payment_not_confirmed": "手数料の支払いが確認されていないため、証明書を発行できません。",
    "payment_mismatch": "支払われた金額が手数料と一致しません。",
    "payment_done": "この請求の支払いは既に確認されています。",
}
STATUS = {"session_unknown": 404, "request_unknown": 404, "session_expired": 410, "request_expired": 410,
          "payment_not_confirmed": 402, "session_not_verified": 409, "session_verified": 409, "payment_done": 409}


class KioskRefused(DomainError):
    """A kiosk step refused for the reason named by ``code`` (a key of ``MESSAGES``)."""

    title = "コンビニ交付の手続きを続けられません"

    def __init__(self, code: str):
        super().__init__(MESSAGES[code], code=code)
        self.status = STATUS.get(code, 422)


def maintenance_days(session: Session, around: date) -> set[date]:
    return set(session.scalars(select(KioskMaintenanceDay.day).where(
        KioskMaintenanceDay.day.between(around - timedelta(days=1), around + timedelta(days=1)))))


def check_open(session: Session, now: datetime) -> None:
    """Refuse outside 06:30–23:00, 12/29–1/3 and maintenance days (503, precise code)."""
    closed = rules.kiosk_closed(now, maintenance_days(session, now.astimezone(JST).date()))
    if closed is not None:
        raise issuance.IssuanceRefused(closed, status=503)


@dataclass(frozen=True)
class Opened:
    kiosk_session: KioskSession
    challenge: CardChallenge


def open_session(session: Session, store: KioskStore, now: datetime) -> Opened:
    """A new kiosk session for one resident: hours checked, a single-use challenge for the card."""
    check_open(session, now)
    session.execute(delete(KioskSession).where(KioskSession.expires_at < now - KEEP_EXPIRED,
                                               KioskSession.lg_code.is_(None)))
    challenge = cardauth.issue_challenge(session, PURPOSE, None)
    opened = KioskSession(id=uuid.uuid4(), store_operator=store.operator, store_id=store.store_id,
                          store_lg_code=store.lg_code, challenge_id=challenge.id, expires_at=now + SESSION_LIFETIME)
    session.add(opened)
    session.flush()
    return Opened(opened, challenge)


def _key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def enter(session: Session, *, session_id: str | None = None,
          request_id: str | None = None) -> None:
    """Act for the municipality of a verified session or request (found through ``bcl_kiosk_tenant``)."""
    lg_code = session.scalar(text("SELECT bcl_kiosk_tenant(:s, :r)"), {
        "s": _key(session_id) if session_id else None, "r": _key(request_id) if request_id else None})
    set_scope(session, Scope.tenant(lg_code) if lg_code else NO_TENANT)


def get_session(session: Session, store: KioskStore, session_id: str, now: datetime) -> KioskSession:
    """The store's own unexpired kiosk session."""
    key = _key(session_id)
    found = session.get(KioskSession, key) if key else None
    if found is None or found.store_operator != store.operator or found.store_id != store.store_id:
        raise KioskRefused("session_unknown")
    if found.expires_at <= now:
        raise KioskRefused("session_expired")
    return found


def verify_card(session: Session, store: KioskStore, trust: TrustStore, session_id: str,
                answer: cardauth.CardAnswer, now: datetime) -> tuple[KioskSession, Resident]:
    """Verify the card's answer to this session's challenge; the session then belongs to the card
    holder's municipality. Card refusals raise ``CardAuthRefused`` (the caller records them)."""
    kiosk_session = get_session(session, store, session_id, now)
    if kiosk_session.lg_code is not None:
        raise KioskRefused("session_verified")
    if _key(answer.challenge_id) != kiosk_session.challenge_id:
        raise CardAuthRefused("challenge_unknown")
    holder = cardauth.verify(session, kiosk_actor(None, store), trust, answer, PURPOSE, any_status=True)
    kiosk_session.lg_code, kiosk_session.atena_no = holder.lg_code, holder.resident.atena_no
    session.flush()
    return kiosk_session, holder.resident


def eligibility(session: Session, store: KioskStore, resident: Resident, now: datetime) -> rules.Refusal | None:
    """Why the card holder cannot use this kiosk at all (None: eligible), for the screen after the
    card: no contract of their municipality with the store's operator, or the person's own
    conditions. A refusal is audited under the resident's municipality."""
    day = now.astimezone(JST).date()
    why = contract_refusal(session, store, resident.lg_code, day) or issuance.person_refusal(
        session, resident, rules.KIOSK, day)
    if why is not None:
        record_refusal(session, kiosk_actor(resident.lg_code, store), resident.atena_no, why.code, "")
    return why


def contract_refusal(session: Session, store: KioskStore, lg_code: str, day: date) -> rules.Refusal | None:
    """``no_contract`` unless the municipality has a contract with the store's operator on ``day``."""
    return None if contracts.has_contract(session, lg_code, store.operator, day) else rules.Refusal("no_contract")


def require_contract(session: Session, store: KioskStore, kiosk_session: KioskSession, day: date) -> None:
    """Refuse (403, audited) every step for a municipality without a contract with the operator."""
    why = contract_refusal(session, store, kiosk_session.lg_code, day)
    if why is not None:
        raise _audited(issuance.IssuanceRefused(why, status=403), kiosk_actor(kiosk_session.lg_code, store),
                       kiosk_session.atena_no)


def record_refusal(session: Session, actor: Actor, atena_no: str, code: str, document_type: str) -> None:
    """Audit a kiosk refusal about the person (age, 支援措置, move-out, no seal or tax record…)."""
    record(session, actor, "certificate_refused", "resident", [atena_no], code=code, document_type=document_type,
           channel=rules.KIOSK)


def _audited(refusal: DomainError, actor: Actor, atena_no: str, document_type: str = "") -> DomainError:
    """``refusal``, to be audited (``record_refusal``) once the refused work is rolled back."""
    code = refusal.code
    refusal.after_rollback = lambda rolled_back: record_refusal(rolled_back, actor, atena_no, code, document_type)
    return refusal


def _quote(session: Session, actor: Actor, resident: Resident, document_type: str, options: dict,
           day: date) -> issuance.Quote:
    """The issuance service's quote; a refusal is audited."""
    try:
        return issuance.quote(session, resident, document_type, options, rules.KIOSK, day)
    except issuance.IssuanceRefused as refusal:
        raise _audited(refusal, actor, resident.atena_no, str(document_type)[:20]) from None


def kiosk_actor(lg_code: str | None, store: KioskStore) -> Actor:
    return Actor(lg_code, None, f"kiosk:{store.operator}:{store.store_id}"[:32], None, "/api/kiosk/v1")


def verified_resident(session: Session, store: KioskStore, session_id: str,
                      now: datetime) -> tuple[KioskSession, Resident]:
    kiosk_session = get_session(session, store, session_id, now)
    if kiosk_session.lg_code is None:
        raise KioskRefused("session_not_verified")
    resident = session.scalar(select(Resident).where(Resident.lg_code == kiosk_session.lg_code,
                                                     Resident.atena_no == kiosk_session.atena_no))
    return kiosk_session, resident


def menu(session: Session, store: KioskStore, session_id: str, now: datetime) -> list[issuance.MenuItem]:
    """The documents of the resident's municipality at kiosks with fees, each refused one with why."""
    kiosk_session, resident = verified_resident(session, store, session_id, now)
    require_contract(session, store, kiosk_session, now.astimezone(JST).date())
    return issuance.menu(session, resident, rules.KIOSK, now.astimezone(JST).date())


def create_request(session: Session, store: KioskStore, session_id: str, document_type: str, options: object,
                   now: datetime) -> KioskRequest:
    """Check and price one document: a quoted request (nothing issued yet)."""
    check_open(session, now)
    kiosk_session, resident = verified_resident(session, store, session_id, now)
    require_contract(session, store, kiosk_session, now.astimezone(JST).date())
    if not isinstance(document_type, str) or not isinstance(options or {}, dict):
        raise issuance.IssuanceRefused(rules.Refusal("document_unknown"))
    quoted = _quote(session, kiosk_actor(kiosk_session.lg_code, store), resident, document_type, options or {},
                    now.astimezone(JST).date())
    # The municipality's finished sessions (and their requests) are kept a day, then dropped.
    session.execute(delete(KioskSession).where(KioskSession.lg_code == kiosk_session.lg_code,
                                               KioskSession.expires_at < now - KEEP_EXPIRED))
    request = KioskRequest(id=uuid.uuid4(), lg_code=kiosk_session.lg_code, session_id=kiosk_session.id,
                           document_type=document_type, options=quoted.options, fee_yen=quoted.charges.fee_yen,
                           status="quoted", expires_at=now + REQUEST_LIFETIME)
    session.add(request)
    session.flush()
    return request


def _request(session: Session, store: KioskStore, request_id: str) -> tuple[KioskRequest, KioskSession]:
    key = _key(request_id)
    found = session.scalar(select(KioskRequest).where(KioskRequest.id == key).with_for_update()) if key else None
    if found is None:
        raise KioskRefused("request_unknown")
    kiosk_session = session.get(KioskSession, found.session_id)
    if kiosk_session.store_operator != store.operator or kiosk_session.store_id != store.store_id:
        raise KioskRefused("request_unknown")
    return found, kiosk_session


def confirm_payment(session: Session, store: KioskStore, request_id: str, amount_yen: object,
                    now: datetime) -> KioskRequest:
    """The store confirms the resident paid the quoted fee."""
    request, _ = _request(session, store, request_id)
    if request.status != "quoted":
        raise KioskRefused("payment_done")
    if request.expires_at <= now:
        raise KioskRefused("request_expired")
    if not isinstance(amount_yen, int) or isinstance(amount_yen, bool) or amount_yen != request.fee_yen:
        raise KioskRefused("payment_mismatch")
    request.status, request.paid_at = "paid", now
    session.flush()
    return request


def fetch_pdf(session: Session, store: KioskStore, issuer: Issuer, request_id: str,
              now: datetime) -> IssuedCertificate:
    """The paid request's signed PDF: issued on the first call (log row with the store), the same
    document on any later call. Unpaid: refused, nothing issued."""
    request, kiosk_session = _request(session, store, request_id)
    actor = kiosk_actor(request.lg_code, store)
    if request.status == "issued":
        return download(session, actor, request.issued_certificate_id)
    if request.status != "paid":
        raise KioskRefused("payment_not_confirmed")
    require_contract(session, store, kiosk_session, now.astimezone(JST).date())
    resident = session.scalar(select(Resident).where(Resident.lg_code == request.lg_code,
                                                     Resident.atena_no == kiosk_session.atena_no))
    day = now.astimezone(JST).date()
    quoted = _quote(session, actor, resident, request.document_type, request.options, day)
    quoted = replace(quoted, charges=replace(quoted.charges, fee_yen=request.fee_yen))
    issued = issuance.issue(session, actor, issuer, resident, request.document_type, request.options, rules.KIOSK,
                            day=day, store=store, quoted=quoted)
    request.status, request.issued_certificate_id = "issued", issued.id
    session.flush()
    return issued
