"""Job handlers of the resident data link."""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable

import psycopg
import sqlalchemy.exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.services import JobContext, RetryLater, enqueue, handler
from app.residents.link.archive import iter_chunks
from app.residents.link.pipeline import apply_batch, reject_failed
from app.residents.link.receive import APPLY_JOB
from app.residents.models import LinkFileChunk

log = logging.getLogger("bcl.link")
DEFAULT_RETENTION = 24
LINK_LOCK = "residents.link"
# Failures of the connection or the server (lost connection, shutdown, deadlock, serialisation),
# not of the batch: worth another attempt.
_TRANSIENT = (psycopg.OperationalError, sqlalchemy.exc.OperationalError)
# Jobs other packages want after each applied batch (the 避難行動要支援者名簿 re-extraction). They are
# queued in the batch's transaction but run on their own, so a failure there never undoes the link.
_AFTER_APPLY: dict[str, Callable[[Session, str], bool]] = {}


def after_apply(kind: str, wanted: Callable[[Session, str], bool]) -> None:
    """Queue a job of ``kind`` (payload: batch_id, generation) after every applied batch of a
    municipality for which ``wanted(session, lg_code)`` is true."""
    _AFTER_APPLY[kind] = wanted


def chunk_reader(session: Session):
    """Read a stored file through ``session`` into a temporary file, then yield it in chunks.

    Spooling first keeps the connection free for the COPY that consumes the chunks, and memory flat.
    """
    def read(file_id: int):
        # Eager on purpose: every query runs now, before the caller starts a COPY on this connection.
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _drain once the caller has read it
        next_seq = 0
        while True:
            rows = session.execute(select(LinkFileChunk.seq, LinkFileChunk.data)
                                   .where(LinkFileChunk.file_id == file_id, LinkFileChunk.seq >= next_seq)
                                   .order_by(LinkFileChunk.seq).limit(16)).all()
            if not rows:
                break
            for seq, data in rows:
                spool.write(data)
                next_seq = seq + 1
        spool.seek(0)
        return _drain(spool)

    return read


def _drain(spool):
    with spool:
        yield from iter_chunks(spool)


# One batch of a municipality at a time: a batch applies on the generation its predecessor made.
@handler(APPLY_JOB, lock=LINK_LOCK)
def apply_batch_job(context: JobContext) -> dict:
    batch_id = context.payload["batch_id"]
    try:
        result = apply_batch(context.session, batch_id, read_chunks=chunk_reader(context.session),
                             progress=context.progress,
                             retention=context.settings.get("LINK_RETENTION_GENERATIONS", DEFAULT_RETENTION))
    except (RetryLater, *_TRANSIENT):
        raise  # the queue runs it again: waiting for an earlier batch, or the database went away
    except Exception as error:
        # The same stored files would fail the same way again: the batch ends rejected with the
        # reason, so the municipality can send its number again, instead of holding the sequence.
        log.exception("link batch %s failed", batch_id)
        context.session.rollback()
        return reject_failed(context.session, batch_id, error)
    if result.get("status") == "applied" and "generation" in result:  # not when re-run after the fact
        for kind in [k for k, wanted in _AFTER_APPLY.items() if wanted(context.session, context.lg_code)]:
            enqueue(context.session, kind, {"batch_id": context.payload["batch_id"],
                                            "generation": result.get("generation")}, context.lg_code)
    return result
