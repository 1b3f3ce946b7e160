"""Base maps served by BCL: importing packages (CLI and システム管理 screen, good and faulty files,
nothing half-imported), serving their tiles (content type, gzip, caching, tenants, missing tiles,
bad coordinates) and the 地理院タイル setting, which a page about one person never follows."""
from __future__ import annotations

import gzip
import io
import json
import re

import pytest
from sqlalchemy import text

from app.maps.models import Basemap
from tests.helpers.basemap import Z15_TILES, make_mbtiles, make_pmtiles, png_tile
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.mvt_reader import decode
from tests.helpers.web import new_browser

GSI_HOST = "https://cyberjapandata.gsi.go.jp"


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["basemap", *args])


def _packages(session, **where) -> list[Basemap]:
    session.commit()  # a new transaction sets the system scope again (requests set theirs on the connection)
    return session.query(Basemap).filter_by(**where).order_by(Basemap.id).all()


def _tile_rows(session, basemap_id: int) -> int:
    session.commit()
    return session.execute(text("SELECT count(*) FROM basemap_tiles WHERE basemap_id = :id"),
                           {"id": basemap_id}).scalar()


def _login(app, lg_code: str | None, login_id: str = "admin"):
    browser = new_browser(app)
    assert browser.login(lg_code, login_id).status_code == 302
    return browser


def _demo_package(session, lg_code: str = DEMO_CODE) -> Basemap:
    return _packages(session, lg_code=lg_code)[0]


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in policy.split("; ")}


# Import -------------------------------------------------------------------------------------------------

def test_the_demo_load_imports_each_towns_own_vector_base_map(db, system_session):
    for lg_code in (DEMO_CODE, SECOND_CODE):
        package = _demo_package(system_session, lg_code)
        assert (package.kind, package.tile_format, package.min_zoom, package.max_zoom) == ("vector", "pbf", 10, 17)
        assert package.vector_layers == ["chome", "water", "roads", "buildings"]
        assert "デモ用背景地図" in package.attribution
        assert _tile_rows(system_session, package.id) == package.tile_count > 10


def test_cli_imports_a_raster_mbtiles_for_a_municipality_and_a_replacement_keeps_one(app, db, tmp_path,
                                                                                  system_session):
    path = make_mbtiles(tmp_path / "pale.mbtiles")
    result = _cli(app, "import", str(path), "--municipality", SECOND_CODE, "--name", "淡色地図")
    assert result.exit_code == 0, result.output
    assert "imported base map" in result.output and "raster png, z15-15, 2 tiles" in result.output
    first = _packages(system_session, lg_code=SECOND_CODE, name="淡色地図")[0].id
    again = _cli(app, "import", str(path), "--lg-code", SECOND_CODE, "--name", "淡色地図",
                 "--attribution", "国土地理院「地理院タイル」を加工")
    assert again.exit_code == 0 and "replaced base map" in again.output
    [second] = _packages(system_session, lg_code=SECOND_CODE, name="淡色地図")
    assert second.id != first and second.attribution == "国土地理院「地理院タイル」を加工"
    assert _tile_rows(system_session, first) == 0 and _tile_rows(system_session, second.id) == 2
    actions = system_session.execute(text("SELECT action FROM audit_log WHERE target_type = 'basemap' "
                                          "AND target_ids && ARRAY[:a, :b]::varchar[] ORDER BY id"),
                                     {"a": str(first), "b": str(second.id)}).scalars().all()
    assert actions == ["basemap_import", "basemap_delete", "basemap_import"]
    listing = _cli(app, "list", "--municipality", SECOND_CODE)
    assert "淡色地図" in listing.output and "町の地図（デモ）" in listing.output and "off" in listing.output


@pytest.mark.parametrize(("make", "code"), [
    (lambda p: make_mbtiles(p, omit=("bounds",)), "basemap_metadata_missing"),
    (lambda p: make_mbtiles(p, metadata={"format": "tiff"}), "basemap_format_unknown"),
    (lambda p: make_mbtiles(p, omit=("attribution",), metadata={"name": "出典なし"}), "basemap_attribution_missing"),
    (lambda p: make_mbtiles(p, tiles=[]), "basemap_empty"),
    (lambda p: (p.write_bytes(b"PK\x03\x04 not tiles"), p)[1], "basemap_not_a_package"),
])
def test_cli_refuses_a_faulty_package_and_stores_nothing(app, db, tmp_path, system_session, make, code):
    before = system_session.execute(text("SELECT count(*) FROM basemaps")).scalar()
    result = _cli(app, "import", str(make(tmp_path / "bad.mbtiles")), "--municipality", DEMO_CODE)
    assert result.exit_code == 1 and f"[{code}]" in result.output, result.output
    assert system_session.execute(text("SELECT count(*) FROM basemaps")).scalar() == before


