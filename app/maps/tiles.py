"""Vector tiles of the large map layers (要支援者, residents, buildings) with a version-keyed cache.

- Every query runs in the request's tenant transaction, so row-level security decides what is
  in a tile; the cache key carries the municipality (lg_code), the layer, its variant (the
  chosen disaster for buildings), the layer's data version and z/x/y.
- Data versions live in the database (``map_layer_versions``), written by statement triggers on
  residents, evac_people, buildings and damage_surveys with fresh sequence values. The cache is
  the UNLOGGED table ``map_tile_cache`` in the same database, so every gunicorn worker (and every
  app server) shares one copy of a tile, and a write's new version is seen by all of them at once:
  one query reads the version and the cached tile together.
- A tile's content does not depend on the user's role: the layer itself is refused to a role
  without its screen, and protected people are left out for every role, so the key needs no role.
- People under 支援措置 (DV etc.) are never in any tile: no role has a right to see their
  location on a map (the roster leaves out their address for the same reason).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.damage.rules import SHOWN_GRADE_PARAMS, SHOWN_GRADE_SQL
from app.errors import NotFound, PermissionDenied
from app.evac_support.rules import UNCONFIRMED
from app.maps.rules import CELL_STATE_PRIORITY
from app.residents.rules import REGISTERED
from gis.tiles import TileSource, render_tile, valid_tile

_RESIDENTS_SQL = """
    SELECT r.id, r.geom FROM residents r
    WHERE r.status = :registered AND NOT r.is_protected AND r.geom && {bbox}"""

# ``state`` is the latest 安否確認 state in the chosen disaster (未確認 when none is recorded).
_EVAC_SQL = """
    SELECT p.id, p.reasons, p.consent, coalesce(sc.state, :unconfirmed) AS state, r.geom
    FROM evac_people p JOIN residents r ON r.id = p.resident_id
    LEFT JOIN LATERAL (
        SELECT c.state FROM safety_checks c WHERE c.person_id = p.id AND c.disaster_id = :disaster_id
        ORDER BY c.id DESC LIMIT 1) sc ON true
    WHERE p.removed_at IS NULL AND r.status = :registered AND NOT r.is_protected AND r.geom && {bbox}"""

_BUILDINGS_SQL = f"""
    SELECT b.id, b.address, b.structure || '・' || b.floors || '階建て' AS structure,
           coalesce(s.grade, :not_surveyed) AS grade, round(ST_X(pt.geom)::numeric, 7)::float8 AS lon,
           round(ST_Y(pt.geom)::numeric, 7)::float8 AS lat, pt.geom
    FROM buildings b
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(b.geom) AS geom) pt
    LEFT JOIN LATERAL (
        SELECT {SHOWN_GRADE_SQL} AS grade
        FROM damage_surveys d WHERE d.building_id = b.id AND d.disaster_id = :disaster_id
        ORDER BY d.id DESC LIMIT 1) s ON true
    WHERE b.geom && {{bbox}}"""


@dataclass(frozen=True)
class TileLayer:
    """A tiled layer: its SQL, the screen a user needs for it, whether it shows where people live."""

    key: str
    name: str
    source: TileSource
    screen: str
    personal: bool
    per_disaster: bool = False


TILE_LAYERS = {
    layer.key: layer for layer in (
        TileLayer("residents", "住民（住登内）",
                  TileSource("residents", _RESIDENTS_SQL, ("id",), detail_zoom=12, min_zoom=9, points=True,
                             params=(("registered", REGISTERED),)),
                  screen="victims", personal=True),
        TileLayer("evac_people", "避難行動要支援者",
                  TileSource("evac_people", _EVAC_SQL, ("id", "reasons", "consent", "state"),
                             detail_zoom=12, min_zoom=9, points=True, cell_property="state",
                             cell_order=CELL_STATE_PRIORITY,
                             params=(("registered", REGISTERED), ("unconfirmed", UNCONFIRMED))),
                  screen="evac_support", personal=True, per_disaster=True),
        TileLayer("buildings", "建物（被害認定）",
                  TileSource("buildings", _BUILDINGS_SQL, ("id", "address", "structure", "grade", "lon", "lat"),
                             detail_zoom=13, min_zoom=9, points=True, params=SHOWN_GRADE_PARAMS),
                  screen="map", personal=False, per_disaster=True),
    )
}


def cache_key(lg_code: str, layer: str, variant: int, version: int, z: int, x: int, y: int) -> tuple:
    """The cache key of a tile: municipality, layer, variant (disaster), data version, z/x/y."""
    return (lg_code, layer, variant, version, z, x, y)


def etag_of(key: tuple) -> str:
    return '"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str
    cached: bool
    not_modified: bool = False


def get_layer(key: str, screens: frozenset[str]) -> TileLayer:
    """The tile layer ``key`` if the user's screens allow it (NotFound / PermissionDenied otherwise)."""
    layer = TILE_LAYERS.get(key)
    if layer is None:
        raise NotFound(f"タイルレイヤ「{key}」はありません。")
    if layer.screen not in screens:
        raise PermissionDenied(f"「{layer.name}」の地図を表示する権限がありません。", details={"screen": layer.screen})
    return layer


