"""Vector tiles of the large map layers (要支援者, residents, buildings) with a version-keyed cache.

- Every query runs in the request's tenant transaction, so row-level security decides what is
  in a tile; the cache key carries the municipality (lg_code), the layer, its variant (the
  chosen disaster for buildings), the layer's data version and z/x/y.
- Data versions live in the database (``map_layer_versions``), written by statement triggers on
  residents, evac_people, buildings and damage_surveys with fresh sequence values. The cache
  itself is in process (an LRU bounded in bytes); a worker whose version is stale simply never
  looks its old entries up again, so several gunicorn workers stay correct without talking.
- People under 支援措置 (DV etc.) are never in any tile: no role has a right to see their
  location on a map (the roster leaves out their address for the same reason).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import NotFound, PermissionDenied
from gis.tiles import TileSource, render_tile, valid_tile

_RESIDENTS_SQL = """
    SELECT r.id, r.geom FROM residents r
    WHERE r.status = '住登内' AND NOT r.is_protected AND r.geom && {bbox}"""

# ``state`` is the latest 安否確認 state in the chosen disaster (未確認 when none is recorded).
_EVAC_SQL = """
    SELECT p.id, p.reasons, p.consent, coalesce(sc.state, '未確認') AS state, r.geom
    FROM evac_people p JOIN residents r ON r.id = p.resident_id
    LEFT JOIN LATERAL (
        SELECT c.state FROM safety_checks c WHERE c.person_id = p.id AND c.disaster_id = :disaster_id
        ORDER BY c.id DESC LIMIT 1) sc ON true
    WHERE p.removed_at IS NULL AND r.status = '住登内' AND NOT r.is_protected AND r.geom && {bbox}"""

_BUILDINGS_SQL = """
    SELECT b.id, b.address, b.structure || '・' || b.floors || '階建て' AS structure,
           coalesce(s.grade, '未調査') AS grade, round(ST_X(pt.geom)::numeric, 7)::float8 AS lon,
           round(ST_Y(pt.geom)::numeric, 7)::float8 AS lat, pt.geom
    FROM buildings b
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(b.geom) AS geom) pt
    LEFT JOIN LATERAL (
        SELECT CASE WHEN d.status = '確定' THEN d.final_grade
                    WHEN d.status = '判定待ち' THEN '判定待ち' ELSE '調査中' END AS grade
        FROM damage_surveys d WHERE d.building_id = b.id AND d.disaster_id = :disaster_id
        ORDER BY d.id DESC LIMIT 1) s ON true
    WHERE b.geom && {bbox}"""


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
                  TileSource("residents", _RESIDENTS_SQL, ("id",), detail_zoom=12, min_zoom=9, points=True),
                  screen="victims", personal=True),
        TileLayer("evac_people", "避難行動要支援者",
                  TileSource("evac_people", _EVAC_SQL, ("id", "reasons", "consent", "state"),
                             detail_zoom=12, min_zoom=9, points=True),
                  screen="evac_support", personal=True, per_disaster=True),
        TileLayer("buildings", "建物（被害認定）",
                  TileSource("buildings", _BUILDINGS_SQL, ("id", "address", "structure", "grade", "lon", "lat"),
                             detail_zoom=13, min_zoom=9, points=True),
                  screen="map", personal=False, per_disaster=True),
    )
}


class TileCache:
    """A thread-safe LRU of tile bytes bounded by their total size."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def put(self, key: tuple, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._entries[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)


TILE_CACHE = TileCache()


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


def layer_version(session: Session, layer: str) -> int:
    """The tenant's current data version of ``layer`` (0 before the first write)."""
    return session.scalar(text("SELECT coalesce(max(version), 0) FROM map_layer_versions WHERE layer = :layer"),
                          {"layer": layer})


def tile_etag(session: Session, layer: TileLayer, lg_code: str, z: int, x: int, y: int,
              disaster_id: int | None) -> tuple[tuple, str]:
    """The cache key and ETag of a tile as of now (one small query: the layer's version)."""
    if not valid_tile(z, x, y):
        raise NotFound("そのタイルはありません。")
    variant = (disaster_id or 0) if layer.per_disaster else 0
    key = cache_key(lg_code, layer.key, variant, layer_version(session, layer.key), z, x, y)
    return key, etag_of(key)


def get_tile(session: Session, actor: Actor, layer: TileLayer, z: int, x: int, y: int,
             disaster_id: int | None = None, *, audit: bool = False, if_none_match: str | None = None) -> Tile:
    """Tile z/x/y of ``layer`` for the actor's municipality, from the cache or rendered by PostGIS.

    ``audit``: record that the actor viewed the layer (personal layers; the caller decides how
    often, see docs/map.md). ``if_none_match``: the client's ETag; when it is current the tile is
    ``not_modified`` and nothing is rendered. Empty bytes mean no features.
    """
    key, etag = tile_etag(session, layer, actor.lg_code, z, x, y, disaster_id)
    if audit and layer.personal:
        record(session, actor, "map_layer_view", "municipality", [actor.lg_code], layer=layer.key,
               tile=f"{z}/{x}/{y}")
    if if_none_match and etag in if_none_match:
        return Tile(b"", etag, True, not_modified=True)
    data = TILE_CACHE.get(key)
    if data is not None:
        return Tile(data, etag, True)
    data = render_tile(session, layer.source, z, x, y, {"disaster_id": key[2]})
    TILE_CACHE.put(key, data)
    return Tile(data, etag, False)
