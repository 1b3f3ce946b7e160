"""Main screen (メインメニュー), health check and the screens that are still to come."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from app.auth import rules
from app.disasters import services as disaster_services
from app.extensions import db
from app.main import bp, services
from app.tenants import services as tenant_services
from app.web import screen_required

# Where each screen lives. Screens whose domain is not built yet show a plain notice.
SCREEN_ENDPOINTS = {
    "victims": "main.victims", "shelters": "main.shelters", "evac_support": "main.evac_support",
    "disaster_register": "disasters.new", "search": "main.search", "map": "maps.index",
    "residents": "main.residents", "certificates": "main.certificates", "csv_platform": "main.csv_platform",
    "admin": "auth.admin_home", "audit": "audit.index",
}


def url_for_screen(code: str) -> str:
    return url_for(SCREEN_ENDPOINTS[code])


@bp.app_context_processor
def _layout_context():
    if not current_user.is_authenticated or current_user.is_operator:
        return {"municipality": None, "disasters": [], "current_disaster": None, "menu_groups": []}
    disasters = disaster_services.list_disasters(db.session)
    current = next((d for d in disasters if d.id == session.get("disaster_id")), None)
    return {
        "municipality": tenant_services.get_municipality(db.session, current_user.lg_code),
        "disasters": disasters,
        "current_disaster": current,
        "menu_groups": services.menu_groups(current_user.can_use, url_for_screen),
    }


@bp.get("/")
@screen_required(rules.LOGIN_ONLY)
def index():
    if current_user.is_operator:
        return redirect(url_for("operator.index"))
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    body = {"status": "ok", "app": {"name": "BCL", "status": "ok"}}
    try:
        body["database"] = services.database_health(db.session)
    except Exception as exc:  # noqa: BLE001 - any failure means "database down"
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", exc)
        body["status"] = "error"
        body["database"] = {"status": "error", "error": type(exc).__name__}
        return jsonify(body), 503
    return jsonify(body)


def _coming_soon(code: str):
    screen = rules.SCREENS_BY_CODE[code]
    return render_template("main/coming_soon.html", screen=screen)


@bp.get("/victims")
@screen_required("victims")
def victims():
    return _coming_soon("victims")


@bp.get("/shelters")
@screen_required("shelters")
def shelters():
    return _coming_soon("shelters")


@bp.get("/evac-support")
@screen_required("evac_support")
def evac_support():
    return _coming_soon("evac_support")


@bp.get("/search")
@screen_required("search")
def search():
    return _coming_soon("search")


@bp.get("/residents")
@screen_required("residents")
def residents():
    return _coming_soon("residents")


@bp.get("/certificates")
@screen_required("certificates")
def certificates():
    return _coming_soon("certificates")


@bp.get("/csv-platform")
@screen_required("csv_platform")
def csv_platform():
    return _coming_soon("csv_platform")
