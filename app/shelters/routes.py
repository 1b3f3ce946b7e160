"""避難所関連システム: the shelter desk's resident search (more shelter screens come with their issue)."""
from __future__ import annotations

from flask import jsonify, render_template, request

from app.errors import ValidationError
from app.extensions import db
from app.shelters import bp, services
from app.web import current_actor, screen_required
from certificate_engine.wareki import format_date

SCREEN = "shelters"


@bp.get("/shelters", endpoint="index")
@screen_required(SCREEN)
def shelters_menu():
    return render_template("shelters/index.html")


@bp.get("/shelters/desk")
@screen_required(SCREEN)
def desk():
    return render_template("shelters/desk.html")


@bp.get("/shelters/desk/search.json")
@screen_required(SCREEN)
def desk_search():
    try:
        found = services.search_residents(db.session, current_actor(), kana=request.args.get("kana", ""),
                                          birth=request.args.get("birth", ""),
                                          address=request.args.get("address", ""))
    except ValidationError as exc:
        return jsonify({"error": exc.message, "code": exc.code, "results": []}), 422
    return jsonify({"results": [{
        "atena_no": m.atena_no, "name": m.name, "name_kana": m.name_kana, "birth_date": m.birth_date.isoformat(),
        "birth_date_wareki": format_date(m.birth_date), "sex": {"1": "男", "2": "女"}.get(m.sex, ""),
        "address": m.address, "household_no": m.household_no, "is_household_head": m.is_household_head,
        "is_protected": m.is_protected} for m in found]})
