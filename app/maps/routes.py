"""The staff map (地図): base maps, overlays and legend."""
from __future__ import annotations

from flask import Response, current_app, render_template, session, url_for
from flask_login import current_user

from app.extensions import db
from app.maps import bp, services
from app.tenants.services import get_municipality
from app.web import screen_required
from gis.folium_map import Overlay, build_map, gsi_basemaps, legend_items, render_parts
from layers.catalogue import CATALOGUE_BY_CODE

# Survey states and grades on the buildings layer, from the most to the least severe.
GRADE_COLORS = {"全壊": "#b71c1c", "大規模半壊": "#e65100", "中規模半壊": "#f57c00", "半壊": "#fbc02d",
                "準半壊": "#9ccc65", "準半壊に至らない": "#43a047", "判定待ち": "#7e57c2", "調査中": "#1e88e5",
                "未調査": "#90a4ae"}


def _overlays() -> list[Overlay]:
    flood, sediment = CATALOGUE_BY_CODE["flood"], CATALOGUE_BY_CODE["sediment"]
    return [
        Overlay("hazard:flood", flood.name, url_for("maps.layer", key="hazard:flood"),
                colors={c.code: c.color for c in flood.classes}, popup_fields={"name": "区域"}, show=False),
        Overlay("hazard:sediment", sediment.name, url_for("maps.layer", key="hazard:sediment"),
                colors={c.code: c.color for c in sediment.classes}, popup_fields={"name": "区域"}, show=False),
        Overlay("disasters", "被災地域", url_for("maps.layer", key="disasters"), default_color="#c62828",
                fill_opacity=0.15, popup_fields={"name": "災害", "kind": "種類", "status": "状態"}),
        Overlay("admin_areas", "町丁目界", url_for("maps.layer", key="admin_areas"), default_color="#5f6b7a",
                fill_opacity=0.0, popup_fields={"name": "町丁目"}),
        Overlay("buildings", "建物（被害認定）", url_for("maps.layer", key="buildings"), style_property="grade",
                colors=GRADE_COLORS, popup_fields={"address": "所在地", "structure": "構造", "grade": "被害の程度"},
                cluster=True, show=False, link_label="建物の記録・被害認定調査",
                link_template=url_for("damage.building", building_id=0).replace("/0", "/{id}")),
        Overlay("shelters", "避難所・避難場所", url_for("maps.layer", key="shelters"), style_property="kind",
                colors={"指定緊急避難場所": "#2e7d32", "指定避難所": "#1d4f91", "福祉避難所": "#c2185b"},
                popup_fields={"name": "名称", "kind": "種別", "address": "所在地", "capacity": "想定収容人数",
                              "hazards": "対象災害"}, cluster=True),
    ]


@bp.get("/map")
@screen_required("map")
def index():
    municipality = get_municipality(db.session, current_user.lg_code)
    config = current_app.config
    overlays = _overlays()
    fmap = build_map((municipality.center_lat, municipality.center_lon), 15,
                     gsi_basemaps(config["BASEMAP_GSI_URL"], config["BASEMAP_ATTRIBUTION_URL"]),
                     config["BASEMAP_DEFAULT"], overlays, bounds=services.data_extent(db.session))
    labels = {f"hazard:{code}": {c.code: c.label for c in CATALOGUE_BY_CODE[code].classes}
              for code in ("flood", "sediment")}
    return render_template("maps/map.html", map=render_parts(fmap), overlays=overlays,
                           legend=legend_items(overlays, labels))


@bp.get("/map/layers/<path:key>.geojson")
@screen_required("map")
def layer(key: str):
    return Response(services.overlay_geojson(db.session, key, session.get("disaster_id")),
                    mimetype="application/geo+json")
