"""Vector tiles: XYZ tile maths (Web Mercator, EPSG:3857) and the ST_AsMVT query builder.

Framework-free: the functions take plain numbers and an explicit SQLAlchemy Connection/Session.
A layer is described by a ``TileSource``: SQL that selects ``id``, any properties and ``geom``
(EPSG:4326) and contains the placeholder ``{bbox}`` where the tile's bounding-box filter goes, so
the filter lands on an indexed geometry column. At or above the layer's ``detail_zoom`` every
feature is encoded; below it the points are counted per grid cell (one point per cell with a
``count`` property at the mean position of its points), so a low-zoom tile stays small and cheap.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text

EARTH_HALF_CIRCUMFERENCE = 20037508.342789244  # metres, EPSG:3857
MAX_ZOOM = 22
EXTENT = 4096  # MVT coordinate space of a tile
BUFFER = 64  # MVT units beyond the tile edge kept so symbols at the edge are not cut


@dataclass(frozen=True)
class TileSource:
    """SQL for one tile layer: columns ``id``, properties, ``geom`` (4326); ``{bbox}`` marks the filter.

    ``properties``: the columns encoded as feature properties (``id`` first). ``detail_zoom``:
    from this zoom every feature is in the tile; below it, cells of ``cell_px``
    screen pixels (of a 256-px tile) carry counts (and ``cell_property``, the value of its points
    that comes first in ``cell_order``). ``min_zoom``: below it the layer has no tiles. ``params``:
    (name, value) of bind parameters the SQL always takes (the values it filters on), beside the tile's own.
    """

    name: str
    sql: str
    properties: tuple[str, ...] = ("id",)
    detail_zoom: int = 12
    min_zoom: int = 8
    cell_px: int = 32
    # A property a counted cell carries too: of its points' values, the first in ``cell_order``
    # (e.g. the most urgent 安否確認 state), so a cell can be coloured like its points.
    cell_property: str | None = None
    cell_order: tuple[str, ...] = ()
    # Point layers skip ST_Transform: Web Mercator of a point is two lines of arithmetic.
    points: bool = False
    params: tuple[tuple[str, object], ...] = ()


def valid_tile(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of the XYZ (Google/OSM) scheme."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of tile z/x/y in EPSG:3857 metres."""
    size = 2 * EARTH_HALF_CIRCUMFERENCE / 2 ** z
    min_x = -EARTH_HALF_CIRCUMFERENCE + x * size
    max_y = EARTH_HALF_CIRCUMFERENCE - y * size
    return min_x, max_y - size, min_x + size, max_y


def mercator_to_lonlat(mx: float, my: float) -> tuple[float, float]:
    lon = mx / EARTH_HALF_CIRCUMFERENCE * 180.0
    lat = math.degrees(math.atan(math.sinh(my / EARTH_HALF_CIRCUMFERENCE * math.pi)))
    return lon, lat


