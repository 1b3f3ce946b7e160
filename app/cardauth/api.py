"""Card authentication API for terminals (docs/card-auth.md): a challenge, then the card's answer.

A terminal authenticates with its municipality's token of type ``card_reader``; the card's holder
must be a resident of that municipality."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from app.audit.services import Actor
from app.cardauth import api_bp, services
from app.cardauth.adapter import challenge_json, problem, verify_or_refuse
from app.cardauth.openapi import OPENAPI
from app.cardauth.rules import CardAuthRefused
from app.extensions import db
from app.residents.link import tokens

PURPOSE = "terminal"


def terminal_required(view):
    """Authenticate the terminal by its bearer token; the session then acts for its municipality."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = tokens.authenticate(db.session, request.headers.get("Authorization"), purpose="card_reader")
        g.api_actor = Actor(token.lg_code, None, f"terminal:{token.name}"[:32], request.remote_addr, request.path)
        return view(*args, **kwargs)

    wrapped.auth_scheme = "card_reader_token"
    return wrapped


@api_bp.post("/challenges")
@terminal_required
def create_challenge():
    challenge = services.issue_challenge(db.session, PURPOSE, g.api_actor.lg_code)
    return jsonify(challenge_json(challenge)), 201


@api_bp.post("/verify")
@terminal_required
def verify():
    found = verify_or_refuse(g.api_actor, request.get_json(silent=True), PURPOSE)
    if isinstance(found, CardAuthRefused):
        return problem(found)
    return jsonify({"lg_code": found.lg_code, "atena_no": found.resident.atena_no,
                    "household_no": found.resident.household_no, "certificate_serial": found.serial})


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
