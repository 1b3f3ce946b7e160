"""GDAL (through pyogrio) as an independent client: it reads the OGC API over real HTTP, page by page
with the token in a header, and reads the GeoPackage download, with the Japanese attributes intact."""
import json
import subprocess
import sys
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs

import pyogrio
import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from app.ogc import rules
from tests.factories import issue_token
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import bearer


@contextmanager
def serving(wsgi_app):
    """``wsgi_app`` on a free loopback port, in a thread, sharing the test's transaction."""
    httpd = make_server("127.0.0.1", 0, wsgi_app, threaded=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


@pytest.fixture()
def server(app, db):
    with serving(app) as url:
        yield url


# GDAL holds the GIL while it pages through features, so it runs in a child process; the app
# serves from a thread of this process, inside the test's transaction.
_READER = """
import json, sys
import pyogrio
args = json.loads(sys.argv[1])
pyogrio.set_gdal_config_options({"GDAL_HTTP_TIMEOUT": "30", "GDAL_HTTP_MAX_RETRY": "0", **args["config"]})
try:
    if args["layer"] is None:
        print(json.dumps({"layers": [name for name, _ in pyogrio.list_layers(args["url"])]}))
    else:
        frame = pyogrio.read_dataframe(args["url"], layer=args["layer"],
                                       bbox=tuple(args["bbox"]) if args["bbox"] else None, **args["open"])
        print(json.dumps({"epsg": frame.crs.to_epsg(), "columns": list(frame.columns),
                          "rows": json.loads(frame.drop(columns="geometry").to_json(orient="records",
                                                                                    force_ascii=False)),
                          "geometry_types": sorted(set(frame.geometry.geom_type))}, ensure_ascii=False))
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False))
"""


def gdal_read(url: str, layer: str | None, config: dict, bbox=None, **open_options) -> dict:
    """What GDAL's OAPIF driver reads from ``url`` (the layer list when ``layer`` is None)."""
    arguments = json.dumps({"url": url, "layer": layer, "config": config, "bbox": bbox, "open": open_options})
    done = subprocess.run([sys.executable, "-c", _READER, arguments], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture()
def bearer_config(db):
    """GDAL configuration for the token (the OAPIF driver sends its own HEADERS, which take the place
    of GDAL_HTTP_HEADERS; GDAL_HTTP_AUTH=BEARER adds the Authorization header)."""
    token = issue_token(db, DEMO_CODE, "admin")
    return {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token}


def _shelters(system_session) -> dict:
    rows = system_session.execute(text("SELECT name, kind, address, capacity FROM shelters WHERE lg_code = :c"),
                                  {"c": DEMO_CODE}).all()
    return {r.name: r for r in rows}


def test_gdal_reads_the_ogc_api_across_pages(server, bearer_config, system_session):
    expected = _shelters(system_session)
    assert len(expected) > 2
    layers = gdal_read(f"OAPIF:{server}/ogc/", None, bearer_config)["layers"]
    assert {"shelters", "admin-areas", "buildings", "evac-people"} <= set(layers)
    before = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'ogc_items'"))
    read = gdal_read(f"OAPIF:{server}/ogc/", "shelters", bearer_config, PAGE_SIZE="2")
    assert "error" not in read, read
    assert len(read["rows"]) == len(expected) and read["epsg"] == 4326 and read["geometry_types"] == ["Point"]
    assert {"名称", "種別", "所在地", "想定収容人数", "対象災害"} <= set(read["columns"])
    for row in read["rows"]:
        shelter = expected[row["名称"]]
        assert (row["種別"], row["所在地"], row["想定収容人数"]) == (shelter.kind, shelter.address, shelter.capacity)
    pages = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'ogc_items'")) - before
    assert pages >= -(-len(expected) // 2)  # GDAL followed the next links page by page


def test_gdal_reads_a_bbox_of_the_api(server, bearer_config, system_session):
    lon, lat = system_session.execute(text(
        "SELECT ST_X(geom), ST_Y(geom) FROM shelters WHERE lg_code = :c ORDER BY id LIMIT 1"), {"c": DEMO_CODE}).one()
    read = gdal_read(f"OAPIF:{server}/ogc/", "shelters", bearer_config,
                     bbox=[lon - 0.0002, lat - 0.0002, lon + 0.0002, lat + 0.0002])
    assert "error" not in read, read
    assert 1 <= len(read["rows"]) < len(_shelters(system_session))


def test_gdal_is_refused_without_a_valid_token(server):
    read = gdal_read(f"OAPIF:{server}/ogc/", "shelters",
                     {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": "bclgis.046990.wrong"})
    assert "401" in read["error"]


def test_gdal_with_the_token_as_basic_password(server, db, system_session):
    token = issue_token(db, DEMO_CODE, "admin")
    read = gdal_read(f"OAPIF:{server}/ogc/", "admin-areas",
                     {"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": f"qgis:{token}"})
    names = set(system_session.scalars(text("SELECT name FROM admin_areas WHERE lg_code = :c"), {"c": DEMO_CODE}))
    assert {row["町丁目名"] for row in read["rows"]} == names


def _download(server, token, path, tmp_path):
    import urllib.request

    request = urllib.request.Request(f"{server}{path}", headers=bearer(token))
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/geopackage+sqlite3"
        target = tmp_path / "layer.gpkg"
        target.write_bytes(response.read())
    return target


def test_geopackage_download_keeps_japanese_attributes_and_crs(server, db, system_session, tmp_path):
    token = issue_token(db, DEMO_CODE, "admin")
    path = _download(server, token, "/ogc/collections/shelters/download.gpkg", tmp_path)
    info = pyogrio.read_info(path, layer="shelters")
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point"
    frame = pyogrio.read_dataframe(path, layer="shelters")
    expected = _shelters(system_session)
    assert sorted(frame["名称"]) == sorted(expected)
    ids = set(system_session.scalars(text("SELECT id FROM shelters WHERE lg_code = :c"), {"c": DEMO_CODE}))
    assert set(frame["地物ID"]) == ids  # the same ids as the API's features
    for _, row in frame.iterrows():
        assert (row["種別"], row["所在地"], row["想定収容人数"]) == (expected[row["名称"]].kind,
                                                              expected[row["名称"]].address,
                                                              expected[row["名称"]].capacity)
    audit = system_session.execute(text("SELECT detail FROM audit_log WHERE action = 'layer_download' "
                                        "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert audit == {"count": len(expected), "channel": "ogc", "format": "gpkg"}


def test_hazard_geopackage_has_class_labels(server, db, system_session, tmp_path):
    token = issue_token(db, DEMO_CODE, "admin")
    path = _download(server, token, "/ogc/collections/hazard-flood/download.gpkg", tmp_path)
    frame = pyogrio.read_dataframe(path)
    expected = system_session.scalar(text(
        "SELECT count(*) FROM hazard_areas WHERE lg_code = :c AND layer_code = 'flood'"), {"c": DEMO_CODE})
    assert len(frame) == expected > 0
    assert set(frame["区分"]) <= {"0.5m未満", "0.5〜3.0m未満", "3.0〜5.0m未満", "5.0〜10.0m未満", "10.0〜20.0m未満",
                                "20.0m以上"}
    assert frame.geometry.geom_type.isin(["MultiPolygon"]).all()


def test_gdal_asking_above_the_limit_maximum_still_reads_every_feature(app, db, bearer_config, monkeypatch,
                                                                       system_session):
    """GDAL asks for its own page size (1000); a server that refused a limit above its maximum with
    400 would break it, so the limit is lowered and the next links carry the lowered value."""
    monkeypatch.setattr(rules, "MAX_LIMIT", 3)
    asked = []

    def recording(environ, start_response):
        if environ["PATH_INFO"] == "/ogc/collections/shelters/items":
            asked.append(parse_qs(environ.get("QUERY_STRING", "")).get("limit", [""])[0])
        return app(environ, start_response)

    with serving(recording) as url:
        read = gdal_read(f"OAPIF:{url}/ogc/", "shelters", bearer_config)
    assert "error" not in read, read
    assert len(read["rows"]) == len(_shelters(system_session)) > 3
    assert "1000" in asked and asked[-1] == "3", asked
