"""Job handlers of the register: the extraction re-run after each applied resident data link."""
from __future__ import annotations

from app.evac_support import updates
from app.jobs.services import JobContext, handler
from app.residents.jobs import after_apply

REFRESH_JOB = "evac_register_refresh"


# One re-extraction of a municipality's register at a time, in the order the batches applied.
@handler(REFRESH_JOB, lock="evac_support.register")
def refresh_register_job(context: JobContext) -> dict:
    context.progress(10, "避難行動要支援者名簿を更新しています")
    return updates.refresh_after_link(context.session, context.lg_code, context.payload["batch_id"],
                                      context.payload.get("generation"))


after_apply(REFRESH_JOB, updates.register_in_use)
