"""被災者台帳の提供先 (90条の4): the list of registered recipients, registering one and changing it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.disasters import bp, recipients
from app.disasters.models import RECIPIENT_KINDS
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.inputs import form_version
from app.web import current_actor, refuse, screen_required


def _values(form) -> dict:
    return {"name": form.get("name", ""), "kind": form.get("kind", ""), "contact": form.get("contact", ""),
            "is_active": form.get("is_active", "y") == "y"}


@bp.route("/victims/recipients", methods=["GET", "POST"])
@screen_required("victims")
def recipient_list():
    error, values = None, None
    if request.method == "POST":
        values = _values(request.form)
        try:
            saved = recipients.save_recipient(db.session, current_actor(), None, **values)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash(f"提供先「{saved.name}」を登録しました。", "success")
            return redirect(url_for("disasters.recipient_list"))
    return render_template("disasters/recipients.html", recipients=recipients.list_recipients(db.session),
                           kinds=RECIPIENT_KINDS, error=error, values=values or {}), 422 if error else 200


@bp.route("/victims/recipients/<id:recipient_id>", methods=["GET", "POST"])
@screen_required("victims")
def recipient(recipient_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    found, error, conflict, values = recipients.get_recipient(db.session, recipient_id), None, None, None
    if request.method == "POST":
        values = _values(request.form)
        try:
            recipients.save_recipient(db.session, current_actor(), recipient_id, **values,
                                      version=version,
                                      confirmed=request.form.get("confirm_changes") == "y")
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash("提供先の登録を更新しました。", "success")
            return redirect(url_for("disasters.recipient", recipient_id=recipient_id))
    return render_template("disasters/recipient.html", recipient=found, kinds=RECIPIENT_KINDS, error=error,
                           conflict=conflict,
                           values=values or {"name": found.name, "kind": found.kind, "contact": found.contact,
                                             "is_active": found.is_active})