def visible_layers(screens: frozenset[str]) -> list[TileLayer]:
    """The tile layers a user with ``screens`` may switch on."""
    return [layer for layer in TILE_LAYERS.values() if layer.screen in screens]


_LOOKUP = text("""
    SELECT v.version, c.data
    FROM (SELECT coalesce(max(version), 0) AS version FROM map_layer_versions WHERE layer = :layer) AS v
    LEFT JOIN map_tile_cache c ON c.lg_code = :lg_code AND c.layer = :layer AND c.variant = :variant
         AND c.version = v.version AND c.z = :z AND c.x = :x AND c.y = :y""")

# Store the tile and drop the layer's tiles of older versions (rows another transaction is
# pruning at the same moment are skipped, so two workers never wait on each other here).
_STORE = text("""
    WITH stale AS (
        SELECT ctid FROM map_tile_cache
        WHERE lg_code = :lg_code AND layer = :layer AND version < :version FOR UPDATE SKIP LOCKED),
    pruned AS (DELETE FROM map_tile_cache WHERE ctid IN (SELECT ctid FROM stale))
    INSERT INTO map_tile_cache (lg_code, layer, variant, version, z, x, y, data)
    VALUES (:lg_code, :layer, :variant, :version, :z, :x, :y, :data) ON CONFLICT DO NOTHING""")


def lookup_tile(session: Session, layer: TileLayer, lg_code: str, z: int, x: int, y: int,
                disaster_id: int | None) -> tuple[tuple, bytes | None]:
    """The cache key of a tile as of now and its cached bytes (None on a miss), in one query."""
    if not valid_tile(z, x, y):
        raise NotFound("そのタイルはありません。")
    variant = (disaster_id or 0) if layer.per_disaster else 0
    version, data = session.execute(_LOOKUP, {"layer": layer.key, "lg_code": lg_code, "variant": variant,
                                              "z": z, "x": x, "y": y}).one()
    key = cache_key(lg_code, layer.key, variant, version, z, x, y)
    return key, (bytes(data) if data is not None else None)


def store_tile(session: Session, key: tuple, data: bytes) -> None:
    """Keep a rendered tile in the shared cache and prune the layer's tiles of older versions."""
    lg_code, layer, variant, version, z, x, y = key
    session.execute(_STORE, {"lg_code": lg_code, "layer": layer, "variant": variant, "version": version,
                             "z": z, "x": x, "y": y, "data": data})


def clear_tile_cache(session: Session) -> int:
    """Remove every cached tile the session's scope can see (the tenant's, or all in the system scope)."""
    return session.execute(text("DELETE FROM map_tile_cache")).rowcount


def get_tile(session: Session, actor: Actor, layer: TileLayer, z: int, x: int, y: int,
             disaster_id: int | None = None, *, audit: bool = False, if_none_match: str | None = None) -> Tile:
    """Tile z/x/y of ``layer`` for the actor's municipality, from the shared cache or rendered by PostGIS.

    ``audit``: record that the actor viewed the layer (personal layers; the caller decides how
    often, see docs/map.md). ``if_none_match``: the client's ETag; when it is current the tile is
    ``not_modified`` and nothing is rendered. Empty bytes mean no features.
    """
    key, data = lookup_tile(session, layer, actor.lg_code, z, x, y, disaster_id)
    etag = etag_of(key)
    if audit and layer.personal:
        record(session, actor, "map_layer_view", "municipality", [actor.lg_code], layer=layer.key,
               tile=f"{z}/{x}/{y}")
    if if_none_match and etag in if_none_match:
        return Tile(b"", etag, True, not_modified=True)
    if data is not None:
        return Tile(data, etag, True)
    data = render_tile(session, layer.source, z, x, y, {"disaster_id": key[2]})
    store_tile(session, key, data)
    return Tile(data, etag, False)
