"""避難行動要支援者名簿 (災対法 49条の10): each municipality's extraction criteria and its register."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, text_column

CONSENT_STATES = ("未回答", "同意", "不同意")


class EvacCriteria(TimestampMixin, Base):
    """Who needs help to evacuate, as the municipality decides (one row per municipality)."""

    __tablename__ = "evac_criteria"

    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), primary_key=True)
    config: Mapped[dict] = mapped_column(JSONB, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class EvacPerson(TimestampMixin, Base):
    """A person on the register: why, and whether they agreed to their data going to supporters."""

    __tablename__ = "evac_people"
    __table_args__ = (UniqueConstraint("lg_code", "resident_id"),
                      CheckConstraint("consent IN ('未回答','同意','不同意')", name="consent_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    reasons: Mapped[str] = mapped_column(Text, default="")  # 避難支援等を必要とする事由
    consent: Mapped[str] = mapped_column(String(4), default="未回答")
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_how: Mapped[str] = text_column(40)  # 郵送, 訪問, 窓口 …
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no longer meets the criteria
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
