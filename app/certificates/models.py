"""Issued certificates (the signed PDFs, their serials and verification codes), each
municipality's certificate layout (mayor, 公印, wording), the issuance log, the らくらく窓口 queue and
the counter's office hours."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
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
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, Versioned, text_column


class IssuedCertificate(TenantOwned, Base):
    """One issued document: what, which serial, its verification code, who issued it through which
    channel, about what (subject), the SHA-256 of the signed PDF, and whether it was voided."""

    __tablename__ = "issued_certificates"
    __table_args__ = (
        UniqueConstraint("lg_code", "document_type", "serial"),
        UniqueConstraint("verification_code"),
        CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name="channel_known"),
        CheckConstraint("(voided_at IS NULL) = (void_reason = '')", name="void_has_reason"),
        Index("ix_issued_certificates_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_type: Mapped[str] = mapped_column(String(20))
    serial: Mapped[str] = mapped_column(String(30))
    verification_code: Mapped[str] = mapped_column(String(14))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    issued_by: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10))
    subject_type: Mapped[str] = mapped_column(String(30))  # e.g. certificate_application
    subject_id: Mapped[int] = mapped_column(Integer)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str] = text_column(200)


PROTECTED_DECISIONS = ("省略", "記載")


class ProtectedPersonDecision(TenantOwned, Base):
    """The counter's decision about one household member under 支援措置 on a 住民票の写し of the
    whole household: left off (省略, the default) or printed (記載, with the reason). Kept with the
    issued certificate; append-only."""

    __tablename__ = "protected_person_decisions"
    __table_args__ = (CheckConstraint("decision IN ('省略','記載')", name="decision_known"),
                      CheckConstraint("decision = '省略' OR reason <> ''", name="inclusion_has_reason"))
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    issued_certificate_id: Mapped[int] = mapped_column(ForeignKey("issued_certificates.id"), index=True)
    # The member as recorded then (no key to residents: a later data link may remove the record).
    atena_no: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = text_column(200)
    decided_by: Mapped[str] = mapped_column(String(60))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CertificateLayout(TenantOwned, Versioned, TimestampMixin, Base):
    """A municipality's certificate layout: the mayor's title and name, the 公印 image (PNG) and
    its own titles and 証明文."""

    __tablename__ = "certificate_layouts"
    lg_code_is_key = True

    mayor_title: Mapped[str] = mapped_column(String(40))
    mayor_name: Mapped[str] = mapped_column(String(60))
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The municipality's own wording, document type → text; a type not listed uses the standard one.
    titles: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    statements: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    print_fee: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")  # 手数料 in the footer


class IssuanceLog(TenantOwned, Base):
    """One issue of any certificate through any channel, without personal data: what the statistics
    and the monthly settlement count. The operator (J-LIS) reads every municipality's rows.

    Money per issue: ``fee_yen`` is what the applicant paid, ``commission_yen`` what the store
    operator receives (kiosk issues), ``bcl_fee_yen`` what the BCL operator receives. The
    municipality's net is fee − commission − BCL fee (a free 罹災証明書 at a kiosk: 10 − 117 = −107)."""

    __tablename__ = "issuance_log"
    __table_args__ = (
        CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name="channel_known"),
        Index("ix_issuance_log_lg_code_issued_at", "lg_code", "issued_at"),
        Index("ix_issuance_log_issued_at", "issued_at"),
    )
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    issued_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("issued_certificates.id"))
    document_type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    store_operator: Mapped[str] = text_column(40)  # コンビニ: the store chain (kiosk operator)
    store_lg_code: Mapped[str] = text_column(6)  # コンビニ: the municipality where the store is
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    fee_yen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    commission_yen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    bcl_fee_yen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CertificateFee(TenantOwned, Versioned, Base):
    """A municipality's fee for one document type through one channel, whether it offers it there,
    and whether only on weekdays. Unset pairs take ``rules.default_fee``/``default_offered``."""

    __tablename__ = "certificate_fees"
    __table_args__ = (
        UniqueConstraint("lg_code", "document_type", "channel"),
        CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name="channel_known"),
        CheckConstraint("fee_yen >= 0", name="fee_not_negative"),
    )
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    document_type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    fee_yen: Mapped[int] = mapped_column(Integer)
    is_offered: Mapped[bool] = mapped_column(Boolean, default=True)
    is_weekday_only: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


QUEUE_STATUSES = ("受付", "交付済", "取消")


class CounterQueueEntry(TenantOwned, Versioned, Base):
    """A らくらく窓口 request waiting at the counter: 受付番号 of the day, who asked for what at which fee;
    staff hand it over on payment (issued then, exactly once) or cancel it with a reason."""

    __tablename__ = "counter_queue"
    __table_args__ = (
        UniqueConstraint("lg_code", "day", "ticket_no"),
        CheckConstraint("status IN ('受付','交付済','取消')", name="status_known"),
        CheckConstraint("fee_yen >= 0", name="fee_not_negative"),
    )
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    ticket_no: Mapped[int] = mapped_column(Integer)  # 受付番号 (per municipality and day)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    document_type: Mapped[str] = mapped_column(String(20))
    options: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    fee_yen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(4), default="受付", server_default="受付")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    handed_over_by: Mapped[str] = text_column(40)
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("issued_certificates.id"))
    cancel_reason: Mapped[str] = text_column(200)
    # The counter's print station printed the certificate (None: waiting for the printer).
    printed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    printed_by: Mapped[str] = text_column(40)


class OfficeHoursSetting(TenantOwned, Versioned, TimestampMixin, Base):
    """A municipality's counter office hours: open from ``opens`` to ``closes`` on days that are
    not a closed weekday (0 = Monday), a 祝日, the year end or one of its own ``closed_days``."""

    __tablename__ = "office_hours"
    __table_args__ = (CheckConstraint("opens < closes", name="opens_before_closes"),)
    lg_code_is_key = True

    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    closed_weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    closed_days: Mapped[list[date]] = mapped_column(ARRAY(Date))
