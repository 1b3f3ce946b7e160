"""What the web adapters of card authentication share (the kiosk/terminal API and the shelter desk):
the configured trust store, reading a reader's answer, and verifying with the refusal recorded."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify

from app.audit.services import Actor
from app.cardauth import services
from app.cardauth.rules import CardAuthRefused, TrustStore
from app.cardauth.trust import configured_paths, load_trust_store
from app.extensions import db


def current_trust() -> TrustStore:
    """The JPKI CA certificates and CRLs named by the configuration (JPKI_CA_CERT, JPKI_CRL)."""
    config = current_app.config
    fallback = Path(config["JPKI_TEST_CA_DIR"]) if config.get("JPKI_TEST_CA_DIR") else None
    return load_trust_store(*configured_paths(config.get("JPKI_CA_CERT"), config.get("JPKI_CRL"), fallback))


def answer_from(payload: object) -> services.CardAnswer:
    """The reader's answer from a JSON object {challenge_id, certificate, signature}."""
    if not isinstance(payload, dict):
        raise CardAuthRefused("request_invalid")
    values = [payload.get(k) for k in ("challenge_id", "certificate", "signature")]
    if not all(isinstance(v, str) and v for v in values):
        raise CardAuthRefused("request_invalid")
    return services.CardAnswer(*values)


def verify_or_refuse(actor: Actor, payload: object, purpose: str) -> services.CardHolder | CardAuthRefused:
    """Verify the answer in ``payload``; a refusal rolls the work back, uses up the challenge, is
    audited and returned (not raised), so that the refusal's own record is committed."""
    answer = None
    try:
        answer = answer_from(payload)
        return services.verify(db.session, actor, current_trust(), answer, purpose)
    except CardAuthRefused as error:
        db.session.rollback()
        services.refuse(db.session, actor, error, answer, purpose)
        return error


def problem(error: CardAuthRefused):
    """The refusal as an RFC 9457 problem document with the precise ``code``."""
    response = jsonify({"type": "about:blank", "title": error.title, "status": error.status,
                        "detail": error.message, "code": error.code})
    response.status_code = error.status
    response.mimetype = "application/problem+json"
    return response


def challenge_json(challenge) -> dict:
    from app.cardauth.rules import encode_b64

    return {"challenge_id": str(challenge.id), "challenge": encode_b64(challenge.nonce),
            "expires_at": challenge.expires_at.isoformat(), "purpose": challenge.purpose}
