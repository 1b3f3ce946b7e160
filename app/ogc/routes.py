"""GIS連携 screens for staff (session login): personal tokens for GIS clients, and レイヤのダウンロード."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.ogc import bp, downloads, rules, services, tokens
from app.ogc.api import geojson_response, geopackage_response
from app.ogc.forms import GisTokenForm
from app.web import current_actor, screen_required


@bp.route("/gis/tokens", methods=["GET", "POST"])
@screen_required(rules.BASE_SCREEN)
def token_list():
    form, issued = GisTokenForm(), None
    if form.validate_on_submit():
        token, issued = tokens.create_token(db.session, current_actor(), form.name.data, form.days.data)
        flash(f"GIS連携トークン「{token.name}」を発行しました。この画面を離れると二度と表示されません。", "warning")
    return render_template("ogc/tokens.html", form=form, issued=issued,
                           tokens=tokens.list_tokens(db.session, current_user.id),
                           ogc_url=url_for("ogc_api.landing", _external=True), now=datetime.now(UTC))


@bp.post("/gis/tokens/<id:token_id>/revoke")
@screen_required(rules.BASE_SCREEN)
def token_revoke(token_id: int):
    token = tokens.revoke_token(db.session, current_actor(), token_id)
    flash(f"GIS連携トークン「{token.name}」を失効させました。", "success")
    return redirect(url_for("ogc.token_list"))


@bp.get("/gis/layers")
@screen_required(rules.BASE_SCREEN)
def layers():
    return render_template("ogc/layers.html", collections=services.list_collections(db.session, current_user.screens),
                           ogc_url=url_for("ogc_api.landing", _external=True))


@bp.get("/gis/layers/<collection_id>.gpkg")
@screen_required(rules.BASE_SCREEN)
def layer_gpkg(collection_id: str):
    found = services.get_collection(db.session, collection_id, current_user.screens)
    return geopackage_response(found, downloads.write_geopackage(db.session, current_actor(), found, "web"))


@bp.get("/gis/layers/<collection_id>.geojson")
@screen_required(rules.BASE_SCREEN)
def layer_geojson(collection_id: str):
    found = services.get_collection(db.session, collection_id, current_user.screens)
    downloads.audit_geojson(db.session, current_actor(), found, "web")
    return geojson_response(found)
