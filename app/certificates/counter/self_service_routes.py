"""らくらく窓口 (the self-service screen at the counter: card → menu → confirm → 受付票) and
受付・お渡し (staff: the day's queue, payment confirmed → issue and hand over, or cancel)."""
from __future__ import annotations

import time

from flask import flash, jsonify, redirect, render_template, request, session, url_for

from app.cardauth import services as card_services
from app.cardauth.adapter import challenge_json, verify_request_or_refuse
from app.certificates import bp
from app.certificates.counter import desk
from app.certificates.counter import queue as counter_queue
from app.certificates.counter.desk import find_resident
from app.certificates.issuance import OPTION_KEYS, IssuanceRefused
from app.certificates.rules import current_fiscal_year
from app.certificates.services import download
from app.certificates.web import current_issuer, pdf_response
from app.clock import format_date, format_datetime, today_in_japan
from app.errors import Conflict, DomainError, ValidationError
from app.extensions import db
from app.inputs import form_version
from app.web import current_actor, refuse, screen_required
from certificate_engine.content import fiscal_year

SCREEN = "certificates"
PERSON_KEY = "self_service_person"
PERSON_SECONDS = 10 * 60  # the card holder's turn at the screen ends after this


def _card_holder():
    """The resident authenticated at the screen (None when no one is, or the turn has timed out)."""
    held = session.get(PERSON_KEY)
    if not held or held.get("until", 0) < time.time():
        session.pop(PERSON_KEY, None)
        return None
    return find_resident(db.session, held["atena_no"])


@bp.get("/certificates/self-service")
@screen_required(SCREEN)
def self_service_start():
    session.pop(PERSON_KEY, None)
    return render_template("certificates/self_service_start.html")


@bp.post("/certificates/self-service/card/challenge")
@screen_required(SCREEN)
def self_service_challenge():
    challenge = card_services.issue_challenge(db.session, counter_queue.CARD_PURPOSE, current_actor().lg_code)
    return jsonify(challenge_json(challenge))


@bp.post("/certificates/self-service/card/verify")
@screen_required(SCREEN)
def self_service_verify():
    found = verify_request_or_refuse(current_actor(), counter_queue.CARD_PURPOSE)
    if isinstance(found, DomainError):
        return jsonify({"error": found.message, "code": found.code}), found.status, found.headers()
    session[PERSON_KEY] = {"atena_no": found.resident.atena_no, "until": time.time() + PERSON_SECONDS}
    return jsonify({"next": url_for("certificates.self_service_menu")})


@bp.get("/certificates/self-service/menu")
@screen_required(SCREEN)
def self_service_menu():
    resident = _card_holder()
    if resident is None:
        return redirect(url_for("certificates.self_service_start"))
    return render_template("certificates/self_service_menu.html",
                           menu=counter_queue.self_service_menu(db.session, resident, today_in_japan()))


@bp.route("/certificates/self-service/confirm", methods=["GET", "POST"])
@screen_required(SCREEN)
def self_service_confirm():
    resident = _card_holder()
    if resident is None:
        return redirect(url_for("certificates.self_service_start"))
    document_type = request.values.get("document_type", "")
    item = next((i for i in counter_queue.self_service_menu(db.session, resident, today_in_japan())
                 if i.document_type == document_type and i.refusal is None), None)
    if item is None:
        return redirect(url_for("certificates.self_service_menu"))
    if request.method == "GET":
        return _confirm_page(item)
    try:
        options = desk.options_from_form(document_type, request.form, desk.SELF_SERVICE_FLAGS)
        entry = counter_queue.enqueue(db.session, current_actor(), resident, document_type, today_in_japan(), options)
    except (IssuanceRefused, ValidationError) as exc:
        refuse(exc)
        return _confirm_page(item, exc.message), 422
    session.pop(PERSON_KEY, None)
    return redirect(url_for("certificates.self_service_ticket", entry_id=entry.id))


def _confirm_page(item, error: str | None = None):
    """The confirmation with the options the document takes (tax documents: the latest five 年度)."""
    latest = current_fiscal_year(today_in_japan())
    keys = OPTION_KEYS[item.document_type]
    choosable = [key for key in keys if key in desk.SELF_SERVICE_FLAGS or key == "fiscal_year"]
    return render_template("certificates/self_service_confirm.html", item=item, error=error,
                           flags=desk.SELF_SERVICE_FLAGS, option_keys=OPTION_KEYS, choosable=choosable,
                           years=[(year, fiscal_year(year)) for year in range(latest, latest - 5, -1)])


@bp.get("/certificates/self-service/ticket/<id:entry_id>")
@screen_required(SCREEN)
def self_service_ticket(entry_id: int):
    entry = counter_queue.get_entry(db.session, entry_id)
    return render_template("certificates/self_service_ticket.html", entry=entry, format_date=format_date,
                           chosen=desk.describe_options(entry.options))


def _queue_page(error: str | None = None, status: int = 200):
    day = today_in_japan()
    return render_template("certificates/queue.html", rows=counter_queue.day_queue(db.session, current_actor(), day),
                           day=day, error=error, format_date=format_date, format_datetime=format_datetime,
                           describe_options=desk.describe_options), status


@bp.get("/certificates/queue")
@screen_required(SCREEN)
def queue():
    return _queue_page()


@bp.post("/certificates/queue/<id:entry_id>/hand-over")
@screen_required(SCREEN)
def queue_hand_over(entry_id: int):
    try:
        issued = counter_queue.hand_over(db.session, current_actor(), current_issuer(), entry_id,
                                         form_version(request.form), today_in_japan())
    except (Conflict, IssuanceRefused, ValidationError) as exc:
        refuse(exc)
        return _queue_page(exc.message, exc.status)
    flash(f"証明書（{issued.serial}）を発行しました。カウンターのプリンタ（印刷端末）で印刷されます。", "success")
    return redirect(url_for("certificates.queue"))


@bp.get("/certificates/queue/<id:entry_id>/certificate.pdf")
@screen_required(SCREEN)
def queue_pdf(entry_id: int):
    entry = counter_queue.get_entry(db.session, entry_id)
    if entry.issued_certificate_id is None:
        return redirect(url_for("certificates.queue"))
    return pdf_response(download(db.session, current_actor(), entry.issued_certificate_id))


@bp.post("/certificates/queue/<id:entry_id>/cancel")
@screen_required(SCREEN)
def queue_cancel(entry_id: int):
    try:
        counter_queue.cancel(db.session, current_actor(), entry_id, form_version(request.form),
                             request.form.get("reason", ""))
    except (Conflict, ValidationError) as exc:
        refuse(exc)
        return _queue_page(exc.message, exc.status)
    return redirect(url_for("certificates.queue"))
