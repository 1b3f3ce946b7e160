"""Reading tile packages (gis.basemap): what is accepted, and the precise reason for what is not."""
from __future__ import annotations

import gzip
import sqlite3

import pytest

from gis.basemap import PackageError, VectorLayerSource, basemap_tile_sql, open_package, plain_text, write_mbtiles
from tests.helpers.basemap import Z15_TILES, make_mbtiles, make_pmtiles, mvt_tile, png_tile


def _refusal(path) -> PackageError:
    with pytest.raises(PackageError) as caught, open_package(path) as package:
        list(package.tiles())
    return caught.value


def test_an_mbtiles_raster_package_is_read_with_its_rows_turned_to_xyz(tmp_path):
    path = make_mbtiles(tmp_path / "pale.mbtiles")
    with open_package(path) as package:
        info = package.info
        tiles = list(package.tiles())
    assert (info.container, info.tile_format, info.kind) == ("mbtiles", "png", "raster")
    assert (info.min_zoom, info.max_zoom, info.tile_count) == (15, 15, 2)
    assert info.bounds == (140.94, 38.39, 140.97, 38.41)
    assert info.attribution == "国土地理院"  # the package's HTML is reduced to text
    # The TMS row 2^15 - 1 - 12592 comes back as XYZ row 12592.
    assert sorted(t[:3] for t in tiles) == sorted(Z15_TILES)
    assert all(t[3] == png_tile() for t in tiles)


def test_a_vector_mbtiles_keeps_its_gzip_tiles_and_layer_names(tmp_path):
    path = make_mbtiles(tmp_path / "v.mbtiles", fmt="pbf",
                        metadata={"json": '{"vector_layers": [{"id": "roads"}, {"id": "water"}]}'})
    with open_package(path) as package:
        assert package.info.kind == "vector" and package.info.vector_layers == ("roads", "water")
        assert all(data[:2] == b"\x1f\x8b" for *_, data in package.tiles())


@pytest.mark.parametrize(("tile_type", "compression", "fmt"), [("PNG", "NONE", "png"), ("MVT", "GZIP", "pbf")])
def test_a_pmtiles_package_is_read(tmp_path, tile_type, compression, fmt):
    path = make_pmtiles(tmp_path / "a.pmtiles", tile_type=tile_type, tile_compression=compression)
    with open_package(path) as package:
        assert (package.info.container, package.info.tile_format) == ("pmtiles", fmt)
        assert sorted(t[:3] for t in package.tiles()) == sorted(Z15_TILES)


@pytest.mark.parametrize(("change", "code", "words"), [
    (dict(omit=("bounds",)), "metadata_missing", "bounds"),
    (dict(omit=("minzoom", "maxzoom")), "metadata_missing", "minzoom, maxzoom"),
    (dict(omit=("format",)), "metadata_missing", "format"),
    (dict(metadata={"format": "tiff"}), "format_unknown", "tiff"),
    (dict(metadata={"bounds": "140.97,38.39,140.94,38.41"}), "bounds_invalid", "西 < 東"),
    (dict(metadata={"bounds": "東,南,西,北"}), "bounds_invalid", "読めません"),
    (dict(metadata={"minzoom": "16", "maxzoom": "15"}), "zoom_invalid", "最小 ≦ 最大"),
    (dict(metadata={"maxzoom": "十五"}), "zoom_invalid", "整数ではありません"),
    (dict(tiles=[(15, 29213, 12592, b"GIF89a")]), "tile_format_mismatch", "15/29213/12592 はPNGではありません"),
    (dict(tiles=[(14, 14606, 6296, png_tile())]), "tile_outside_zooms", "ズームレベル 15〜15 の外"),
    (dict(fmt="pbf", tiles=[(15, 29213, 12592, png_tile())]), "tile_format_mismatch", "ベクトルタイル"),
])
def test_a_faulty_mbtiles_is_refused_with_the_reason(tmp_path, change, code, words):
    error = _refusal(make_mbtiles(tmp_path / "bad.mbtiles", **change))
    assert error.code == code and words in error.message, error.message


def test_files_that_are_no_tile_package_are_refused(tmp_path):
    text_file = tmp_path / "tiles.mbtiles"
    text_file.write_text("these are not tiles")
    assert _refusal(text_file).code == "not_a_package"
    other_sqlite = tmp_path / "other.mbtiles"
    with sqlite3.connect(other_sqlite) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
    error = _refusal(other_sqlite)
    assert error.code == "not_a_package" and "tiles テーブルがありません" in error.message
    truncated = tmp_path / "cut.pmtiles"
    truncated.write_bytes(make_pmtiles(tmp_path / "whole.pmtiles").read_bytes()[:40])
    assert _refusal(truncated).code == "not_a_package"


def test_a_pmtiles_package_of_a_compression_bcl_cannot_read_is_refused(tmp_path):
    error = _refusal(make_pmtiles(tmp_path / "b.pmtiles", tile_type="MVT", tile_compression="BROTLI"))
    assert error.code == "compression_unsupported" and "gzip" in error.message


def test_written_mbtiles_read_back(tmp_path):
    tiles = [(15, 29213, 12592, mvt_tile()), (16, 58429, 25198, gzip.compress(b""))]
    count = write_mbtiles(tmp_path / "w.mbtiles", {"format": "pbf", "bounds": "140.9,38.3,141.0,38.5",
                                                   "minzoom": "15", "maxzoom": "16", "attribution": "テスト"},
                          tiles)
    with open_package(tmp_path / "w.mbtiles") as package:
        assert count == 2 and sorted(package.tiles()) == sorted(tiles)


def test_attribution_markup_never_survives():
    assert plain_text('<script>alert(1)</script><b>国土地理院</b>\n 加工') == "alert(1)国土地理院 加工"


def test_the_vector_tile_sql_leaves_out_layers_below_their_zoom():
    layers = [VectorLayerSource("chome", "SELECT name, geom FROM a WHERE geom && {bbox}", ("name",), 10),
              VectorLayerSource("buildings", "SELECT geom FROM b WHERE geom && {bbox}", (), 15)]
    assert "'buildings'" not in basemap_tile_sql(layers, 14) and "'chome'" in basemap_tile_sql(layers, 14)
    assert " || " in basemap_tile_sql(layers, 15)
    assert basemap_tile_sql(layers[1:], 3) == "SELECT ''::bytea"
