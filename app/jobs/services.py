"""Enqueue, claim, report progress, finish. Handlers are registered by name with ``handler``."""
from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db import SYSTEM, Database, Scope
from app.errors import DomainError
from app.jobs import rules
from app.jobs.models import Job

log = logging.getLogger("bcl.jobs")

STALE_AFTER_SECONDS = 60
HEARTBEAT_SECONDS = 10
DEFAULT_MAX_ATTEMPTS = 3


@dataclass
class JobContext:
    """What a handler gets: the job, a session in the job's tenant scope, and a progress reporter."""

    job_id: int
    lg_code: str | None
    payload: dict
    session: Session
    progress: Callable[[int, str], None]
    settings: dict = field(default_factory=dict)  # the application's configuration values


class RetryLater(Exception):
    """Raised by a handler that must wait (an earlier batch is still queued): run again later."""

    def __init__(self, seconds: int = 5, reason: str = ""):
        super().__init__(reason)
        self.seconds, self.reason = seconds, reason


Handler = Callable[[JobContext], dict | None]


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job: its handler, how often it is tried, and its lock group."""

    run: Handler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    lock: str | None = None


_KINDS: dict[str, JobKind] = {}
_PERIODIC: dict[str, timedelta] = {}


def handler(kind: str, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, lock: str | None = None):
    """Register ``fn`` as the handler of jobs of ``kind``.

    A job that fails with anything but a ``DomainError`` is tried again, after a wait that grows
    with each failure (``rules.retry_delay_seconds``), up to ``max_attempts`` attempts in all; then it
    is failed for good. Jobs of one ``lock`` group and one municipality run one at a time (the
    link's batches of a municipality apply in sequence); among those waiting, the one due first
    and queued first runs first.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")

    def register(fn: Handler) -> Handler:
        _KINDS[kind] = JobKind(fn, max_attempts, lock)
        return fn

    return register


def registered_kinds() -> Mapping[str, JobKind]:
    """The kinds registered so far, read-only: those of every ``jobs.py`` the application discovered."""
    return MappingProxyType(_KINDS)


def periodic(kind: str, every: timedelta) -> None:
    """Run jobs of the registered ``kind`` regularly: a worker queues one (no municipality: it runs
    in the system scope) when none is waiting or running and the last was queued ``every`` ago."""
    if kind not in _KINDS:
        raise ValueError(f"no handler for job kind {kind!r}")
    _PERIODIC[kind] = every


def enqueue(session: Session, kind: str, payload: dict, lg_code: str | None) -> Job:
    """Add a job in the caller's transaction: it becomes visible to workers when that commits."""
    if kind not in _KINDS:
        raise ValueError(f"no handler for job kind {kind!r}")
    spec = _KINDS[kind]
    job = Job(kind=kind, payload=payload, lg_code=lg_code, max_attempts=spec.max_attempts,
              lock=rules.lock_key(spec.lock, lg_code))
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, lg_code: str | None, job_id: int) -> Job | None:
    """The job of municipality ``lg_code`` (row-level security hides the others'); an operator
    (no 団体コード) has no jobs and may not read the table, so gets None."""
    return session.get(Job, job_id) if lg_code else None


def seconds_since_heartbeat(session: Session, job: Job) -> int | None:
    """How long the worker running ``job`` has been silent (None when no worker holds it)."""
    if job.status != "running" or job.heartbeat_at is None:
        return None
    return int(session.scalar(text("SELECT extract(epoch FROM now() - :beat)"), {"beat": job.heartbeat_at}))


def is_live(session: Session, job: Job) -> bool:
    """A worker is running ``job``: claimed, and its heartbeat younger than STALE_AFTER_SECONDS.
    Past that the worker counts as gone, and ``Worker.requeue_stale`` gives the job back."""
    silent = seconds_since_heartbeat(session, job)
    return silent is not None and silent < STALE_AFTER_SECONDS


def lock_holder(session: Session, job: Job) -> Job | None:
    """The running job that holds queued ``job``'s lock, which ``job`` waits for; None when it
    waits for nothing but a free worker (or is not queued)."""
    if job.lock is None or job.status != "queued":
        return None
    return session.scalars(select(Job).where(Job.lock == job.lock, Job.status == "running")).first()


def abandon(session: Session, job: Job, reason: str) -> None:
    """End a job that is not running (queued, or left by a worker that is gone) as failed with
    ``reason``; the caller holds the job's row lock, so no worker claims it meanwhile."""
    job.status, job.error, job.worker = "failed", reason, ""
    job.finished_at = session.scalar(text("SELECT now()"))
    session.flush()


def _periodic_is_due(session: Session, kind: str, every: timedelta) -> bool:
    """No job of periodic ``kind`` is waiting or running, and none was queued within ``every``."""
    recent = (Job.status.in_(("queued", "running"))) | (Job.created_at > func.now() - every)
    return session.scalar(select(Job.id).where(Job.kind == kind, Job.lg_code.is_(None), recent).limit(1)) is None


