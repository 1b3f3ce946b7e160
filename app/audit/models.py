"""The append-only audit log. The database refuses UPDATE, DELETE and TRUNCATE on it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_lg_code_occurred_at", "lg_code", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # No foreign keys: an audit entry outlives whatever it mentions.
    lg_code: Mapped[str | None] = mapped_column(String(6))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    login_id: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    ip_address: Mapped[str | None] = mapped_column(INET)
    path: Mapped[str] = mapped_column(String(255), default="")
