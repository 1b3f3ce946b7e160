"""Kiosk state: the store operators (operator-level, not a tenant's), each municipality's contracts
with them, the service's maintenance days, and the short-lived kiosk sessions and requests that
keep an issue all-or-nothing."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, text_column

# quoted → paid → issued; a paid request that ends without a certificate is refund_due until the
# store confirms the refund (refunded).
REQUEST_STATUSES = ("quoted", "paid", "issued", "refund_due", "refunded")


class StoreOperator(Base):
    """A convenience-store chain whose kiosks call the API. Only the token's SHA-256 is kept."""

    __tablename__ = "store_operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(12))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KioskContract(TenantOwned, Base):
    """A municipality's コンビニ交付 contract with a store operator: its residents are served at that
    operator's kiosks from ``started_on`` until ``ended_on`` (inclusive; None: open-ended)."""

    __tablename__ = "kiosk_contracts"
    __table_args__ = (UniqueConstraint("lg_code", "store_operator"),
                      CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_ordered"))
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    store_operator: Mapped[str] = mapped_column(String(20), ForeignKey("store_operators.code"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class KioskMaintenanceDay(Base):
    """A day the kiosk service is closed for maintenance (operator-wide)."""

    __tablename__ = "kiosk_maintenance_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    note: Mapped[str] = text_column(100)


class KioskSession(Base):
    """One resident at one kiosk: the store context and challenge, then (after the card) the person.
    ``lg_code`` is NULL until the card is verified; the row is then the resident's municipality's."""

    __tablename__ = "kiosk_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    lg_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("municipalities.lg_code"))
    store_operator: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[str] = mapped_column(String(40))
    store_lg_code: Mapped[str] = mapped_column(String(6))
    challenge_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    atena_no: Mapped[str] = text_column(15)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class KioskRequest(TenantOwned, Base):
    """One document asked for in a session: quoted → paid → issued (exactly once), or paid →
    refund_due → refunded (its ``KioskRefund`` says why and when)."""

    __tablename__ = "kiosk_requests"
    __table_args__ = (CheckConstraint("status IN ('quoted','paid','issued','refund_due','refunded')",
                                      name="status_known"),)
    lg_code_indexed = False

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kiosk_sessions.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[str] = mapped_column(String(20))
    options: Mapped[dict] = mapped_column(JSONB, default=dict)
    fee_yen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="quoted")
    issued_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("issued_certificates.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KioskRefund(TenantOwned, Base):
    """A kiosk request that was paid and ended without a certificate: what the store owes the resident,
    why (the refusal's code), when it became due and when the store confirmed the refund. No personal
    data, like the issuance log: the settlement counts it and the operator reads every municipality's."""

    __tablename__ = "kiosk_refunds"
    __table_args__ = (Index("ix_kiosk_refunds_due_at", "due_at"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_request_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    document_type: Mapped[str] = mapped_column(String(20))
    store_operator: Mapped[str] = mapped_column(String(20))
    store_lg_code: Mapped[str] = mapped_column(String(6))
    fee_yen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
