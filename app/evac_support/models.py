"""避難行動要支援者関連システム: the register (災対法 49条の10) and its criteria, the supporters
(避難支援等関係者) and each provision to them, register updates, 個別避難計画 and 安否確認."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, Versioned, text_column
from app.evac_support.rules import CONSENT_UNANSWERED


class EvacCriteria(TenantOwned, Versioned, TimestampMixin, Base):
    """Who needs help to evacuate, as the municipality decides (one row per municipality)."""

    __tablename__ = "evac_criteria"
    lg_code_is_key = True

    config: Mapped[dict] = mapped_column(JSONB, default=dict)


class EvacPerson(TenantOwned, Versioned, TimestampMixin, Base):
    """A person on the register: why, and whether they agreed to their data going to supporters."""

    __tablename__ = "evac_people"
    __table_args__ = (UniqueConstraint("lg_code", "resident_id"),
                      CheckConstraint("consent IN ('未回答','同意','不同意')", name="consent_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    reasons: Mapped[str] = mapped_column(Text, default="")  # 避難支援等を必要とする事由
    consent: Mapped[str] = mapped_column(String(4), default=CONSENT_UNANSWERED)  # rules.CONSENT_STATES
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_how: Mapped[str] = text_column(40)  # 郵送, 訪問, 窓口 …
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no longer meets the criteria


ORG_KIND_SQL = "kind IN ('消防','警察','民生委員','社会福祉協議会','自主防災組織・自治会','その他')"


class SupporterOrg(TenantOwned, Versioned, TimestampMixin, Base):
    """避難支援等関係者: an organisation that receives the roster for the 町丁目 it covers."""

    __tablename__ = "supporter_orgs"
    __table_args__ = (UniqueConstraint("lg_code", "name"),
                      CheckConstraint(ORG_KIND_SQL, name="kind_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str] = text_column(200)  # 担当者・電話番号など
    area_codes: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class RosterProvision(TenantOwned, Base):
    """One provision of the roster (49条の11: every provision is recorded); append-only."""

    __tablename__ = "evac_roster_provisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("supporter_orgs.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(100))  # the organisation's name at the time
    mode: Mapped[str] = mapped_column(String(4))  # 平常時 / 災害時
    disaster_id: Mapped[int | None] = mapped_column(ForeignKey("disasters.id"))
    file_format: Mapped[str] = mapped_column(String(8))
    person_count: Mapped[int] = mapped_column(Integer)
    person_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)  # evac_people.id listed
    provided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    provided_by: Mapped[str] = mapped_column(String(60))  # login id
    user_id: Mapped[int | None] = mapped_column(Integer)


class RegisterUpdate(TenantOwned, Base):
    """What one extraction changed on the register, and where it came from (a link batch or by hand)."""

    __tablename__ = "evac_register_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("link_batches.id"))
    generation: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))  # 連携 / 手動
    added_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    changed_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    removed_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(60))


class EvacPlan(TenantOwned, Versioned, TimestampMixin, Base):
    """個別避難計画 (49条の14) of one register person: supporters, destination, route, notes."""

    __tablename__ = "evac_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("evac_people.id"), unique=True)
    supporters: Mapped[list] = mapped_column(JSONB, default=list)  # [{name, address, phone, relation}]
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    route = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = text_column(60)


SAFETY_STATE_SQL = "state IN ('未確認','無事','避難済','要救助','不在','死亡','その他')"


class SafetyCheck(TenantOwned, Base):
    """安否確認: one reported state of a register person in a disaster. Append-only; the latest
    row per person is the current state, the earlier ones are its history."""

    __tablename__ = "safety_checks"
    __table_args__ = (CheckConstraint(SAFETY_STATE_SQL, name="state_known"),
                      Index("ix_safety_checks_disaster_person", "disaster_id", "person_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("evac_people.id"))
    state: Mapped[str] = mapped_column(String(4))
    note: Mapped[str] = text_column(200)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked_by: Mapped[str] = mapped_column(String(60))  # login id
    user_id: Mapped[int | None] = mapped_column(Integer)
