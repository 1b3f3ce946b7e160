"""Pattern A: the link API for a municipality's link server (docs/resident-link.md §4)."""
from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import after_this_request, current_app, g, jsonify, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from app.audit.services import Actor, record
from app.extensions import db
from app.query_params import BIGINT_MAX, integer_parameter
from app.residents import api_bp, services
from app.residents.jobs import chunk_reader
from app.residents.link import generations, tokens
from app.residents.link.archive import BatchRefused, BatchTooLarge, temporary_path
from app.residents.link.openapi import ERRORS_LIMIT_DEFAULT, ERRORS_LIMIT_MAX, OPENAPI
from app.residents.link.receive import receive_batch

ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


def token_required(view):
    """Authenticate the link server by its bearer token; the session then acts for its municipality."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = tokens.authenticate(db.session, request.headers.get("Authorization"))
        g.api_actor = Actor(token.lg_code, None, f"token:{token.name}"[:32], request.remote_addr, request.path)
        return view(*args, **kwargs)

    wrapped.auth_scheme = "link_token"
    return wrapped


def _batch_json(batch, job=None) -> dict:
    return {
        "id": batch.id, "sequence": batch.sequence_no, "mode": batch.mode, "status": batch.status,
        "reference_at": batch.reference_at.isoformat(), "received_at": batch.received_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "progress": 100 if batch.status in ("applied", "rejected") else (job.progress if job else 0),
        "progress_label": job.progress_label if job else "", "job_status": job.status if job else None,
        "job_error": job.error if job and job.status == "failed" else None,
        "error_count": batch.error_count, "report": batch.report,
        "errors_url": url_for("link_api.batch_errors", batch_id=batch.id),
    }


@api_bp.post("/batches")
@token_required
def post_batch():
    if request.mimetype not in ZIP_TYPES:
        raise BatchRefused("本文は Content-Type: application/zip のZIPで送ってください。", code="not_a_zip")
    path = _spool_body()
    try:
        received = receive_batch(db.session, path, lg_code=g.api_actor.lg_code, channel="api", actor=g.api_actor)
    finally:
        path.unlink(missing_ok=True)
    body = _batch_json(received.batch, services.batch_job(db.session, received.batch))
    body["duplicate"] = received.is_duplicate
    response = jsonify(body)
    response.status_code = 200 if received.is_duplicate else 202
    response.headers["Location"] = url_for("link_api.get_batch", batch_id=received.batch.id)
    return response


def _spool_body() -> Path:
    """Stream the request body to a temporary file (batches can be hundreds of MB)."""
    path = temporary_path("bcl-batch-", ".zip")
    try:
        with path.open("wb") as handle:
            while chunk := request.stream.read(1 << 20):
                handle.write(chunk)
    except RequestEntityTooLarge as exc:
        path.unlink(missing_ok=True)
        limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        raise BatchTooLarge(f"バッチが大きすぎます（{limit}MBまで）。差分（diff）で送るか、"
                            "システム管理者に上限を確認してください。", code="too_large") from exc
    return path


@api_bp.get("/batches/<id:batch_id>")
@token_required
def get_batch(batch_id: int):
    batch = services.get_batch(db.session, batch_id)
    return jsonify(_batch_json(batch, services.batch_job(db.session, batch)))


@api_bp.get("/batches/<id:batch_id>/errors")
@token_required
def batch_errors(batch_id: int):
    offset = integer_parameter(request.args.get("offset"), "offset", default=0, minimum=0, maximum=BIGINT_MAX)
    limit = integer_parameter(request.args.get("limit"), "limit", default=ERRORS_LIMIT_DEFAULT, minimum=1,
                              maximum=ERRORS_LIMIT_MAX)
    services.get_batch(db.session, batch_id)
    rows = services.batch_errors(db.session, batch_id, offset, limit)
    return jsonify({"offset": offset, "limit": limit, "errors": [
        {"file": e.file, "line": e.line, "column": e.column, "code": e.code, "message": e.message} for e in rows]})


@api_bp.get("/status")
@token_required
def status():
    state = services.link_status(db.session)
    return jsonify({
        "lg_code": g.api_actor.lg_code, "expected_sequence": state.expected_sequence,
        "last_applied_sequence": state.last_generation.number if state.last_generation else None,
        "last_batch": _batch_json(state.last_batch) if state.last_batch else None,
        "generations": state.generations, "counts": state.counts})


@api_bp.get("/generations")
@token_required
def list_generations():
    return jsonify({"generations": [
        {"number": gen.number, "mode": gen.mode, "base": gen.base_number, "reference_at": gen.reference_at.isoformat(),
         "created_at": gen.created_at.isoformat(), "counts": gen.counts, "checksums": gen.checksums,
         "purged": gen.is_purged, "export_url": url_for("link_api.export_generation", number=gen.number)}
        for gen in generations.list_generations(db.session)]})


@api_bp.get("/generations/<id:number>/export")
@token_required
def export_generation(number: int):
    path = generations.export_generation(db.session, number, generations.temporary_zip(), chunk_reader(db.session))
    record(db.session, g.api_actor, "link_export", "generation", [number], channel="api")

    @after_this_request
    def _cleanup(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"bcl-{g.api_actor.lg_code}-generation-{number}.zip")


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
