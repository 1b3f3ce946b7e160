"""Receiving a batch: check it, store its files as received, and queue the job that applies it.

Everything here happens in the caller's transaction: a batch that fails a check leaves nothing
behind, and a stored batch and its job become visible together.
"""
from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import Conflict
from app.jobs import services as jobs
from app.jobs.models import Job
from app.residents.link.archive import (
    BatchRefused,
    FileEntry,
    LineCounter,
    LinkProblem,
    Manifest,
    iter_chunks,
    open_archive,
    read_manifest,
)
from app.residents.models import LinkBatch, LinkFile

APPLY_JOB = "residents.apply_batch"


@dataclass(frozen=True)
class Received:
    batch: LinkBatch
    is_duplicate: bool


class SequenceError(LinkProblem, Conflict):
    """The batch's sequence number does not follow on (gap) or was used by other content."""


def receive_batch(session: Session, archive_path: Path, *, lg_code: str, channel: str, actor: Actor) -> Received:
    """Check and store the batch ZIP at ``archive_path`` for municipality ``lg_code`` and queue it.

    Refuses (BatchRefused / SequenceError, with an API ``code``) a bad ZIP or manifest, another
    municipality's manifest, a sequence gap or conflict, a checksum or record-count mismatch.
    A repeated batch (same sequence, same files) is a no-op that returns the earlier batch.
    """
    with open_archive(archive_path) as archive:
        manifest, manifest_bytes = read_manifest(archive)
        if manifest.lg_code != lg_code:
            raise BatchRefused(f"manifest.json の団体コード {manifest.lg_code} は、"
                               f"送信元の団体 {lg_code} と異なります。",
                               code="lg_code_mismatch")
        # One batch of a municipality at a time passes this point, so sequence checks cannot race.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('link:' || :lg))"), {"lg": lg_code})
        existing = _batch_with_sequence(session, manifest.sequence)
        if existing is not None:
            return _repeat(session, existing, manifest)
        _check_next_in_sequence(session, manifest)
        batch = _store(session, archive, manifest, manifest_bytes, channel, actor)
    record(session, actor, "link_batch_receive", "link_batch", [batch.id], sequence=manifest.sequence,
           mode=manifest.mode, channel=channel)
    return Received(batch, False)


def _batch_with_sequence(session: Session, sequence: int) -> LinkBatch | None:
    return session.scalars(select(LinkBatch).where(LinkBatch.sequence_no == sequence,
                                                   LinkBatch.status != "rejected")).first()


def _repeat(session: Session, existing: LinkBatch, manifest: Manifest) -> Received:
    if existing.fingerprint != manifest.fingerprint:
        raise SequenceError(f"連番 {manifest.sequence} は既に別の内容で受け付けています。連番を確認してください。",
                            code="sequence_conflict")
    job = session.get(Job, existing.job_id) if existing.job_id else None
    if job is not None and job.status == "failed" and existing.status in ("queued", "processing"):
        # The same batch sent again after its processing failed: try again.
        job.status, job.attempts, job.error = "queued", 0, ""
        existing.status = "queued"
    return Received(existing, True)


def expected_sequence(session: Session) -> int:
    last = session.scalar(select(func.max(LinkBatch.sequence_no)).where(LinkBatch.status != "rejected"))
    return (last or 0) + 1


def _check_next_in_sequence(session: Session, manifest: Manifest) -> None:
    expected = expected_sequence(session)
    if manifest.sequence > expected:
        missing = str(expected) if manifest.sequence == expected + 1 else f"{expected}〜{manifest.sequence - 1}"
        raise SequenceError(f"連番 {missing} が届いていません（受け取った連番は {manifest.sequence}）。"
                            f"連番 {expected} から順に送ってください。", code="sequence_gap",
                            details={"expected": expected, "missing": list(range(expected, manifest.sequence))})
    if manifest.sequence == 1 and manifest.mode != "full":
        raise BatchRefused("最初の連携（連番1）は全件（full）である必要があります。", code="manifest_invalid")


def _store(session, archive: zipfile.ZipFile, manifest: Manifest, manifest_bytes: bytes, channel, actor) -> LinkBatch:
    batch = LinkBatch(lg_code=manifest.lg_code, sequence_no=manifest.sequence, mode=manifest.mode,
                      reference_at=manifest.reference_at, manifest=manifest.raw, manifest_bytes=manifest_bytes,
                      fingerprint=manifest.fingerprint, status="queued", channel=channel,
                      received_by=actor.login_id)
    session.add(batch)
    session.flush()
    for entry in manifest.files:
        _store_file(session, archive, batch, entry)
    job = jobs.enqueue(session, APPLY_JOB, {"batch_id": batch.id}, manifest.lg_code)
    batch.job_id = job.id
    session.flush()
    return batch


def _store_file(session: Session, archive: zipfile.ZipFile, batch: LinkBatch, entry: FileEntry) -> LinkFile:
    """Copy one file into link_file_chunks while computing its checksum and record count."""
    stored = LinkFile(lg_code=batch.lg_code, batch_id=batch.id, kind=entry.kind, name=entry.name,
                      encoding=entry.encoding, sha256="", size=0, records=0)
    session.add(stored)
    session.flush()
    digest, counter, size = hashlib.sha256(), LineCounter(), 0
    raw = session.connection().connection.driver_connection
    # INSERT, not COPY: PostgreSQL refuses COPY FROM into a table under row-level security.
    # Pipelined: the next chunk is read and hashed while the server still stores the previous one.
    with archive.open(entry.name) as source, raw.pipeline(), raw.cursor() as cursor:
        for seq, chunk in enumerate(iter_chunks(source)):
            digest.update(chunk)
            counter.feed(chunk)
            size += len(chunk)
            cursor.execute("INSERT INTO link_file_chunks (lg_code, file_id, seq, data) VALUES (%s, %s, %s, %b)",
                           (batch.lg_code, stored.id, seq, chunk))
    if digest.hexdigest() != entry.sha256:
        raise BatchRefused(f"「{entry.name}」のSHA-256が manifest.json と一致しません（ファイルが壊れているか、"
                           f"別のファイルです）。", code="checksum_mismatch",
                           details={"file": entry.name, "expected": entry.sha256, "actual": digest.hexdigest()})
    if counter.records != entry.records:
        raise BatchRefused(f"「{entry.name}」のデータ行数 {counter.records} が manifest.json の records "
                           f"{entry.records} と一致しません。", code="record_count_mismatch",
                           details={"file": entry.name, "expected": entry.records, "actual": counter.records})
    stored.sha256, stored.size, stored.records = entry.sha256, size, counter.records
    return stored
