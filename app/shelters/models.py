"""Shelters (避難所・避難場所) of a municipality."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, Versioned
from app.shelters.rules import IN_SHELTER, OPEN, WHOLE_DAY, new_card_code

SHELTER_KINDS = ("指定緊急避難場所", "指定避難所", "福祉避難所")
HAZARD_TYPES = ("洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象")
ACCESSIBILITY_ITEMS = ("エレベーター又は1階利用", "スロープ", "点字ブロック", "車いす対応トイレ",
                       "オストメイト対応トイレ")


class Shelter(TenantOwned, Versioned, TimestampMixin, Base):
    __tablename__ = "shelters"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_non_negative"),
                      UniqueConstraint("lg_code", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))  # ID in the デジタル庁 推奨データセット
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    hazards: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    phone: Mapped[str] = mapped_column(String(20), default="")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    # The other columns of the デジタル庁 推奨データセット as imported (header -> value), so that an
    # export gives back every value it was given.
    open_data: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    # Facilities, kept by staff (not in the open dataset): they drive the toilet and space guidance.
    toilets: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    floor_area_m2: Mapped[float | None] = mapped_column(Numeric(8, 1))
    has_generator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    accessibility: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list, server_default="{}")
    stockpile: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


NEEDS = ("食物アレルギー", "医療・服薬", "介護", "障害", "乳幼児", "妊産婦", "日本語以外", "その他")


class ShelterOpening(TenantOwned, Versioned, TimestampMixin, Base):
    """A shelter opened for a disaster; closing keeps it (and its evacuees) as history."""

    __tablename__ = "shelter_openings"
    __table_args__ = (UniqueConstraint("shelter_id", "disaster_id"),
                      CheckConstraint("status IN ('開設','満員','閉鎖')", name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"))
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"), index=True)
    status: Mapped[str] = mapped_column(String(4), default=OPEN)  # rules.OPENING_STATUSES
    opened_by: Mapped[str] = mapped_column(String(60), default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Evacuee(TenantOwned, Versioned, TimestampMixin, Base):
    """A person checked in at an opened shelter (from the resident records or registered on the spot)."""

    __tablename__ = "evacuees"
    __table_args__ = (Index("ix_evacuees_opening_present", "opening_id", "checked_out_at"),
                      Index("ix_evacuees_disaster_resident", "disaster_id", "resident_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("shelter_openings.id"))
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    household_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(4), default=IN_SHELTER)  # 避難の区分 (rules.EVACUEE_KINDS)
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by: Mapped[str] = mapped_column(String(60), default="")
    stay: Mapped[str] = mapped_column(String(4), default=WHOLE_DAY, server_default=WHOLE_DAY)  # rules.STAYS
    # The number on the evacuee card (QR): it follows the person through re-entries and moves.
    card_code: Mapped[str] = mapped_column(String(12), index=True, default=new_card_code)
    moved_from_id: Mapped[int | None] = mapped_column(ForeignKey("evacuees.id"))
    left_reason: Mapped[str] = mapped_column(String(4), default="", server_default="")
    # Needs are seen only by the staff assigned to the shelter (ShelterStaff).
    needs: Mapped[list[str]] = mapped_column(ARRAY(String(12)), default=list, server_default="{}")
    needs_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ShelterStaff(TenantOwned, TimestampMixin, Base):
    """A member of staff assigned to a shelter: the only people who see its evacuees' needs."""

    __tablename__ = "shelter_staff"
    __table_args__ = (UniqueConstraint("shelter_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
