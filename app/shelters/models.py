"""Shelters (避難所・避難場所) of a municipality."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin

SHELTER_KINDS = ("指定緊急避難場所", "指定避難所", "福祉避難所")
HAZARD_TYPES = ("洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象")


class Shelter(TimestampMixin, Base):
    __tablename__ = "shelters"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_non_negative"),
                      UniqueConstraint("lg_code", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
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


OPENING_STATUSES = ("開設", "満員", "閉鎖")
EVACUEE_KINDS = ("避難所", "在宅", "車中泊")


class ShelterOpening(TimestampMixin, Base):
    """A shelter opened for a disaster; closing keeps it (and its evacuees) as history."""

    __tablename__ = "shelter_openings"
    __table_args__ = (UniqueConstraint("shelter_id", "disaster_id"),
                      CheckConstraint("status IN ('開設','満員','閉鎖')", name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"))
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"), index=True)
    status: Mapped[str] = mapped_column(String(4), default="開設")
    opened_by: Mapped[str] = mapped_column(String(60), default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Evacuee(TimestampMixin, Base):
    """A person checked in at an opened shelter (from the resident records or registered on the spot)."""

    __tablename__ = "evacuees"
    __table_args__ = (Index("ix_evacuees_opening_present", "opening_id", "checked_out_at"),
                      Index("ix_evacuees_disaster_resident", "disaster_id", "resident_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("shelter_openings.id"))
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    household_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(4), default="避難所")
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by: Mapped[str] = mapped_column(String(60), default="")