def test_cli_wants_one_owner_and_a_known_municipality(app, db, tmp_path):
    path = make_mbtiles(tmp_path / "a.mbtiles")
    assert _cli(app, "import", str(path)).exit_code == 2
    assert _cli(app, "import", str(path), "--shared", "--municipality", DEMO_CODE).exit_code == 2
    unknown = _cli(app, "import", str(path), "--municipality", "012033")  # a valid code, not registered
    assert unknown.exit_code == 1 and "登録されていません" in unknown.output


def test_a_package_with_a_bad_tile_deep_inside_leaves_nothing(app, db, tmp_path, system_session):
    good = [(z, x, y, png_tile()) for z, x, y in Z15_TILES]
    path = make_mbtiles(tmp_path / "late.mbtiles", tiles=[*good, (15, 29215, 12592, b"not a png")])
    result = _cli(app, "import", str(path), "--municipality", DEMO_CODE, "--name", "途中で失敗")
    assert result.exit_code == 1 and "15/29215/12592 はPNGではありません" in result.output
    assert _packages(system_session, name="途中で失敗") == []
    assert system_session.execute(text("SELECT count(*) FROM basemap_tiles t LEFT JOIN basemaps b "
                                       "ON b.id = t.basemap_id WHERE b.id IS NULL")).scalar() == 0


def test_the_admin_screen_imports_a_pmtiles_package_and_refuses_a_faulty_one(app, db, tmp_path, system_session):
    admin = _login(app, SECOND_CODE)
    page = admin.get("/admin/basemaps").get_data(as_text=True)
    assert "町の地図（デモ）" in page and 'id="gsi_online"' in page
    data = make_pmtiles(tmp_path / "v.pmtiles", tile_type="MVT", tile_compression="GZIP").read_bytes()
    response = admin.post("/admin/basemaps", {"package": (io.BytesIO(data), "v.pmtiles"), "name": "ベクトル"},
                          form_page="/admin/basemaps", content_type="multipart/form-data")
    assert response.status_code == 302
    [package] = _packages(system_session, lg_code=SECOND_CODE, name="ベクトル")
    assert (package.kind, package.tile_count, package.source_name) == ("vector", 2, "v.pmtiles")
    refused = admin.post("/admin/basemaps", {"package": (io.BytesIO(b"GIF89a"), "x.mbtiles"), "name": "壊れた"},
                         form_page="/admin/basemaps", content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "タイルパッケージ（MBTiles・PMTiles）ではありません" in refused.get_data(as_text=True)
    assert _packages(system_session, name="壊れた") == []
    missing = admin.post("/admin/basemaps", {}, form_page="/admin/basemaps")
    assert missing.status_code == 422 and "ファイル" in missing.get_data(as_text=True)
    deleted = admin.post(f"/admin/basemaps/{package.id}/delete", {"confirm": "y"}, form_page="/admin/basemaps")
    assert deleted.status_code == 302 and _packages(system_session, name="ベクトル") == []


def test_a_municipality_cannot_delete_another_ones_or_the_shared_package(app, db, tmp_path, system_session):
    assert _cli(app, "import", str(make_mbtiles(tmp_path / "s.mbtiles")), "--shared", "--name", "共通").exit_code == 0
    shared = _packages(system_session, name="共通")[0].id
    other = _demo_package(system_session, DEMO_CODE).id
    admin = _login(app, SECOND_CODE)
    assert admin.post(f"/admin/basemaps/{other}/delete", {}, form_page="/admin/basemaps").status_code == 404
    refused = admin.post(f"/admin/basemaps/{shared}/delete", {}, form_page="/admin/basemaps")
    assert refused.status_code == 422 and "flask basemap delete" in refused.get_data(as_text=True)
    assert _packages(system_session, name="共通") and _packages(system_session, id=other)
    assert _cli(app, "delete", str(shared)).exit_code == 0 and _packages(system_session, name="共通") == []


# Serving ------------------------------------------------------------------------------------------------

def _a_demo_tile(session, basemap_id: int, z: int = 16) -> tuple[int, int, int]:
    return session.execute(text("SELECT z, x, y FROM basemap_tiles WHERE basemap_id = :id AND z = :z LIMIT 1"),
                           {"id": basemap_id, "z": z}).one()


def test_a_vector_tile_is_served_gzip_with_caching_and_unpacked_for_a_client_without_gzip(app, db, system_session):
    package = _demo_package(system_session)
    z, x, y = _a_demo_tile(system_session, package.id, 17)
    user = _login(app, DEMO_CODE, "hinanjo")  # any staff member: tiles hold nothing personal
    url = f"/basemaps/{package.id}/{z}/{x}/{y}.pbf"
    zipped = user.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.mimetype == "application/vnd.mapbox-vector-tile"
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["Cache-Control"] == "private, max-age=86400, immutable"
    plain = user.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    layers = decode(plain.get_data())
    assert {"chome", "roads", "buildings"} <= set(layers)
    again = user.get(url, headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_missing_tiles_and_bad_coordinates_are_quiet_answers_not_errors(app, db, system_session):
    package = _demo_package(system_session)
    user = _login(app, DEMO_CODE, "fukushi")
    base = f"/basemaps/{package.id}"
    assert user.get(f"{base}/10/0/0.pbf").status_code == 204  # inside the grid, not in the package
    for path in ("/23/0/0.pbf", "/3/8/0.pbf", "/3/0/99999999999999999999.pbf", "/-1/0/0.pbf", "/a/b/c.pbf",
                 "/15/29213/12592.png", "/15/29213/12592.pbf.gz"):
        assert user.get(base + path).status_code == 404, path
    assert user.get("/basemaps/2147483647/15/29213/12592.pbf").status_code == 404
    assert user.get("/basemaps/0/15/29213/12592.pbf").status_code == 404
    log = system_session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'record_not_found' "
                                      "AND target_type = 'basemap'")).scalar()
    assert log == 0  # a tile is not a record: no audit noise


