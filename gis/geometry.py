"""Geometry checks and repairs (framework-free), with shapely.

An invalid polygon (a self-intersecting ring, a bow-tie) is repaired with GEOS MakeValid, the
operation behind PostGIS's ST_MakeValid, and the reason it was invalid is kept so the repair can
be reported; nothing is dropped silently. Area layers keep only the polygonal part of a repair.
"""
from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

# Japanese names of the shapes an area layer cannot take, for refusals.
_SHAPE_NAMES = {"Point": "点", "MultiPoint": "点", "LineString": "線", "MultiLineString": "線"}


def repaired(geometry: BaseGeometry) -> tuple[BaseGeometry, str]:
    """(``geometry`` made valid, why it was invalid); a valid one comes back as it is, with ''."""
    if geometry.is_valid:
        return geometry, ""
    return shapely.make_valid(geometry), shapely.is_valid_reason(geometry)


def polygonal(geometry: BaseGeometry | None) -> tuple[MultiPolygon | None, str, str]:
    """One feature of an area layer as (2-D multipolygon, refusal, repair note).

    Points, lines and empty features are refused (the refusal says which, in Japanese). An invalid
    polygon is repaired and its polygonal parts kept, the note saying why it was invalid; one with
    nothing polygonal left is refused.
    """
    if geometry is None or geometry.is_empty:
        return None, "図形がありません", ""
    geometry = shapely.force_2d(geometry)
    if not isinstance(geometry, Polygon | MultiPolygon):
        kind = _SHAPE_NAMES.get(geometry.geom_type, geometry.geom_type)
        return None, f"{kind}の図形は取り込めません（面のみ）", ""
    geometry, why = repaired(geometry)
    if why:
        geometry = polygonal_part(geometry)
        if geometry is None:
            return None, f"図形が不正で修復できません（{why}）", ""
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return geometry, "", why


def polygonal_part(geometry: BaseGeometry) -> MultiPolygon | None:
    """The polygons of ``geometry`` (a repair may give a collection of polygons and lines) as one
    multipolygon; None when there are none."""
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon | MultiPolygon)]
    polygons = [p for g in parts for p in getattr(g, "geoms", [g]) if not p.is_empty]
    return MultiPolygon(polygons) if polygons else None
