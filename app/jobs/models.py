"""The job queue table."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed')", name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        Index("ix_jobs_queued", "run_after", "id", postgresql_where=text("status = 'queued'")),
        # At most one running job per lock: the database keeps jobs of one municipality in sequence
        # even if two workers claimed at the same moment.
        Index("uq_jobs_running_lock", "lock", unique=True,
              postgresql_where=text("status = 'running' AND lock IS NOT NULL")),
        Index("ix_jobs_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lg_code: Mapped[str | None] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_label: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str] = mapped_column(String(80), default="")
    lock: Mapped[str | None] = mapped_column(String(80))  # rules.lock_key: jobs sharing it run one at a time
