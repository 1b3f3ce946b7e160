"""Job handlers of the map: hazard layer imports."""
from __future__ import annotations

from app.jobs.services import JobContext, handler
from app.maps.layer_services import IMPORT_JOB, import_upload


@handler(IMPORT_JOB)
def import_layer_job(context: JobContext) -> dict:
    return import_upload(context.session, context.payload["upload_id"], context.progress)
