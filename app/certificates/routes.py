"""The public verification of certificates: /verify (page, no login) and /api/verify/v1/<code> (JSON).

Both answer only genuine or not, the document type, the issue date and 有効/無効 — nothing personal.
"""
from __future__ import annotations

from flask import jsonify, render_template, request

from app.certificates import bp, services
from app.extensions import db


@bp.get("/verify")
def verify():
    typed = request.args.get("code", "").strip()
    result = services.verify(db.session, typed) if typed else None
    return render_template("certificates/verify.html", code=typed, result=result)


@bp.get("/api/verify/v1/<code>")
def verify_api(code: str):
    response = jsonify(services.verify(db.session, code).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
