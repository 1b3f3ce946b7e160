"""ハザードレイヤの取込 over HTTP and the CLI: upload → job → report, atomic replacement, a refused
file leaving the previous layer intact, CP932 Shapefile in a plane rectangular CRS, tenancy."""
import io
import json
import zipfile

import geopandas as gpd
import pyproj
from shapely.geometry import Polygon, box
from sqlalchemy import text

from app.jobs.services import Worker
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

XHR = {"X-Requested-With": "XMLHttpRequest"}
ZONE_X_ORIGIN = (140 + 50 / 60, 40.0)  # 平面直角座標系 第X系 原点 (lon, lat)


def _geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": json.loads(gpd.GeoSeries([geom]).to_json())
         ["features"][0]["geometry"]} for props, geom in features]}).encode()


def _upload(browser, data: bytes, filename: str, layer="flood", crs="", class_field=""):
    return browser.post("/map/layers/import", {"layer": layer, "crs": crs, "class_field": class_field,
                                               "file": (io.BytesIO(data), filename)},
                        form_page="/map/layers/import", headers=XHR, content_type="multipart/form-data")


def _polygons(lg_code, layer="flood"):
    session = tenant_session(lg_code)
    rows = session.execute(text("SELECT class_code, name FROM hazard_areas WHERE layer_code = :l "
                                "ORDER BY class_code, name"), {"l": layer}).all()
    session.close()
    return [tuple(r) for r in rows]


def _bosai(web):
    assert web.login(DEMO_CODE, "bosai").status_code == 302
    return web


def _import(web, db, data, filename, **kw):
    answer = _upload(web, data, filename, **kw)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    Worker(db).run_pending()
    return web.get(answer.get_json()["location"]).get_data(as_text=True)


def test_upload_runs_a_job_and_replaces_the_layer(db, web):
    _bosai(web)
    before_other = _polygons(SECOND_CODE)
    assert len(_polygons(DEMO_CODE)) == 4  # the demo town's flood bands
    bowtie = Polygon([(140.95, 38.40), (140.96, 38.41), (140.96, 38.40), (140.95, 38.41), (140.95, 38.40)])
    data = _geojson([({"A31_001": "23", "name": "桜川 深"}, box(140.95, 38.40, 140.96, 38.41)),
                     ({"A31_001": "21", "name": "桜川 浅"}, box(140.96, 38.40, 140.97, 38.41)),
                     ({"A31_001": "22", "name": "桜川 中"}, bowtie)])
    page = _import(web, db, data, "flood.geojson")
    assert 'id="import-done"' in page and "3件に置き換えました" in page and "3.0〜5.0m未満" in page
    repaired = page.split('id="repaired-table"', 1)[1].split("</table>", 1)[0]
    assert "<td>3</td>" in repaired and "Self-intersection" in repaired
    assert _polygons(DEMO_CODE) == [("1", "桜川 浅"), ("2", "桜川 中"), ("3", "桜川 深")]
    assert _polygons(SECOND_CODE) == before_other  # another municipality's layer is untouched
    listing = web.get("/map/layers/import").get_data(as_text=True)
    assert 'data-layer="flood"' in listing and "桜川" not in listing
    session = tenant_session(DEMO_CODE)
    actions = session.execute(text("SELECT action FROM audit_log WHERE action LIKE 'hazard_layer_%'")).scalars().all()
    session.close()
    assert {"hazard_layer_upload", "hazard_layer_import"} <= set(actions)


def test_refused_file_leaves_the_previous_layer_and_lists_rows(db, web):
    _bosai(web)
    before = _polygons(DEMO_CODE)
    data = _geojson([({"A31_001": "23"}, box(140.95, 38.40, 140.96, 38.41)),
                     ({"A31_001": "99"}, box(140.96, 38.40, 140.97, 38.41))])
    page = _import(web, db, data, "bad.geojson")
    assert 'id="import-failed"' in page and "登録済みの区域は変わっていません" in page
    assert 'id="error-table"' in page and "<td>2</td><td>A31_001</td>" in page and "99" in page
    assert _polygons(DEMO_CODE) == before