def test_a_raster_tile_is_served_as_stored(app, db, tmp_path, system_session):
    assert _cli(app, "import", str(make_mbtiles(tmp_path / "r.mbtiles")), "--municipality", DEMO_CODE).exit_code == 0
    [package] = _packages(system_session, lg_code=DEMO_CODE, name="テスト地図")
    z, x, y = Z15_TILES[0]
    response = _login(app, DEMO_CODE).get(f"/basemaps/{package.id}/{z}/{x}/{y}.png")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.get_data() == png_tile()


def test_a_municipality_sees_its_own_and_the_shared_packages_only(app, db, tmp_path, system_session):
    assert _cli(app, "import", str(make_mbtiles(tmp_path / "s.mbtiles")), "--shared", "--name", "全国").exit_code == 0
    shared = _packages(system_session, name="全国")[0].id
    own, others = _demo_package(system_session, DEMO_CODE).id, _demo_package(system_session, SECOND_CODE).id
    z, x, y = _a_demo_tile(system_session, others)
    second = _login(app, SECOND_CODE, "bosai")
    assert second.get(f"/basemaps/{others}/{z}/{x}/{y}.pbf").status_code == 200
    assert second.get(f"/basemaps/{own}/{z}/{x}/{y}.pbf").status_code == 404  # the demo town's: not there
    assert second.get(f"/basemaps/{shared}/15/{Z15_TILES[0][1]}/{Z15_TILES[0][2]}.png").status_code == 200
    page = second.get("/map").get_data(as_text=True)
    assert f"/basemaps/{others}/" in page and f"/basemaps/{shared}/" in page
    assert f"/basemaps/{own}/" not in page
    operator = _login(app, None, "jlis")
    assert operator.get(f"/basemaps/{shared}/15/{Z15_TILES[0][1]}/{Z15_TILES[0][2]}.png").status_code in (403, 404)
    anonymous = new_browser(app).get(f"/basemaps/{shared}/15/0/0.png")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# The pages and the 地理院タイル setting ------------------------------------------------------------------

def _person_pages(session) -> list[str]:
    """The pages about one person: a 要支援者's (with a 個別避難計画) and placing a resident on the map."""
    resident_id, atena_no = session.execute(text(
        "SELECT id, atena_no FROM residents WHERE lg_code = :lg AND NOT is_protected AND geom IS NOT NULL "
        "ORDER BY id LIMIT 1"), {"lg": DEMO_CODE}).one()
    person_id = session.execute(text("""
        INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version)
        VALUES (:lg, :rid, '75歳以上', '同意', 1) RETURNING id"""), {"lg": DEMO_CODE, "rid": resident_id}).scalar()
    session.commit()
    return [f"/evac-support/people/{person_id}", f"/residents/people/{atena_no}/location"]


