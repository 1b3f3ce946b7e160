"""Online applications API (/api/applications/v1): an online application system of the
municipality sends 罹災証明書 / 被災証明書 applications and follows them. See docs/victim-support.md."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request, url_for

from app.audit.services import Actor
from app.bodies import BodyRefused, read_body
from app.disasters import api_bp, applications, schemas
from app.disasters.openapi import OPENAPI
from app.extensions import db
from app.residents.link import tokens


def applications_token_required(view):
    """Authenticate the application system by a token issued for online applications."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = tokens.authenticate(db.session, request.headers.get("Authorization"), purpose="applications")
        g.api_actor = Actor(token.lg_code, None, f"token:{token.name}"[:32], request.remote_addr, request.path)
        return view(*args, **kwargs)

    wrapped.auth_scheme = "applications_token"
    return wrapped


def _application_json(application) -> dict:
    return {"id": application.id, "kind": application.kind, "status": application.status,
            "disaster_id": application.disaster_id, "channel": application.channel,
            "certificate_no": application.certificate_no,
            "issued_at": application.issued_at.isoformat() if application.issued_at else None,
            "url": url_for("applications_api.get_application", application_id=application.id)}


@api_bp.get("/disasters")
@applications_token_required
def disasters():
    return jsonify({"disasters": [{"id": d.id, "name": d.name, "kind": d.kind,
                                   "started_on": d.started_on.isoformat()}
                                  for d in applications.open_disasters(db.session)]})


def _read_application() -> dict:
    """The request's application, checked against the schema the OpenAPI document publishes."""
    try:
        return read_body(schemas.NEW_APPLICATION)
    except BodyRefused as refused:
        raise schemas.documented(refused) from None


@api_bp.post("/certificate-applications")
@applications_token_required
def post_application():
    application = applications.receive_online(db.session, g.api_actor, _read_application())
    response = jsonify(_application_json(application))
    response.status_code = 201
    response.headers["Location"] = _application_json(application)["url"]
    return response


@api_bp.get("/certificate-applications/<id:application_id>")
@applications_token_required
def get_application(application_id: int):
    return jsonify(_application_json(applications.get_application(db.session, application_id)))


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
