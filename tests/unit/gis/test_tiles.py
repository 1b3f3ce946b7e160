"""Tile maths of gis/tiles.py, the tile cache and its keys, and the map's pure rules."""
import math

import pytest

from app.evac_support.rules import SAFETY_STATES
from app.maps import rules
from app.maps.tiles import cache_key, etag_of
from gis.tiles import (
    EARTH_HALF_CIRCUMFERENCE,
    TileSource,
    lonlat_to_tile,
    tile_bounds_3857,
    tile_bounds_lonlat,
    tile_query,
    tiles_covering,
    valid_tile,
)


def test_tile_zero_is_the_whole_mercator_world():
    assert tile_bounds_3857(0, 0, 0) == pytest.approx(
        (-EARTH_HALF_CIRCUMFERENCE, -EARTH_HALF_CIRCUMFERENCE, EARTH_HALF_CIRCUMFERENCE, EARTH_HALF_CIRCUMFERENCE))
    west, south, east, north = tile_bounds_lonlat(0, 0, 0)
    assert (west, east) == pytest.approx((-180, 180))
    assert (south, north) == pytest.approx((-85.0511287798, 85.0511287798))


def test_a_point_lies_in_the_tile_computed_for_it():
    lon, lat = 139.7671, 35.6812  # 東京駅
    for z in (0, 5, 12, 16, 20):
        x, y = lonlat_to_tile(lon, lat, z)
        west, south, east, north = tile_bounds_lonlat(z, x, y)
        assert west <= lon < east and south < lat <= north
    # y = (1 - ln(tan φ + sec φ) / π) / 2 · 2^z = 1612.9 (the OSM/GSI numbering)
    assert lonlat_to_tile(lon, lat, 12) == (3638, 1612)


def test_tiles_covering_a_box_touch_it_and_nothing_else():
    bbox = (140.80, 38.20, 140.95, 38.30)
    found = list(tiles_covering(bbox, 14))
    assert len(found) == len(set(found)) > 1
    for z, x, y in found:
        west, south, east, north = tile_bounds_lonlat(z, x, y)
        assert west < bbox[2] and east > bbox[0] and south < bbox[3] and north > bbox[1]
    xs, ys = {x for _, x, _ in found}, {y for _, _, y in found}
    assert len(found) == len(xs) * len(ys)


def test_valid_tiles():
    assert valid_tile(0, 0, 0) and valid_tile(12, 4095, 4095)
    assert not valid_tile(12, 4096, 0) and not valid_tile(-1, 0, 0) and not valid_tile(23, 0, 0)


def test_margin_widens_the_filter_box():
    inner = tile_bounds_lonlat(14, 14550, 6450)
    outer = tile_bounds_lonlat(14, 14550, 6450, margin=64 / 4096)
    assert outer[0] < inner[0] and outer[1] < inner[1] and outer[2] > inner[2] and outer[3] > inner[3]
    width = inner[2] - inner[0]
    assert math.isclose(inner[0] - outer[0], width * 64 / 4096, rel_tol=1e-6)


def test_detail_or_counts_by_zoom():
    source = TileSource("people", "SELECT id, geom FROM t WHERE geom && {bbox}", detail_zoom=12)
    detail, params = tile_query(source, 12, 3638, 1613)
    counts, _ = tile_query(source, 11, 1819, 806)
    assert "count(*)" not in detail and "count(*)" in counts
    assert "ST_MakeEnvelope(:w, :s, :e, :n, 4326)" in detail and "{bbox}" not in detail
    assert params["layer_name"] == "people" and params["tx1"] > params["tx0"]


def test_cells_carry_the_first_value_in_order_of_a_cell_property():
    source = TileSource("people", "SELECT id, state, geom FROM t WHERE geom && {bbox}", detail_zoom=12,
                        cell_property="state", cell_order=("要救助", "未確認", "無事"))
    counts, params = tile_query(source, 11, 1819, 806)
    assert "array_position" in counts and "src.state::text AS cell_value" in counts
    assert params["cell_order"] == ["要救助", "未確認", "無事"]
    detail, params = tile_query(source, 12, 3638, 1613)
    assert "array_position" not in detail and "cell_order" not in params
    assert rules.CELL_STATE_PRIORITY[0] == "要救助" and set(rules.CELL_STATE_PRIORITY) == set(SAFETY_STATES)


def test_cache_key_carries_tenant_layer_variant_version_and_tile():
    key = cache_key("046990", "buildings", 7, 42, 15, 1, 2)
    assert key[0] == "046990"
    others = [cache_key("033995", "buildings", 7, 42, 15, 1, 2), cache_key("046990", "residents", 7, 42, 15, 1, 2),
              cache_key("046990", "buildings", 8, 42, 15, 1, 2), cache_key("046990", "buildings", 7, 43, 15, 1, 2),
              cache_key("046990", "buildings", 7, 42, 15, 1, 3)]
    assert all(other != key for other in others)
    assert len({etag_of(k) for k in [key, *others]}) == 6


def test_personal_layer_views_are_recorded_once_per_window():
    assert rules.audit_due(None, 1000.0)
    assert not rules.audit_due(1000.0, 1000.0 + rules.AUDIT_WINDOW_SECONDS - 1)
    assert rules.audit_due(1000.0, 1000.0 + rules.AUDIT_WINDOW_SECONDS)


def test_print_view_arguments():
    assert rules.print_view({"lat": "38.25", "lon": "140.88", "zoom": "16"}) == (38.25, 140.88, 16)
    assert rules.print_view({"lat": "x", "lon": "140", "zoom": "1"}) is None
    assert rules.print_view({"lat": "95", "lon": "140", "zoom": "1"}) is None
    assert rules.print_view({}) is None
