"""The kiosk's use cases over the issuance service: open a session (hours, throttle, challenge),
verify the card, the menu, a request with its quote, the store's payment confirmation, the PDF
issued exactly once, and the refund of a paid request that ended without one. Every state lives
in ``kiosk_sessions``/``kiosk_requests``; nothing is issued before the payment is confirmed, a
refusal at the last step stores nothing (one transaction) but the request's ``refund_due``.

The store (operator, store id and its municipality) is bound to the session when it is opened:
every later call must name the same store, and the issuance log takes it from the session."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, select, text
from sqlalchemy.orm import Session

from app import throttle
from app.audit.services import Actor, record
from app.bodies import BodyRefused, shown
from app.cardauth import services as cardauth
from app.cardauth.models import CardChallenge
from app.cardauth.rules import CardAuthRefused, TrustStore
from app.certificates import issuance, rules
from app.certificates.issuer import Issuer
from app.certificates.models import IssuedCertificate
from app.certificates.services import Store, download
from app.clock import japan_date
from app.db import NO_TENANT, Scope, set_scope
from app.errors import DomainError, TooManyRequests
from app.kiosk import contracts, refunds
from app.kiosk.models import KioskMaintenanceDay, KioskRefund, KioskRequest, KioskSession
from app.kiosk.stores import KioskStore
from app.residents.models import Resident

PURPOSE = "kiosk"
# An opened session must be used — the card verified — within 3 minutes; a verified one lasts 10
# minutes from the card. A quote lasts 10 minutes unless paid; a paid request's PDF must be asked
# for within 10 minutes of the payment, else it is refund_due.
UNUSED_SESSION_LIFETIME = timedelta(minutes=3)
SESSION_LIFETIME = timedelta(minutes=10)
REQUEST_LIFETIME = timedelta(minutes=10)
PAID_LIFETIME = timedelta(minutes=10)
KEEP_UNUSED = timedelta(hours=1)
KEEP_EXPIRED = timedelta(days=1)
SESSION_WINDOW = timedelta(minutes=1)
SESSION_KEYS = "kiosk-sessions:"  # throttle keys: the sessions each store operator opened
UNSETTLED = ("paid", "refund_due")

MESSAGES = {
    "session_unknown": "この端末の利用手続きが見つかりません。最初からやり直してください。",
    "session_expired": "操作の有効時間が過ぎました。最初からやり直してください。",
    "session_not_verified": "マイナンバーカードによる本人確認がまだ済んでいません。",
    "session_verified": "この手続きでは既に本人確認が済んでいます。",
    "store_mismatch": "店舗の所在地の団体コードが、利用を開始したときと異なります。最初からやり直してください。",
    "too_many_sessions": "この事業者の端末からの利用開始が多すぎるため、受け付けられません。"
                         "しばらく時間をおいてからお試しください。",
    "request_unknown": "証明書の請求が見つかりません。最初からやり直してください。",
    "request_expired": "請求の有効時間（10分）が過ぎました。最初からやり直してください。",
    "payment_not_confirmed": "手数料の支払いが確認されていないため、証明書を発行できません。",
    "payment_mismatch": "支払われた金額が手数料と一致しません。",
    "payment_done": "この請求の支払いは既に確認されています。",
    "refund_due": "この請求の証明書は発行できませんでした。受け取った手数料を利用者に返金してください。",
    "not_issued": "この請求の証明書はまだ発行されていません。発行の手続き（POST …/issue）を先に行ってください。",
    "refund_not_due": "この請求は返金の対象ではないか、返金は既に確認されています。",
    "refund_mismatch": "返金した金額が受け取った手数料と一致しません。",
    "issue_failed": "システムの障害のため証明書を発行できませんでした。受け取った手数料を利用者に返金してください。",
}
STATUS = {"session_unknown": 404, "request_unknown": 404, "session_expired": 410, "request_expired": 410,
          "payment_not_confirmed": 402, "session_not_verified": 409, "session_verified": 409, "payment_done": 409,
          "store_mismatch": 409, "refund_due": 409, "refund_not_due": 409, "not_issued": 409, "issue_failed": 500}


class KioskRefused(DomainError):
    """A kiosk step refused for the reason named by ``code`` (a key of ``MESSAGES``)."""

    title = "コンビニ交付の手続きを続けられません"

    def __init__(self, code: str, **details):
        super().__init__(MESSAGES[code], code=code, details=details)
        self.status = STATUS.get(code, 422)


def maintenance_days(session: Session, around: date) -> set[date]:
    return set(session.scalars(select(KioskMaintenanceDay.day).where(
        KioskMaintenanceDay.day.between(around - timedelta(days=1), around + timedelta(days=1)))))


def check_open(session: Session, now: datetime) -> None:
    """Refuse outside 06:30–23:00, 12/29–1/3 and maintenance days (503, precise code)."""
    closed = rules.kiosk_closed(now, maintenance_days(session, japan_date(now)))
    if closed is not None:
        raise issuance.IssuanceRefused(closed, status=503)


@dataclass(frozen=True)
class Opened:
    kiosk_session: KioskSession
    challenge: CardChallenge


def open_session(session: Session, store: KioskStore, now: datetime, limit: throttle.Limit) -> Opened:
    """A new kiosk session for one resident: hours checked, at most ``limit.count`` sessions per
    store operator in ``limit.window`` (on the database's clock, as every throttle), a single-use
    challenge for the card. Unused sessions an hour past their expiry are purged."""
    check_open(session, now)
    throttle.purge(session, SESSION_KEYS, limit.window)
    wait = throttle.take(session, SESSION_KEYS + store.operator, limit)
    if wait:
        raise TooManyRequests(MESSAGES["too_many_sessions"], code="too_many_sessions", retry_after=wait)
    session.execute(delete(KioskSession).where(KioskSession.expires_at < now - KEEP_UNUSED,
                                               KioskSession.lg_code.is_(None)))
    challenge = cardauth.issue_challenge(session, PURPOSE, None)
    opened = KioskSession(id=uuid.uuid4(), store_operator=store.operator, store_id=store.store_id,
                          store_lg_code=store.lg_code, challenge_id=challenge.id,
                          expires_at=now + UNUSED_SESSION_LIFETIME)
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


def _same_store(kiosk_session: KioskSession, store: KioskStore) -> bool:
    return (kiosk_session.store_operator, kiosk_session.store_id) == (store.operator, store.store_id)


def _check_store(kiosk_session: KioskSession | None, store: KioskStore, unknown: str) -> KioskSession:
    """The session is this store's: another operator or store id does not find it (``unknown``),
    another municipality for the same store is refused (``store_mismatch``)."""
    if kiosk_session is None or not _same_store(kiosk_session, store):
        raise KioskRefused(unknown)
    if kiosk_session.store_lg_code != store.lg_code:
        raise KioskRefused("store_mismatch")
    return kiosk_session


def session_store(kiosk_session: KioskSession) -> Store:
    """The store the session was opened at: what the issuance log records."""
    return Store(kiosk_session.store_operator, kiosk_session.store_id, kiosk_session.store_lg_code)


def get_session(session: Session, store: KioskStore, session_id: str, now: datetime) -> KioskSession:
    """The store's own unexpired kiosk session."""
    key = _key(session_id)
    found = _check_store(session.get(KioskSession, key) if key else None, store, "session_unknown")
    if found.expires_at <= now:
        raise KioskRefused("session_expired")
    return found


def verify_card(session: Session, store: KioskStore, trust: TrustStore, session_id: str,
                answer: cardauth.CardAnswer, now: datetime,
                failure_limit: throttle.Limit = cardauth.DEFAULT_FAILURE_LIMIT) -> tuple[KioskSession, Resident]:
    """Verify the card's answer to this session's challenge; the session then belongs to the card
    holder's municipality and lasts SESSION_LIFETIME. The card itself (challenge, certificate, CRL)
    is judged on the real clock, never a testing one, and its failed answers on the database's. Card
    refusals raise ``CardAuthRefused``, or ``TooManyRequests`` for a card held back by its failed
    answers (the caller records them)."""
    check_open(session, now)
    kiosk_session = get_session(session, store, session_id, now)
    if kiosk_session.lg_code is not None:
        raise KioskRefused("session_verified")
    if _key(answer.challenge_id) != kiosk_session.challenge_id:
        raise CardAuthRefused("challenge_unknown")
    holder = cardauth.verify(session, kiosk_actor(None, store), trust, answer, PURPOSE, any_status=True,
                             failure_limit=failure_limit)
    kiosk_session.lg_code, kiosk_session.atena_no = holder.lg_code, holder.resident.atena_no
    kiosk_session.expires_at = now + SESSION_LIFETIME
    session.flush()
    return kiosk_session, holder.resident


def eligibility(session: Session, store: KioskStore, resident: Resident, now: datetime) -> rules.Refusal | None:
    """Why the card holder cannot use this kiosk at all (None: eligible), for the screen after the
    card: no contract of their municipality with the store's operator, or the person's own
    conditions. A refusal is audited under the resident's municipality."""
    day = japan_date(now)
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
    return refusal.keeping(lambda rolled_back: record_refusal(rolled_back, actor, atena_no, code, document_type))


def _quote(session: Session, actor: Actor, resident: Resident, document_type: str, options: dict,
           day: date) -> issuance.Quote:
    """The issuance service's quote; a refusal is audited."""
    try:
        return issuance.quote(session, resident, document_type, options, rules.KIOSK, day)
    except issuance.IssuanceRefused as refusal:
        raise _audited(refusal, actor, resident.atena_no, shown(document_type, 20)) from None


def kiosk_actor(lg_code: str | None, store: Store) -> Actor:
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
    check_open(session, now)
    kiosk_session, resident = verified_resident(session, store, session_id, now)
    require_contract(session, store, kiosk_session, japan_date(now))
    return issuance.menu(session, resident, rules.KIOSK, japan_date(now))


def refused_body(session: Session, store: KioskStore, session_id: str, refused: BodyRefused) -> BodyRefused:
    """A refused request body of a verified session, to be audited under the person's municipality
    (with the document type asked for, made safe to store) once the work is rolled back."""
    key = _key(session_id)
    kiosk_session = session.get(KioskSession, key) if key else None
    if kiosk_session is None or kiosk_session.lg_code is None or not _same_store(kiosk_session, store):
        return refused
    body = refused.body if isinstance(refused.body, dict) else {}
    return _audited(refused, kiosk_actor(kiosk_session.lg_code, store), kiosk_session.atena_no,
                    shown(body.get("document_type", ""), 20))


def create_request(session: Session, store: KioskStore, session_id: str, document_type: str, options: dict | None,
                   now: datetime) -> KioskRequest:
    """Check and price one document: a quoted request (nothing issued yet)."""
    check_open(session, now)
    kiosk_session, resident = verified_resident(session, store, session_id, now)
    require_contract(session, store, kiosk_session, japan_date(now))
    quoted = _quote(session, kiosk_actor(kiosk_session.lg_code, store), resident, document_type, options or {},
                    japan_date(now))
    _tidy(session, kiosk_session.lg_code, now)
    request = KioskRequest(id=uuid.uuid4(), lg_code=kiosk_session.lg_code, session_id=kiosk_session.id,
                           document_type=document_type, options=quoted.options, fee_yen=quoted.charges.fee_yen,
                           status="quoted", expires_at=now + REQUEST_LIFETIME)
    session.add(request)
    session.flush()
    return request


def _tidy(session: Session, lg_code: str, now: datetime) -> None:
    """The municipality's paid requests not collected in time become refund_due; its finished
    sessions (and their requests) are kept a day, then dropped — unless a refund is still open."""
    forgotten = session.execute(select(KioskRequest, KioskSession).join(KioskSession).where(
        KioskRequest.lg_code == lg_code, KioskRequest.status == "paid",
        KioskRequest.paid_at <= now - PAID_LIFETIME).with_for_update(of=KioskRequest, skip_locked=True)).all()
    for request, kiosk_session in forgotten:
        refunds.mark_due(session, kiosk_actor(lg_code, session_store(kiosk_session)), request, kiosk_session,
                         "request_expired", now)
    unsettled = exists().where(KioskRequest.session_id == KioskSession.id, KioskRequest.status.in_(UNSETTLED))
    session.execute(delete(KioskSession).where(KioskSession.lg_code == lg_code,
                                               KioskSession.expires_at < now - KEEP_EXPIRED, ~unsettled))


def _request(session: Session, store: KioskStore, request_id: str) -> tuple[KioskRequest, KioskSession]:
    key = _key(request_id)
    found = session.scalar(select(KioskRequest).where(KioskRequest.id == key).with_for_update()) if key else None
    if found is None:
        raise KioskRefused("request_unknown")
    return found, _check_store(session.get(KioskSession, found.session_id), store, "request_unknown")


def get_request(session: Session, store: KioskStore, request_id: str) -> tuple[KioskRequest, KioskRefund | None]:
    """The store's request and, once it is refund_due or refunded, its refund."""
    request, _ = _request(session, store, request_id)
    return request, refunds.refund_of(session, request.id)


def confirm_payment(session: Session, store: KioskStore, request_id: str, amount_yen: int,
                    now: datetime) -> KioskRequest:
    """The store confirms the resident paid the quoted fee. Not held to the opening hours: the money
    changed hands, and a PDF refused after closing makes the request refund_due."""
    request, _ = _request(session, store, request_id)
    if request.status != "quoted":
        raise KioskRefused("payment_done")
    if request.expires_at <= now:
        raise KioskRefused("request_expired")
    if amount_yen != request.fee_yen:
        raise KioskRefused("payment_mismatch")
    request.status, request.paid_at = "paid", now
    session.flush()
    return request


def issue_pdf(session: Session, store: KioskStore, issuer: Issuer, request_id: str,
              now: datetime) -> tuple[IssuedCertificate, bool]:
    """Issue the paid request's signed PDF (hours, contract and eligibility checked again; log row
    with the session's store): ``(issued, True)``. Asked again, the same document, ``(issued, False)``:
    a retried call never issues twice. Unpaid: refused, nothing issued. A paid request refused here,
    or asked for PAID_LIFETIME after the payment, becomes refund_due with the refusal's code; any
    other failure (a defect, a value the database refuses) is logged and answered ``issue_failed``
    (500), and the request becomes refund_due all the same."""
    request, kiosk_session = _request(session, store, request_id)
    actor = kiosk_actor(request.lg_code, store)
    if request.status == "issued":
        return download(session, actor, request.issued_certificate_id), False
    _refuse_unless(request, "paid")
    try:
        if request.paid_at + PAID_LIFETIME <= now:
            raise KioskRefused("request_expired")
        return _issue(session, store, issuer, request, kiosk_session, now), True
    except DomainError as refusal:
        raise _refund_due_after_rollback(refusal, actor, request.id, now) from None
    except Exception as failure:
        # Not a refusal but a defect: the money state must still say that the fee goes back.
        logging.getLogger("bcl").exception("kiosk issue of request %s failed", request.id)
        raise _refund_due_after_rollback(KioskRefused("issue_failed"), actor, request.id, now) from failure


def issued_pdf(session: Session, store: KioskStore, request_id: str) -> IssuedCertificate:
    """The signed PDF of a request already issued (a reprint after a paper jam), audited as a
    download. Reading never issues: a paid request not yet issued is refused with ``not_issued``."""
    request, _ = _request(session, store, request_id)
    _refuse_unless(request, "issued")
    return download(session, kiosk_actor(request.lg_code, store), request.issued_certificate_id)


def _refuse_unless(request: KioskRequest, status: str) -> None:
    """Refuse with the code that tells the store what to do when ``request`` is not in ``status``."""
    if request.status == status:
        return
    if request.status in ("refund_due", "refunded"):
        raise KioskRefused("refund_due", request_status=request.status)
    if request.status == "paid":
        raise KioskRefused("not_issued")
    raise KioskRefused("payment_not_confirmed")


def _issue(session: Session, store: KioskStore, issuer: Issuer, request: KioskRequest,
           kiosk_session: KioskSession, now: datetime) -> IssuedCertificate:
    check_open(session, now)
    actor = kiosk_actor(request.lg_code, store)
    day = japan_date(now)
    require_contract(session, store, kiosk_session, day)
    resident = session.scalar(select(Resident).where(Resident.lg_code == request.lg_code,
                                                     Resident.atena_no == kiosk_session.atena_no))
    quoted = _quote(session, actor, resident, request.document_type, request.options, day)
    quoted = replace(quoted, charges=replace(quoted.charges, fee_yen=request.fee_yen))
    issued = issuance.issue(session, actor, issuer, resident, request.document_type, request.options, rules.KIOSK,
                            day=day, store=session_store(kiosk_session), quoted=quoted)
    request.status, request.issued_certificate_id = "issued", issued.id
    session.flush()
    return issued


def _refund_due_after_rollback(refusal: DomainError, actor: Actor, request_id: uuid.UUID,
                               now: datetime) -> DomainError:
    """``refusal`` of a paid request's issue: after the rollback (and its own audit entry) the
    request becomes refund_due with the refusal's code, which the problem document tells the store."""
    def mark_refund_due(rolled_back: Session) -> None:
        request = rolled_back.scalar(select(KioskRequest).where(KioskRequest.id == request_id).with_for_update())
        if request is not None and request.status == "paid":
            refunds.mark_due(rolled_back, actor, request, rolled_back.get(KioskSession, request.session_id),
                             refusal.code, now)

    refusal.details = {**refusal.details, "request_status": "refund_due"}
    return refusal.keeping(mark_refund_due)


def refund_message(reason: str) -> str:
    """Why a paid request ended without a certificate, for the kiosk screen (by the refusal's code)."""
    if reason == refunds.STORE_CANCELLED:
        return "店舗が手数料を返金し、この請求を取りやめました。"
    return MESSAGES.get(reason) or rules.MESSAGES.get(reason) or f"証明書を発行できませんでした（{reason}）。"


def confirm_refund(session: Session, store: KioskStore, request_id: str, amount_yen: int,
                   now: datetime) -> tuple[KioskRequest, KioskRefund]:
    """The store confirms it gave the fee back: for a refund_due request, or for a paid one whose
    PDF it will not ask for (``store_cancelled``)."""
    request, kiosk_session = _request(session, store, request_id)
    if request.status not in UNSETTLED:
        raise KioskRefused("refund_not_due")
    if amount_yen != request.fee_yen:
        raise KioskRefused("refund_mismatch")
    refund = refunds.confirm(session, kiosk_actor(request.lg_code, store), request, kiosk_session, now)
    return request, refund
