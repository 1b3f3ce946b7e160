"""Buildings (住家・非住家): the objects of damage surveys, linked to households and owners."""
from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TimestampMixin, text_column

STRUCTURES = ("木造", "非木造")


class Building(TimestampMixin, Base):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    is_dwelling: Mapped[bool] = mapped_column(Boolean, default=True)
    structure: Mapped[str] = mapped_column(String(8), default="木造")
    floors: Mapped[int] = mapped_column(Integer, default=2)
    # The footprint (polygon) where known, else a point (from the address or placed on the map).
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=True)
    location_source: Mapped[str] = text_column(16)
