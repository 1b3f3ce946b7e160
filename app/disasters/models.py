"""Disasters (the event every register, survey and certificate belongs to) and the 被災者台帳."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.certificates.rules import COUNTER
from app.db import Base, TenantOwned, TimestampMixin, Versioned, text_column
from app.disasters.rules import RESPONDING

DISASTER_KINDS = ("地震", "風水害（大雨・洪水）", "土砂災害", "津波", "高潮", "火山", "大規模火災", "雪害", "その他")


class Disaster(TenantOwned, Versioned, TimestampMixin, Base):
    __tablename__ = "disasters"
    __table_args__ = (CheckConstraint("status IN ('対応中','終了')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=RESPONDING)  # rules.DISASTER_STATUSES
    # 災害救助法 / 被災者生活再建支援法 applied to this disaster in this municipality.
    is_relief_act_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    is_support_act_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)


VICTIM_SOURCES = ("住民記録", "手入力")


class VictimHousehold(TenantOwned, TimestampMixin, Base):
    """A household in the 被災者台帳 of a disaster (from the resident records or entered by hand)."""

    __tablename__ = "victim_households"
    __table_args__ = (UniqueConstraint("disaster_id", "household_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    household_no: Mapped[str] = mapped_column(String(20))  # the 世帯番号, or 手入力-N for people not registered here
    head_name: Mapped[str] = text_column(100)
    address: Mapped[str] = text_column(200)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    source: Mapped[str] = mapped_column(String(8), default="住民記録")


class Victim(TenantOwned, Versioned, TimestampMixin, Base):
    """A person in the 被災者台帳 (災対法 90条の3): the statutory items, the 援護 given, the consented
    recipients and the municipality's own items. People under 支援措置 keep ``is_protected``."""

    __tablename__ = "victims"
    __table_args__ = (UniqueConstraint("disaster_id", "resident_id"),
                      Index("ix_victims_disaster_household", "disaster_id", "household_id"),
                      Index("ix_victims_disaster_name_kana", "disaster_id", "name_kana"))

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("victim_households.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    atena_no: Mapped[str] = text_column(15)
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = text_column(200)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = text_column(1)
    relationship: Mapped[str] = text_column(20)
    address: Mapped[str] = text_column(200)  # 住所又は居所
    phone: Mapped[str] = text_column(20)
    is_protected: Mapped[bool] = mapped_column(Boolean, default=False)  # 支援措置 (DV等)
    damage_status: Mapped[str] = mapped_column(Text, default="")  # 住家の被害その他の被害の状況
    care_reason: Mapped[str] = text_column(200)  # 要配慮者であるときはその事由 (empty: not)
    relief_status: Mapped[str] = mapped_column(Text, default="")  # 援護の実施の状況
    # 本人が同意した提供先: ids of registered recipients (victim_recipients), compared exactly.
    consented_recipient_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list, server_default="{}")
    optional_items: Mapped[dict] = mapped_column(JSONB, default=dict)  # その他市町村長が定める事項
    source: Mapped[str] = mapped_column(String(8), default="住民記録")


RECIPIENT_KINDS = ("地方公共団体", "社会福祉協議会", "専門職団体", "事業者", "NPO・ボランティア団体", "その他")
RECIPIENT_KIND_SQL = ("kind IN ('地方公共団体','社会福祉協議会','専門職団体','事業者','NPO・ボランティア団体',"
                      "'その他')")


class VictimRecipient(TenantOwned, Versioned, TimestampMixin, Base):
    """A registered 提供先 of the 被災者台帳 (90条の4): what a person consents to and what a provision
    names. Chosen from this list by id, never typed; stopped rather than deleted."""

    __tablename__ = "victim_recipients"
    __table_args__ = (UniqueConstraint("lg_code", "name"), CheckConstraint(RECIPIENT_KIND_SQL, name="kind_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str] = text_column(200)  # 担当者・電話番号など
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class VictimProvision(TenantOwned, Base):
    """A record of the 台帳 given to someone outside (90条の4): to whom, why, what, when, by whom."""

    __tablename__ = "victim_provisions"
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"), index=True)
    # The registered recipient (empty on provisions recorded before recipients were registered).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("victim_recipients.id"))
    recipient: Mapped[str] = mapped_column(String(100))  # its name at the time
    purpose: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(20))  # 本人同意 / 他自治体の援護
    victim_ids: Mapped[list] = mapped_column(JSONB, default=list)
    provided_by: Mapped[str] = text_column(60)
    provided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CertificateApplication(TenantOwned, Versioned, TimestampMixin, Base):
    """An application for a 罹災証明書 (a house's damage grade) or 被災証明書 (damage reported)."""

    __tablename__ = "certificate_applications"
    __table_args__ = (
        CheckConstraint("kind IN ('罹災証明書','被災証明書')", name="kind_known"),
        CheckConstraint("status IN ('申請','調査','判定','交付','再調査依頼')", name="status_known"),
        CheckConstraint("channel IN ('窓口','オンライン')", name="channel_known"),
        UniqueConstraint("lg_code", "certificate_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8), default=COUNTER)
    status: Mapped[str] = mapped_column(String(8), default="申請")
    applicant_name: Mapped[str] = mapped_column(String(100))  # 世帯主 (unified form, 2024)
    applicant_address: Mapped[str] = mapped_column(String(200))
    applicant_phone: Mapped[str] = text_column(20)
    cause: Mapped[str] = mapped_column(String(200))  # 罹災原因
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))  # 被災した住家
    damaged_property: Mapped[str] = text_column(200)  # 被災証明書: the non-dwelling or belongings
    flood_level: Mapped[str] = text_column(4)  # 浸水区分: 床上 / 床下 / なし (optional)
    resurvey_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certificate_no: Mapped[str | None] = mapped_column(String(20))  # 証明番号, given at 交付
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_grade: Mapped[str] = text_column(12)
    issued_by: Mapped[str] = text_column(60)
    note: Mapped[str] = mapped_column(Text, default="")


class CertificateIssue(TenantOwned, Base):
    """Every certificate issued for an application (a re-issue after 再調査 gets a new number)."""

    __tablename__ = "certificate_issues"
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("certificate_applications.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = text_column(12)
    issued_by: Mapped[str] = text_column(60)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


SUPPORT_STATUSES = ("申請", "支給決定", "不支給", "支払済")


class SupportApplication(TenantOwned, Versioned, TimestampMixin, Base):
    """A household's (or, for 弔慰金・見舞金, a person's) application to a support programme, its
    decision and its payment."""

    __tablename__ = "support_applications"
    __table_args__ = (CheckConstraint("status IN ('申請','支給決定','不支給','支払済')", name="status_known"),
                      Index("ix_support_applications_disaster_programme", "disaster_id", "programme"))

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disasters.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("victim_households.id"), index=True)
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("victims.id"))  # 弔慰金・見舞金: the person
    programme: Mapped[str] = mapped_column(String(20))
    plan: Mapped[str] = text_column(8)  # 加算支援金: 建設・購入 / 補修 / 賃借
    is_demolished: Mapped[bool] = mapped_column(Boolean, default=False)
    is_long_term_evacuation: Mapped[bool] = mapped_column(Boolean, default=False)
    is_breadwinner: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default="申請")
    applied_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[str] = text_column(12)  # the certified grade the decision rests on
    household_size: Mapped[int] = mapped_column(Integer, default=1)
    computed_amount: Mapped[int | None] = mapped_column(BigInteger)
    decided_amount: Mapped[int | None] = mapped_column(BigInteger)
    decided_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[int | None] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