class Worker:
    """Claims and runs jobs. ``run_pending`` drains the queue (CLI ``--once``, tests)."""

    def __init__(self, database: Database, name: str | None = None,
                 on_progress: Callable[[int, int, str], None] | None = None, settings: dict | None = None) -> None:
        self.db = database
        self.settings = dict(settings or {})
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.on_progress = on_progress  # (job id, percent, label): the CLI draws its progress bar with it

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """The worker process: queue the periodic jobs that are due and run jobs as they come
        (``flask --app wsgi jobs work``)."""
        import time

        log.info("worker %s started", self.name)
        while True:
            self.schedule_periodic()
            if not self.run_pending():
                time.sleep(poll_seconds)

    def run_pending(self, kinds: tuple[str, ...] | None = None) -> int:
        """Run queued jobs until none is left; returns how many ran."""
        ran = 0
        self.requeue_stale()
        while (job_id := self.claim(kinds)) is not None:
            self.execute(job_id)
            ran += 1
        return ran

    def schedule_periodic(self) -> list[str]:
        """Queue each periodic job that is due (see ``periodic``); returns the kinds queued. Workers
        decide one after another (an advisory lock), so two never queue the same job twice."""
        queued = []
        with self.db.unit_of_work(SYSTEM) as session:
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext('bcl.jobs.periodic'))"))
            for kind, every in _PERIODIC.items():
                if not _periodic_is_due(session, kind, every):
                    continue
                enqueue(session, kind, {}, None)
                queued.append(kind)
        return queued

    def claim(self, kinds: tuple[str, ...] | None = None) -> int | None:
        """Take the next due job, skipping those whose lock a running job holds; its id, or None.
        Claims are made one after another (an advisory lock held for the claim's few
        milliseconds), so two workers never start two jobs of one lock at once."""
        with self.db.unit_of_work(SYSTEM) as session:
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext('bcl.jobs.claim'))"))
            row = session.execute(text("""
                UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(),
                                heartbeat_at = now(), worker = :worker
                WHERE id = (SELECT id FROM jobs AS candidate
                            WHERE status = 'queued' AND run_after <= now()
                              AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
                              AND (candidate.lock IS NULL OR NOT EXISTS (
                                   SELECT 1 FROM jobs AS holder
                                   WHERE holder.lock = candidate.lock AND holder.status = 'running'))
                            ORDER BY run_after, id FOR UPDATE SKIP LOCKED LIMIT 1)
                RETURNING id"""), {"worker": self.name, "kinds": list(kinds) if kinds else None}).first()
        return row[0] if row else None

    def requeue_stale(self) -> int:
        """Jobs whose worker stopped sending heartbeats go back to the queue (or fail after max_attempts)."""
        with self.db.unit_of_work(SYSTEM) as session:
            result = session.execute(text("""
                UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                                error = CASE WHEN attempts >= max_attempts
                                             THEN '処理中に中断されました（再試行の上限に達しました）' ELSE error END,
                                progress_label = '中断された処理を再実行します', worker = ''
                WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => :stale)"""),
                {"stale": STALE_AFTER_SECONDS})
        return result.rowcount

    def execute(self, job_id: int) -> None:
        """Run one claimed job in its tenant's scope; one transaction for the work, progress alongside."""
        with self.db.unit_of_work(SYSTEM) as session:
            job = session.get(Job, job_id)
            kind, lg_code, payload = job.kind, job.lg_code, dict(job.payload)
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop), daemon=True)
        beat.start()
        try:
            scope = Scope.tenant(lg_code) if lg_code else SYSTEM
            with self.db.unit_of_work(scope) as session:
                context = JobContext(job_id, lg_code, payload, session,
                                     lambda p, label: self._progress(job_id, p, label), self.settings)
                result = _KINDS[kind].run(context) or {}
            self._finish(job_id, "done", result=result)
        except RetryLater as wait:
            self._postpone(job_id, wait)
        except DomainError as exc:
            # An expected refusal (a batch that fails validation): report it, do not retry.
            self._finish(job_id, "failed", error=exc.message, result=getattr(exc, "details", {}) or {})
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            self._fail_or_retry(job_id, traceback.format_exc(limit=5))
        finally:
            stop.set()
            beat.join(timeout=2)

    # Progress and heartbeats go over a connection of their own, committed at once, so that they are
    # visible while the job's own transaction is still open.
    def _progress(self, job_id: int, percent: int, label: str) -> None:
        if self.on_progress:
            self.on_progress(job_id, percent, label)
        with self.db.engine.begin() as conn:
            conn.execute(text("UPDATE jobs SET progress = :p, progress_label = :l, heartbeat_at = now() "
                              "WHERE id = :id"), {"p": max(0, min(100, int(percent))), "l": label[:200], "id": job_id})

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with self.db.engine.begin() as conn:
                conn.execute(text("UPDATE jobs SET heartbeat_at = now() WHERE id = :id"), {"id": job_id})

    def _finish(self, job_id: int, status: str, result: dict | None = None, error: str = "") -> None:
        with self.db.unit_of_work(SYSTEM) as session:
            job = session.get(Job, job_id)
            job.status, job.error, job.result = status, error, result or {}
            job.progress = 100 if status == "done" else job.progress
            job.finished_at = session.execute(text("SELECT now()")).scalar()

    def _postpone(self, job_id: int, wait: RetryLater) -> None:
        with self.db.unit_of_work(SYSTEM) as session:
            session.execute(text("""
                UPDATE jobs SET status = 'queued', attempts = attempts - 1, worker = '', progress_label = :label,
                                run_after = now() + make_interval(secs => :secs) WHERE id = :id"""),
                {"id": job_id, "secs": wait.seconds, "label": wait.reason[:200]})

    def _fail_or_retry(self, job_id: int, error: str) -> None:
        """Queue the job again after a growing wait, or fail it for good after its last attempt."""
        with self.db.unit_of_work(SYSTEM) as session:
            job = session.get(Job, job_id)
            job.error, job.worker = error[-4000:], ""
            if job.attempts >= job.max_attempts:
                job.status = "failed"
                job.finished_at = session.scalar(text("SELECT now()"))
                return
            delay = rules.retry_delay_seconds(job.attempts)
            job.status = "queued"
            job.progress_label = f"エラーのため{delay}秒後に再試行します（{job.attempts}/{job.max_attempts}回目が失敗）"
            job.run_after = session.scalar(text("SELECT now() + make_interval(secs => :s)"), {"s": delay})
