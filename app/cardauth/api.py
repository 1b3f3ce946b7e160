"""Card authentication API for terminals (docs/card-auth.md): a challenge, then the card's answer.

A terminal authenticates with its municipality's token of type ``card_reader``; the card's holder
must be a resident of that municipality."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from app.audit.services import Actor
from app.bodies import CARD_ANSWER, EMPTY, SMALL_BODY, limit_body, read_body
from app.cardauth import api_bp, services
from app.cardauth.adapter import challenge_json, problem, verify_request_or_refuse
from app.cardauth.openapi import OPENAPI
from app.errors import DomainError
from app.extensions import db
from app.residents.link import tokens

PURPOSE = "terminal"


def terminal_required(max_bytes: int = SMALL_BODY):
    """Authenticate the terminal by its bearer token; the session then acts for its municipality.
    A body over ``max_bytes`` is refused first (413)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            limit_body(max_bytes)
            token = tokens.authenticate(db.session, request.headers.get("Authorization"), purpose="card_reader")
            g.api_actor = Actor(token.lg_code, None, f"terminal:{token.name}"[:32], request.remote_addr, request.path)
            return view(*args, **kwargs)

        wrapped.auth_scheme = "card_reader_token"
        return wrapped

    return decorate


@api_bp.post("/challenges")
@terminal_required()
def create_challenge():
    read_body(EMPTY)
    challenge = services.issue_challenge(db.session, PURPOSE, g.api_actor.lg_code)
    return jsonify(challenge_json(challenge)), 201


@api_bp.post("/verify")
@terminal_required(CARD_ANSWER.max_bytes)
def verify():
    found = verify_request_or_refuse(g.api_actor, PURPOSE)
    if isinstance(found, DomainError):
        return problem(found)
    return jsonify({"lg_code": found.lg_code, "atena_no": found.resident.atena_no,
                    "household_no": found.resident.household_no, "certificate_serial": found.serial})


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
