"""Kiosk API /api/kiosk/v1 (docs/kiosk-api.md): a store operator's kiosk serves residents of every
municipality. Each view checks its body (size, JSON, schema) before any service runs, calls one
service and serialises; refusals are problem documents."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps
from urllib.parse import quote

from flask import current_app, g, jsonify, request

from app import throttle
from app.bodies import CARD_ANSWER, EMPTY, SMALL_BODY, BodyRefused, limit_body, read_body
from app.cardauth import services as cardauth
from app.cardauth.adapter import (
    CARD_REFUSALS,
    challenge_json,
    current_failure_limit,
    current_trust,
    problem,
    read_answer,
)
from app.certificates.web import current_issuer, pdf_response
from app.clock import require_aware
from app.extensions import db
from app.kiosk import api_bp, schemas, services, stores
from app.kiosk.openapi import OPENAPI
from app.tenants.services import get_municipality
from app.web import refuse


def kiosk_now() -> datetime:
    """Now, or KIOSK_FIXED_NOW (tests and demos only; refused in production by the config), which
    must carry its offset (a naive time is refused, not read in the server's zone)."""
    fixed = current_app.config.get("KIOSK_FIXED_NOW")
    return require_aware(datetime.fromisoformat(fixed), "KIOSK_FIXED_NOW") if fixed else datetime.now(UTC)


def store_required(max_bytes: int = SMALL_BODY):
    """Refuse a body over ``max_bytes`` (413), authenticate the store operator's token and read the
    store (id, municipality) from the headers."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            limit_body(max_bytes)
            g.store = stores.authenticate(db.session, request.headers.get("Authorization"),
                                          request.headers.get("X-Kiosk-Store-Id"),
                                          request.headers.get("X-Kiosk-Store-Lg-Code"))
            g.now = kiosk_now()
            return view(*args, **kwargs)

        wrapped.auth_scheme = "store_operator_token"
        return wrapped

    return decorate


@api_bp.post("/sessions")
@store_required()
def open_session():
    read_body(EMPTY)
    limit = throttle.Limit(current_app.config["KIOSK_SESSIONS_PER_OPERATOR"], services.SESSION_WINDOW)
    opened = services.open_session(db.session, g.store, g.now, limit)
    return jsonify({"session_id": str(opened.kiosk_session.id), **challenge_json(opened.challenge)}), 201


@api_bp.post("/sessions/<session_id>/verify")
@store_required(CARD_ANSWER.max_bytes)
def verify(session_id):
    answer = None
    services.enter(db.session, session_id=session_id)
    try:
        answer = read_answer()
        kiosk_session, resident = services.verify_card(db.session, g.store, current_trust(), session_id, answer,
                                                       g.now, current_failure_limit())
    except CARD_REFUSALS as error:
        refuse(error)
        cardauth.refuse(db.session, services.kiosk_actor(None, g.store), error, answer, services.PURPOSE)
        return problem(error)
    why = services.eligibility(db.session, g.store, resident, g.now)
    return jsonify({"session_id": session_id, "lg_code": kiosk_session.lg_code,
                    "municipality": get_municipality(db.session, kiosk_session.lg_code).full_name,
                    "eligible": why is None,
                    "refusal": None if why is None else {"code": why.code, "message": why.message}})


@api_bp.get("/sessions/<session_id>/menu")
@store_required()
def menu(session_id):
    services.enter(db.session, session_id=session_id)
    items = services.menu(db.session, g.store, session_id, g.now)
    return jsonify({"session_id": session_id, "documents": [item.as_json() for item in items]})


@api_bp.post("/sessions/<session_id>/requests")
@store_required(schemas.NEW_REQUEST.max_bytes)
def create_request(session_id):
    services.enter(db.session, session_id=session_id)
    try:
        body = read_body(schemas.NEW_REQUEST)
    except BodyRefused as refused:
        raise services.refused_body(db.session, g.store, session_id, schemas.option_refusal(refused)) from None
    created = services.create_request(db.session, g.store, session_id, body["document_type"], body.get("options"),
                                      g.now)
    return jsonify(_request_json(created)), 201


@api_bp.get("/requests/<request_id>")
@store_required()
def request_state(request_id):
    services.enter(db.session, request_id=request_id)
    found, refund = services.get_request(db.session, g.store, request_id)
    return jsonify(_request_json(found, refund))


@api_bp.post("/requests/<request_id>/payment")
@store_required(schemas.PAYMENT.max_bytes)
def confirm_payment(request_id):
    body = read_body(schemas.PAYMENT)
    services.enter(db.session, request_id=request_id)
    paid = services.confirm_payment(db.session, g.store, request_id, body["amount_yen"], g.now)
    return jsonify(_request_json(paid))


@api_bp.post("/requests/<request_id>/refund")
@store_required(schemas.REFUND.max_bytes)
def confirm_refund(request_id):
    body = read_body(schemas.REFUND)
    services.enter(db.session, request_id=request_id)
    refunded, refund = services.confirm_refund(db.session, g.store, request_id, body["amount_yen"], g.now)
    return jsonify(_request_json(refunded, refund))


@api_bp.post("/requests/<request_id>/issue")
@store_required()
def issue(request_id):
    read_body(EMPTY)
    services.enter(db.session, request_id=request_id)
    issued, is_new = services.issue_pdf(db.session, g.store, current_issuer(), request_id, g.now)
    return _certificate_response(issued, 201 if is_new else 200)


@api_bp.get("/requests/<request_id>/pdf")
@store_required()
def pdf(request_id):
    services.enter(db.session, request_id=request_id)
    return _certificate_response(services.issued_pdf(db.session, g.store, request_id), 200)


def _certificate_response(issued, status: int):
    response = pdf_response(issued)
    response.status_code = status
    response.headers["X-Certificate-Serial"] = quote(issued.serial)
    response.headers["X-Verification-Code"] = issued.verification_code
    return response


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


def _request_json(kiosk_request, refund=None) -> dict:
    return {"request_id": str(kiosk_request.id), "document_type": kiosk_request.document_type,
            "options": kiosk_request.options, "fee_yen": kiosk_request.fee_yen, "status": kiosk_request.status,
            "expires_at": kiosk_request.expires_at.isoformat(),
            "paid_at": kiosk_request.paid_at.isoformat() if kiosk_request.paid_at else None,
            "refund": None if refund is None else {
                "reason": refund.reason, "message": services.refund_message(refund.reason),
                "amount_yen": refund.fee_yen, "due_at": refund.due_at.isoformat(),
                "refunded_at": refund.refunded_at.isoformat() if refund.refunded_at else None}}
