"""GIS連携 screens: personal tokens (shown once, hashed at rest, own tokens only, revocable) and
レイヤのダウンロード with session login (GeoJSON and GeoPackage, audited, personal layers by screen)."""
import json
import re
import tempfile
from pathlib import Path

import pyogrio
from sqlalchemy import text

from tests.factories import fill_register, issue_token
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import bearer, new_browser


def _issue(browser, name="QGIS 会議室ノート", days="30") -> str:
    page = browser.post("/gis/tokens", {"name": name, "days": days}).get_data(as_text=True)
    match = re.search(r'<code class="token">(bclgis\.[^<]+)</code>', page)
    assert match, page
    return match.group(1)


def test_a_token_is_shown_once_stored_hashed_and_works(as_admin, system_session):
    plain = _issue(as_admin)
    row = system_session.execute(text("SELECT token_hash, token_hint, expires_at - created_at AS life, user_id "
                                      "FROM gis_tokens WHERE lg_code = :c"), {"c": DEMO_CODE}).one()
    assert row.token_hash != plain and plain not in row.token_hash and row.token_hint == plain[-6:]
    assert row.life.days == 30
    listing = as_admin.get("/gis/tokens").get_data(as_text=True)
    assert plain not in listing and "QGIS 会議室ノート" in listing and f"…{plain[-6:]}" in listing
    assert as_admin.client.get("/ogc/collections", headers=bearer(plain)).status_code == 200
    audit = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'gis_token_create' "
                                       "AND login_id = 'admin'"))
    assert audit == 1


def test_token_lifetime_is_bounded(as_admin, system_session):
    page = as_admin.post("/gis/tokens", {"name": "長すぎる", "days": "400"}).get_data(as_text=True)
    assert "有効期間は1〜365日" in page
    assert system_session.scalar(text("SELECT count(*) FROM gis_tokens")) == 0


def test_revoking_a_token_stops_it_and_only_the_owner_can(app, as_admin, db, system_session):
    plain = _issue(as_admin)
    token_id = system_session.scalar(text("SELECT id FROM gis_tokens WHERE token_hint = :h"), {"h": plain[-6:]})
    other = new_browser(app)
    other.login(DEMO_CODE, "bosai")
    assert other.post(f"/gis/tokens/{token_id}/revoke", {}, form_page="/gis/tokens").status_code == 404
    assert as_admin.client.get("/ogc/", headers=bearer(plain)).status_code == 200
    response = as_admin.post(f"/gis/tokens/{token_id}/revoke", {}, form_page="/gis/tokens", follow_redirects=True)
    assert "失効させました" in response.get_data(as_text=True)
    refused = as_admin.client.get("/ogc/", headers=bearer(plain))
    assert refused.status_code == 401 and refused.get_json()["details"]["reason"] == "revoked"
    assert "QGIS 会議室ノート" not in other.get("/gis/tokens").get_data(as_text=True)  # each user sees their own


def test_layer_page_offers_the_layers_the_user_may_read(app, as_admin, db):
    page = as_admin.get("/gis/layers").get_data(as_text=True)
    for cid in ("shelters", "hazard-flood", "admin-areas", "buildings", "evac-people"):
        assert f'data-collection="{cid}"' in page
    assert "/gis/layers/shelters.gpkg" in page and "http://localhost/ogc/" in page
    shelter_staff = new_browser(app)
    shelter_staff.login(DEMO_CODE, "hinanjo")
    page = shelter_staff.get("/gis/layers").get_data(as_text=True)
    assert 'data-collection="shelters"' in page and "evac-people" not in page
    assert shelter_staff.get("/gis/layers/evac-people.geojson").status_code == 404


def test_session_downloads_have_japanese_attributes_and_are_audited(as_admin, db, system_session, tmp_path):
    response = as_admin.get("/gis/layers/admin-areas.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    names = set(system_session.scalars(text("SELECT name FROM admin_areas WHERE lg_code = :c"), {"c": DEMO_CODE}))
    assert {f["properties"]["町丁目名"] for f in data["features"]} == names
    gpkg = as_admin.get("/gis/layers/admin-areas.gpkg")
    assert gpkg.status_code == 200 and gpkg.mimetype == "application/geopackage+sqlite3"
    path = tmp_path / "areas.gpkg"
    path.write_bytes(gpkg.get_data())
    gpkg.close()  # the temporary GeoPackage is removed once the response is closed
    assert not list(Path(tempfile.gettempdir()).glob("bcl-layer-*/admin-areas.gpkg"))
    frame = pyogrio.read_dataframe(path)
    assert set(frame["町丁目名"]) == names and frame.crs.to_epsg() == 4326
    rows = system_session.execute(text("SELECT target_ids, detail FROM audit_log WHERE action = 'layer_download' "
                                       "ORDER BY id")).all()
    assert [(r.target_ids, r.detail["format"], r.detail["channel"], r.detail["count"]) for r in rows] == [
        (["admin-areas"], "geojson", "web", len(names)), (["admin-areas"], "gpkg", "web", len(names))]


def test_personal_layer_download_names_every_resident_in_the_audit(as_admin, db, system_session, tmp_path):
    fill_register(db, DEMO_CODE)
    gpkg = as_admin.get("/gis/layers/evac-people.gpkg")
    path = tmp_path / "people.gpkg"
    path.write_bytes(gpkg.get_data())
    gpkg.close()
    frame = pyogrio.read_dataframe(path)
    protected = set(system_session.scalars(text("SELECT r.name FROM evac_people p JOIN residents r "
                                                "ON r.id = p.resident_id WHERE r.is_protected AND r.lg_code = :c"),
                                           {"c": DEMO_CODE}))
    assert len(frame) > 0 and not protected & set(frame["氏名"])
    audit = system_session.execute(text("SELECT target_type, target_ids FROM audit_log "
                                        "WHERE action = 'layer_download' ORDER BY id DESC LIMIT 1")).one()
    expected = set(system_session.scalars(text("SELECT resident_id::text FROM evac_people WHERE id = ANY(:i)"),
                                          {"i": [int(i) for i in frame["地物ID"]]}))
    assert audit.target_type == "resident" and set(audit.target_ids) == expected


def test_token_of_another_municipality_never_sees_this_ones_layers(web, db):
    token = issue_token(db, "033995", "admin")
    body = web.client.get("/ogc/collections/admin-areas/items?limit=1000", headers=bearer(token)).get_json()
    assert body["features"] and all("桜ヶ丘" not in json.dumps(f, ensure_ascii=False) for f in body["features"])
