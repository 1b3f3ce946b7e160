"""Screens for running the opened shelters: the situation board, evacuee cards, re-entry by card,
moves, day/night stays, needs (the shelter's staff only), facilities and staff assignment."""
from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup

from app.downloads import spreadsheet_response
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.inputs import form_id, form_ids, form_version, typed_integer, typed_number
from app.shelters import bp, dashboard, evacuees, operation, rules, services
from app.shelters.models import ACCESSIBILITY_ITEMS, HAZARD_TYPES, NEEDS, SHELTER_KINDS
from app.web import current_actor, disaster_required, refuse, screen_required

SCREEN = "shelters"
FLOOR_AREA_MAX = 9_999_999.9  # the floor_area_m2 column is numeric(8, 1)


@bp.get("/shelters/dashboard")
@screen_required(SCREEN)
@disaster_required("shelters.index")
def situation_board(disaster):
    rows = dashboard.situation(db.session, current_actor(), disaster.id)
    return render_template("shelters/dashboard.html", disaster=disaster, rows=rows, totals=dashboard.totals(rows),
                           rules=rules)


@bp.get("/shelters/dashboard.<file_format>")
@screen_required(SCREEN)
@disaster_required("shelters.index")
def export_situation(file_format: str, disaster):
    if file_format not in ("csv", "xlsx"):
        raise NotFound("CSV または XLSX を指定してください。")
    rows = dashboard.situation(db.session, current_actor(), disaster.id)
    return spreadsheet_response(f"避難所の状況_{disaster.name}", "避難所の状況", dashboard.EXPORT_HEADER,
                                lambda _session: dashboard.export_rows(rows), file_format,
                                request.args.get("encoding", "utf-8-sig"))


@bp.post("/shelters/openings/<id:opening_id>/reentry")
@screen_required(SCREEN)
def reenter(opening_id: int):
    try:
        stay, outcome = operation.reenter(db.session, current_actor(), opening_id, request.form.get("card", ""))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        done = {"再入所": "再入所を受け付けました", "移動": "他の避難所からの移動を受け付けました",
                "在所中": "この避難所に在所中です"}[outcome]
        flash(f"{stay.name}さん：{done}。", "success" if outcome != "在所中" else "info")
    return redirect(url_for("shelters.opening", opening_id=opening_id))


@bp.post("/shelters/evacuees/<id:evacuee_id>/move")
@screen_required(SCREEN)
def move(evacuee_id: int):
    destination = form_id(request.form, "to_opening_id", required=True)
    origin = operation.get_evacuee(db.session, evacuee_id).opening_id
    try:
        moved = operation.move_household(db.session, current_actor(), evacuee_id, destination)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(url_for("shelters.opening", opening_id=origin))
    flash(f"{len(moved)}人の移動を記録しました。", "success")
    return redirect(url_for("shelters.opening", opening_id=origin))


@bp.post("/shelters/evacuees/<id:evacuee_id>/stay")
@screen_required(SCREEN)
def change_stay(evacuee_id: int):
    try:
        evacuee = operation.set_stay(db.session, current_actor(), evacuee_id, request.form.get("stay", ""),
                                     form_version(request.form))
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
        evacuee = operation.get_evacuee(db.session, evacuee_id)
    else:
        flash(f"{evacuee.name}さんの滞在を「{evacuee.stay}」にしました。", "success")
    return redirect(url_for("shelters.opening", opening_id=evacuee.opening_id))


@bp.route("/shelters/evacuees/<id:evacuee_id>/needs", methods=["GET", "POST"])
@screen_required(SCREEN)
def needs(evacuee_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    evacuee, conflict = operation.get_evacuee(db.session, evacuee_id), None
    if request.method == "POST":
        try:
            operation.set_needs(db.session, current_actor(), evacuee_id, request.form.getlist("needs"),
                                request.form.get("note", ""), version)
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            flash(refuse(exc).message, "error")
        else:
            flash(f"{evacuee.name}さんの配慮事項を保存しました。", "success")
            return redirect(url_for("shelters.opening", opening_id=evacuee.opening_id))
    known = operation.needs_of_present(db.session, current_actor(), evacuee.opening_id)
    return render_template("shelters/needs.html", evacuee=evacuee, needs=NEEDS, conflict=conflict,
                           current=known.get(evacuee.id, ([], "")),
                           submitted=(request.form.getlist("needs"), request.form.get("note", ""))
                           if request.method == "POST" else None)


@bp.get("/shelters/evacuees/<id:evacuee_id>/card")
@screen_required(SCREEN)
def evacuee_card(evacuee_id: int):
    evacuee = operation.get_evacuee(db.session, evacuee_id)
    opening = evacuees.get_opening(db.session, evacuee.opening_id)
    members = operation.household_present(db.session, evacuee) if evacuee.checked_out_at is None else [evacuee]
    operation.record_card_print(db.session, current_actor(), opening, members)
    return render_template("shelters/card.html", members=members, opening=opening,
                           shelter=services.get_shelter(db.session, opening.shelter_id),
                           disaster=operation.disaster_of(db.session, opening), rules=rules)


@bp.route("/shelters/registry/<id:shelter_id>", methods=["GET", "POST"])
@screen_required(SCREEN)
def facilities(shelter_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    shelter, conflict = services.get_shelter(db.session, shelter_id), None
    if request.method == "POST":
        try:
            operation.update_facilities(
                db.session, current_actor(), shelter_id, version=version,
                toilets=typed_integer(request.form.get("toilets"), "トイレの数", default=0),
                floor_area_m2=typed_number(request.form.get("floor_area_m2"), "床面積", maximum=FLOOR_AREA_MAX),
                has_generator=request.form.get("has_generator") == "1",
                accessibility=request.form.getlist("accessibility"), stockpile=request.form.get("stockpile", ""),
                kind=request.form.get("kind") or None,
                capacity=typed_integer(request.form["capacity"], "想定収容人数", default=0)
                if "capacity" in request.form else None,
                # Unticking every box is a choice too: the form marks that it showed the boxes.
                hazards=request.form.getlist("hazards") if "hazards_shown" in request.form else None)
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            flash(refuse(exc).message, "error")
        else:
            flash(f"「{shelter.name}」の設備を保存しました。", "success")
            return redirect(url_for("shelters.facilities", shelter_id=shelter_id))
    return render_template("shelters/facilities.html", shelter=shelter, items=ACCESSIBILITY_ITEMS, conflict=conflict,
                           kinds=SHELTER_KINDS, hazard_types=HAZARD_TYPES,
                           staff=operation.assigned_staff(db.session, shelter_id),
                           users=operation.municipality_users(db.session, current_actor().lg_code))


@bp.post("/shelters/registry/<id:shelter_id>/staff")
@screen_required("admin")
def assign_staff(shelter_id: int):
    try:
        chosen = operation.assign_staff(db.session, current_actor(), shelter_id, form_ids(request.form, "user_id"))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"担当職員を{len(chosen)}人にしました。", "success")
    return redirect(url_for("shelters.facilities", shelter_id=shelter_id))


@bp.app_template_filter("evacuee_qr")
def evacuee_qr(code: str) -> Markup:
    """The evacuee card's QR code as inline SVG (a QR reader at the desk types its text)."""
    return Markup(segno.make(rules.CARD_QR_PREFIX + code, error="m").svg_inline(omitsize=True, border=2))


