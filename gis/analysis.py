"""Spatial analysis in PostGIS: what lies inside a drawn polygon or inside a hazard layer's classes.

Framework-free: every function takes a SQLAlchemy Session (or Connection) whose transaction is
already scoped to one tenant by row-level security; nothing here filters by municipality itself.
An ``Area`` is either a polygon (WKT in EPSG:4326) or a hazard layer with the class codes to
include and the layer's severity order (least → most severe). Each row found carries the class of
the most severe zone it lies in (empty for a drawn polygon).

Residents are found through the database functions ``bcl_resident_zones`` and
``bcl_residents_within`` (migration 0018): under row-level security PostgreSQL cannot use the
spatial indexes (the operators are not leakproof), and those functions run the indexed join for
the transaction's own tenant only, returning ids. Buildings and shelters are few enough to join
directly.

The ``store_*`` functions write a selection by reference into ``spatial_analysis_items`` (ids and
classes, numbered in list order) and the ``stored_*`` functions read it back joined to the current
records: an analysis job computes the selection once, its result page, map and exports read ids.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text


@dataclass(frozen=True)
class Area:
    polygon_wkt: str = ""
    layer_code: str = ""
    class_codes: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()  # every class code of the layer, least severe first

    @property
    def is_polygon(self) -> bool:
        return bool(self.polygon_wkt)


def _zone(area: Area, geom: str) -> tuple[str, dict]:
    """A LATERAL subquery yielding ``class_code`` when ``geom`` lies in the area (no row otherwise)."""
    if area.is_polygon:
        return (f"LATERAL (SELECT ''::text AS class_code "
                f"WHERE ST_Intersects(ST_GeomFromText(:area_wkt, 4326), {geom})) z"), {"area_wkt": area.polygon_wkt}
    return (f"""LATERAL (SELECT h.class_code FROM hazard_areas h
                WHERE h.layer_code = :area_layer AND h.class_code = ANY(:area_codes)
                  AND ST_Intersects(h.geom, {geom})
                ORDER BY array_position(CAST(:area_order AS text[]), h.class_code::text) DESC LIMIT 1) z"""), {
        "area_layer": area.layer_code, "area_codes": list(area.class_codes), "area_order": list(area.severity)}


def _resident_zones(area: Area) -> tuple[str, dict]:
    """A FROM item yielding (resident_id, class_code) for the residents inside the area."""
    if area.is_polygon:
        return ("(SELECT id AS resident_id, ''::text AS class_code "
                "FROM bcl_residents_within(ST_GeomFromText(:area_wkt, 4326)) AS w(id)) z"), {
            "area_wkt": area.polygon_wkt}
    return "bcl_resident_zones(:area_layer, CAST(:area_codes AS text[]), CAST(:area_order AS text[])) z", {
        "area_layer": area.layer_code, "area_codes": list(area.class_codes), "area_order": list(area.severity)}


def _severity(area: Area) -> str:
    return "array_position(CAST(:area_order AS text[]), z.class_code::text)" if not area.is_polygon else "z.class_code"


def residents_in(session, area: Area, *, evac_only: bool = False, limit: int | None = None):
    """Residents (住登内, located) in the area, most severe zone first, then by address.

    Rows: id, atena_no, name, name_kana, birth_date, sex, address, phone, is_protected, lon, lat,
    class_code, is_evac (on the 避難行動要支援者名簿), reasons (its 事由).
    """
    zones, params = _resident_zones(area)
    join = "JOIN" if evac_only else "LEFT JOIN"
    sql = f"""
        SELECT r.id, r.atena_no, r.name, r.name_kana, r.birth_date, r.sex,
               trim(r.address || ' ' || r.address_katagaki) AS address, r.phone, r.is_protected,
               ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, z.class_code, (p.id IS NOT NULL) AS is_evac,
               coalesce(p.reasons, '') AS reasons
        FROM {zones}
        JOIN residents r ON r.id = z.resident_id
        {join} evac_people p ON p.resident_id = r.id AND p.removed_at IS NULL
        WHERE r.status = '住登内' AND r.geom IS NOT NULL
        ORDER BY {_severity(area)} DESC NULLS LAST, r.address, r.name_kana
        {'LIMIT :limit' if limit else ''}"""
    return session.execute(text(sql), {**params, "limit": limit}).all()


def assign_resident_hazards(session, layer_code: str, severity: tuple[str, ...]) -> int:
    """Record for every located resident the most severe class of ``layer_code`` they lie in
    (table resident_hazards), replacing the previous assignment of that layer. Returns the number
    of residents inside the layer."""
    session.execute(text("DELETE FROM resident_hazards WHERE layer_code = :layer"), {"layer": layer_code})
    # The join's groups and result (a row per resident inside) stay in memory rather than spill.
    session.execute(text("SET LOCAL work_mem = '128MB'"))
    zones, params = _resident_zones(Area(layer_code=layer_code, class_codes=severity, severity=severity))
    result = session.execute(text(f"""
        INSERT INTO resident_hazards (resident_id, layer_code, lg_code, class_code)
        SELECT z.resident_id, :layer, current_setting('app.lg_code'), z.class_code FROM {zones}"""),
        {**params, "layer": layer_code})
    return result.rowcount


# Storing a selection by reference: the rows of ``spatial_analysis_items`` (ids and classes only),
# numbered in list order so that readers take the first rows by position instead of sorting.
_STORE = """
    INSERT INTO spatial_analysis_items (lg_code, analysis_id, kind, position, item_id, class_code)
    SELECT current_setting('app.lg_code'), :analysis_id, :kind,
           row_number() OVER (ORDER BY {order}), {item}, coalesce(z.class_code, '')
    FROM {source}"""


def store_residents(session, area: Area, analysis_id: int) -> int:
    """Store the residents (住登内, located) in the area under ``analysis_id``, in list order (most
    severe zone first, then by address); returns how many."""
    # As in assign_resident_hazards: a town-wide class's groups and rows stay in memory, not spill.
    session.execute(text("SET LOCAL work_mem = '128MB'"))
    zones, params = _resident_zones(area)
    sql = _STORE.format(order=f"{_severity(area)} DESC NULLS LAST, r.address, r.name_kana", item="r.id",
                        source=f"{zones} JOIN residents r ON r.id = z.resident_id "
                               "WHERE r.status = '住登内' AND r.geom IS NOT NULL")
    return session.execute(text(sql), {**params, "analysis_id": analysis_id, "kind": "residents"}).rowcount


def store_evac_people(session, analysis_id: int) -> int:
    """Store the 要支援者 among the analysis's stored residents (no second spatial query), in the
    residents' order; returns how many."""
    sql = _STORE.format(order="z.position", item="z.item_id", source="""spatial_analysis_items z
        WHERE z.analysis_id = :analysis_id AND z.kind = 'residents'
          AND EXISTS (SELECT 1 FROM evac_people p WHERE p.resident_id = z.item_id AND p.removed_at IS NULL)""")
    return session.execute(text(sql), {"analysis_id": analysis_id, "kind": "evac_people"}).rowcount


