"""証明書交付 home and 窓口交付: search a person, the counter menu, issue, void and reissue."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.certificates import bp, issuance
from app.certificates.counter import desk
from app.certificates.issuance import IssuanceRefused
from app.certificates.web import current_issuer, pdf_response
from app.clock import format_date, format_datetime, today_in_japan
from app.errors import ValidationError
from app.extensions import db
from app.shelters.services import search_residents
from app.web import current_actor, refuse, screen_required

SCREEN = "certificates"


@bp.get("/certificates")
@screen_required(SCREEN)
def home():
    return render_template("certificates/home.html")


@bp.get("/certificates/counter")
@screen_required(SCREEN)
def counter_search():
    kana, birth = request.args.get("kana", ""), request.args.get("birth", "")
    matches, error = None, None
    if kana.strip() or birth.strip():
        try:
            matches = search_residents(db.session, current_actor(), kana=kana, birth=birth)
        except ValidationError as exc:
            error = refuse(exc).message
    return render_template("certificates/counter_search.html", kana=kana, birth=birth, matches=matches,
                           error=error, format_date=format_date)


def _person_page(atena_no: str, error: str | None = None, status: int = 200):
    person = desk.open_person(db.session, current_actor(), atena_no, today_in_japan())
    return render_template("certificates/counter_person.html", person=person, error=error,
                           flags=desk.FLAG_OPTIONS, option_keys=issuance.OPTION_KEYS,
                           format_date=format_date, format_datetime=format_datetime), status


@bp.get("/certificates/counter/<atena_no>")
@screen_required(SCREEN)
def counter_person(atena_no: str):
    return _person_page(atena_no)


@bp.post("/certificates/counter/<atena_no>/issue")
@screen_required(SCREEN)
def counter_issue(atena_no: str):
    document_type = request.form.get("document_type", "")
    try:
        options = desk.options_from_form(document_type, request.form)
        issued = desk.issue_at_counter(db.session, current_actor(), current_issuer(), atena_no, document_type,
                                          options, today_in_japan(), desk.decisions_from_form(request.form))
    except (IssuanceRefused, ValidationError) as exc:
        refuse(exc)
        return _person_page(atena_no, exc.message, 422)
    return redirect(url_for("certificates.counter_pdf", atena_no=atena_no, issued_id=issued.id))


@bp.get("/certificates/counter/<atena_no>/issued/<id:issued_id>.pdf")
@screen_required(SCREEN)
def counter_pdf(atena_no: str, issued_id: int):
    return pdf_response(desk.person_certificate(db.session, current_actor(), atena_no, issued_id))


@bp.post("/certificates/counter/<atena_no>/issued/<id:issued_id>/void")
@screen_required(SCREEN)
def counter_void(atena_no: str, issued_id: int):
    try:
        desk.void_for_person(db.session, current_actor(), atena_no, issued_id, request.form.get("reason", ""))
    except ValidationError as exc:
        refuse(exc)
        return _person_page(atena_no, exc.message, 422)
    flash("証明書を無効にしました。", "success")
    return redirect(url_for("certificates.counter_person", atena_no=atena_no))


@bp.post("/certificates/counter/<atena_no>/issued/<id:issued_id>/reissue")
@screen_required(SCREEN)
def counter_reissue(atena_no: str, issued_id: int):
    try:
        new = desk.reissue_for_person(db.session, current_actor(), current_issuer(), atena_no, issued_id,
                                         request.form.get("reason", ""), today_in_japan())
    except (IssuanceRefused, ValidationError) as exc:
        refuse(exc)
        return _person_page(atena_no, exc.message, 422)
    return redirect(url_for("certificates.counter_pdf", atena_no=atena_no, issued_id=new.id))
