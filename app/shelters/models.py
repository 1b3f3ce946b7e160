"""Shelters (避難所・避難場所) of a municipality."""
from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import ARRAY, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
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
