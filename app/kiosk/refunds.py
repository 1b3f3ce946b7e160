"""Refunds at the kiosk: a paid request that ends without a certificate is ``refund_due`` with the
refusal's code; the store reads that and confirms the refund it gave; the settlement counts both.

The ledger (``kiosk_refunds``) holds no personal data, like the issuance log; the request keeps its
state for the store. The caller checks the request's state and holds its row lock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.kiosk.models import KioskRefund, KioskRequest, KioskSession

STORE_CANCELLED = "store_cancelled"  # the store gave the money back before asking for the PDF


def refund_of(session: Session, request_id) -> KioskRefund | None:
    return session.scalar(select(KioskRefund).where(KioskRefund.kiosk_request_id == request_id))


def _audit(session: Session, actor: Actor, request: KioskRequest, kiosk_session: KioskSession,
           refund: KioskRefund, state: str) -> None:
    record(session, actor, "kiosk_refund", "resident", [kiosk_session.atena_no], state=state, reason=refund.reason,
           request_id=str(request.id), document_type=request.document_type, fee_yen=refund.fee_yen)


def mark_due(session: Session, actor: Actor, request: KioskRequest, kiosk_session: KioskSession, reason: str,
             now: datetime) -> KioskRefund:
    """The paid ``request`` ended without a certificate for ``reason``: the store owes the fee back."""
    refund = KioskRefund(lg_code=request.lg_code, kiosk_request_id=request.id, document_type=request.document_type,
                         store_operator=kiosk_session.store_operator, store_lg_code=kiosk_session.store_lg_code,
                         fee_yen=request.fee_yen, reason=reason, due_at=now)
    session.add(refund)
    request.status = "refund_due"
    session.flush()
    _audit(session, actor, request, kiosk_session, refund, "refund_due")
    return refund


def confirm(session: Session, actor: Actor, request: KioskRequest, kiosk_session: KioskSession,
            now: datetime) -> KioskRefund:
    """The store gave the fee back: a refund_due request is settled, a paid one is cancelled."""
    refund = refund_of(session, request.id) or mark_due(session, actor, request, kiosk_session, STORE_CANCELLED, now)
    refund.refunded_at, request.status = now, "refunded"
    session.flush()
    _audit(session, actor, request, kiosk_session, refund, "refunded")
    return refund


@dataclass(frozen=True)
class RefundLine:
    """A month's kiosk refunds of one municipality at one store operator: still due, and refunded."""

    lg_code: str
    store_operator: str
    due: int = 0
    due_yen: int = 0
    refunded: int = 0
    refunded_yen: int = 0


def refund_lines(session: Session, start: datetime, end: datetime) -> list[RefundLine]:
    """Refunds that fell due in [start, end), per municipality and store operator (the session's
    tenant sees its own; the operator scope sees every municipality's)."""
    done = KioskRefund.refunded_at.is_not(None)
    rows = session.execute(
        select(KioskRefund.lg_code, KioskRefund.store_operator,
               func.count().filter(~done), func.coalesce(func.sum(KioskRefund.fee_yen).filter(~done), 0),
               func.count().filter(done), func.coalesce(func.sum(KioskRefund.fee_yen).filter(done), 0))
        .where(KioskRefund.due_at >= start, KioskRefund.due_at < end)
        .group_by(KioskRefund.lg_code, KioskRefund.store_operator)
        .order_by(KioskRefund.lg_code, KioskRefund.store_operator))
    return [RefundLine(*row) for row in rows]
