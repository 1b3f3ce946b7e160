"""The resident data linked from the municipality (中間DB): residents, seals, taxes, welfare,
and the link's own records (tokens, batches, stored files, errors, generations, address points).

Records are keyed by the municipality's own keys (宛名番号, 登録番号, 年度) as in the link
specification (docs/resident-link.md); surrogate ids never leave BCL.
"""
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
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, text_column
from app.residents.rules import REGISTERED


class Resident(TenantOwned, TimestampMixin, Base):
    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("lg_code", "atena_no"),
        CheckConstraint("sex IN ('1','2','9')", name="sex_code"),
        CheckConstraint("resident_kind IN ('1','2')", name="resident_kind_code"),
        Index("ix_residents_lg_code_household_no", "lg_code", "household_no"),
        Index("ix_residents_lg_code_birth_date", "lg_code", "birth_date"),
        Index("ix_residents_lg_code_resident_code", "lg_code", "resident_code"),
        Index("ix_residents_lg_code_name_kana", "lg_code", "name_kana",
              postgresql_ops={"name_kana": "varchar_pattern_ops"}),
        Index("ix_residents_name_kana_trgm", "name_kana", postgresql_using="gin",
              postgresql_ops={"name_kana": "gin_trgm_ops"}),
        # Located residents only: a link load inserts everyone without coordinates (migration 0032).
        Index("idx_residents_geom", "geom", postgresql_using="gist", postgresql_where=text("geom IS NOT NULL")),
    )
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_no: Mapped[str] = mapped_column(String(15))  # 宛名番号
    resident_code: Mapped[str] = text_column(11)  # 住民票コード
    household_no: Mapped[str] = mapped_column(String(15))  # 世帯番号
    resident_kind: Mapped[str] = mapped_column(String(1), default="1", server_default="1")  # 1 日本人, 2 外国人
    name: Mapped[str] = mapped_column(String(100))  # 氏名
    name_kana: Mapped[str] = mapped_column(String(200))  # 氏名カナ
    former_surname: Mapped[str] = text_column(50)  # 旧氏
    former_surname_kana: Mapped[str] = text_column(100)
    alias_name: Mapped[str] = text_column(100)  # 通称
    alias_kana: Mapped[str] = text_column(200)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))  # 1 男, 2 女
    relationship: Mapped[str] = text_column(20)  # 続柄
    is_household_head: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(200))
    address_katagaki: Mapped[str] = text_column(100)  # 方書
    address_since: Mapped[date | None] = mapped_column(Date)  # 住所を定めた年月日
    previous_address: Mapped[str] = text_column(200)  # 前住所
    resident_since: Mapped[date | None] = mapped_column(Date)  # 住民となった日
    honseki: Mapped[str] = text_column(200)  # 本籍
    hittousha: Mapped[str] = text_column(100)  # 筆頭者
    nationality: Mapped[str] = text_column(60)  # 国籍・地域
    residence_status: Mapped[str] = text_column(60)  # 在留資格
    residence_period: Mapped[str] = text_column(20)  # 在留期間
    residence_expiry: Mapped[date | None] = mapped_column(Date)  # 在留期間の満了の日
    residence_card_no: Mapped[str] = text_column(12)  # 在留カード等番号
    # 個人番号, encrypted at rest (pgcrypto AES with the key in MYNUMBER_KEY; see app/residents/link).
    mynumber_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone: Mapped[str] = text_column(20)
    status: Mapped[str] = mapped_column(String(8), default=REGISTERED)  # 住民状態 (rules.RESIDENT_STATUSES)
    removed_on: Mapped[date | None] = mapped_column(Date)  # 消除日
    # 支援措置 (DV etc.): address and contact never leave in any output for third parties.
    is_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    # How geom was found: 'address_point' (位置参照情報), 'manual' (placed by staff), or '' (not yet).
    location_source: Mapped[str] = text_column(16)


class SealRegistration(TenantOwned, TimestampMixin, Base):
    """印鑑登録."""

    __tablename__ = "seal_registrations"
    __table_args__ = (UniqueConstraint("lg_code", "registration_no"),
                      Index("ix_seal_registrations_lg_code_atena_no", "lg_code", "atena_no"))
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(20))  # 登録番号
    atena_no: Mapped[str] = mapped_column(String(15))
    registered_on: Mapped[date] = mapped_column(Date)
    abolished_on: Mapped[date | None] = mapped_column(Date)
    impression_png: Mapped[bytes | None] = mapped_column(LargeBinary)  # 印影


