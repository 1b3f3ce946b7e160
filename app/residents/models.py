"""Residents as linked from the municipality's resident system (住民記録).

This is the core every register reads; the data link adds the remaining items of its
specification (docs/resident-link.md) as further columns and tables.
"""
from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin

RESIDENT_STATUSES = ("住登内", "転出", "死亡", "職権消除")


class Resident(TimestampMixin, Base):
    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("lg_code", "atena_no"),
        CheckConstraint("sex IN ('1','2','9')", name="sex_code"),
        Index("ix_residents_lg_code_household_no", "lg_code", "household_no"),
        Index("ix_residents_name_kana_trgm", "name_kana", postgresql_using="gin",
              postgresql_ops={"name_kana": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"))
    atena_no: Mapped[str] = mapped_column(String(15))  # 宛名番号
    household_no: Mapped[str] = mapped_column(String(15))  # 世帯番号
    name: Mapped[str] = mapped_column(String(100))  # 氏名（漢字）
    name_kana: Mapped[str] = mapped_column(String(200))  # 氏名（カナ）
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))  # 1 男, 2 女, 9 その他・不明
    relationship: Mapped[str] = mapped_column(String(20), default="")  # 続柄
    is_household_head: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(200))
    address_katagaki: Mapped[str] = mapped_column(String(100), default="")  # 方書
    phone: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(8), default="住登内")
    # 支援措置 (DV etc.): address and contact never leave in any output for third parties.
    is_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
