"""Base-map tile packages: read and check an MBTiles or PMTiles file, write an MBTiles file, and
render a vector base map from PostGIS tables with ST_AsMVT.

Framework-free. A package is refused with a ``PackageError`` that says precisely what is wrong
(not a tile package, a format BCL cannot show, bounds or zooms missing from the metadata, a tile
that is not what the package says it holds, too big), before anything is stored: the caller reads
the metadata first (``open_package``), then streams the tiles (``TilePackage.tiles``), and any
error on the way aborts its transaction.

- MBTiles (https://github.com/mapbox/mbtiles-spec, 1.3) is an SQLite file, read with the standard
  library's sqlite3, read-only. Its rows are in the TMS scheme (y from the south); they are turned
  into the XYZ scheme (y from the north) that Leaflet asks for.
- PMTiles (version 3) is read with the ``pmtiles`` package of the Protomaps project.
"""
from __future__ import annotations

import gzip
import json
import math
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from gis.tiles import EXTENT, MAX_ZOOM, tile_params, tiles_covering

RASTER_FORMATS = ("png", "jpg", "webp")
VECTOR_FORMAT = "pbf"
FORMAT_NAMES = {"png": "PNG", "jpg": "JPEG", "webp": "WebP", "pbf": "ベクトルタイル（MVT）"}
_FORMAT_ALIASES = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp", "pbf": "pbf", "mvt": "pbf"}
MAX_TILE_BYTES = 4 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
PMTILES_MAGIC = b"PMTiles"
GZIP_MAGIC = b"\x1f\x8b"


class PackageError(ValueError):
    """A file that cannot be imported as a base map; ``message`` says why, in Japanese."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class PackageInfo:
    """What a package says about itself, checked: its tiles are read afterwards."""

    container: str  # "mbtiles" or "pmtiles"
    tile_format: str  # png, jpg, webp or pbf
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)
    name: str
    attribution: str  # plain text, tags removed
    vector_layers: tuple[str, ...]
    tile_count: int

    @property
    def kind(self) -> str:
        return "vector" if self.tile_format == VECTOR_FORMAT else "raster"


def plain_text(value: str) -> str:
    """Attribution without markup: a package's HTML never reaches a page as HTML."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", value or "")).strip()


def tile_format(value: str) -> str:
    """The package's tile format in BCL's words (png, jpg, webp, pbf), or PackageError."""
    found = _FORMAT_ALIASES.get((value or "").strip().lower())
    if found is None:
        raise PackageError(f"タイルの形式「{value}」は表示できません（PNG・JPEG・WebP・ベクトルタイル（pbf）のみ）。",
                           "format_unknown")
    return found


def parse_bounds(value: str) -> tuple[float, float, float, float]:
    """MBTiles' ``bounds`` ("west,south,east,north" in degrees), checked."""
    try:
        west, south, east, north = (float(part) for part in (value or "").split(","))
    except ValueError:
        raise PackageError(f"メタデータの bounds「{value}」が読めません（「西,南,東,北」の経緯度）。",
                           "bounds_invalid") from None
    return check_bounds(west, south, east, north)


