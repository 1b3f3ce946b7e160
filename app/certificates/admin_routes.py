"""Administration of the municipality's certificate fees (システム管理 → 証明書の手数料) and its
counter office hours (システム管理 → 窓口の開庁時間)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.certificates import bp, fees, rules
from app.certificates.models import OfficeHoursSetting
from app.certificates.statistics import office_hours
from app.certificates.statistics.rules import DEFAULT_OFFICE_HOURS, WEEKDAY_NAMES
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.inputs import form_version, typed_integer
from app.web import current_actor, refuse, screen_required


@bp.get("/admin/certificate-fees")
@screen_required("admin")
def fee_list():
    table = fees.fee_table(db.session, current_actor().lg_code)
    return render_template("certificates/fees.html", table=table, channels=rules.CHANNELS,
                           kinds=rules.DOCUMENT_TYPES)


@bp.route("/admin/certificate-fees/edit", methods=["GET", "POST"])
@screen_required("admin")
def fee_edit():
    kind, channel = request.values.get("document_type", ""), request.values.get("channel", "")
    if kind not in rules.DOCUMENT_TYPES or channel not in rules.CHANNELS:
        raise ValidationError("証明書の種類と交付の経路を一覧から選んでください。", code="fee_pair_unknown")
    error, conflict, form = None, None, request.form
    if request.method == "POST":
        try:
            fees.update_fee(db.session, current_actor(), confirmed=form.get("confirm_changes") == "y",
                            document_type=kind, channel=channel, version=form_version(form),
                            fee_yen=typed_integer(form.get("fee_yen"), "手数料", code="fee_invalid"),
                            is_offered=form.get("is_offered") == "y",
                            is_weekday_only=form.get("is_weekday_only") == "y")
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash(f"{kind}（{channel}）の手数料を更新しました。", "success")
            return redirect(url_for("certificates.fee_list"))
    setting = fees.fee_for(db.session, current_actor().lg_code, kind, channel)
    return render_template("certificates/fee_edit.html", setting=setting, error=error, conflict=conflict,
                           values=form if request.method == "POST" else None)


@bp.route("/admin/office-hours", methods=["GET", "POST"])
@screen_required("admin")
def office_hours_edit():
    error, conflict, form = None, None, request.form
    if request.method == "POST":
        try:
            office_hours.save(db.session, current_actor(), version=form_version(form),
                              opens=form.get("opens", ""), closes=form.get("closes", ""),
                              closed_weekdays=form.getlist("closed_weekdays"), closed_days=form.get("closed_days", ""))
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash("窓口の開庁時間を更新しました。交付統計の時間外の件数に反映されます。", "success")
            return redirect(url_for("certificates.office_hours_edit"))
    stored = db.session.get(OfficeHoursSetting, current_actor().lg_code)
    return render_template("certificates/office_hours.html", stored=stored, hours=office_hours.as_rule(stored),
                           standard=DEFAULT_OFFICE_HOURS, weekday_names=WEEKDAY_NAMES, error=error,
                           conflict=conflict, values=form if request.method == "POST" else None)
