"""gis.crs: the CRSs a layer may come in, how the file's CRS and the stated one are reconciled, and
the operation to EPSG:4326 (a datum shift for Tokyo Datum, never a ballpark one)."""
import pyproj
import pytest
from shapely.geometry import Point

from gis import crs

GEOD = pyproj.Geod(ellps="GRS80")


def _dms(d, m, s):
    return d + m / 60 + s / 3600


def _metres(a: Point, lon: float, lat: float) -> float:
    return GEOD.inv(a.x, a.y, lon, lat)[2]


def test_allowed_crs_are_the_japanese_lon_lat_ones_and_both_sets_of_plane_zones():
    assert {4326, 6668, 4612, 4301, *range(6669, 6688), *range(2443, 2462)} == crs.ALLOWED_EPSG
    assert "6669〜6687" in crs.allowed_text() and "2443〜2461" in crs.allowed_text()


@pytest.mark.parametrize(("function", "first", "last"), [
    (crs.plane_rectangular_epsg, 6669, 6687), (crs.jgd2000_plane_rectangular_epsg, 2443, 2461)])
def test_plane_rectangular_zones_run_from_i_to_xix(function, first, last):
    assert (function(1), function(9), function(19)) == (first, first + 8, last)
    for zone in (0, 20):
        with pytest.raises(ValueError):
            function(zone)


def test_a_stated_crs_must_be_allowed():
    assert crs.check_declared(None) is None
    assert crs.check_declared(6677) == 6677
    with pytest.raises(crs.CrsRefused) as refused:
        crs.check_declared(3857)
    assert refused.value.code == "crs_not_allowed" and "EPSG:3857" in refused.value.reason


@pytest.mark.parametrize(("file_crs", "declared", "expected"), [
    ("OGC:CRS84", None, 4326),  # a GeoJSON's lon/lat
    ("EPSG:4326", None, 4326),
    ("EPSG:6677", None, 6677),
    ("EPSG:6677", 6677, 6677),
    ("EPSG:4301", None, 4301),
    (None, 2451, 2451),  # no .prj: the stated one
    ("EPSG:3857", 6677, 6677),  # a CRS the file names but that is not allowed: the stated one
])
def test_the_file_s_crs_reconciled_with_the_stated_one(file_crs, declared, expected):
    assert crs.source_epsg(pyproj.CRS(file_crs) if file_crs else None, declared) == expected


@pytest.mark.parametrize(("file_crs", "declared", "code", "named"), [
    ("EPSG:6677", 6678, "crs_mismatch", "EPSG:6677"),
    (None, None, "crs_missing", "座標参照系"),
    ("EPSG:3857", None, "crs_unknown", "3857"),
])
def test_a_missing_unknown_or_contradicted_crs_is_refused(file_crs, declared, code, named):
    with pytest.raises(crs.CrsRefused) as refused:
        crs.source_epsg(pyproj.CRS(file_crs) if file_crs else None, declared)
    assert refused.value.code == code and named in refused.value.reason


def test_tokyo_datum_goes_through_a_datum_shift_to_jgd2011():
    # 日本経緯度原点: Tokyo Datum 139°44'40.5020" 35°39'17.5148" → JGD2011 139°44'28.8869" 35°39'29.1572"
    transformer = crs.transformer_to_wgs84(crs.TOKYO_DATUM)
    assert "Tokyo to WGS 84" in transformer.description
    moved = crs.transform(Point(_dms(139, 44, 40.5020), _dms(35, 39, 17.5148)), transformer)
    assert _metres(moved, _dms(139, 44, 28.8869), _dms(35, 39, 29.1572)) < 5.0


def test_a_plane_rectangular_origin_lands_on_its_zone_s_origin():
    moved = crs.transform(Point(0, 0), crs.transformer_to_wgs84(crs.plane_rectangular_epsg(9)))
    assert _metres(moved, 139 + 50 / 60, 36.0) < 1.0


def test_an_operation_without_a_datum_shift_is_refused():
    # TWD67 has only a ballpark offset to WGS 84 in the EPSG database.
    with pytest.raises(crs.CrsRefused) as refused:
        crs.transformer_to_wgs84(3821)
    assert refused.value.code == "no_transformation"


def test_prefecture_zones():
    assert crs.prefecture_zone("東京都") == 9 and crs.prefecture_zone("沖縄県") == 15
    with pytest.raises(ValueError):
        crs.prefecture_zone("江戸")
