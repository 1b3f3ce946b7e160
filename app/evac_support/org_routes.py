"""避難支援等関係者 screens: organisations and their 町丁目, the roster per organisation, the record
of provisions, and the register update reports after each data link."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.errors import Conflict, ValidationError
from app.evac_support import bp, organisations, rules, updates
from app.evac_support.routes import SCREEN, roster_step
from app.exports import ENCODINGS
from app.extensions import db
from app.inputs import form_version, page_number
from app.paging import Page, offset_of
from app.web import current_actor, refuse, screen_required

PAGE_SIZE = 50


def _org_values(form) -> dict:
    return {"name": form.get("name", ""), "kind": form.get("kind", ""), "contact": form.get("contact", ""),
            "area_codes": form.getlist("area_codes"), "is_active": form.get("is_active", "y") == "y"}


@bp.route("/evac-support/organisations", methods=["GET", "POST"])
@screen_required(SCREEN)
def organisations_page():
    error, values = None, None
    if request.method == "POST":
        values = _org_values(request.form)
        try:
            org = organisations.save_org(db.session, current_actor(), None, **values)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash(f"{org.name}を登録しました。", "success")
            return redirect(url_for("evac_support.organisations_page"))
    return render_template("evac_support/organisations.html", orgs=organisations.list_orgs(db.session),
                           areas=organisations.area_choices(db.session), counts=organisations.area_counts(db.session),
                           kinds=rules.ORG_KINDS, error=error, values=values or {})


@bp.route("/evac-support/organisations/<id:org_id>", methods=["GET", "POST"])
@screen_required(SCREEN)
def organisation(org_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    org, error, conflict, values = organisations.get_org(db.session, org_id), None, None, None
    if request.method == "POST":
        values = _org_values(request.form)
        try:
            organisations.save_org(db.session, current_actor(), org_id, **values,
                                   version=version,
                                   confirmed=request.form.get("confirm_changes") == "y")
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash("避難支援等関係者の登録を更新しました。", "success")
            return redirect(url_for("evac_support.organisation", org_id=org_id))
        org = organisations.get_org(db.session, org_id)
    return render_template("evac_support/organisation.html", org=org, areas=organisations.area_choices(db.session),
                           kinds=rules.ORG_KINDS, error=error, conflict=conflict, encodings=ENCODINGS,
                           values=values or {"name": org.name, "kind": org.kind, "contact": org.contact,
                                             "area_codes": org.area_codes, "is_active": org.is_active},
                           modes=(rules.NORMAL, rules.DISASTER), consents=rules.CONSENT_STATES,
                           provisions=organisations.provisions(db.session, org_id))


@bp.route("/evac-support/organisations/<id:org_id>/roster", methods=["GET", "POST"])
@screen_required(SCREEN)
def organisation_roster(org_id: int):
    return roster_step(organisations.get_org(db.session, org_id), url_for("evac_support.organisation", org_id=org_id))


@bp.get("/evac-support/provisions")
@screen_required(SCREEN)
def provisions():
    number = page_number(request.args, PAGE_SIZE)
    rows = organisations.provisions(db.session, limit=PAGE_SIZE, offset=offset_of(number, PAGE_SIZE))
    return render_template("evac_support/provisions.html",
                           page=Page(number, PAGE_SIZE, organisations.provision_count(db.session), rows))


@bp.get("/evac-support/provisions/<id:provision_id>")
@screen_required(SCREEN)
def provision(provision_id: int):
    found, people = organisations.view_provision(db.session, current_actor(), provision_id)
    return render_template("evac_support/provision.html", provision=found, people=people)


@bp.get("/evac-support/updates")
@screen_required(SCREEN)
def register_updates():
    return render_template("evac_support/updates.html", updates=updates.latest_updates(db.session))


@bp.get("/evac-support/updates/<id:update_id>")
@screen_required(SCREEN)
def register_update(update_id: int):
    found, people = updates.view_update(db.session, current_actor(), update_id)
    return render_template("evac_support/update.html", update=found, people=people)
