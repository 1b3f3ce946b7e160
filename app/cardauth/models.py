"""Card authentication state: single-use challenges and the registered user-auth certificates."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin


class CardChallenge(Base):
    """A nonce the card signs. Not personal data; visible only to the terminal's own municipality
    (``terminal_lg_code``; NULL for a terminal that serves every municipality, such as a kiosk)."""

    __tablename__ = "card_challenges"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    purpose: Mapped[str] = mapped_column(String(20))
    terminal_lg_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CardCertificate(TenantOwned, TimestampMixin, Base):
    """J-LIS's link from a 利用者証明用電子証明書 (issuer + serial) to a person's 住民票コード."""

    __tablename__ = "card_certificates"
    __table_args__ = (UniqueConstraint("issuer", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(400))  # RFC 4514 text of the issuer DN
    serial: Mapped[str] = mapped_column(String(40))  # upper-case hex
    resident_code: Mapped[str] = mapped_column(String(11))  # 住民票コード
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)

