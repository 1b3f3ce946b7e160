"""運営管理 (J-LIS): participating municipalities and cross-tenant counts, no personal data."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app.auth import services as auth_services
from app.auth.admin_routes import password_reset_page
from app.errors import ValidationError
from app.extensions import db
from app.operator import bp
from app.operator.forms import MunicipalityForm
from app.tenants import services as tenant_services
from app.web import current_actor, refuse, screen_required


@bp.route("/operator", methods=["GET", "POST"])
@screen_required("operator")
def index():
    form = MunicipalityForm()
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "lg_code", "name", "name_kana", "kind", "population", "center_lat", "center_lon",
            "admin_login_id", "admin_name", "admin_password")}
        try:
            municipality = tenant_services.register_municipality(db.session, current_actor(), **values)
        except ValidationError as exc:
            form.lg_code.errors.append(refuse(exc).message)
        else:
            flash(f"{municipality.lg_code} {municipality.full_name} を登録しました。", "success")
            return redirect(url_for("operator.index"))
    municipalities = {m.lg_code: m for m in tenant_services.list_municipalities(db.session)}
    return render_template("operator/index.html", form=form, municipalities=municipalities,
                           summaries=tenant_services.tenant_summaries(db.session))


@bp.get("/operator/accounts")
@screen_required("operator")
def accounts():
    """The operator (J-LIS) accounts; their administrators reset a colleague's password here."""
    return render_template("operator/accounts.html", accounts=auth_services.list_operator_accounts(db.session))


@bp.route("/operator/accounts/<id:user_id>/password", methods=["GET", "POST"])
@screen_required("operator")
def account_password_reset(user_id: int):
    # The operator's scope shows operator accounts only: a municipality's staff id is NotFound.
    return password_reset_page(user_id, back=url_for("operator.accounts"), done=url_for("operator.accounts"))