class TaxRecord(TenantOwned, TimestampMixin, Base):
    """住民税: one row per person and fiscal year (年度)."""

    __tablename__ = "tax_records"
    __table_args__ = (UniqueConstraint("lg_code", "atena_no", "fiscal_year"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_no: Mapped[str] = mapped_column(String(15))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    is_taxable: Mapped[bool] = mapped_column(Boolean)
    salary_income: Mapped[int] = mapped_column(BigInteger)  # 給与収入
    salary_earnings: Mapped[int] = mapped_column(BigInteger)  # 給与所得
    business_earnings: Mapped[int] = mapped_column(BigInteger)  # 営業等所得
    farm_earnings: Mapped[int] = mapped_column(BigInteger)  # 農業所得
    real_estate_earnings: Mapped[int] = mapped_column(BigInteger)  # 不動産所得
    interest_earnings: Mapped[int] = mapped_column(BigInteger)  # 利子所得
    dividend_earnings: Mapped[int] = mapped_column(BigInteger)  # 配当所得
    pension_income: Mapped[int] = mapped_column(BigInteger)  # 公的年金等収入
    misc_earnings: Mapped[int] = mapped_column(BigInteger)  # 雑所得
    total_earnings: Mapped[int] = mapped_column(BigInteger)  # 総所得金額
    deductions: Mapped[int] = mapped_column(BigInteger)  # 所得控除合計
    taxable_base: Mapped[int] = mapped_column(BigInteger)  # 課税標準額
    has_spouse_deduction: Mapped[bool] = mapped_column(Boolean)
    dependants: Mapped[int] = mapped_column(SmallInteger)  # 扶養人数
    per_capita_levy: Mapped[int] = mapped_column(BigInteger)  # 均等割額
    income_levy: Mapped[int] = mapped_column(BigInteger)  # 所得割額
    annual_tax: Mapped[int] = mapped_column(BigInteger)  # 年税額
    paid_amount: Mapped[int] = mapped_column(BigInteger)  # 納付済額
    payment_status: Mapped[str] = mapped_column(String(1))  # 1 完納, 2 一部納付, 3 未納


class WelfareRecord(TenantOwned, TimestampMixin, Base):
    """福祉: the inputs of the 避難行動要支援者名簿."""

    __tablename__ = "welfare_records"
    __table_args__ = (UniqueConstraint("lg_code", "atena_no"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    atena_no: Mapped[str] = mapped_column(String(15))
    care_level: Mapped[str] = text_column(2)  # 11,12 要支援; 21-25 要介護
    physical_disability_grade: Mapped[str] = text_column(1)  # 1-6
    physical_disability_type: Mapped[str] = text_column(1)  # 1-5
    mental_disability_grade: Mapped[str] = text_column(1)  # 1-3
    intellectual_disability: Mapped[str] = text_column(1)  # A, B
    has_intractable_disease: Mapped[bool] = mapped_column(Boolean, default=False)  # 難病
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)  # 独居
    elderly_only_household: Mapped[bool] = mapped_column(Boolean, default=False)  # 高齢者のみ世帯


class LinkToken(TenantOwned, Base):
    """A link server's API token; only its SHA-256 is kept."""

    __tablename__ = "link_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(12))  # the last characters, to tell tokens apart
    # What the token may do: "link" (the resident data link) or "applications" (online applications).
    purpose: Mapped[str] = mapped_column(String(12), default="link", server_default="link")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = text_column(32)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LinkBatch(TenantOwned, Base):
    """One received batch (manifest + files) and what became of it."""

    __tablename__ = "link_batches"
    __table_args__ = (
        CheckConstraint("mode IN ('full','diff')", name="mode_known"),
        CheckConstraint("status IN ('queued','processing','applied','rejected')", name="status_known"),
        # A rejected batch gives its number back; any other status holds it.
        Index("uq_link_batches_lg_code_sequence_no", "lg_code", "sequence_no", unique=True,
              postgresql_where=text("status <> 'rejected'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_no: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(4))
    reference_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    manifest: Mapped[dict] = mapped_column(JSONB)
    manifest_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 over the files' SHA-256 values
    status: Mapped[str] = mapped_column(String(10), default="queued")
    channel: Mapped[str] = mapped_column(String(8))  # api, ui, cli
    received_by: Mapped[str] = text_column(60)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict] = mapped_column(JSONB, default=dict)


class LinkFile(TenantOwned, Base):
    """A data file of a batch, stored as received (in chunks) so that restore is byte-identical."""

    __tablename__ = "link_files"
    __table_args__ = (UniqueConstraint("batch_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("link_batches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    encoding: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[int] = mapped_column(Integer)
    is_purged: Mapped[bool] = mapped_column(Boolean, default=False)


class LinkFileChunk(Base):
    __tablename__ = "link_file_chunks"

    lg_code: Mapped[str] = mapped_column(String(6))
    file_id: Mapped[int] = mapped_column(ForeignKey("link_files.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LinkError(Base):
    """One finding of a batch's validation (file, line, column, reason)."""

    __tablename__ = "link_errors"
    __table_args__ = (Index("ix_link_errors_batch_id_line", "batch_id", "line"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    batch_id: Mapped[int] = mapped_column(ForeignKey("link_batches.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(100))
    line: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str] = text_column(40)
    code: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)


class Generation(TenantOwned, Base):
    """A generation of the copy (副本): the state after an applied batch."""

    __tablename__ = "generations"
    __table_args__ = (UniqueConstraint("lg_code", "number"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)  # = the batch's sequence number
    batch_id: Mapped[int] = mapped_column(ForeignKey("link_batches.id"))
    mode: Mapped[str] = mapped_column(String(4))
    base_number: Mapped[int] = mapped_column(Integer)  # the full generation this one is built on
    reference_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    counts: Mapped[dict] = mapped_column(JSONB, default=dict)  # kind -> records after this generation
    checksums: Mapped[dict] = mapped_column(JSONB, default=dict)  # kind -> SHA-256 of the batch file
    is_purged: Mapped[bool] = mapped_column(Boolean, default=False)


class AddressPoint(TenantOwned, Base):
    """位置参照情報 (街区レベル): one point per 街区."""

    __tablename__ = "address_points"
    __table_args__ = (Index("ix_address_points_lg_code_key", "lg_code", "match_key"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    # 都道府県名+市区町村名+大字・町丁目名+小字・通称名+街区符号, normalised (see link/geocode.py).
    match_key: Mapped[str] = mapped_column(String(200))
    town_area: Mapped[str] = mapped_column(String(100))  # 大字・町丁目名
    block: Mapped[str] = mapped_column(String(20))  # 街区符号・地番
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)


__all__ = ["AddressPoint", "Generation", "LinkBatch", "LinkError", "LinkFile", "LinkFileChunk", "LinkToken",
           "Resident", "SealRegistration", "TaxRecord", "WelfareRecord"]
