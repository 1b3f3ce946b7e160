"""layers.importers and layers.classes: formats, CRS rules, encodings, repairs and refusals."""
import json
import zipfile

import geopandas as gpd
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from layers.catalogue import CATALOGUE_BY_CODE
from layers.classes import class_of
from layers.importers import LayerImportError, read_layer

GEOD = pyproj.Geod(ellps="GRS80")
ZONE_IX_ORIGIN = (139 + 50 / 60, 36.0)  # 平面直角座標系 第IX系 原点 (lon, lat)


def _dms(d, m, s):
    return d + m / 60 + s / 3600


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def _centroid(rows, index=0):
    return shapely.from_wkb(rows.rows[index][2]).centroid


def _shapefile(tmp_path, frame, stem="flood", cpg=True, encoding="cp932"):
    frame.to_file(tmp_path / f"{stem}.shp", encoding=encoding)
    if not cpg:
        (tmp_path / f"{stem}.cpg").unlink()
    return tmp_path / f"{stem}.shp"


def test_cp932_shapefile_in_plane_rectangular_zone_ix_lands_on_the_origin(tmp_path):
    frame = gpd.GeoDataFrame({"区分": ["3", "1"], "名称": ["桜川（深）", "桜川（浅）"]},
                             geometry=[box(-100, -100, 100, 100), box(1000, 1000, 1200, 1200)], crs=6677)
    path = _shapefile(tmp_path, frame, cpg=False)  # no .cpg: CP932 is assumed
    rows = read_layer(path, "flood", class_field="区分")
    assert rows.source_epsg == 6677 and rows.encoding == "cp932"
    assert rows.counts == {"1": 1, "3": 1}
    centre = _centroid(rows)
    assert _metres(centre.x, centre.y, *ZONE_IX_ORIGIN) < 1.0
    assert rows.rows[0][1] == "桜川（深）"


def test_jgd2000_plane_rectangular_geopackage_lands_on_its_zone_origin(tmp_path):
    # 第IX系 of JGD2000 (EPSG:2451): the same origin; GRS80 as JGD2011, so within a metre of it.
    frame = gpd.GeoDataFrame({"rank": [3]}, geometry=[box(-50, -50, 50, 50)], crs=2451)
    frame.to_file(tmp_path / "jgd2000.gpkg")
    rows = read_layer(tmp_path / "jgd2000.gpkg", "tsunami")
    assert rows.source_epsg == 2451
    centre = _centroid(rows)
    assert _metres(centre.x, centre.y, *ZONE_IX_ORIGIN) < 1.0


def test_zipped_shapefile_with_cpg_reads_utf8_names(tmp_path):
    frame = gpd.GeoDataFrame({"class": ["2"], "name": ["北谷"]}, geometry=[box(0, 0, 100, 100)], crs=6677)
    _shapefile(tmp_path, frame, stem="zone", encoding="utf-8")
    archive = tmp_path / "zone.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("zone.*"):
            if part.suffix != ".zip":
                z.write(part, f"data/{part.name}")
    rows = read_layer(archive, "sediment")
    assert rows.encoding == "utf-8" and rows.class_field == "class"
    assert rows.rows[0][:2] == ("2", "北谷")


def test_tokyo_datum_goes_through_a_datum_shift(tmp_path):
    # 日本経緯度原点: Tokyo Datum 139°44'40.5020" 35°39'17.5148" → JGD2011 139°44'28.8869" 35°39'29.1572"
    lon, lat = _dms(139, 44, 40.5020), _dms(35, 39, 17.5148)
    frame = gpd.GeoDataFrame({"rank": [2]}, geometry=[Point(lon, lat).buffer(0.0001)], crs=4301)
    frame.to_file(tmp_path / "tokyo.gpkg")
    rows = read_layer(tmp_path / "tokyo.gpkg", "flood")
    centre = _centroid(rows)
    assert "Tokyo to WGS 84" in rows.transformation
    assert _metres(centre.x, centre.y, _dms(139, 44, 28.8869), _dms(35, 39, 29.1572)) < 5.0
    assert _metres(centre.x, centre.y, lon, lat) > 400  # it really moved (~450 m)


def test_geojson_is_lon_lat_and_a31_ranks_map_to_classes(tmp_path):
    features = [{"type": "Feature", "properties": {"A31_001": code},
                 "geometry": json.loads(shapely.to_geojson(box(140.0, 38.0, 140.001, 38.001)))}
                for code in ("21", "23", "26")]
    path = tmp_path / "a31.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    rows = read_layer(path, "flood")
    assert rows.source_epsg == 4326 and rows.counts == {"1": 1, "3": 1, "6": 1}


