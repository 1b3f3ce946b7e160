"""The job that applies a received batch: stage, validate, apply, record the generation.

It all happens in the job's one transaction: a rejected batch leaves the copy as it was (its
findings are kept), and a worker killed half-way leaves nothing at all, so the job simply runs
again. Progress goes through the job row, on a connection of its own.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import pyarrow as pa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import japan_date
from app.config import mynumber_keys
from app.jobs.services import RetryLater
from app.residents.link import apply as applier
from app.residents.link import checks, geocode, spec, validate
from app.residents.link.generations import purge_old_generations
from app.residents.link.staging import Finding, StagedFile, StagingFailed, stage
from app.residents.models import Generation, LinkBatch, LinkError, LinkFile

Progress = Callable[[int, str], None]
ChunkReader = Callable[[int], Iterable[bytes]]


class TimedProgress:
    """Passes progress on and keeps the seconds spent under each step's label, for the batch report
    (where operations look first when a load is slow)."""

    def __init__(self, progress: Progress):
        self.progress, self.timings = progress, {}
        self._label, self._since = "準備", time.perf_counter()

    def __call__(self, percent: int, label: str) -> None:
        self.lap()
        self._label = label
        self.progress(percent, label)

    def lap(self) -> dict:
        now = time.perf_counter()
        self.timings[self._label] = round(self.timings.get(self._label, 0) + now - self._since, 3)
        self._since = now
        return self.timings


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    total: int = 0

    def add(self, result: tuple[int, list[Finding]]) -> None:
        total, findings = result
        self.total += total
        self.findings.extend(findings[: validate.MAX_FINDINGS - len(self.findings)])

    def merge(self, other: Outcome) -> None:
        self.add((other.total, other.findings))


class _Rejected(Exception):
    pass


def apply_batch(session: Session, batch_id: int, *, read_chunks: ChunkReader, progress: Progress,
                retention: int) -> dict:
    """Apply batch ``batch_id`` of the session's tenant; returns a summary. Idempotent once finished."""
    batch = session.get(LinkBatch, batch_id)
    if batch is None:
        return {"status": "missing"}
    if batch.status in ("applied", "rejected"):
        return {"status": batch.status}
    _lock_for_apply(session, batch, progress)
    if batch.status in ("applied", "rejected"):  # ended while this job waited for the lock
        return {"status": batch.status}
    _wait_for_previous(session, batch)
    progress = TimedProgress(progress)
    files = list(session.scalars(select(LinkFile).where(LinkFile.batch_id == batch.id)))
    files.sort(key=lambda f: spec.KINDS.index(f.kind))
    conn = session.connection().connection.driver_connection
    outcome, report, staged = Outcome(), {}, []
    checker = _Checker(batch)
    savepoint = session.begin_nested()
    try:
        _stage_all(conn, files, batch.mode == "diff", read_chunks, progress, outcome, staged, checker)
        report["characters"] = [c for s in staged for c in s.characters][:1000]
        report["character_count"] = sum(s.character_count for s in staged)
        if batch.mode == "full":
            report["counts"] = _apply_while_checking(conn, staged, batch, outcome, progress, checker)
        else:
            progress(42, "項目を検証しています")
            outcome.merge(checker.finish())
            if outcome.total:
                raise _Rejected
            _check_against_copy(conn, staged, batch, outcome)
            report["counts"] = _apply_all(conn, staged, batch, outcome, progress)
        progress(92, "位置参照情報で位置を設定しています")
        report["located"] = geocode.locate_residents(conn, batch.lg_code)
        report["timings"] = progress.lap() | {"項目の検証（並行）": checker.seconds}
    except _Rejected:
        savepoint.rollback()  # also drops the staging tables made inside it
        return reject(session, batch, outcome.findings, report, Actor.system(batch.lg_code, "link"),
                      "link_batch_apply", total=outcome.total)
    finally:
        checker.close()
        _remove_spools(staged)
    _drop_scratch(conn, staged)
    savepoint.commit()
    return _finish(session, batch, files, report, retention, progress)


_APPLY_LOCK = "hashtext('bcl.link_apply'), :batch_id"


def try_apply_lock(session: Session, batch_id: int) -> bool:
    """Take the batch's apply lock for the rest of the transaction; False when another transaction
    holds it. The job applying a batch holds it for as long as its transaction lives in PostgreSQL,
    which is what tells a live apply from one whose worker is gone (its transaction ended with it)."""
    return session.scalar(text(f"SELECT pg_try_advisory_xact_lock({_APPLY_LOCK})"), {"batch_id": batch_id})


def _lock_for_apply(session: Session, batch: LinkBatch, progress: Progress) -> None:
    """Hold the batch's apply lock, first waiting for a transaction that still has it: the previous
    attempt's, when its worker died during a long statement that PostgreSQL finishes before it
    notices. The batch is read again afterwards (an administrator may have ended it meanwhile)."""
    if not try_apply_lock(session, batch.id):
        progress(0, "中断された前回の処理の終了を待っています")
        session.execute(text(f"SELECT pg_advisory_xact_lock({_APPLY_LOCK})"), {"batch_id": batch.id})
    session.refresh(batch)


