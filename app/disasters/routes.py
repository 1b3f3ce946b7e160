"""Disaster selection and registration from the main screen."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from app.auth import rules
from app.disasters import bp, services
from app.disasters.forms import DisasterForm
from app.errors import ValidationError
from app.extensions import db
from app.web import current_actor, safe_next, screen_required


@bp.post("/disasters/select")
@screen_required(rules.LOGIN_ONLY)
def select():
    raw = request.form.get("disaster_id", "")
    if raw:
        disaster = services.get_disaster(db.session, int(raw) if raw.isdigit() else -1)
        session["disaster_id"] = disaster.id
        flash(f"災害「{disaster.name}」を選択しました。", "success")
    else:
        session.pop("disaster_id", None)
        flash("平時モードに切り替えました。", "info")
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.route("/disasters/new", methods=["GET", "POST"])
@screen_required("disaster_register")
def new():
    form = DisasterForm()
    if form.validate_on_submit():
        try:
            disaster = services.create_disaster(db.session, current_actor(), **_values(form))
        except ValidationError as error:
            form.name.errors.append(error.message)
        else:
            session["disaster_id"] = disaster.id
            flash(f"災害「{disaster.name}」を登録し、選択しました。", "success")
            return redirect(url_for("disasters.show", disaster_id=disaster.id))
    return render_template("disasters/new.html", form=form)


@bp.get("/disasters/<int:disaster_id>")
@screen_required("disaster_register")
def show(disaster_id: int):
    return render_template("disasters/show.html", disaster=services.get_disaster(db.session, disaster_id))


def _values(form: DisasterForm) -> dict:
    return {name: getattr(form, name).data for name in (
        "name", "kind", "started_on", "is_relief_act_applied", "is_support_act_applied", "description")}


@bp.get("/victims")
@screen_required("victims")
def victims():
    return render_template("disasters/victims.html")
