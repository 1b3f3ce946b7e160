"""Generations of the copy (副本): listing, retention, and restore as a batch ZIP.

A full generation is restored from the stored files, byte for byte. Any other generation is rebuilt:
the stored files of its base full generation are staged, each later diff is applied to those text
tables in order, and the result is written in the canonical form of docs/resident-link.md §6.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import psycopg
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.residents.link import spec
from app.residents.link.archive import LinkProblem, temporary_path
from app.residents.link.staging import stage
from app.residents.models import Generation, LinkBatch, LinkFile, LinkFileChunk

ChunkReader = Callable[[int], Iterable[bytes]]
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


class GenerationPurged(LinkProblem, ValidationError):
    """The generation's stored files are gone (older than the retention)."""


def list_generations(session: Session) -> list[Generation]:
    return list(session.scalars(select(Generation).order_by(Generation.number.desc())))


def get_generation(session: Session, number: int) -> Generation:
    generation = session.scalar(select(Generation).where(Generation.number == number))
    if generation is None:
        raise NotFound(f"世代 {number} はありません。", target_type="generation", target_id=number)
    return generation


def purge_old_generations(session: Session, lg_code: str, keep: int) -> list[int]:
    """Purge stored files of generations older than the newest ``keep`` (and their base full)."""
    numbers = list(session.scalars(select(Generation.number).where(Generation.is_purged.is_(False))
                                   .order_by(Generation.number.desc())))
    if len(numbers) <= keep:
        return []
    kept = numbers[:keep]
    oldest_base = session.scalar(select(Generation.base_number).where(Generation.number == kept[-1]))
    doomed = [n for n in numbers[keep:] if n < oldest_base]
    if not doomed:
        return []
    batch_ids = select(Generation.batch_id).where(Generation.number.in_(doomed))
    file_ids = select(LinkFile.id).where(LinkFile.batch_id.in_(batch_ids))
    session.execute(delete(LinkFileChunk).where(LinkFileChunk.file_id.in_(file_ids)))
    session.execute(update(LinkFile).where(LinkFile.batch_id.in_(batch_ids)).values(is_purged=True))
    session.execute(update(Generation).where(Generation.number.in_(doomed)).values(is_purged=True))
    return doomed


def export_generation(session: Session, number: int, target: Path, read_chunks: ChunkReader) -> Path:
    """Write generation ``number`` as a batch ZIP at ``target`` (see module docstring)."""
    generation = get_generation(session, number)
    if generation.is_purged:
        raise GenerationPurged(f"世代 {number} は保存期間を過ぎ、ファイルが削除されています。", code="purged")
    if generation.mode == "full":
        return _export_stored(session, generation, target, read_chunks)
    return _export_rebuilt(session, generation, target, read_chunks)


def _export_stored(session: Session, generation: Generation, target: Path, read_chunks: ChunkReader) -> Path:
    batch = session.get(LinkBatch, generation.batch_id)
    files = session.scalars(select(LinkFile).where(LinkFile.batch_id == batch.id)).all()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zipfile.ZipInfo("manifest.json", ZIP_DATE), batch.manifest_bytes)
        for file in sorted(files, key=lambda f: spec.KINDS.index(f.kind)):
            info = zipfile.ZipInfo(file.name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as out:
                for chunk in read_chunks(file.id):
                    out.write(chunk)
    return target


def _export_rebuilt(session: Session, generation: Generation, target: Path, read_chunks: ChunkReader) -> Path:
    conn = session.connection().connection.driver_connection
    base_batch = session.scalar(select(Generation.batch_id).where(Generation.number == generation.base_number))
    diffs = session.scalars(select(Generation.batch_id).where(Generation.number > generation.base_number,
                                                             Generation.number <= generation.number)
                            .order_by(Generation.number)).all()
    savepoint = session.begin_nested()
    try:
        state = _stage_batch(session, conn, base_batch, "state", read_chunks, diff=False)
        for step, batch_id in enumerate(diffs):
            changes = _stage_batch(session, conn, batch_id, f"chg{step}", read_chunks, diff=True)
            for kind, table in changes.items():
                _apply_text_diff(conn, kind, state[kind], table)
        _write_canonical(conn, state, generation, target)
    finally:
        savepoint.rollback()  # the staging tables are scratch
    return target


def _stage_batch(session, conn, batch_id: int, purpose: str, read_chunks, diff: bool) -> dict[str, str]:
    tables = {}
    for file in session.scalars(select(LinkFile).where(LinkFile.batch_id == batch_id)):
        table = f"{purpose}_{file.kind}"
        stage(conn, file.kind, file.name, file.encoding, read_chunks(file.id), diff=diff, table=table)
        tables[file.kind] = table
    return tables


def _apply_text_diff(conn: psycopg.Connection, kind: str, state: str, changes: str) -> None:
    keys = spec.KEYS[kind]
    join = " AND ".join(f"t.{k} = c.{k}" for k in keys)
    names = ", ".join(c.name for c in spec.COLUMNS[kind])
    conn.execute(f"DELETE FROM {state} t USING {changes} c WHERE {join} AND c.op IN ('2', '3')")
    conn.execute(f"INSERT INTO {state} ({names}) SELECT {names} FROM {changes} c WHERE c.op IN ('1', '2') "
                 f"ORDER BY c.line_no")


def _canonical_select(kind: str, table: str) -> str:
    fields = []
    for column in spec.COLUMNS[kind]:
        value = column.name
        if column.rule == "date":
            value = f"to_char(bcl_link_date(NULLIF({column.name}, '')), 'YYYY-MM-DD')"
        fields.append(f"NULLIF({value}, '')")  # empty values are written bare, not as ""
    order = ", ".join(f"{k}::bigint" if k in ("atena_no", "fiscal_year") else k for k in spec.KEYS[kind])
    return f"SELECT {', '.join(fields)} FROM {table} ORDER BY {order}"


def _write_canonical(conn: psycopg.Connection, state: dict[str, str], generation: Generation, target: Path) -> None:
    entries = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for kind in spec.KINDS:
            name = f"{kind}.csv"
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            digest, lines = hashlib.sha256(), 0
            with archive.open(info, "w") as out:
                head = (",".join(spec.header(kind)) + "\r\n").encode("utf-8")
                out.write(head)
                digest.update(head)
                with conn.cursor() as cursor, cursor.copy(
                        f"COPY ({_canonical_select(kind, state[kind])}) TO STDOUT WITH (FORMAT csv)") as copy:
                    for block in copy:
                        data = bytes(block).replace(b"\n", b"\r\n")  # fields never hold line breaks
                        lines += data.count(b"\n")
                        digest.update(data)
                        out.write(data)
            entries.append({"kind": kind, "name": name, "encoding": "UTF-8", "records": lines,
                            "sha256": digest.hexdigest()})
        manifest = {"format": spec.FORMAT, "version": spec.VERSION, "lg_code": generation.lg_code, "mode": "full",
                    "sequence": generation.number, "reference_at": generation.reference_at.isoformat(),
                    "restored_generation": generation.number, "files": entries}
        archive.writestr(zipfile.ZipInfo("manifest.json", ZIP_DATE),
                         json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))


def temporary_zip() -> Path:
    return temporary_path("bcl-export-", ".zip")
