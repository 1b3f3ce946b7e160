"""Map overlays of the tenant as GeoJSON, assembled by PostGIS."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import NotFound
from layers.catalogue import CATALOGUE_BY_CODE

# Each overlay: SQL returning (properties json, geometry) rows for the current tenant (RLS).
_OVERLAY_SQL = {
    "shelters": """SELECT json_build_object('name', name, 'kind', kind, 'address', address,
                          'capacity', capacity, 'hazards', array_to_string(hazards, '・')) AS props, geom
                   FROM shelters""",
    "admin_areas": "SELECT json_build_object('name', name, 'code', code) AS props, geom FROM admin_areas",
    "disasters": """SELECT json_build_object('name', name, 'kind', kind, 'status', status) AS props, geom
                    FROM disasters WHERE geom IS NOT NULL""",
}
_HAZARD_SQL = """SELECT json_build_object('name', name, 'class_code', class_code) AS props, geom
                 FROM hazard_areas WHERE layer_code = :layer_code"""


def overlay_geojson(session: Session, key: str) -> str:
    """A FeatureCollection (as JSON text) for overlay ``key`` or ``hazard:<layer code>``."""
    params = {}
    if key.startswith("hazard:"):
        layer_code = key.split(":", 1)[1]
        if layer_code not in CATALOGUE_BY_CODE:
            raise NotFound(f"ハザードレイヤ「{layer_code}」はありません。")
        sql, params = _HAZARD_SQL, {"layer_code": layer_code}
    elif key in _OVERLAY_SQL:
        sql = _OVERLAY_SQL[key]
    else:
        raise NotFound(f"地図レイヤ「{key}」はありません。")
    wrapped = f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                 json_build_object('type', 'Feature', 'properties', src.props,
                                   'geometry', ST_AsGeoJSON(src.geom, 7)::json)), '[]'::json))::text
        FROM ({sql}) AS src"""
    return session.execute(text(wrapped), params).scalar_one()


def data_extent(session: Session) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the tenant's areas and shelters, or None when empty."""
    row = session.execute(text("""
        SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
        FROM (SELECT ST_Extent(geom) AS e FROM (SELECT geom FROM admin_areas
                                                UNION ALL SELECT geom FROM shelters) AS g) AS x""")).one()
    return None if row[0] is None else tuple(row)
