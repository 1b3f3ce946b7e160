"""Job progress for the screens' progress bars (the tenant's own jobs only, by row-level security)."""
from __future__ import annotations

from flask import jsonify

from app.auth import rules
from app.errors import NotFound
from app.extensions import db
from app.jobs import bp
from app.jobs.services import get_job
from app.web import current_actor, screen_required


@bp.get("/jobs/<bigid:job_id>")
@screen_required(rules.LOGIN_ONLY)
def progress(job_id: int):
    job = get_job(db.session, current_actor().lg_code, job_id)
    if job is None:
        raise NotFound("指定された処理はありません。", target_type="job", target_id=job_id)
    return jsonify({"id": job.id, "status": job.status, "progress": job.progress, "label": job.progress_label,
                    "error": job.error if job.status == "failed" else ""})
