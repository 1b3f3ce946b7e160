"""The staff map (地図): base maps, overlays (GeoJSON and vector tiles), legend, print view."""
from __future__ import annotations

import time

from flask import Response, render_template, request, session, url_for
from flask_login import current_user

from app.clock import format_date, today_in_japan
from app.damage import rules as damage_rules
from app.evac_support import rules as evac_rules
from app.extensions import db
from app.maps import bp, rules, services, tiles
from app.maps.basemap_routes import chosen_basemap, page_basemaps
from app.shelters import rules as shelter_rules
from app.tenants.services import get_municipality
from app.web import current_actor, screen_required
from gis.folium_map import Overlay, build_map, legend_items, render_parts
from layers.catalogue import CATALOGUE

# Survey states and grades on the buildings layer, from the most to the least severe.
GRADE_COLORS = {damage_rules.ZENKAI: "#b71c1c", damage_rules.DAIKIBO: "#e65100", damage_rules.CHUKIBO: "#f57c00",
                damage_rules.HANKAI: "#fbc02d", damage_rules.JUNHANKAI: "#9ccc65", damage_rules.ICHIBU: "#43a047",
                damage_rules.AWAITING_REVIEW: "#7e57c2", damage_rules.SURVEYING: "#1e88e5",
                damage_rules.NOT_SURVEYED: "#90a4ae"}
SHELTER_COLORS = {shelter_rules.OPEN: "#2e7d32", shelter_rules.FULL: "#c62828", shelter_rules.CLOSED: "#757575",
                  shelter_rules.NOT_OPENED: "#1d4f91"}
# The letter each state's shelter symbol carries, so that the state is read without its colour.
SHELTER_GLYPHS = {shelter_rules.OPEN: "開", shelter_rules.FULL: "満", shelter_rules.CLOSED: "閉",
                  shelter_rules.NOT_OPENED: "避"}
# 要支援者 are coloured by their 安否確認 state in the chosen disaster, as on the 安否確認 map.
SAFETY_COLORS = evac_rules.SAFETY_COLORS
PAPER_SIZES = ("A4", "A3")


def _tile_overlays(shown: set[str] | None) -> list[Overlay]:
    survey_link = url_for("damage.building", building_id=0).replace("/0", "/{id}")
    settings = {
        "buildings": dict(style_property="grade", colors=GRADE_COLORS,
                          popup_fields={"address": "所在地", "structure": "構造", "grade": "被害の程度"},
                          link_template=survey_link, link_label="建物の記録",
                          more_links=((survey_link + "#start-survey", "被害認定調査を開始"),)),
        "evac_people": dict(style_property="state", colors=SAFETY_COLORS,
                            default_color=SAFETY_COLORS[evac_rules.UNCONFIRMED],
                            popup_fields={"reasons": "避難支援等を必要とする事由", "consent": "同意", "state": "安否"}),
        "residents": dict(default_color="#455a64", popup_fields={}),
    }
    url = url_for("maps.tile", layer="LAYER", z=0, x=0, y=0).replace("/LAYER/0/0/0", "/{key}/{{z}}/{{x}}/{{y}}")
    return [Overlay(layer.key, layer.name, url.format(key=layer.key), tiled=True, min_zoom=layer.source.min_zoom,
                    detail_zoom=layer.source.detail_zoom, show=layer.key in (shown or ()), **settings[layer.key])
            for layer in tiles.visible_layers(current_user.screens)]


def _overlays(shown: set[str] | None) -> list[Overlay]:
    """Every overlay; ``shown`` (from ?layers=) names those switched on, None keeps the defaults."""
    def on(key: str, default: bool) -> bool:
        return default if shown is None else key in shown

    return [
        *(Overlay(f"hazard:{layer.code}", layer.name, url_for("maps.layer", key=f"hazard:{layer.code}"),
                  colors={c.code: c.color for c in layer.classes}, popup_fields={"name": "区域"},
                  show=on(f"hazard:{layer.code}", False)) for layer in CATALOGUE),
        Overlay("disasters", "被災地域", url_for("maps.layer", key="disasters"), default_color="#c62828",
                fill_opacity=0.15, popup_fields={"name": "災害", "kind": "種類", "status": "状態"},
                show=on("disasters", True)),
        Overlay("admin_areas", "町丁目界", url_for("maps.layer", key="admin_areas"), default_color="#5f6b7a",
                fill_opacity=0.0, popup_fields={"name": "町丁目"}, show=on("admin_areas", True)),
        *_tile_overlays(shown),
        _shelter_overlay(on("shelters", True)),
    ]