def test_missing_crs_is_refused_unless_stated(tmp_path):
    frame = gpd.GeoDataFrame({"区分": ["1"]}, geometry=[box(0, 0, 100, 100)], crs=6677)
    path = _shapefile(tmp_path, frame)
    (tmp_path / "flood.prj").unlink()
    with pytest.raises(LayerImportError) as refused:
        read_layer(path, "flood", class_field="区分")
    assert refused.value.code == "crs_missing" and "座標参照系" in refused.value.reason
    rows = read_layer(path, "flood", class_field="区分", declared_epsg=6677)
    assert _metres(_centroid(rows).x, _centroid(rows).y, *ZONE_IX_ORIGIN) < 160


def test_unknown_or_contradicted_crs_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"rank": ["1"]}, geometry=[box(0, 0, 100, 100)], crs=3857)
    frame.to_file(tmp_path / "merc.gpkg")
    with pytest.raises(LayerImportError) as refused:
        read_layer(tmp_path / "merc.gpkg", "flood")
    assert refused.value.code == "crs_unknown" and "3857" in refused.value.reason
    frame.set_crs(6677, allow_override=True).to_file(tmp_path / "ix.gpkg")
    with pytest.raises(LayerImportError) as mismatch:
        read_layer(tmp_path / "ix.gpkg", "flood", declared_epsg=6678)
    assert mismatch.value.code == "crs_mismatch"
    with pytest.raises(LayerImportError) as not_allowed:
        read_layer(tmp_path / "ix.gpkg", "flood", declared_epsg=3857)
    assert not_allowed.value.code == "crs_not_allowed"


def test_bowtie_is_repaired_and_reported(tmp_path):
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100), (0, 0)])
    frame = gpd.GeoDataFrame({"rank": ["1", "2"]}, geometry=[box(200, 200, 300, 300), bowtie], crs=6677)
    frame.to_file(tmp_path / "bow.gpkg")
    rows = read_layer(tmp_path / "bow.gpkg", "flood")
    assert [row for row, _ in rows.repaired] == [2]
    assert "Self-intersection" in rows.repaired[0][1]
    repaired = shapely.from_wkb(rows.rows[1][2])
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon" and len(repaired.geoms) == 2


def test_points_lines_and_unknown_classes_are_refused_with_rows(tmp_path):
    frame = gpd.GeoDataFrame({"rank": ["1", "9", "2", "2"]},
                             geometry=[box(0, 0, 1, 1), box(0, 0, 1, 1), Point(0, 0), LineString([(0, 0), (1, 1)])],
                             crs=6677)
    frame.to_file(tmp_path / "mixed.gpkg")
    with pytest.raises(LayerImportError) as refused:
        read_layer(tmp_path / "mixed.gpkg", "flood")
    errors = {row: (column, reason) for row, column, reason in refused.value.errors}
    assert set(errors) == {2, 3, 4}
    assert errors[2][0] == "rank" and "9" in errors[2][1]
    assert "点" in errors[3][1] and "線" in errors[4][1]


def test_unreadable_and_unknown_files_are_refused(tmp_path):
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"this is not a geopackage")
    with pytest.raises(LayerImportError) as refused:
        read_layer(broken, "flood")
    assert refused.value.code == "unreadable"
    with pytest.raises(LayerImportError) as wrong:
        read_layer(tmp_path / "notes.txt", "flood")
    assert wrong.value.code == "format_unknown"
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"PK not really")
    with pytest.raises(LayerImportError) as zipped:
        read_layer(bad_zip, "flood")
    assert zipped.value.code == "unreadable"


def test_missing_class_field_names_the_attributes(tmp_path):
    frame = gpd.GeoDataFrame({"foo": ["1"]}, geometry=[box(0, 0, 1, 1)], crs=6677)
    frame.to_file(tmp_path / "foo.gpkg")
    with pytest.raises(LayerImportError) as refused:
        read_layer(tmp_path / "foo.gpkg", "flood")
    assert refused.value.code == "class_field_unknown" and "foo" in refused.value.reason


@pytest.mark.parametrize(("value", "expected"), [
    ("3", "3"), (4, "4"), ("24", "4"), ("3.0m以上5.0m未満", "3"), ("0.5～3.0m", "2"), ("20m以上", "6"),
    (3.2, "3"), (1.0, "2"), ("0.5m未満", "1"), ("２", "2"),
    ("2.0m以上5.0m未満", None), ("7", None), ("", None), (None, None), ("深い", None),
])
def test_depth_values_map_to_classes_only_when_unambiguous(value, expected):
    assert class_of(CATALOGUE_BY_CODE["flood"], value) == expected


def test_sediment_labels_map_to_zones():
    sediment = CATALOGUE_BY_CODE["sediment"]
    assert class_of(sediment, "特別警戒区域") == "2" and class_of(sediment, 1) == "1"
    assert class_of(sediment, "3") is None
    assert sediment.classes_from("1") == ("1", "2")
    assert sediment.at_least_label("2") == "土砂災害特別警戒区域（レッドゾーン）"
    assert CATALOGUE_BY_CODE["flood"].at_least_label("3") == "浸水深3m以上"
    assert CATALOGUE_BY_CODE["flood"].at_least_label("1") == "すべての区分"
