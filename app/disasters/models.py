"""Disasters: the event every register, survey and certificate of a response belongs to."""
from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin

DISASTER_KINDS = ("地震", "風水害（大雨・洪水）", "土砂災害", "津波", "高潮", "火山", "大規模火災", "雪害", "その他")
DISASTER_STATUSES = ("対応中", "終了")


class Disaster(TimestampMixin, Base):
    __tablename__ = "disasters"
    __table_args__ = (CheckConstraint("status IN ('対応中','終了')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="対応中")
    # 災害救助法 / 被災者生活再建支援法 applied to this disaster in this municipality.
    is_relief_act_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    is_support_act_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