def _shelter_overlay(show: bool) -> Overlay:
    """Shelters as house symbols; the popup links to the shelter and, once opened in the chosen
    disaster, to its desk (for those with the 避難所 screen)."""
    links = ()
    if current_user.can_use("shelters"):
        shelter = url_for("shelters.facilities", shelter_id=0).replace("/0", "/{id}")
        opening = url_for("shelters.opening", opening_id=0).replace("/0", "/{id}")
        links = ((shelter, "避難所の詳細"), (opening, "受付・避難者の一覧", "opening_id"))
    return Overlay("shelters", "避難所・避難場所", url_for("maps.layer", key="shelters"), style_property="status",
                   colors=SHELTER_COLORS, marker="shelter", glyphs=SHELTER_GLYPHS,
                   popup_fields={"name": "名称", "kind": "種別", "status": "状態", "occupancy": "避難者数／収容人数",
                                 "capacity_label": "想定収容人数", "address": "所在地", "hazards": "対象災害"},
                   more_links=links, cluster=True, show=show)


def _map_page(controls: bool = True, view: tuple[float, float, int] | None = None):
    """The folium map of the tenant with the overlays named in ?layers= switched on."""
    municipality = get_municipality(db.session, current_user.lg_code)
    layers = request.args.get("layers")
    overlays = _overlays(set(layers.split(",")) if layers is not None else None)
    center, zoom = ((view[0], view[1]), view[2]) if view else ((municipality.center_lat, municipality.center_lon), 15)
    choices = page_basemaps(current_user.lg_code)
    base = chosen_basemap(choices, request.args.get("base"))
    fmap = build_map(center, zoom, choices, base.key, overlays,
                     bounds=None if view else services.data_extent(db.session), controls=controls)
    labels = {f"hazard:{layer.code}": {c.code: c.label for c in layer.classes} for layer in CATALOGUE}
    return municipality, render_parts(fmap), overlays, legend_items(overlays, labels), base


@bp.get("/map")
@screen_required("map")
def index():
    _, parts, overlays, legend, _ = _map_page()
    return render_template("maps/map.html", map=parts, overlays=overlays, legend=legend)


@bp.get("/map/print")
@screen_required("map")
def print_view():
    size = request.args.get("size") if request.args.get("size") in PAPER_SIZES else "A4"
    orientation = "portrait" if request.args.get("orientation") == "portrait" else "landscape"
    municipality, parts, overlays, legend, base = _map_page(controls=False, view=rules.print_view(request.args))
    shown = [o for o in overlays if o.show]
    return render_template("maps/print.html", map=parts, legend=[r for r in legend if r["name"] in
                                                                  {o.name for o in shown}],
                           municipality=municipality, size=size, orientation=orientation,
                           today=format_date(today_in_japan()),
                           base=base,
                           title=(request.args.get("title") or f"{municipality.name} 地図")[:60])


@bp.get("/map/layers/<path:key>.geojson")
@screen_required("map")
def layer(key: str):
    return Response(services.overlay_geojson(db.session, key, session.get("disaster_id")),
                    mimetype="application/geo+json")


@bp.get("/map/tiles/<layer>/<int:z>/<int:x>/<int:y>.pbf")
@screen_required("map")
def tile(layer: str, z: int, x: int, y: int):
    return tile_response(tiles.get_layer(layer, current_user.screens), z, x, y, session.get("disaster_id"))


def tile_response(layer: tiles.TileLayer, z: int, x: int, y: int, disaster_id: int | None) -> Response:
    """A tile of ``layer`` as an HTTP response (204 when empty, 304 for the client's ETag); viewing a
    personal layer is audited at most once per interval of the user's session (rules.audit_due)."""
    mark, now = f"map_audit_{layer.key}", time.time()
    due = layer.personal and rules.audit_due(session.get(mark), now)
    result = tiles.get_tile(db.session, current_actor(), layer, z, x, y, disaster_id, audit=due,
                            if_none_match=request.headers.get("If-None-Match"))
    if due:
        session[mark] = now
    status = 304 if result.not_modified else (200 if result.data else 204)
    response = Response(result.data if status == 200 else b"", status=status,
                        mimetype="application/vnd.mapbox-vector-tile")
    response.headers["ETag"] = result.etag
    # A personal layer never stays in the browser's cache; the others are revalidated by ETag.
    response.headers["Cache-Control"] = "no-store" if layer.personal else "private, no-cache"
    response.headers["X-Tile-Cache"] = "hit" if result.cached else "miss"
    return response
