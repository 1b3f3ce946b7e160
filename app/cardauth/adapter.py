"""What the web adapters of card authentication share (the kiosk/terminal API and the shelter desk):
the configured trust store and failure limit, reading a reader's answer, verifying with the refusal
recorded, and problem documents."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify

from app import throttle
from app.audit.services import Actor
from app.bodies import CARD_ANSWER, BodyRefused, read_body
from app.cardauth import services
from app.cardauth.rules import CardAuthRefused, TrustStore
from app.cardauth.trust import configured_paths, load_trust_store
from app.errors import DomainError, TooManyRequests
from app.extensions import db
from app.web import refuse


def current_trust() -> TrustStore:
    """The JPKI CA certificates and CRLs named by the configuration (JPKI_CA_CERT, JPKI_CRL)."""
    config = current_app.config
    fallback = Path(config["JPKI_TEST_CA_DIR"]) if config.get("JPKI_TEST_CA_DIR") else None
    return load_trust_store(*configured_paths(config.get("JPKI_CA_CERT"), config.get("JPKI_CRL"), fallback))


def current_failure_limit() -> throttle.Limit:
    """Failed answers one certificate may give per window (CARD_AUTH_FAILURES_PER_CERTIFICATE)."""
    return throttle.Limit(current_app.config["CARD_AUTH_FAILURES_PER_CERTIFICATE"], services.FAILURE_WINDOW)


# How a card's answer is refused: its body, the card (docs/card-auth.md), or the card held back by
# its failed answers. Each is recorded (``services.refuse``) after the request's work is rolled back.
CARD_REFUSALS = (BodyRefused, CardAuthRefused, TooManyRequests)


def read_answer() -> services.CardAnswer:
    """The reader's answer in the request body, checked against ``CARD_ANSWER`` (size, schema)."""
    return services.CardAnswer(**read_body(CARD_ANSWER))


def verify_request_or_refuse(actor: Actor, purpose: str) -> services.CardHolder | DomainError:
    """Verify the card's answer in the request body (the terminal API and the desks). A refusal
    rolls the request's work back (``refuse``), then uses up the challenge, counts against the
    certificate and is audited; it is returned (not raised) for the caller to answer in its format."""
    answer = None
    try:
        answer = read_answer()
        return services.verify(db.session, actor, current_trust(), answer, purpose,
                               failure_limit=current_failure_limit())
    except CARD_REFUSALS as error:
        refuse(error)
        services.refuse(db.session, actor, error, answer, purpose)
        return error


def problem(error: DomainError):
    """The refusal as an RFC 9457 problem document with the precise ``code`` (and its details); a
    throttled call says when to come back (Retry-After)."""
    body = {"type": "about:blank", "title": error.title, "status": error.status, "detail": error.message,
            "code": error.code}
    if error.details:
        body["details"] = error.details
    response = jsonify(body)
    response.status_code = error.status
    response.mimetype = "application/problem+json"
    response.headers.update(error.headers())
    return response


def challenge_json(challenge) -> dict:
    from app.cardauth.rules import encode_b64

    return {"challenge_id": str(challenge.id), "challenge": encode_b64(challenge.nonce),
            "expires_at": challenge.expires_at.isoformat(), "purpose": challenge.purpose}
