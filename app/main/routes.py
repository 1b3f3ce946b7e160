"""Main screen (メインメニュー), health check and the screens that are still to come."""
from __future__ import annotations

from pathlib import Path

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
    "victims": "disasters.victims", "shelters": "shelters.index", "evac_support": "evac_support.index",
    "disaster_register": "disasters.new", "damage_review": "damage.surveys", "search": "main.search",
    "map": "maps.index", "hazard": "maps.analysis",
    "residents": "residents.index", "certificates": "certificates.home",
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


@bp.get("/favicon.ico")
def favicon():
    """The site icon, for browsers and viewers (PDF, JSON) that ask for /favicon.ico whatever the page says.

    Read whole (3.8 kB) rather than streamed from an open file, so that no answer holds a file open."""
    response = current_app.response_class(Path(current_app.static_folder, "favicon.ico").read_bytes(),
                                          mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


@bp.get("/healthz")
def healthz():
    body = {"status": "ok", "app": {"name": "BCL", "status": "ok"}}
    try:
        body["database"] = services.database_health(db.session)
    except Exception as exc:  # noqa: BLE001 - any failure means "database down"
        # The 503 rolls the failed transaction back (app/web.py); nothing else is read after it.
        current_app.logger.warning("health check: database unreachable: %s", exc)
        body["status"] = "error"
        body["database"] = {"status": "error", "error": type(exc).__name__}
        return jsonify(body), 503
    return jsonify(body)


# Screens whose domain is not built yet: each still has its route and its permission, and says
# plainly that it is coming. A domain that is built registers its own blueprint route instead.
COMING_SOON = {
    "search": "/search",
}


def _coming_soon_view(code: str):
    def view():
        return render_template("main/coming_soon.html", screen=rules.SCREENS_BY_CODE[code])

    view.__name__ = code
    return screen_required(code)(view)


for _code, _path in COMING_SOON.items():
    bp.add_url_rule(_path, endpoint=_code, view_func=_coming_soon_view(_code), methods=["GET"])
