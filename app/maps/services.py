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


# Buildings as points (for clustering and touch), with the latest grade of the current disaster.
_BUILDINGS_SQL = """
    SELECT json_build_object('id', b.id, 'address', b.address, 'structure', b.structure || '・' || b.floors || '階建て',
                             'grade', coalesce(s.grade, '未調査')) AS props,
           ST_PointOnSurface(b.geom) AS geom
    FROM buildings b
    LEFT JOIN LATERAL (
        SELECT CASE WHEN d.status = '確定' THEN d.final_grade
                    WHEN d.status = '判定待ち' THEN '判定待ち' ELSE '調査中' END AS grade
        FROM damage_surveys d WHERE d.building_id = b.id AND d.disaster_id = :disaster_id
        ORDER BY d.id DESC LIMIT 1) s ON true
    WHERE b.geom IS NOT NULL"""


def overlay_geojson(session: Session, key: str, disaster_id: int | None = None) -> str:
    """A FeatureCollection (as JSON text) for overlay ``key`` or ``hazard:<layer code>``; the
    buildings overlay shows the survey state in disaster ``disaster_id``."""
    params: dict = {}
    if key == "buildings":
        sql, params = _BUILDINGS_SQL, {"disaster_id": disaster_id or 0}
    elif key.startswith("hazard:"):
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
