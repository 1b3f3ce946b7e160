"""避難所関連システム: the shelter desk's resident search (more shelter screens come with their issue)."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, session, url_for

from app.cardauth import services as card_services
from app.cardauth.adapter import challenge_json, verify_request_or_refuse
from app.clock import format_date
from app.downloads import spreadsheet_response
from app.errors import Conflict, DomainError, ValidationError
from app.extensions import db
from app.inputs import form_id, form_version
from app.query_params import integer_parameter
from app.shelters import (
    bp,
    evacuees,
    opendata,
    operation,
    rules,
    services,
)
from app.shelters import registry as registry_services
from app.web import current_actor, refuse, screen_required

SCREEN = "shelters"
CARD_PURPOSE = "shelter_desk"


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
    """The people matching the desk's terms, ``limit`` (20; at most 100) from ``offset``, with how
    many match in all (counted up to ``COUNT_CAP``), so that the desk can show the next ones
    (「さらに表示」)."""
    args = request.args
    offset = integer_parameter(args.get("offset"), "offset", default=0, minimum=0, maximum=services.COUNT_CAP)
    limit = integer_parameter(args.get("limit"), "limit", default=services.SEARCH_LIMIT, minimum=1,
                              maximum=services.MAX_SEARCH_LIMIT)
    try:
        found = services.search_page(db.session, current_actor(), kana=args.get("kana", ""),
                                     birth=args.get("birth", ""), address=args.get("address", ""),
                                     limit=limit, offset=offset)
    except ValidationError as exc:
        return jsonify({"error": refuse(exc).message, "code": exc.code, "results": [], "total": 0}), 422
    shown_to = found.offset + len(found.matches)
    return jsonify({"results": [_match_json(m) for m in found.matches], "total": found.total,
                    "total_is_capped": found.total_is_capped, "offset": found.offset, "limit": limit,
                    "next_offset": shown_to if shown_to < found.total else None})


def _match_json(m: services.Match) -> dict:
    return {"atena_no": m.atena_no, "name": m.name, "name_kana": m.name_kana,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
            "birth_date_wareki": format_date(m.birth_date), "sex": {"1": "男", "2": "女"}.get(m.sex, ""),
            "address": m.address, "household_no": m.household_no, "is_household_head": m.is_household_head,
            "is_protected": m.is_protected}


@bp.route("/shelters/registry", methods=["GET", "POST"])
@screen_required(SCREEN)
def registry():
    """The shelter list; a POST imports a file and shows its report (what was added, updated,
    skipped and repaired) or every problem that refused it."""
    problems, repairs = [], []
    if request.method == "POST":
        upload = request.files.get("dataset")
        try:
            if upload is None or not upload.filename:
                raise ValidationError("CSVファイルを選択してください。", code="file_missing")
            importer = registry_services.IMPORTERS.get(request.form.get("source", "dataset"))
            if importer is None:
                raise ValidationError("形式を選択してください。", code="source_unknown")
            result = importer(db.session, current_actor(), upload.read())
        except ValidationError as exc:
            flash(refuse(exc).message, "error")
            problems = exc.details.get("problems", [])
        else:
            flash(registry_services.import_summary(result), "success")
            repairs = result["repairs"]
    return render_template("shelters/registry.html", shelters=services.list_shelters(db.session), problems=problems,
                           repairs=repairs)


@bp.get("/shelters/registry/dataset.csv")
@screen_required(SCREEN)
def export_dataset():
    actor = current_actor()
    registry_services.export_dataset(db.session, actor)
    return spreadsheet_response(f"{actor.lg_code}_指定緊急避難場所一覧", "指定緊急避難場所", opendata.HEADER,
                                lambda session: registry_services.dataset_rows(session, actor.lg_code), "csv")


def _current_disaster_id() -> int | None:
    return session.get("disaster_id")


@bp.route("/shelters/openings", methods=["GET", "POST"])
@screen_required(SCREEN)
def openings():
    disaster_id = _current_disaster_id()
    if request.method == "POST":
        try:
            if disaster_id is None:
                raise ValidationError("画面上部で災害を選択してください。", code="no_disaster")
            opening = evacuees.open_shelter(db.session, current_actor(),
                                            form_id(request.form, "shelter_id", required=True), disaster_id)
        except ValidationError as exc:
            flash(refuse(exc).message, "error")
        else:
            flash("避難所を開設しました。", "success")
            return redirect(url_for("shelters.opening", opening_id=opening.id))
    return render_template("shelters/openings.html", disaster_id=disaster_id,
                           rows=evacuees.openings(db.session, disaster_id) if disaster_id else [],
                           shelters=services.list_shelters(db.session))


@bp.get("/shelters/openings/<id:opening_id>")
@screen_required(SCREEN)
def opening(opening_id: int):
    found, actor = evacuees.get_opening(db.session, opening_id), current_actor()
    is_staff = operation.is_shelter_staff(db.session, actor, found.shelter_id)
    present = evacuees.present_evacuees(db.session, found.id)
    return render_template("shelters/opening.html", opening=found,
                           shelter=services.get_shelter(db.session, found.shelter_id),
                           occupancy=evacuees.occupancy(db.session, found), present=present,
                           protected=evacuees.protected_evacuees(db.session, present),
                           destinations=[(o, s) for o, s, _ in evacuees.openings(db.session, found.disaster_id)
                                         if o.id != found.id and o.status != rules.CLOSED],
                           is_staff=is_staff, stays=rules.STAYS,
                           needs=operation.needs_of_present(db.session, actor, found.id) if is_staff else {})


@bp.get("/shelters/openings/<id:opening_id>/history")
@screen_required(SCREEN)
def opening_history(opening_id: int):
    found = evacuees.get_opening(db.session, opening_id)
    history = evacuees.stay_history(db.session, current_actor(), opening_id)
    return render_template("shelters/history.html", opening=found,
                           shelter=services.get_shelter(db.session, found.shelter_id),
                           disaster=operation.disaster_of(db.session, found), history=history,
                           protected=evacuees.protected_evacuees(db.session, [row["evacuee"] for row in history]))


@bp.post("/shelters/openings/<id:opening_id>/check-in")
@screen_required(SCREEN)
def check_in(opening_id: int):
    try:
        arrived = evacuees.check_in_household(db.session, current_actor(), opening_id,
                                              request.form.get("atena_no", ""),
                                              request.form.get("kind", rules.IN_SHELTER),
                                              request.form.get("stay", rules.WHOLE_DAY))
    except ValidationError as exc:
        return jsonify({"error": refuse(exc).message, "code": exc.code}), 422
    found = evacuees.get_opening(db.session, opening_id)
    message = rules.check_in_message([e.name for e in arrived], services.get_shelter(db.session, found.shelter_id).name)
    # The desk reloads the page after a check-in; the flashed message is what it then shows.
    flash(message, "success")
    return jsonify({"checked_in": [e.name for e in arrived], "message": message,
                    "present": evacuees.occupancy(db.session, found).present})


@bp.post("/shelters/openings/<id:opening_id>/card/challenge")
@screen_required(SCREEN)
def card_challenge(opening_id: int):
    evacuees.get_opening(db.session, opening_id)
    return jsonify(challenge_json(card_services.issue_challenge(db.session, CARD_PURPOSE, current_actor().lg_code)))


@bp.post("/shelters/openings/<id:opening_id>/card/verify")
@screen_required(SCREEN)
def card_verify(opening_id: int):
    """The card reader's answer (certificate + signature over the challenge) → the holder's household."""
    evacuees.get_opening(db.session, opening_id)
    found = verify_request_or_refuse(current_actor(), CARD_PURPOSE)
    if isinstance(found, DomainError):
        return jsonify({"error": found.message, "code": found.code}), found.status, found.headers()
    members = services.household_members(db.session, current_actor(), found.resident.household_no)
    return jsonify({"atena_no": found.resident.atena_no, "results": [_match_json(m) for m in members]})


@bp.post("/shelters/evacuees/<id:evacuee_id>/check-out")
@screen_required(SCREEN)
def check_out(evacuee_id: int):
    try:
        left = evacuees.check_out(db.session, current_actor(), evacuee_id)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(url_for("shelters.openings"))
    flash(f"{left.name}さんの退所を記録しました。", "success")
    return redirect(url_for("shelters.opening", opening_id=left.opening_id))


@bp.post("/shelters/openings/<id:opening_id>/status")
@screen_required(SCREEN)
def opening_status(opening_id: int):
    try:
        evacuees.set_status(db.session, current_actor(), opening_id, status=request.form.get("status", ""),
                            version=form_version(request.form))
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("避難所の状態を更新しました。", "success")
    return redirect(url_for("shelters.opening", opening_id=opening_id))


@bp.post("/shelters/openings/<id:opening_id>/walk-in")
@screen_required(SCREEN)
def walk_in(opening_id: int):
    try:
        evacuee = evacuees.register_walk_in(db.session, current_actor(), opening_id, name=request.form.get("name", ""),
                                            name_kana=request.form.get("name_kana", ""),
                                            address=request.form.get("address", ""),
                                            kind=request.form.get("kind", rules.IN_SHELTER),
                                            stay=request.form.get("stay", rules.WHOLE_DAY))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"{evacuee.name}さんを受け付けました（住民記録にない方）。", "success")
    return redirect(url_for("shelters.opening", opening_id=opening_id))