def reject_failed(session: Session, batch_id: int, error: Exception) -> dict:
    """End a batch whose job failed (a fault, not a finding) as rejected, the failure as its one
    error, so that its sequence number can be sent again. Call it after rolling the work back."""
    batch = session.get(LinkBatch, batch_id, with_for_update=True)
    if batch is None or batch.status in ("applied", "rejected"):
        return {"status": batch.status if batch else "missing"}
    said = str(error).strip()
    reason = f"{type(error).__name__}: {said.splitlines()[0] if said else ''}"[:300]
    finding = Finding("", None, "", "processing_error",
                      f"処理中にエラーが発生したため、このバッチは反映していません（{reason}）。"
                      f"同じ連番 {batch.sequence_no} で送り直せます。"
                      "解消しない場合はシステム管理者に連絡してください。")
    return reject(session, batch, [finding], {}, Actor.system(batch.lg_code, "link"), "link_batch_apply",
                  failure=reason)


def _remove_spools(staged: list[StagedFile]) -> None:
    for file in staged:
        if file.spool is not None:
            file.spool.unlink(missing_ok=True)


def _drop_scratch(conn, staged: list[StagedFile]) -> None:
    """Staging tables go at commit anyway; dropping them now keeps a longer transaction lean."""
    for file in staged:
        conn.execute(f"DROP TABLE IF EXISTS {file.table}")
    conn.execute("DROP TABLE IF EXISTS link_touched_households")


def _wait_for_previous(session: Session, batch: LinkBatch) -> None:
    if batch.sequence_no == 1:
        return
    previous = session.scalar(select(Generation.id).where(Generation.number == batch.sequence_no - 1))
    if previous is None:
        raise RetryLater(5, f"連番 {batch.sequence_no - 1} の反映を待っています")


def _stage_all(conn, files, diff, read_chunks, progress, outcome, staged: list[StagedFile],
               checker: _Checker) -> None:
    """Stage every file into ``staged``; each goes to the checker as soon as it is staged."""
    for index, file in enumerate(files):
        progress(5 + 35 * index // len(files), f"{file.name} を読み込んでいます")
        try:
            staged.append(stage(conn, file.kind, file.name, file.encoding, read_chunks(file.id), diff=diff,
                                spool=True))
        except StagingFailed as failed:
            outcome.add((1, [failed.finding]))
            raise _Rejected from failed
        checker.add(staged[-1])


# Key columns each kind keeps for the rules across rows (duplicates, 住民票コード, households,
# references); a diff of residents keeps its 異動区分 too, as a 削除 row gives its 住民票コード up.
_KEEP = {"residents": ("atena_no", "resident_code", "household_no", "is_household_head", "status"),
         "seals": ("registration_no", "atena_no"), "taxes": ("atena_no", "fiscal_year"), "welfare": ("atena_no",)}


def _kept_columns(kind: str, diff: bool) -> tuple[str, ...]:
    return _KEEP[kind] + (("op",) if diff and kind == "residents" else ())


class _Checker:
    """Every rule that the files alone decide (Arrow: per row, duplicates and, for a full batch,
    households and references between the files), on a thread of its own: each file is checked
    as soon as it is staged, while the next one is staged or the batch applied. Touches no
    database connection."""

    def __init__(self, batch: LinkBatch) -> None:
        checks.use_returning_memory_pool()
        self.full = batch.mode == "full"
        self.reference_date = japan_date(batch.reference_at)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="link-checks")
        self.pending: dict[str, Future] = {}
        self.seconds = 0.0

    def add(self, file: StagedFile) -> None:
        self.pending[file.kind] = self.pool.submit(self._check, file)

    def _check(self, file: StagedFile) -> checks.FileChecks:
        started = time.perf_counter()
        result = checks.check_file(file.spool, file.kind, file.name, file.diff, self.reference_date,
                                   keep=_kept_columns(file.kind, file.diff))
        checks.check_duplicates(result, file.kind)
        if file.kind == "residents":
            checks.check_resident_codes(result)
        pa.default_memory_pool().release_unused()
        self.seconds = round(self.seconds + time.perf_counter() - started, 3)
        return result

    def finish(self) -> Outcome:
        """Wait for the files' checks, add the rules between files; the findings of them all."""
        results = {kind: future.result() for kind, future in self.pending.items()}
        if self.full:
            checks.check_households(results["residents"])
            known = None
            for kind in ("seals", "taxes", "welfare"):
                if kind in results:
                    known = checks.check_references(results[kind], results["residents"], known)
        found = Outcome()
        for result in results.values():
            found.add((result.total, result.findings))
        self.pending.clear()
        del results
        pa.default_memory_pool().release_unused()  # the apply runs in PostgreSQL, not in this process
        return found

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _apply_while_checking(conn, staged: list[StagedFile], batch: LinkBatch, outcome: Outcome,
                          progress: Progress, checker: _Checker) -> dict:
    """A full batch: apply it in PostgreSQL while the checker works on the other core.

    The apply is inside the batch's savepoint, so when the checks find anything it is rolled back
    and the findings are the report. Invalid values can also make the apply itself fail (a cast, a
    constraint): the checks' findings then explain it; an apply error the checks cannot explain is
    a fault and is raised.
    """
    failure: Exception | None = None
    counts: dict = {}
    try:
        counts = _apply_all(conn, staged, batch, outcome, progress)
    except (_Rejected, psycopg.errors.DataError, psycopg.errors.IntegrityError) as error:
        failure = error
    found = checker.finish()
    if found.total:
        outcome.findings.clear()
        outcome.total = 0
        outcome.merge(found)
        raise _Rejected
    if failure is not None:
        raise failure
    return counts