def tile_bounds_lonlat(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) of tile z/x/y in degrees; ``margin`` widens it by that share of the tile."""
    min_x, min_y, max_x, max_y = tile_bounds_3857(z, x, y)
    pad = (max_x - min_x) * margin
    west, south = mercator_to_lonlat(min_x - pad, max(min_y - pad, -EARTH_HALF_CIRCUMFERENCE))
    east, north = mercator_to_lonlat(max_x + pad, min(max_y + pad, EARTH_HALF_CIRCUMFERENCE))
    return west, south, east, north


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x, y of the tile at zoom ``z`` that contains lon/lat (degrees)."""
    n = 2 ** z
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(bbox: tuple[float, float, float, float], z: int) -> Iterator[tuple[int, int, int]]:
    """Every tile (z, x, y) at zoom ``z`` that intersects bbox (west, south, east, north)."""
    west, south, east, north = bbox
    x0, y0 = lonlat_to_tile(west, north, z)
    x1, y1 = lonlat_to_tile(east, south, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield z, x, y


def tile_params(z: int, x: int, y: int, cell_px: int = 32) -> dict:
    """The bind parameters of a tile query: 3857 bounds, the 4326 filter box and the cell size."""
    min_x, min_y, max_x, max_y = tile_bounds_3857(z, x, y)
    west, south, east, north = tile_bounds_lonlat(z, x, y, margin=BUFFER / EXTENT)
    return {"tx0": min_x, "ty0": min_y, "tx1": max_x, "ty1": max_y,
            "w": west, "s": south, "e": east, "n": north, "cell": (max_x - min_x) * cell_px / 256.0}


BBOX_4326 = "ST_MakeEnvelope(:w, :s, :e, :n, 4326)"
_ENVELOPE = "ST_MakeEnvelope(:tx0, :ty0, :tx1, :ty1, 3857)"


# Web Mercator from lon/lat by arithmetic: cheaper than ST_Transform for every point.
_MX = f"(ST_X(src.geom) * {EARTH_HALF_CIRCUMFERENCE} / 180.0)"
_MY = f"(ln(tan(radians(90.0 + ST_Y(src.geom)) / 2.0)) * {EARTH_HALF_CIRCUMFERENCE} / pi())"


def detail_sql(source: TileSource) -> str:
    """ST_AsMVT over every feature of the source in the tile."""
    inner = source.sql.format(bbox=BBOX_4326)
    columns = "".join(f"src.{name}, " for name in source.properties)
    mercator = f"ST_SetSRID(ST_MakePoint({_MX}, {_MY}), 3857)" if source.points else "ST_Transform(src.geom, 3857)"
    return f"""
        SELECT ST_AsMVT(m.*, :layer_name, {EXTENT}, 'geom') FROM (
            SELECT {columns}ST_AsMVTGeom({mercator}, {_ENVELOPE}, {EXTENT}, {BUFFER}, true) AS geom
            FROM ({inner}) AS src) AS m
        WHERE m.geom IS NOT NULL"""


def aggregate_sql(source: TileSource) -> str:
    """ST_AsMVT of grid cells: per cell the number of points and their mean position (and the
    ``cell_property`` value of its points that comes first in ``cell_order``)."""
    inner = source.sql.format(bbox=BBOX_4326)
    name = source.cell_property
    order = "CAST(:cell_order AS text[])"
    value, outer, column = ("", "", "") if name is None else (
        f", src.{name}::text AS cell_value",
        f", ({order})[min(array_position({order}, p.cell_value))] AS {name}", f"c.{name}, ")
    return f"""
        SELECT ST_AsMVT(m.*, :layer_name, {EXTENT}, 'geom') FROM (
            SELECT c.count, {column}ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.mx, c.my), 3857), {_ENVELOPE},
                                         {EXTENT}, {BUFFER}, true) AS geom
            FROM (SELECT count(*)::int AS count, avg(p.mx) AS mx, avg(p.my) AS my{outer}
                  FROM (SELECT {_MX} AS mx, {_MY} AS my{value} FROM ({inner}) AS src) AS p
                  GROUP BY floor((p.mx - :tx0) / :cell), floor((p.my - :ty0) / :cell)) AS c) AS m
        WHERE m.geom IS NOT NULL"""


def tile_query(source: TileSource, z: int, x: int, y: int, extra: dict | None = None) -> tuple[str, dict]:
    """(SQL, parameters) of tile z/x/y of ``source``: detailed or aggregated by zoom."""
    sql = detail_sql(source) if z >= source.detail_zoom else aggregate_sql(source)
    params = {**tile_params(z, x, y, source.cell_px), "layer_name": source.name, **dict(source.params), **(extra or {})}
    if source.cell_property is not None and z < source.detail_zoom:
        params["cell_order"] = list(source.cell_order)
    return sql, params


def render_tile(connection, source: TileSource, z: int, x: int, y: int, extra: dict | None = None) -> bytes:
    """The MVT bytes of tile z/x/y (empty bytes when nothing is there or the zoom is below ``min_zoom``).

    ``connection`` is a SQLAlchemy Connection or Session; its tenant settings (RLS) apply.
    """
    if z < source.min_zoom:
        return b""
    sql, params = tile_query(source, z, x, y, extra)
    data = connection.execute(text(sql), params).scalar()
    return bytes(data or b"")
