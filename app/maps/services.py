"""Map overlays of the tenant as GeoJSON, assembled by PostGIS."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.damage import rules as damage_rules
from app.errors import NotFound
from app.shelters import rules as shelter_rules
from layers.catalogue import CATALOGUE_BY_CODE

# Each overlay: SQL returning (properties json, geometry) rows for the current tenant (RLS).
_OVERLAY_SQL = {
    # Status and occupancy (present evacuees / capacity) in the chosen disaster.
    "shelters": """SELECT json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'address', s.address,
                          'capacity', s.capacity, 'capacity_label', s.capacity || '人',
                          'hazards', array_to_string(s.hazards, '・'),
                          'opening_id', o.id,
                          'status', coalesce(o.status, :not_opened),
                          'occupancy', CASE WHEN o.id IS NOT NULL THEN n.present || '人／' || s.capacity || '人' END
                          ) AS props, s.geom
                   FROM shelters s
                   LEFT JOIN shelter_openings o ON o.shelter_id = s.id AND o.disaster_id = :disaster_id
                   LEFT JOIN LATERAL (SELECT count(*) AS present FROM evacuees e
                                      WHERE e.opening_id = o.id AND e.checked_out_at IS NULL) n ON true""",
    "admin_areas": "SELECT json_build_object('name', name, 'code', code) AS props, geom FROM admin_areas",
    "disasters": """SELECT json_build_object('name', name, 'kind', kind, 'status', status) AS props, geom
                    FROM disasters WHERE geom IS NOT NULL""",
}
_HAZARD_SQL = """SELECT json_build_object('name', name, 'class_code', class_code) AS props, geom
                 FROM hazard_areas WHERE layer_code = :layer_code"""


# Buildings as points (for clustering and touch), with the latest grade of the current disaster.
_BUILDINGS_SQL = f"""
    SELECT json_build_object('id', b.id, 'address', b.address, 'structure', b.structure || '・' || b.floors || '階建て',
                             'grade', coalesce(s.grade, :not_surveyed)) AS props,
           ST_PointOnSurface(b.geom) AS geom
    FROM buildings b
    LEFT JOIN LATERAL (
        SELECT {damage_rules.SHOWN_GRADE_SQL} AS grade
        FROM damage_surveys d WHERE d.building_id = b.id AND d.disaster_id = :disaster_id
        ORDER BY d.id DESC LIMIT 1) s ON true
    WHERE b.geom IS NOT NULL"""


def overlay_geojson(session: Session, key: str, disaster_id: int | None = None) -> str:
    """A FeatureCollection (as JSON text) for overlay ``key`` or ``hazard:<layer code>``; the
    buildings and shelters overlays show the survey state and the opening in disaster ``disaster_id``."""
    params: dict = {}
    if key == "buildings":
        sql, params = _BUILDINGS_SQL, {"disaster_id": disaster_id or 0, **dict(damage_rules.SHOWN_GRADE_PARAMS)}
    elif key.startswith("hazard:"):
        layer_code = key.split(":", 1)[1]
        if layer_code not in CATALOGUE_BY_CODE:
            raise NotFound(f"ハザードレイヤ「{layer_code}」はありません。")
        sql, params = _HAZARD_SQL, {"layer_code": layer_code}
    elif key in _OVERLAY_SQL:
        sql, params = _OVERLAY_SQL[key], {"disaster_id": disaster_id or 0, "not_opened": shelter_rules.NOT_OPENED}
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