def check_bounds(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float]:
    values = (west, south, east, north)
    if not all(math.isfinite(v) for v in values) or not (
            -180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise PackageError(f"範囲（bounds）{values} が正しくありません（西 < 東、南 < 北の経緯度）。", "bounds_invalid")
    return values


def check_zooms(min_zoom: int, max_zoom: int) -> tuple[int, int]:
    if not (0 <= min_zoom <= max_zoom <= MAX_ZOOM):
        raise PackageError(f"ズームレベル {min_zoom}〜{max_zoom} が正しくありません（0〜{MAX_ZOOM}、最小 ≦ 最大）。",
                           "zoom_invalid")
    return min_zoom, max_zoom


def check_tile(fmt: str, z: int, x: int, y: int, data: bytes, zooms: tuple[int, int]) -> None:
    """Refuse a tile outside the package's zooms or the grid, too large, or not of the package's format."""
    where = f"タイル {z}/{x}/{y}"
    if not (zooms[0] <= z <= zooms[1]):
        raise PackageError(f"{where} はメタデータのズームレベル {zooms[0]}〜{zooms[1]} の外です。",
                           "tile_outside_zooms")
    if not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise PackageError(f"{where} はタイルの範囲外です。", "tile_outside_grid")
    if len(data) > MAX_TILE_BYTES:
        raise PackageError(f"{where} が大きすぎます（{len(data):,} バイト、上限 {MAX_TILE_BYTES:,} バイト）。",
                           "tile_too_big")
    if not _looks_like(fmt, data):
        raise PackageError(f"{where} は{FORMAT_NAMES[fmt]}ではありません。", "tile_format_mismatch")


def _looks_like(fmt: str, data: bytes) -> bool:
    if fmt == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if fmt == "jpg":
        return data.startswith(b"\xff\xd8\xff")
    if fmt == "webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    # An MVT is a protobuf Tile whose fields are layers (field 3, length-delimited: byte 0x1a), or nothing.
    return data == b"" or data.startswith(GZIP_MAGIC) or data[:1] == b"\x1a"


def open_package(path: Path) -> TilePackage:
    """The package at ``path`` (MBTiles or PMTiles, told by its first bytes), its metadata checked."""
    with open(path, "rb") as file:
        head = file.read(16)
    if head.startswith(SQLITE_MAGIC):
        return MBTilesPackage(path)
    if head.startswith(PMTILES_MAGIC):
        return PMTilesPackage(path)
    raise PackageError("タイルパッケージ（MBTiles・PMTiles）ではありません。", "not_a_package")


class TilePackage:
    """A checked package: ``info``, then ``tiles()`` yields (z, x, y, data) in the XYZ scheme."""

    info: PackageInfo

    def tiles(self) -> Iterator[tuple[int, int, int, bytes]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MBTilesPackage(TilePackage):
    def __init__(self, path: Path):
        try:
            # Read-only and immutable: nothing in the file is ever changed, no journal is written.
            self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            self.db.execute("PRAGMA trusted_schema = OFF")
            tables = {row[0] for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.DatabaseError as exc:
            raise PackageError(f"SQLite ファイルとして読めません（{exc}）。", "not_a_package") from None
        missing = {"metadata", "tiles"} - tables
        if missing:
            raise PackageError(f"MBTiles ではありません（{'・'.join(sorted(missing))} テーブルがありません）。",
                               "not_a_package")
        try:
            self.info = self._read_info()
        except sqlite3.DatabaseError as exc:
            raise PackageError(f"MBTiles のメタデータが読めません（{exc}）。", "metadata_invalid") from None

    def _read_info(self) -> PackageInfo:
        meta = {str(name): str(value) for name, value in self.db.execute("SELECT name, value FROM metadata")}
        absent = [key for key in ("format", "bounds", "minzoom", "maxzoom") if not meta.get(key, "").strip()]
        if absent:
            raise PackageError(f"メタデータに {', '.join(absent)} がありません（MBTiles 1.3 の metadata テーブル）。",
                               "metadata_missing")
        fmt = tile_format(meta["format"])
        try:
            min_zoom, max_zoom = int(meta["minzoom"]), int(meta["maxzoom"])
        except ValueError:
            raise PackageError(f"メタデータの minzoom「{meta['minzoom']}」・maxzoom「{meta['maxzoom']}」が"
                               "整数ではありません。", "zoom_invalid") from None
        zooms = check_zooms(min_zoom, max_zoom)
        count = self.db.execute("SELECT count(*) FROM tiles").fetchone()[0]
        return PackageInfo("mbtiles", fmt, *zooms, parse_bounds(meta["bounds"]), meta.get("name", "").strip(),
                           plain_text(meta.get("attribution", "")), _layer_names(meta.get("json", "")), count)

    def tiles(self) -> Iterator[tuple[int, int, int, bytes]]:
        info = self.info
        zooms = (info.min_zoom, info.max_zoom)
        try:
            for z, x, tms_y, data in self.db.execute(
                    "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
                if not all(isinstance(v, int) for v in (z, x, tms_y)) or not isinstance(data, bytes):
                    raise PackageError(f"タイル {z}/{x}/{tms_y} の番号かデータが正しくありません。", "tile_invalid")
                y = (2 ** z - 1 - tms_y) if 0 <= z <= MAX_ZOOM else -1
                check_tile(info.tile_format, z, x, y, data, zooms)
                yield z, x, y, data
        except sqlite3.DatabaseError as exc:
            raise PackageError(f"MBTiles のタイルが読めません（{exc}）。", "tile_invalid") from None

    def close(self) -> None:
        self.db.close()


def _layer_names(value: str) -> tuple[str, ...]:
    """The ids of ``vector_layers`` in MBTiles' ``json`` metadata (or PMTiles' metadata)."""
    try:
        layers = (json.loads(value) if isinstance(value, str) else value or {}).get("vector_layers", [])
    except (ValueError, AttributeError):
        return ()
    return tuple(str(layer["id"]) for layer in layers if isinstance(layer, dict) and layer.get("id"))


# What a damaged PMTiles file makes the reader raise: short reads, bad gzip, bad JSON, bad enums.
_READ_ERRORS = (ValueError, OSError, EOFError, IndexError, KeyError, TypeError, zlib.error)


class PMTilesPackage(TilePackage):
    _TYPES = {"MVT": "pbf", "PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

    def __init__(self, path: Path):
        from pmtiles.reader import MmapSource, Reader
        from pmtiles.tile import MagicNumberNotFound, SpecVersionUnsupported

        self.file = open(path, "rb")  # noqa: SIM115 - closed in close()
        try:
            self.get_bytes = MmapSource(self.file)
            reader = Reader(self.get_bytes)
            header = reader.header()
        except (*_READ_ERRORS, MagicNumberNotFound, SpecVersionUnsupported) as exc:
            self.file.close()
            raise PackageError(f"PMTiles（バージョン3）として読めません（{type(exc).__name__}）。",
                               "not_a_package") from None
        self.header = header
        try:
            self.info = self._read_info(reader)
        except _READ_ERRORS as exc:
            self.file.close()
            if isinstance(exc, PackageError):
                raise
            raise PackageError(f"PMTiles のメタデータが読めません（{type(exc).__name__}）。",
                               "metadata_invalid") from None

    def _read_info(self, reader) -> PackageInfo:
        h = self.header
        fmt = self._TYPES.get(h["tile_type"].name)
        if fmt is None:
            raise PackageError(f"タイルの形式「{h['tile_type'].name}」は表示できません（PNG・JPEG・WebP・MVT のみ）。",
                               "format_unknown")
        if h["internal_compression"].name != "GZIP" or h["tile_compression"].name not in ("NONE", "GZIP"):
            raise PackageError("圧縮方式が gzip か無圧縮ではありません。pmtiles のツールで gzip に変換してください。",
                               "compression_unsupported")
        zooms = check_zooms(h["min_zoom"], h["max_zoom"])
        bounds = check_bounds(*(h[key] / 1e7 for key in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")))
        meta = reader.metadata()
        meta = meta if isinstance(meta, dict) else {}
        return PackageInfo("pmtiles", fmt, *zooms, bounds, str(meta.get("name", "")).strip(),
                           plain_text(str(meta.get("attribution", ""))), _layer_names(meta),
                           h["addressed_tiles_count"])

    def tiles(self) -> Iterator[tuple[int, int, int, bytes]]:
        from pmtiles.reader import all_tiles

        info, zooms = self.info, (self.info.min_zoom, self.info.max_zoom)
        unzip = info.kind == "raster" and self.header["tile_compression"].name == "GZIP"
        try:
            for (z, x, y), data in all_tiles(self.get_bytes):
                data = gzip.decompress(data) if unzip else bytes(data)
                check_tile(info.tile_format, z, x, y, data, zooms)
                yield z, x, y, data
        except _READ_ERRORS as exc:
            if isinstance(exc, PackageError):
                raise
            raise PackageError(f"PMTiles のタイルが読めません（{type(exc).__name__}）。", "tile_invalid") from None

    def close(self) -> None:
        self.file.close()


# Writing ---------------------------------------------------------------------------------------------

def write_mbtiles(path: Path, metadata: dict[str, str], tiles: Iterable[tuple[int, int, int, bytes]]) -> int:
    """Write an MBTiles 1.3 file of ``tiles`` (z, x, y in the XYZ scheme); returns the number written."""
    path.unlink(missing_ok=True)
    count = 0
    with closing_sqlite(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
        db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items()))
        for z, x, y, data in tiles:
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2 ** z - 1 - y, data))
            count += 1
        db.commit()
    return count


@contextmanager
def closing_sqlite(path: Path):
    db = sqlite3.connect(path)
    try:
        yield db
    finally:
        db.close()


# A vector base map rendered by PostGIS -----------------------------------------------------------------

@dataclass(frozen=True)
class VectorLayerSource:
    """One layer of a vector base map: SQL selecting ``geom`` (EPSG:4326) and ``properties``, with
    ``{bbox}`` where the tile's filter goes (as ``gis.tiles.TileSource``), shown from ``min_zoom``."""

    name: str
    sql: str
    properties: tuple[str, ...] = ()
    min_zoom: int = 0


def basemap_tile_sql(layers: list[VectorLayerSource], z: int) -> str:
    """One statement whose value is the MVT of every layer shown at ``z`` (layers joined by ``||``:
    the concatenation of MVT layer messages is a valid multi-layer tile)."""
    parts = []
    for layer in layers:
        if z < layer.min_zoom:
            continue
        columns = "".join(f"src.{name}, " for name in layer.properties)
        inner = layer.sql.format(bbox="ST_MakeEnvelope(:w, :s, :e, :n, 4326)")
        parts.append(f"""(SELECT coalesce(ST_AsMVT(m.*, '{layer.name}', {EXTENT}, 'geom'), '') FROM (
            SELECT {columns}ST_AsMVTGeom(ST_Transform(src.geom, 3857), ST_MakeEnvelope(:tx0, :ty0, :tx1, :ty1, 3857),
                                        {EXTENT}, 64, true) AS geom
            FROM ({inner}) AS src) AS m WHERE m.geom IS NOT NULL)""")
    return "SELECT " + (" || ".join(parts) if parts else "''::bytea")


def render_vector_basemap(connection, layers: list[VectorLayerSource], bounds: tuple[float, float, float, float],
                          zooms: tuple[int, int], params: dict | None = None) -> Iterator[tuple[int, int, int, bytes]]:
    """(z, x, y, gzip'd MVT) of every tile over ``bounds`` at ``zooms``, empty tiles left out.

    ``connection`` is a SQLAlchemy Connection or Session (its tenant settings apply); ``params`` are
    bind parameters the layers' SQL takes beside the tile's own.
    """
    for z in range(zooms[0], zooms[1] + 1):
        sql = text(basemap_tile_sql(layers, z))
        for _, x, y in tiles_covering(bounds, z):
            data = connection.execute(sql, {**tile_params(z, x, y), **(params or {})}).scalar()
            if data:
                yield z, x, y, gzip.compress(bytes(data), mtime=0)