def test_cp932_shapefile_zip_in_plane_rectangular_zone_lands_at_its_origin(db, web, tmp_path):
    _bosai(web)
    frame = gpd.GeoDataFrame({"区分": ["4"], "名称": ["原点の区域"]}, geometry=[box(-50, -50, 50, 50)], crs=6678)
    frame.to_file(tmp_path / "zone.shp", encoding="cp932")
    (tmp_path / "zone.cpg").unlink()  # as 国土数値情報 ships it: Shift_JIS without a .cpg
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("zone.*"):
            archive.write(part, part.name)
    page = _import(web, db, buffer.getvalue(), "zone.zip", layer="tsunami", class_field="区分")
    assert 'id="import-done"' in page and "EPSG:6678" in page and "cp932" in page
    session = tenant_session(DEMO_CODE)
    name, lon, lat = session.execute(text("""SELECT name, ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom))
                                             FROM hazard_areas WHERE layer_code = 'tsunami'""")).one()
    session.close()
    assert name == "原点の区域"
    assert pyproj.Geod(ellps="GRS80").inv(lon, lat, *ZONE_X_ORIGIN)[2] < 1.0


def test_upload_form_refusals_answer_at_once(db, web):
    _bosai(web)
    answer = _upload(web, b"x", "notes.txt")
    assert answer.status_code == 422 and "GeoJSON" in answer.get_json()["message"]
    answer = _upload(web, b"x", "a.geojson", crs="3857")
    assert answer.status_code == 422


def test_delete_needs_confirmation_and_removes_the_layer(db, web):
    _bosai(web)
    web.post("/map/layers/flood/delete", {}, form_page="/map/layers/import")
    assert len(_polygons(DEMO_CODE)) == 4
    web.post("/map/layers/flood/delete", {"confirm": "y"}, form_page="/map/layers/import")
    assert _polygons(DEMO_CODE) == []


def test_shelter_staff_cannot_import(db, web):
    assert web.login(DEMO_CODE, "hinanjo").status_code == 302
    assert web.get("/map/layers/import").status_code == 403


def test_cli_imports_with_progress_and_refuses_with_exit_status(app, db, tmp_path):
    good = tmp_path / "sediment.geojson"
    good.write_bytes(_geojson([({"区域区分": "特別警戒区域"}, box(140.95, 38.40, 140.951, 38.401))]))
    runner = app.test_cli_runner()
    with app.app_context():  # as the flask command runs every command
        result = runner.invoke(args=["layers", "import", str(good), "--lg-code", DEMO_CODE, "--layer", "sediment"])
    assert result.exit_code == 0, result.output
    assert "imported 1 polygons into sediment" in result.output and "[###" in result.output
    assert _polygons(DEMO_CODE, "sediment") == [("2", "")]
    frame = gpd.GeoDataFrame({"rank": ["1"]}, geometry=[box(0, 0, 10, 10)], crs=3857)
    frame.to_file(tmp_path / "merc.gpkg")
    with app.app_context():
        refused = runner.invoke(args=["layers", "import", str(tmp_path / "merc.gpkg"), "--lg-code", DEMO_CODE,
                                      "--layer", "flood"])
    assert refused.exit_code == 1 and "3857" in refused.output
    assert len(_polygons(DEMO_CODE)) == 4
    with app.app_context():
        listed = runner.invoke(args=["layers", "list", "--lg-code", DEMO_CODE])
        assigned = runner.invoke(args=["layers", "assign", "--lg-code", DEMO_CODE])
        deleted = runner.invoke(args=["layers", "delete", "--lg-code", DEMO_CODE, "--layer", "sediment"])
    assert "sediment" in listed.output and "土砂災害特別警戒区域" in listed.output
    assert assigned.exit_code == 0 and "flood " in assigned.output
    assert deleted.output.strip() == "deleted 1 polygons of sediment" and _polygons(DEMO_CODE, "sediment") == []
