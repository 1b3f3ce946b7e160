"""空間分析: residents, 要支援者, buildings and shelters inside a drawn polygon or a hazard class
(a job with a progress bar, then list, map, CSV/XLSX from its stored result), and the 要支援者 in
each hazard zone for priority contact."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from folium.plugins import Draw

from app.downloads import internal_marking, spreadsheet_response
from app.errors import ValidationError
from app.exports import ENCODINGS
from app.extensions import db
from app.maps import analysis as service
from app.maps import analysis_results as results
from app.maps import bp
from app.maps.basemap_routes import page_basemaps
from app.maps.rules import ANALYSIS_RESULT_HOURS, ANALYSIS_STEPS
from app.tenants.services import get_municipality
from app.web import current_actor, refuse, screen_required
from gis.folium_map import Overlay, build_map, localize, render_parts
from layers.catalogue import CATALOGUE_BY_CODE

SCREEN = "hazard"
RESULT_COLORS = {"residents": "#1e88e5", "evac_people": "#d81b60", "buildings": "#6d4c41", "shelters": "#2e7d32"}


def _choice(values) -> dict:
    return {"polygon": values.get("polygon", ""), "layer_code": values.get("layer", ""),
            "min_class": values.get("min_class", "")}


def _map(layer_code: str, features_url: str = ""):
    municipality = get_municipality(db.session, current_user.lg_code)
    overlays = []
    if layer_code in CATALOGUE_BY_CODE:
        layer = CATALOGUE_BY_CODE[layer_code]
        overlays.append(Overlay(f"hazard:{layer.code}", layer.name,
                                url_for("maps.layer", key=f"hazard:{layer.code}"),
                                colors={c.code: c.color for c in layer.classes}, popup_fields={"name": "区域"}))
    if features_url:
        overlays.append(Overlay("analysis", "抽出結果", features_url,
                                style_property="kind", colors=RESULT_COLORS, cluster=True,
                                popup_fields={"label": "種類", "name": "名称・氏名", "class": "区分"}))
    choices = page_basemaps(current_user.lg_code)
    fmap = build_map((municipality.center_lat, municipality.center_lon), 14, choices, choices[0].key, overlays)
    localize(Draw(export=False, draw_options={"polyline": False, "rectangle": True, "circle": False,
                                              "marker": False, "circlemarker": False, "polygon": True},
                  edit_options={"edit": False, "remove": False})).add_to(fmap)
    return render_parts(fmap)


def _page(chosen: dict, status: int = 200, error: str = "", features_url: str = "", **result):
    return render_template("maps/analysis.html", map=_map(chosen["layer_code"], features_url), chosen=chosen,
                           error=error, layers=service.layer_choices(), kinds=service.KINDS, colors=RESULT_COLORS,
                           encodings=ENCODINGS, limit=service.LIST_LIMIT, map_limit=service.MAP_LIMIT,
                           note=service.PROTECTED_NOTE, steps=ANALYSIS_STEPS,
                           result_hours=ANALYSIS_RESULT_HOURS, **result), status


@bp.get("/map/analysis")
@screen_required(SCREEN)
def analysis():
    return _page(_choice(request.args))


@bp.post("/map/analysis")
@screen_required(SCREEN)
def analysis_start():
    chosen = _choice(request.form)
    try:
        started = results.start(db.session, current_actor(), **chosen)
    except ValidationError as exc:
        refuse(exc)
        return _page(chosen, exc.status, exc.message)
    return redirect(url_for("maps.analysis_result", analysis_id=started.id))


@bp.get("/map/analysis/results/<bigid:analysis_id>")
@screen_required(SCREEN)
def analysis_result(analysis_id: int):
    found = results.get_result(db.session, current_actor(), analysis_id)
    state = results.status(db.session, found)
    done = state["status"] == "done"
    return _page({"polygon": found.polygon, "layer_code": found.layer_code, "min_class": found.min_class},
                 analysis=found, state=state, selection=results.labels(found),
                 result=results.overview(db.session, current_actor(), found) if done else None,
                 features_url=url_for("maps.analysis_features", analysis_id=found.id) if done else "")


@bp.get("/map/analysis/results/<bigid:analysis_id>/status")
@screen_required(SCREEN)
def analysis_status(analysis_id: int):
    found = results.get_result(db.session, current_actor(), analysis_id)
    return jsonify(results.status(db.session, found))


@bp.get("/map/analysis/results/<bigid:analysis_id>/features.geojson")
@screen_required(SCREEN)
def analysis_features(analysis_id: int):
    found = results.get_result(db.session, current_actor(), analysis_id)
    response = jsonify(results.features(db.session, found))
    response.mimetype = "application/geo+json"
    return response


@bp.get("/map/analysis/results/<bigid:analysis_id>/export")
@screen_required(SCREEN)
def analysis_export(analysis_id: int):
    found, kind = results.get_result(db.session, current_actor(), analysis_id), request.args.get("kind", "residents")
    file_format = request.args.get("format", "csv")
    results.audit_export(db.session, current_actor(), found, kind, file_format)
    return spreadsheet_response(f"空間分析_{service.KINDS[kind]}", service.KINDS[kind], service.HEADERS[kind],
                                results.export_rows(found, kind), file_format,
                                request.args.get("encoding", "utf-8-sig"), marking=internal_marking())


@bp.get("/map/analysis/at-risk")
@screen_required(SCREEN)
def at_risk():
    layer_code = request.args.get("layer", "flood")
    selection, rows = service.at_risk_view(db.session, current_actor(), layer_code)
    return render_template("maps/at_risk.html", selection=selection, rows=rows, layers=service.layer_choices(),
                           layer_code=layer_code, encodings=ENCODINGS, note=service.PROTECTED_NOTE)


@bp.get("/map/analysis/at-risk/export")
@screen_required(SCREEN)
def at_risk_export():
    layer_code, file_format = request.args.get("layer", "flood"), request.args.get("format", "csv")
    service.audit_at_risk_export(db.session, current_actor(), layer_code, file_format)
    return spreadsheet_response(f"危険区域内の要支援者_{layer_code}", "危険区域内の要支援者", service.AT_RISK_HEADER,
                                lambda s: service.at_risk_rows(s, layer_code), file_format,
                                request.args.get("encoding", "utf-8-sig"),
                                widths=(18, 14, 16, 20, 14, 6, 36, 16, 30, 30), marking=internal_marking())
