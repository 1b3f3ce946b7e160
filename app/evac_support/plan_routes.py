"""個別避難計画 screens: the person page with the plan form and route map, the A4 print, the list."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.errors import Conflict, ValidationError
from app.evac_support import bp, plans, rules
from app.evac_support.routes import SCREEN
from app.extensions import db
from app.inputs import form_id, form_version, page_number
from app.maps.basemap_routes import page_basemap_configs
from app.paging import Page, offset_of
from app.tenants.services import get_municipality
from app.web import chosen_disaster, current_actor, refuse, screen_required

PAGE_SIZE = 50


def _plan_page(view, *, error=None, conflict=None, form=None, status=200):
    from app.evac_support import safety

    disaster = chosen_disaster()
    return render_template("evac_support/person.html", view=view, error=error, conflict=conflict, form=form,
                           shelters=plans.shelter_points(db.session), max_supporters=rules.MAX_SUPPORTERS,
                           route=plans.route_points(view.route_geojson), disaster=disaster,
                           history=safety.history(db.session, disaster.id, view.person.id) if disaster else [],
                           # The page is about one person: the server's base maps only, never an outside host.
                           basemaps=page_basemap_configs(current_actor().lg_code, personal=True)), status


@bp.get("/evac-support/people/<id:person_id>")
@screen_required(SCREEN)
def person(person_id: int):
    return _plan_page(plans.view_plan(db.session, current_actor(), person_id))


@bp.post("/evac-support/people/<id:person_id>/plan")
@screen_required(SCREEN)
def save_plan(person_id: int):
    form = request.form
    try:
        plans.save_plan(db.session, current_actor(), person_id, supporters=plans.supporters_from_form(form),
                        shelter_id=form_id(form, "shelter_id"),
                        route_geojson=form.get("route", ""), notes=form.get("notes", ""),
                        version=form_version(form), confirmed=form.get("confirm_changes") == "y")
    except (Conflict, ValidationError) as exc:
        refuse(exc)
        view = plans.view_plan(db.session, current_actor(), person_id)
        conflict = exc if isinstance(exc, Conflict) else None
        return _plan_page(view, error=None if conflict else exc.message, conflict=conflict, form=form,
                          status=409 if conflict else 422)
    flash("個別避難計画を保存しました。", "success")
    return redirect(url_for("evac_support.person", person_id=person_id))


@bp.get("/evac-support/people/<id:person_id>/plan/print")
@screen_required(SCREEN)
def print_plan(person_id: int):
    view = plans.view_plan(db.session, current_actor(), person_id, action="evac_plan_print")
    if view.plan is None:
        flash("個別避難計画がまだありません。", "error")
        return redirect(url_for("evac_support.person", person_id=person_id))
    return render_template("evac_support/plan_print.html", view=view, route=plans.route_points(view.route_geojson),
                           municipality=get_municipality(db.session, current_actor().lg_code),
                           basemaps=page_basemap_configs(current_actor().lg_code, personal=True))


@bp.get("/evac-support/plans")
@screen_required(SCREEN)
def plan_list():
    has_plan = request.args.get("has_plan", "")
    number = page_number(request.args, PAGE_SIZE)
    total, rows = plans.plan_list(db.session, current_actor(), has_plan, limit=PAGE_SIZE,
                                  offset=offset_of(number, PAGE_SIZE))
    return render_template("evac_support/plans.html", page=Page(number, PAGE_SIZE, total, rows, unit="人"),
                           has_plan=has_plan)
