"""Buildings (住家・非住家) and their damage surveys (被害認定調査) with photos and history."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.damage.rules import SURVEYING
from app.db import Base, TenantOwned, TimestampMixin, Versioned, text_column

STRUCTURES = ("木造", "非木造")


class Building(TenantOwned, TimestampMixin, Base):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200))
    is_dwelling: Mapped[bool] = mapped_column(Boolean, default=True)
    structure: Mapped[str] = mapped_column(String(8), default="木造")
    floors: Mapped[int] = mapped_column(Integer, default=2)
    # The footprint (polygon) where known, else a point (from the address or placed on the map).
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=True)
    location_source: Mapped[str] = text_column(16)
    # The owner is often not the household living there (rented houses, absentee owners).
    owner_name: Mapped[str] = text_column(100)
    owner_address: Mapped[str] = text_column(200)
    owner_atena_no: Mapped[str] = text_column(15)  # when the owner is a resident of the municipality


SURVEY_HAZARDS = ("地震", "水害", "風害", "その他")


class DamageSurvey(TenantOwned, Versioned, TimestampMixin, Base):
    """One 被害認定調査 of a building in a disaster. A 再調査 is a new survey; a final one is never
    edited again, so the history of grades stays as it was certified."""

    __tablename__ = "damage_surveys"
    __table_args__ = (
        CheckConstraint("round IN ('第1次','第2次','再調査')", name="round_known"),
        CheckConstraint("status IN ('調査中','判定待ち','確定')", name="status_known"),
        CheckConstraint("status <> '確定' OR final_grade IS NOT NULL", name="final_has_grade"),
        Index("ix_damage_surveys_disaster_building", "disaster_id", "building_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    round: Mapped[str] = mapped_column(String(4))
    hazard: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default=SURVEYING)  # rules.SURVEY_STATUSES
    # What the surveyor found, method by method (see app.damage.rules / services.FINDINGS).
    findings: Mapped[dict] = mapped_column(JSONB, default=dict)
    loss_ratio: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    computed_grade: Mapped[str] = text_column(12)
    final_grade: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    surveyed_by: Mapped[str] = text_column(60)
    surveyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the surveyor stood (tablet GPS) and how accurate the fix was.
    geom = mapped_column(Geometry("POINT", srid=4326), nullable=True)
    position_accuracy_m: Mapped[float | None] = mapped_column(Float)
    reviewed_by: Mapped[str] = text_column(60)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SurveyPhoto(TenantOwned, Base):
    """A photo taken in a survey, with a small JPEG thumbnail for lists and tablets."""

    __tablename__ = "damage_survey_photos"
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("damage_surveys.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = text_column(100)
    uploaded_by: Mapped[str] = text_column(60)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SurveyEvent(TenantOwned, Base):
    """The history of a survey: every save, judgement and confirmation with a snapshot (append-only)."""

    __tablename__ = "damage_survey_events"
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("damage_surveys.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # 開始, 記録, 確定
    actor: Mapped[str] = text_column(60)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    snapshot: Mapped[dict] = mapped_column(JSONB, default=dict)
