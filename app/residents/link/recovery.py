"""Ending a batch whose processing stopped: its worker died (or the job failed for good) and the
batch still holds its sequence number, so every later batch waits for it.

An administrator ends it (住民情報連携 → the batch's page, or ``flask --app wsgi link end-batch``):
the batch becomes ``rejected`` with the reason, nothing of it is applied, and its number can be
sent again. A batch a worker is still applying is never ended; "still applying" is decided twice:

- by the job queue's heartbeat: a worker that answered within ``STALE_AFTER_SECONDS`` is alive;
- by the batch's apply lock (``pipeline.try_apply_lock``): a transaction that is still applying
  the batch in PostgreSQL holds it, even when its worker process is gone (a query still running
  for a killed client); once that transaction ends, nothing of it remains.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor
from app.db import get_or_not_found
from app.errors import Conflict, NotFound
from app.jobs import rules
from app.jobs import services as jobs
from app.jobs.models import Job
from app.residents.link.pipeline import reject, try_apply_lock
from app.residents.link.staging import Finding
from app.residents.models import LinkBatch

OPEN_STATUSES = ("queued", "processing")


class BatchNotEndable(Conflict):
    """The batch is finished already, or a worker is still applying it."""

    title = "この連携バッチの処理は終了できません"


@dataclass(frozen=True)
class ProcessingState:
    """Where an open batch's processing stands, in words for the screen and the CLI."""

    can_end: bool
    message: str


def processing_state(session: Session, batch: LinkBatch, job: Job | None) -> ProcessingState:
    """Whether an administrator may end ``batch`` now, judged by its job (the apply lock is only
    tried when ending, as trying it takes it)."""
    if batch.status not in OPEN_STATUSES:
        return ProcessingState(False, "処理は終わっています。")
    if job is None:
        return ProcessingState(True, "処理のジョブがありません。")
    silent = jobs.seconds_since_heartbeat(session, job)
    why = rules.last_line(job.error) or "理由の記録なし"
    if jobs.is_live(session, job):
        return ProcessingState(False, f"反映処理を実行中です（{job.progress}%・{job.progress_label or '処理中'}、"
                                      f"処理プロセスの最終応答 {silent}秒前）。")
    if silent is not None:
        return ProcessingState(True, f"処理プロセスの応答が{silent}秒ありません。処理プロセスが停止したとみられます。")
    if job.status == "failed":
        return ProcessingState(True, f"処理が失敗したまま止まっています（{why}）。")
    if (holder := jobs.lock_holder(session, job)) is not None:
        return ProcessingState(True, f"{_batch_of(session, holder)}の処理が終わるのを待っています。")
    if job.error:
        return ProcessingState(True, f"エラーのため、もう一度処理するのを待っています（{job.attempts}回目まで失敗: "
                                     f"{why}）。")
    return ProcessingState(True, f"処理を待っています（{job.progress_label or '処理プロセスの空きを待っています'}）。")


def _batch_of(session: Session, job: Job) -> str:
    sequence = session.scalar(select(LinkBatch.sequence_no).where(LinkBatch.job_id == job.id))
    return f"連番 {sequence} " if sequence is not None else f"処理 {job.id} "


def open_batch_id(session: Session, sequence: int) -> int:
    """The id of the municipality's batch with ``sequence`` that is still queued or processing."""
    batch_id = session.scalar(select(LinkBatch.id).where(LinkBatch.sequence_no == sequence,
                                                         LinkBatch.status.in_(OPEN_STATUSES)))
    if batch_id is None:
        raise NotFound(f"連番 {sequence} の処理待ち・処理中のバッチはありません。", code="batch_not_open")
    return batch_id


def end_stuck_batch(session: Session, actor: Actor, batch_id: int, reason: str) -> LinkBatch:
    """End open batch ``batch_id`` whose processing stopped: rejected, with ``reason``; its job
    ends failed. Refused (``BatchNotEndable``) for a finished batch and for one being applied."""
    reason = rules.checked_reason(reason, "処理を終了する")
    batch = get_or_not_found(session, LinkBatch, batch_id, "指定された連携バッチはありません。", "link_batch")
    session.refresh(batch, with_for_update=True)
    if batch.status not in OPEN_STATUSES:
        raise BatchNotEndable(f"連番 {batch.sequence_no} のバッチの処理は既に終わっています（"
                              f"{'反映済み' if batch.status == 'applied' else 'エラー（未反映）'}）。",
                              code="batch_finished")
    job = session.get(Job, batch.job_id, with_for_update=True) if batch.job_id else None
    state = processing_state(session, batch, job)
    if not state.can_end:
        raise BatchNotEndable(f"連番 {batch.sequence_no} のバッチは終了できません。{state.message}"
                              f"処理プロセスの応答が{jobs.STALE_AFTER_SECONDS}秒ない場合に終了できます。",
                              code="batch_in_progress")
    if not try_apply_lock(session, batch.id):
        raise BatchNotEndable(f"連番 {batch.sequence_no} の反映処理がデータベースでまだ続いています"
                              "（処理プロセスは応答していませんが、実行中の処理が終わっていません）。"
                              "しばらく待ってから、もう一度操作してください。", code="batch_still_applying")
    _end(session, actor, batch, job, state, reason)
    return batch


def _end(session: Session, actor: Actor, batch: LinkBatch, job: Job | None, state: ProcessingState,
         reason: str) -> None:
    job_status = job.status if job else None
    if job is not None:
        jobs.abandon(session, job, f"管理者（{actor.login_id}）が処理を終了しました: {reason}")
    finding = Finding("", None, "", "processing_ended",
                      f"処理が止まったため、管理者（{actor.login_id}）が処理を終了しました（理由: {reason}）。"
                      f"このバッチは反映していません。同じ連番 {batch.sequence_no} で送り直せます。")
    reject(session, batch, [finding], {"ended_by": actor.login_id, "end_reason": reason}, actor, "link_batch_end",
           reason=reason, state=state.message, job_status=job_status)

