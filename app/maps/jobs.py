"""Job handlers of the map: hazard layer imports, spatial analyses and the hourly purge of their
expired results."""
from __future__ import annotations

from datetime import timedelta

from app.jobs.services import JobContext, handler, periodic
from app.maps.analysis_results import ANALYSIS_JOB, purge_expired
from app.maps.analysis_results import run as run_analysis
from app.maps.layer_services import IMPORT_JOB, import_upload


@handler(IMPORT_JOB)
def import_layer_job(context: JobContext) -> dict:
    return import_upload(context.session, context.payload["upload_id"], context.progress)


@handler(ANALYSIS_JOB)
def spatial_analysis_job(context: JobContext) -> dict:
    return run_analysis(context.session, context.payload["analysis_id"], context.progress)


PURGE_ANALYSES_JOB = "maps.purge_expired_analyses"


@handler(PURGE_ANALYSES_JOB)
def purge_expired_analyses_job(context: JobContext) -> dict:
    """Every municipality's analysis results past their expiry: they list residents and 要支援者 by
    name, and a town that runs no further analysis would otherwise keep them."""
    return {"purged": purge_expired(context.session)}


periodic(PURGE_ANALYSES_JOB, every=timedelta(hours=1))