def _basemap_configs(html: str) -> list[dict]:
    found = re.search(r'data-basemaps="([^"]*)"', html)
    return json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))


def test_every_map_page_shows_the_servers_base_map_by_default(app, db, system_session):
    package = _demo_package(system_session)
    admin = _login(app, DEMO_CODE)
    assert admin.post("/disasters/new", {"name": "令和8年背景地図地震", "kind": "地震", "started_on": "2026-11-20"},
                      form_page="/disasters/new").status_code == 302
    for path in ("/map", "/map/print", "/map/analysis", "/evac-support/safety/map"):
        response = admin.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and f"/basemaps/{package.id}/{{z}}/{{x}}/{{y}}.pbf" in html, path
        assert "cyberjapandata" not in html and GSI_HOST not in _directives(response)["img-src"], path
    for path in _person_pages(system_session):
        configs = _basemap_configs(admin.get(path).get_data(as_text=True))
        assert configs[0]["url"] == f"/basemaps/{package.id}/{{z}}/{{x}}/{{y}}.pbf" and configs[-1]["kind"] == "blank"
    sheet = admin.get("/map/print").get_data(as_text=True)
    assert "出典：桜ヶ丘町のデモ用背景地図" in sheet


def test_gsi_tiles_are_offered_only_once_turned_on_and_never_on_a_persons_page(app, db, system_session):
    admin = _login(app, DEMO_CODE)
    assert "cyberjapandata" not in admin.get("/map").get_data(as_text=True)
    turned_on = admin.post("/admin/basemaps/setting", {"gsi_online": "y", "version": "0"}, form_page="/admin/basemaps")
    assert turned_on.status_code == 302
    response = admin.get("/map")
    html = response.get_data(as_text=True)
    assert "cyberjapandata.gsi.go.jp/xyz/pale/" in html and GSI_HOST in _directives(response)["img-src"]
    # The server's package stays the default: the first base map in the page's layer control.
    assert html.index("/basemaps/") < html.index("cyberjapandata")
    pages = _person_pages(system_session)
    for path in pages:
        response = admin.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "cyberjapandata" not in html, path
        assert all(not c["outside"] for c in _basemap_configs(html))
        assert GSI_HOST not in _directives(response)["img-src"], path
    plan_print = admin.get(pages[0] + "/plan/print")
    assert "cyberjapandata" not in plan_print.get_data(as_text=True)
    other_town = _login(app, SECOND_CODE)
    assert "cyberjapandata" not in other_town.get("/map").get_data(as_text=True)  # a setting of one municipality
    stale = admin.post("/admin/basemaps/setting", {"version": "0"}, form_page="/admin/basemaps")
    assert stale.status_code == 409 and "ほかの職員" in stale.get_data(as_text=True)
    assert admin.post("/admin/basemaps/setting", {"version": "1"}, form_page="/admin/basemaps").status_code == 302
    assert "cyberjapandata" not in admin.get("/map").get_data(as_text=True)
    settings = system_session.execute(text("SELECT detail->>'gsi_online' FROM audit_log "
                                           "WHERE action = 'basemap_setting' ORDER BY id")).scalars().all()
    assert settings == ["true", "false"]


def test_the_setting_needs_the_admin_screen_and_a_readable_version(app, db):
    assert _login(app, DEMO_CODE, "bosai").post("/admin/basemaps/setting", {"gsi_online": "y", "version": "0"},
                                                form_page="/map").status_code == 403
    admin = _login(app, DEMO_CODE)
    assert admin.post("/admin/basemaps/setting", {"version": "x"}, form_page="/admin/basemaps").status_code == 400


def test_cli_turns_gsi_on_and_off(app, db, system_session):
    assert _cli(app, "gsi", "on", "--municipality", SECOND_CODE).exit_code == 0
    assert "cyberjapandata" in _login(app, SECOND_CODE).get("/map").get_data(as_text=True)
    assert _cli(app, "gsi", "off", "--municipality", SECOND_CODE).exit_code == 0
    assert "cyberjapandata" not in _login(app, SECOND_CODE).get("/map").get_data(as_text=True)
