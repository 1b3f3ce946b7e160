"""Job handlers of the resident data link."""
from __future__ import annotations

import tempfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.services import JobContext, handler
from app.residents.link.archive import iter_chunks
from app.residents.link.pipeline import apply_batch
from app.residents.link.receive import APPLY_JOB
from app.residents.models import LinkFileChunk

DEFAULT_RETENTION = 24


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


@handler(APPLY_JOB)
def apply_batch_job(context: JobContext) -> dict:
    return apply_batch(context.session, context.payload["batch_id"], read_chunks=chunk_reader(context.session),
                       progress=context.progress,
                       retention=context.settings.get("LINK_RETENTION_GENERATIONS", DEFAULT_RETENTION))
