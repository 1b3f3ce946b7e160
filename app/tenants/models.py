"""The tenants: municipalities keyed by their 全国地方公共団体コード, and their register item settings."""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, Versioned
from app.tenants import rules


class Municipality(Versioned, TimestampMixin, Base):
    __tablename__ = "municipalities"
    __table_args__ = (
        CheckConstraint("lg_code ~ '^[0-9]{6}$'", name="lg_code_digits"),
        CheckConstraint("population >= 0", name="population_non_negative"),
        CheckConstraint("kind IN ('政令市','市','特別区','町','村')", name="kind_known"),
    )

    lg_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_kana: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(8))
    population: Mapped[int] = mapped_column(Integer)
    # Map home of the municipality (the town hall), used to centre maps.
    center_lat: Mapped[float]
    center_lon: Mapped[float]

    @property
    def prefecture(self) -> str:
        return rules.prefecture_of(self.lg_code)

    @property
    def size_class(self) -> str:
        return rules.size_class(self.kind, self.population)

    @property
    def full_name(self) -> str:
        return f"{self.prefecture}{self.name}"


class RegisterItem(TenantOwned, TimestampMixin, Base):
    """A municipality's own item of a register (その他市町村長が定める事項): label, shown or hidden, order
    (事項の表示切替). Values live with each record, under ``key``."""

    __tablename__ = "register_items"
    __table_args__ = (UniqueConstraint("lg_code", "register", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(20))  # 被災者台帳
    key: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(40))
    is_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
