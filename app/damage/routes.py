"""被害認定調査 screens for tablets: a building's record, the survey form, review, photos."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.damage import bp, services
from app.damage.forms import FLOOD_LEVELS, findings_from_form, form_values, parts_for, position_from_form
from app.damage.models import SURVEY_HAZARDS
from app.damage.rules import SURVEY_ROUNDS, finalise_refusal
from app.downloads import internal_marking, spreadsheet_response
from app.errors import Conflict, ValidationError
from app.exports import ENCODINGS
from app.extensions import db
from app.inputs import form_version
from app.web import chosen_disaster, current_actor, disaster_required, refuse, screen_required

SCREEN = "victims"


@bp.get("/damage/surveys")
@screen_required(SCREEN)
def surveys():
    disaster = chosen_disaster()
    rows = services.list_surveys(db.session, disaster.id, request.args.get("status") or None) if disaster else []
    return render_template("damage/surveys.html", disaster=disaster, rows=rows,
                           status=request.args.get("status", ""), encodings=ENCODINGS)


@bp.get("/damage/buildings/<id:building_id>")
@screen_required(SCREEN)
def building(building_id: int):
    disaster = chosen_disaster()
    found = services.get_building(db.session, building_id)
    history = services.building_surveys(db.session, found.id, disaster.id if disaster else None)
    return render_template("damage/building.html", building=found, disaster=disaster, surveys=history,
                           rounds=SURVEY_ROUNDS, hazards=SURVEY_HAZARDS,
                           occupants=services.occupants(db.session, current_actor(), found.id))


@bp.post("/damage/buildings/<id:building_id>/owner")
@screen_required(SCREEN)
def set_owner(building_id: int):
    try:
        services.set_owner(db.session, current_actor(), building_id, owner_name=request.form.get("owner_name", ""),
                           owner_address=request.form.get("owner_address", ""),
                           owner_atena_no=request.form.get("owner_atena_no", ""))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("所有者を記録しました。", "success")
    return redirect(url_for("damage.building", building_id=building_id))


@bp.post("/damage/buildings/<id:building_id>/surveys")
@screen_required(SCREEN)
def start(building_id: int):
    disaster = chosen_disaster()
    if disaster is None:
        flash("メインメニューで災害を選択してから調査を開始してください。", "error")
        return redirect(url_for("damage.building", building_id=building_id))
    try:
        survey = services.start_survey(db.session, current_actor(), disaster_id=disaster.id, building_id=building_id,
                                       survey_round=request.form.get("round", ""),
                                       hazard=request.form.get("hazard", ""))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(url_for("damage.building", building_id=building_id))
    return redirect(url_for("damage.survey", survey_id=survey.id))


@bp.route("/damage/surveys/<id:survey_id>", methods=["GET", "POST"])
@screen_required(SCREEN)
def survey(survey_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    found = services.get_survey(db.session, survey_id)
    found_building = services.get_building(db.session, found.building_id)
    parts = parts_for(found_building.structure, found.hazard, found.round)
    error, conflict = None, None
    if request.method == "POST":
        try:
            services.record_findings(db.session, current_actor(), found.id, version=version,
                                     findings=findings_from_form(request.form, parts),
                                     note=request.form.get("note", ""), position=position_from_form(request.form),
                                     confirmed=request.form.get("confirm_changes") == "y")
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash(f"調査結果を記録しました。判定: {found.computed_grade}", "success")
            return redirect(url_for("damage.survey", survey_id=found.id))
    return render_template("damage/survey.html", survey=found, building=found_building, parts=parts,
                           flood_levels=FLOOD_LEVELS, error=error, conflict=conflict,
                           may_finalise=_may_finalise(found),
                           original=form_values(found.findings, parts),
                           values=request.form if request.method == "POST" else form_values(found.findings, parts),
                           photos=services.survey_photos(db.session, found.id),
                           history=services.survey_history(db.session, found.id))


def _may_finalise(survey) -> bool:
    """Whether the survey page offers 判定を確定: the screen's permission and the rule, as the service
    checks them (a surveyor is never offered the confirmation of their own survey)."""
    return current_user.can_use("damage_review") and finalise_refusal(
        survey.status, survey.surveyed_by, current_user.login_id) is None


@bp.post("/damage/surveys/<id:survey_id>/finalise")
@screen_required("damage_review")
def finalise(survey_id: int):
    try:
        found = services.finalise(db.session, current_actor(), survey_id, version=form_version(request.form))
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"判定「{found.final_grade}」を確定しました。", "success")
    return redirect(url_for("damage.survey", survey_id=survey_id))


@bp.post("/damage/surveys/<id:survey_id>/photos")
@screen_required(SCREEN)
def add_photo(survey_id: int):
    upload = request.files.get("photo")
    try:
        if upload is None or not upload.filename:
            raise ValidationError("写真を選択してください。", code="photo_missing")
        services.add_photo(db.session, current_actor(), survey_id, upload.read(), request.form.get("caption", ""))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("写真を追加しました。", "success")
    return redirect(url_for("damage.survey", survey_id=survey_id) + "#photos")


@bp.get("/damage/photos/<id:photo_id>")
@screen_required(SCREEN)
def photo(photo_id: int):
    found = services.get_photo(db.session, photo_id)
    thumbnail = request.args.get("size") == "thumb"
    return Response(found.thumbnail if thumbnail else found.content,
                    mimetype="image/jpeg" if thumbnail else found.content_type)


@bp.get("/damage/surveys/export")
@screen_required(SCREEN)
@disaster_required("damage.surveys")
def export_surveys(disaster):
    file_format = request.args.get("format", "csv")
    services.export_surveys(db.session, current_actor(), disaster.id, file_format)
    return spreadsheet_response(f"被害認定調査_{disaster.name}", "被害認定調査", services.SURVEY_EXPORT_HEADER,
                                lambda session: services.survey_rows(session, disaster.id), file_format,
                                request.args.get("encoding", "utf-8-sig"),
                                widths=(36, 8, 8, 6, 10, 8, 10, 12, 14, 14, 12, 20, 12, 20, 30),
                                marking=internal_marking())
