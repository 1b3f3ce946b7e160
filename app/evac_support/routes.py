"""避難行動要支援者関連システム: the register, its criteria, consent and the roster for supporters."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, session, url_for

from app.clock import today_in_japan
from app.downloads import provision_marking, spreadsheet_response
from app.errors import Conflict, ValidationError
from app.evac_support import bp, organisations, rules, services
from app.exports import ENCODINGS
from app.extensions import db
from app.inputs import form_integer, form_version, page_number
from app.paging import Page, offset_of
from app.web import current_actor, refuse, safe_next, screen_required

SCREEN = "evac_support"


PAGE_SIZE = 50


@bp.get("/evac-support", endpoint="index")
@screen_required(SCREEN)
def register_page():
    args = request.args
    number = page_number(args, PAGE_SIZE)
    search = services.RegisterSearch(name=args.get("q", ""), consent=args.get("consent", ""),
                                     reason=args.get("reason", ""), protected_only=args.get("protected") == "1")
    total, rows = services.register(db.session, search, limit=PAGE_SIZE, offset=offset_of(number, PAGE_SIZE))
    return render_template("evac_support/index.html", page=Page(number, PAGE_SIZE, total, rows, unit="人"),
                           search=search, total=services.register_size(db.session),
                           criteria=services.criteria(db.session), allowed=rules.ALLOWED, consents=rules.CONSENT_STATES,
                           reasons=rules.REASON_FILTERS, encodings=ENCODINGS, modes=(rules.NORMAL, rules.DISASTER),
                           today=today_in_japan(), areas=organisations.area_choices(db.session))


@bp.post("/evac-support/criteria")
@screen_required(SCREEN)
def save_criteria():
    form = request.form
    config = {key: form_integer(form.get(key)) for key in ("age_min", "alone_age_min")}
    config |= {key: form.getlist(key) for key in rules.ALLOWED} | {"intractable": form.get("intractable") == "y"}
    try:
        services.save_criteria(db.session, current_actor(), config)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("抽出の基準を保存しました。「名簿を更新」で反映します。", "success")
    return redirect(url_for("evac_support.index"))


@bp.post("/evac-support/refresh")
@screen_required(SCREEN)
def refresh():
    try:
        result = services.refresh_register(db.session, current_actor())
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"名簿を更新しました（追加 {result['added']} 人、変更 {result['changed']} 人、"
              f"基準に該当しなくなった方 {result['removed']} 人）。", "success")
    return redirect(url_for("evac_support.index"))


@bp.post("/evac-support/people/<id:person_id>/consent")
@screen_required(SCREEN)
def consent(person_id: int):
    form = request.form
    try:
        on = date.fromisoformat(form["consent_on"]) if form.get("consent_on") else None
        services.set_consent(db.session, current_actor(), person_id, consent=form.get("consent", ""), consent_on=on,
                             how=form.get("how", ""), version=form_version(form))
    except ValueError:
        flash("日付を正しく入力してください（例: 2026-12-01）。", "error")
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("同意の状況を記録しました。", "success")
    # Back to the page of the list the answer was recorded on, its search and filters kept.
    return redirect(safe_next(form.get("back")) or url_for("evac_support.index"))


@bp.route("/evac-support/roster", methods=["GET", "POST"])
@screen_required(SCREEN)
def roster():
    return roster_step(None, url_for("evac_support.index"))


def roster_step(org, back: str):
    """GET: the confirmation page of the roster asked for (nothing is recorded). POST, from that
    page's form: the provision recorded and the file (49条の11)."""
    values = request.form if request.method == "POST" else request.args
    try:
        plan = services.plan_roster(db.session, mode=values.get("mode", rules.NORMAL),
                                    file_format=values.get("format", "csv"), disaster_id=session.get("disaster_id"),
                                    org=org, recipient=values.get("recipient", ""), area_codes=values.getlist("area"),
                                    consents=values.getlist("consent"))
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(back)
    encoding = values.get("encoding", "utf-8-sig")
    if request.method == "GET":
        return render_template("evac_support/roster_confirm.html", plan=plan, encoding=encoding, back=back,
                               encodings=ENCODINGS, area_names=dict(organisations.area_choices(db.session)))
    return roster_file(services.provide_roster(db.session, current_actor(), plan), plan.file_format, encoding)


def roster_file(provision, file_format: str, encoding: str):
    """The roster of one recorded provision as a download (CSV streamed, or XLSX)."""
    ids = list(provision.person_ids)
    return spreadsheet_response(f"避難行動要支援者名簿_{provision.mode}_{provision.recipient}", "避難行動要支援者名簿",
                                services.ROSTER_HEADER, lambda s: services.roster_rows(s, ids), file_format, encoding,
                                widths=(16, 20, 16, 6, 36, 16, 30, 8, 16, 30),
                                marking=provision_marking(provision.recipient))

