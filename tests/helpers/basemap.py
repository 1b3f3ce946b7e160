"""Small tile packages made on the spot for the base-map tests: MBTiles through sqlite3 (as any tool
writes them), PMTiles through the Protomaps writer, tiles as real PNGs and gzip'd MVTs."""
from __future__ import annotations

import gzip
import io
import sqlite3
from pathlib import Path

from PIL import Image

# Tiles of the demo town (桜ヶ丘町, 38.403 N 140.952 E) at z15.
Z15_TILES = ((15, 29213, 12592), (15, 29214, 12592))
BOUNDS = "140.94,38.39,140.97,38.41"


def png_tile(color=(200, 220, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buffer, format="PNG")
    return buffer.getvalue()


def mvt_tile(layer: str = "roads") -> bytes:
    """A gzip'd MVT of one layer with one line feature (hand-encoded protobuf)."""
    def varint(n: int) -> bytes:
        out = b""
        while True:
            byte, n = n & 0x7F, n >> 7
            out += bytes([byte | (0x80 if n else 0)])
            if not n:
                return out

    def field(number: int, payload: bytes) -> bytes:
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    geometry = b"".join(varint(v) for v in (9, 0, 0, 10, 4000, 4000))  # MoveTo(0,0) LineTo(2000,2000)
    feature = varint(3 << 3) + varint(2) + field(4, geometry)  # type LINESTRING, geometry
    body = field(1, layer.encode()) + field(2, feature) + varint(15 << 3) + varint(2) + varint(5 << 3) + varint(4096)
    return gzip.compress(field(3, body), mtime=0)


def make_mbtiles(path: Path, *, metadata: dict[str, str] | None = None, tiles=None, fmt: str = "png",
                 omit: tuple[str, ...] = ()) -> Path:
    """An MBTiles file; ``tiles`` are (z, x, y_xyz, data), default two tiles of the demo town."""
    meta = {"name": "テスト地図", "format": fmt, "bounds": BOUNDS, "minzoom": "15", "maxzoom": "15",
            "attribution": "<a href='https://example.org'>国土地理院</a>"}
    meta.update(metadata or {})
    for key in omit:
        meta.pop(key, None)
    data = png_tile() if fmt == "png" else mvt_tile()
    tiles = tiles if tiles is not None else [(z, x, y, data) for z, x, y in Z15_TILES]
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name text, value text)")
    db.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, 2 ** z - 1 - y, d) for z, x, y, d in tiles])
    db.commit()
    db.close()
    return path


def make_pmtiles(path: Path, *, tile_type: str = "PNG", tile_compression: str = "NONE", tiles=None,
                 metadata: dict | None = None) -> Path:
    """A PMTiles v3 file written by the pmtiles package."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    data = png_tile() if tile_type == "PNG" else mvt_tile()
    tiles = tiles if tiles is not None else [(z, x, y, data) for z, x, y in Z15_TILES]
    with write(str(path)) as writer:
        for z, x, y, tile in sorted(tiles, key=lambda t: zxy_to_tileid(*t[:3])):
            writer.write_tile(zxy_to_tileid(z, x, y), tile)
        writer.finalize({
            "tile_type": TileType[tile_type], "tile_compression": Compression[tile_compression],
            "min_zoom": 15, "max_zoom": 15, "min_lon_e7": int(140.94e7), "min_lat_e7": int(38.39e7),
            "max_lon_e7": int(140.97e7), "max_lat_e7": int(38.41e7), "center_zoom": 15,
            "center_lon_e7": int(140.952e7), "center_lat_e7": int(38.403e7)},
            metadata if metadata is not None else {"name": "PM地図", "attribution": "国土地理院"})
    return path