def store_buildings(session, area: Area, analysis_id: int) -> int:
    """Store the buildings meeting the area (most severe zone first, then by address); returns how many."""
    zone, params = _zone(area, "b.geom")
    sql = _STORE.format(order=f"{_severity(area)} DESC NULLS LAST, b.address", item="b.id",
                        source=f"buildings b CROSS JOIN {zone} WHERE b.geom IS NOT NULL")
    return session.execute(text(sql), {**params, "analysis_id": analysis_id, "kind": "buildings"}).rowcount


def store_shelters(session, area: Area, analysis_id: int) -> int:
    """Store the shelters in the area (most severe zone first, then by name); returns how many."""
    zone, params = _zone(area, "s.geom")
    sql = _STORE.format(order=f"{_severity(area)} DESC NULLS LAST, s.name", item="s.id",
                        source=f"shelters s CROSS JOIN {zone}")
    return session.execute(text(sql), {**params, "analysis_id": analysis_id, "kind": "shelters"}).rowcount


# Reading a stored result: the items joined to their current records, in the stored order. The
# first rows are taken as a range of positions (1, 2, … per list), not ORDER BY … LIMIT: the
# table's statistics lag behind a fresh result, and a planner that believes a few rows match
# would otherwise join the whole result and sort it.
_FIRST = "AND i.position <= :limit"

def stored_residents(session, analysis_id: int, kind: str = "residents", *, limit: int | None = None,
                     mappable: bool = False, stream: bool = False):
    """The residents (``kind`` residents or evac_people) stored under ``analysis_id``, in list order.

    Rows as ``residents_in``; ``limit`` takes the first rows of the list. ``mappable`` then keeps only
    people who may be drawn on a map (located, not under 支援措置); ``stream`` fetches in batches
    (exports) instead of all at once.
    """
    sql = f"""
        SELECT r.id, r.atena_no, r.name, r.name_kana, r.birth_date, r.sex,
               trim(r.address || ' ' || r.address_katagaki) AS address, r.phone, r.is_protected,
               ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, i.class_code, (p.id IS NOT NULL) AS is_evac,
               coalesce(p.reasons, '') AS reasons
        FROM spatial_analysis_items i
        JOIN residents r ON r.id = i.item_id
        LEFT JOIN evac_people p ON p.resident_id = r.id AND p.removed_at IS NULL
        WHERE i.analysis_id = :analysis_id AND i.kind = :kind
          {'AND r.geom IS NOT NULL AND NOT r.is_protected' if mappable else ''} {_FIRST if limit else ''}
        ORDER BY i.position"""
    return _read(session, sql, {"analysis_id": analysis_id, "kind": kind, "limit": limit}, stream)


def stored_buildings(session, analysis_id: int, *, limit: int | None = None, stream: bool = False):
    """The buildings stored under ``analysis_id``, in list order. Rows: id, address, structure,
    floors, is_dwelling, lon, lat, class_code."""
    sql = f"""
        SELECT b.id, b.address, b.structure, b.floors, b.is_dwelling,
               ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat, i.class_code
        FROM spatial_analysis_items i JOIN buildings b ON b.id = i.item_id
        WHERE i.analysis_id = :analysis_id AND i.kind = 'buildings' {_FIRST if limit else ''}
        ORDER BY i.position"""
    return _read(session, sql, {"analysis_id": analysis_id, "limit": limit}, stream)


def stored_shelters(session, analysis_id: int, *, limit: int | None = None, stream: bool = False):
    """The shelters stored under ``analysis_id``, in list order. Rows: id, code, name, kind,
    address, capacity, lon, lat, class_code."""
    sql = f"""
        SELECT s.id, s.code, s.name, s.kind, s.address, s.capacity, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
               i.class_code
        FROM spatial_analysis_items i JOIN shelters s ON s.id = i.item_id
        WHERE i.analysis_id = :analysis_id AND i.kind = 'shelters' {_FIRST if limit else ''}
        ORDER BY i.position"""
    return _read(session, sql, {"analysis_id": analysis_id, "limit": limit}, stream)


def _read(session, sql: str, params: dict, stream: bool):
    if stream:
        return session.execute(text(sql).execution_options(yield_per=2000), params)
    return session.execute(text(sql), params).all()
