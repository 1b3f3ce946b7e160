"""Administering the queue (``flask --app wsgi jobs list|retry|cancel``): what is queued, running
or failed, another try for a failed job, and taking back a job that has not started."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationError
from app.jobs import rules
from app.jobs.models import JOB_STATUSES, Job
from app.jobs.services import abandon


class JobNotChangeable(Conflict):
    """The job is not in the state the change needs (a running job is never retried or cancelled)."""

    title = "この処理は変更できません"


def list_jobs(session: Session, *, status: str | None = None, lg_code: str | None = None,
              kind: str | None = None, limit: int = 50) -> list[Job]:
    """The newest ``limit`` jobs, optionally of one status, municipality and kind. ``session`` is in
    the system scope: the queue of every municipality."""
    if status is not None and status not in JOB_STATUSES:
        raise ValidationError(f"状態は {', '.join(JOB_STATUSES)} のいずれかです（{status}）。", code="invalid_status")
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    for column, value in ((Job.status, status), (Job.lg_code, lg_code), (Job.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    return list(session.scalars(query))


def retry_failed(session: Session, job_id: int) -> Job:
    """Queue failed job ``job_id`` again, due now, with all its attempts: for when the cause of its
    failure (a database that was away, a setting since corrected) has been dealt with."""
    job = _locked(session, job_id)
    if job.status != "failed":
        raise JobNotChangeable(f"処理 {job_id} は失敗していないため、再実行できません（状態: {job.status}）。",
                               code="job_not_failed")
    job.status, job.attempts, job.error, job.worker, job.finished_at = "queued", 0, "", "", None
    job.progress, job.progress_label, job.run_after = 0, "管理者の指示で再実行を待っています", func.now()
    session.flush()
    return job


def cancel_queued(session: Session, job_id: int, reason: str) -> Job:
    """Take back queued job ``job_id``: it ends failed with ``reason`` and no worker runs it. A
    running job is refused: its transaction decides (a link batch is ended with ``link end-batch``)."""
    reason = rules.checked_reason(reason, "取り消す")
    job = _locked(session, job_id)
    if job.status != "queued":
        raise JobNotChangeable(f"処理 {job_id} は待機中ではないため、取り消せません（状態: {job.status}）。",
                               code="job_not_queued")
    abandon(session, job, f"管理者が取り消しました: {reason}")
    return job


def _locked(session: Session, job_id: int) -> Job:
    """The job, its row locked so that no worker claims it meanwhile (claims skip locked rows)."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"処理 {job_id} はありません。", target_type="job", target_id=job_id, code="job_not_found")
    return job

