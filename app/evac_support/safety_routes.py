"""安否確認 screens: the tablet list with one-touch states, the map coloured by state (the map's
要支援者 vector tiles for the chosen disaster, through the tile cache of app/maps), progress per
町丁目 and the spreadsheet of states. All work on the disaster chosen at the top of the screen."""
from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.clock import format_datetime
from app.downloads import internal_marking, spreadsheet_response
from app.errors import ValidationError
from app.evac_support import bp, organisations, rules, safety
from app.evac_support.routes import SCREEN
from app.exports import ENCODINGS
from app.extensions import db
from app.inputs import page_number
from app.maps import tiles
from app.maps.basemap_routes import page_basemaps
from app.maps.routes import tile_response
from app.paging import Page, offset_of
from app.tenants.services import get_municipality
from app.web import current_actor, disaster_required, refuse, screen_required
from gis.folium_map import Overlay, build_map, legend_items, render_parts

PAGE_SIZE = 50
EVAC_TILES = "evac_people"  # the 要支援者 tile layer of the map, coloured by the latest 安否


@bp.get("/evac-support/safety")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_page(disaster):
    args = request.args
    number = page_number(args, PAGE_SIZE)
    total, people = safety.people(db.session, current_actor(), disaster.id, area_code=args.get("area", ""),
                                  kana=args.get("kana", ""), state=args.get("state", "") if args.get("state") in
                                  rules.SAFETY_STATES else "", limit=PAGE_SIZE, offset=offset_of(number, PAGE_SIZE))
    return render_template("evac_support/safety.html", disaster=disaster,
                           page=Page(number, PAGE_SIZE, total, people, unit="人"), states=rules.SAFETY_STATES,
                           colors=rules.SAFETY_COLORS, areas=organisations.area_choices(db.session),
                           total=safety.progress(db.session, disaster.id)[-1], args=args)


@bp.post("/evac-support/safety/<id:person_id>")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def set_safety(disaster, person_id: int):
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        check = safety.set_state(db.session, current_actor(), disaster, person_id, request.form.get("state", ""),
                                 request.form.get("note", ""))
    except ValidationError as exc:
        refuse(exc)
        if wants_json:
            return jsonify({"error": exc.message, "code": exc.code}), 422
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("evac_support.safety_page"))
    if wants_json:
        total = safety.progress(db.session, disaster.id)[-1]
        return jsonify({"state": check.state, "color": rules.SAFETY_COLORS[check.state],
                        "checked_at": format_datetime(check.checked_at), "checked_by": check.checked_by,
                        "percent": total["percent"], "counts": total["counts"]})
    flash(f"安否「{check.state}」を記録しました。", "success")
    return redirect(request.referrer or url_for("evac_support.safety_page"))


@bp.get("/evac-support/safety/progress")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_progress(disaster):
    return render_template("evac_support/safety_progress.html", disaster=disaster, states=rules.SAFETY_STATES,
                           rows=safety.progress(db.session, disaster.id), colors=rules.SAFETY_COLORS,
                           encodings=ENCODINGS)


@bp.get("/evac-support/safety/map")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_map(disaster):
    municipality = get_municipality(db.session, current_user.lg_code)
    overlays = _safety_overlays()
    choices = page_basemaps(current_user.lg_code)
    fmap = build_map((municipality.center_lat, municipality.center_lon), 15, choices, choices[0].key, overlays,
                     bounds=safety.extent(db.session))
    return render_template("evac_support/safety_map.html", disaster=disaster, map=render_parts(fmap),
                           legend=legend_items(overlays[:1], {}))


def _safety_overlays() -> list[Overlay]:
    """The register as vector tiles coloured by state (a tap fetches the person), and the people under
    支援措置, whom no tile carries, as a small GeoJSON layer of their own."""
    source = tiles.TILE_LAYERS[EVAC_TILES].source
    record_url = url_for("evac_support.person", person_id=0).replace("/0", "/{id}")
    common = dict(style_property="state", colors=dict(rules.SAFETY_COLORS),
                  default_color=rules.SAFETY_COLORS[rules.UNCONFIRMED],
                  link_label="要支援者の記録", link_template=record_url,
                  popup_fields={"name": "氏名", "state": "安否", "checked_at": "確認日時", "checked_by": "確認者",
                                "area": "町丁目", "protected": "注意"})
    tile_url = url_for("evac_support.safety_tile", z=0, x=0, y=0).replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")
    person_url = url_for("evac_support.safety_person", person_id=0).replace("/0.json", "/{id}.json")
    # The overlay's key is the tiles' layer name: the tiles are styled by it.
    return [Overlay(EVAC_TILES, "安否確認", tile_url, tiled=True, min_zoom=source.min_zoom,
                    detail_zoom=source.detail_zoom, detail_url=person_url, **common),
            Overlay("safety_protected", "支援措置の方（職員のみ）", url_for("evac_support.safety_geojson"),
                    **common)]


@bp.get("/evac-support/safety/tiles/<int:z>/<int:x>/<int:y>.pbf")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_tile(disaster, z: int, x: int, y: int):
    return tile_response(tiles.get_layer(EVAC_TILES, current_user.screens), z, x, y, disaster.id)


@bp.get("/evac-support/safety/people/<id:person_id>.json")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_person(disaster, person_id: int):
    return jsonify(safety.map_person(db.session, current_actor(), disaster.id, person_id))


@bp.get("/evac-support/safety/map.geojson")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_geojson(disaster):
    return Response(safety.protected_geojson(db.session, current_actor(), disaster.id),
                    mimetype="application/geo+json")


@bp.get("/evac-support/safety/export")
@screen_required(SCREEN)
@disaster_required("evac_support.index")
def safety_export(disaster):
    file_format = request.args.get("format", "csv")
    safety.export(db.session, current_actor(), disaster.id, file_format)
    return spreadsheet_response(f"安否確認_{disaster.name}", "安否確認", safety.EXPORT_HEADER,
                                lambda s: safety.export_rows(s, disaster.id), file_format,
                                request.args.get("encoding", "utf-8-sig"),
                                widths=(16, 16, 20, 16, 36, 16, 30, 8, 20, 14, 30, 30), marking=internal_marking())
