"""Job handlers of the map: hazard layer imports and spatial analyses."""
from __future__ import annotations

from app.jobs.services import JobContext, handler
from app.maps.analysis_results import ANALYSIS_JOB
from app.maps.analysis_results import run as run_analysis
from app.maps.layer_services import IMPORT_JOB, import_upload


@handler(IMPORT_JOB)
def import_layer_job(context: JobContext) -> dict:
    return import_upload(context.session, context.payload["upload_id"], context.progress)


@handler(ANALYSIS_JOB)
def spatial_analysis_job(context: JobContext) -> dict:
    return run_analysis(context.session, context.payload["analysis_id"], context.progress)