def _check_against_copy(conn, staged: list[StagedFile], batch: LinkBatch, outcome: Outcome) -> None:
    """A diff's keys must (not) exist in the copy as its rows require."""
    for file in staged:
        if file.diff:
            outcome.add(validate.diff_key_findings(conn, file, batch.lg_code))
    if outcome.total:
        raise _Rejected


def _apply_all(conn: psycopg.Connection, staged: list[StagedFile], batch: LinkBatch, outcome: Outcome,
               progress: Progress) -> dict:
    keys = dict(zip(("enc_key", "mac_key"), mynumber_keys(), strict=True))
    by_kind = {s.kind: s for s in staged}
    counts = {}
    residents = by_kind.get("residents")
    if residents is not None:
        outcome.add(validate.removal_findings(conn, residents, batch.lg_code))
        if outcome.total:
            raise _Rejected
        progress(60, "住民を反映しています")
        if residents.diff:
            applier.remember_touched_households(conn, residents.table, batch.lg_code)
        counts["residents"] = _apply(conn, residents, batch.lg_code, keys)
        if residents.diff:  # a full batch's households and 住民票コード were checked in its files
            outcome.add(validate.household_findings(conn, residents, batch.lg_code))
            outcome.add(validate.resident_code_findings(conn, residents, batch.lg_code))
    for kind in ("seals", "taxes", "welfare"):
        if kind in by_kind and by_kind[kind].diff:
            outcome.add(validate.reference_findings(conn, by_kind[kind], batch.lg_code))
    if outcome.total:
        raise _Rejected
    for step, kind in enumerate(("seals", "taxes", "welfare")):
        if kind in by_kind:
            progress(75 + 7 * step, f"{spec.KIND_LABELS[kind]}を反映しています")
            counts[kind] = _apply(conn, by_kind[kind], batch.lg_code, keys)
    if "seals" in by_kind:
        outcome.add(validate.active_seal_findings(conn, by_kind["seals"], batch.lg_code))
    if outcome.total:
        raise _Rejected
    return counts


def _apply(conn, staged: StagedFile, lg_code: str, keys: dict) -> dict:
    if staged.diff:
        return applier.apply_diff(conn, staged.kind, staged.table, lg_code, keys)
    return applier.apply_full(conn, staged.kind, staged.table, lg_code, keys)


def reject(session: Session, batch: LinkBatch, findings: list[Finding], report: dict, actor: Actor, action: str,
           total: int | None = None, **detail) -> dict:
    """Mark ``batch`` rejected with ``findings`` (``total`` of them, when more were counted than
    kept), which gives its sequence number back, and audit it as ``action``."""
    total = len(findings) if total is None else total
    batch.status = "rejected"
    batch.error_count = total
    batch.finished_at = _now(session)
    batch.report = {**report, "error_count": total}
    session.add_all(LinkError(lg_code=batch.lg_code, batch_id=batch.id, file=f.file, line=f.line,
                              column=f.column, code=f.code, message=f.message) for f in findings)
    record(session, actor, action, "link_batch", [batch.id], sequence=batch.sequence_no, result="rejected",
           errors=total, **detail)
    session.flush()
    return {"status": "rejected", "errors": total}


def _finish(session: Session, batch: LinkBatch, files: list[LinkFile], report: dict, retention: int,
            progress: Progress) -> dict:
    progress(95, "世代を記録しています")
    conn = session.connection().connection.driver_connection
    base = batch.sequence_no if batch.mode == "full" else session.scalar(
        select(Generation.base_number).where(Generation.number == batch.sequence_no - 1))
    generation = Generation(lg_code=batch.lg_code, number=batch.sequence_no, batch_id=batch.id, mode=batch.mode,
                            base_number=base, reference_at=batch.reference_at,
                            counts=applier.counts(conn, batch.lg_code),
                            checksums={f.kind: f.sha256 for f in files})
    session.add(generation)
    batch.status, batch.finished_at = "applied", _now(session)
    batch.report = {**report, "generation": batch.sequence_no, "error_count": 0}
    session.flush()
    purged = purge_old_generations(session, batch.lg_code, retention)
    record(session, Actor.system(batch.lg_code, "link"), "link_batch_apply", "link_batch", [batch.id],
           sequence=batch.sequence_no, result="applied", generation=batch.sequence_no, purged=purged)
    return {"status": "applied", "generation": batch.sequence_no, "counts": report.get("counts", {})}


def _now(session: Session):
    from sqlalchemy import func

    return session.scalar(select(func.now()))
