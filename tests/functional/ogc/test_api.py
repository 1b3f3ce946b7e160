"""OGC API – Features through HTTP: the documents' shape (links, conformance, OpenAPI), paging by
next links to the end, bbox, limit, the 401 cases, tenant isolation, DV exclusion, personal layers
only for users with the screen, and the audit (one entry per request)."""
import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from app.ogc import rules
from tests.factories import fill_register, issue_token
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import bearer


@pytest.fixture()
def token(db):
    return issue_token(db, DEMO_CODE, "admin")


def _get(web, token, path, **kw):
    return web.client.get(path, headers=bearer(token), **kw)


def _rels(document) -> dict:
    return {link["rel"]: link for link in document["links"]}


def test_landing_page_links_to_api_conformance_and_data(web, token):
    response = _get(web, token, "/ogc/")
    assert response.status_code == 200 and response.mimetype == "application/json"
    rels = _rels(response.get_json())
    assert rels["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    data_rel = "http://www.opengis.net/def/rel/ogc/1.0/data"
    for rel, path in (("self", "/ogc/"), ("service-desc", "/ogc/api"), ("conformance", "/ogc/conformance"),
                      ("data", "/ogc/collections"), (data_rel, "/ogc/collections")):
        assert rels[rel]["href"] == f"http://localhost{path}", rel
    assert "桜ヶ丘町" in response.get_json()["title"]


def test_conformance_and_openapi_document(web, token):
    classes = _get(web, token, "/ogc/conformance").get_json()["conformsTo"]
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + "core", base + "geojson", base + "oas30"} <= set(classes)
    api = _get(web, token, "/ogc/api")
    assert api.status_code == 200 and api.get_json()["openapi"].startswith("3.0")
    document = api.get_json()
    # GDAL's OAPIF driver takes its page size only from a referenced limit parameter.
    assert {"$ref": "#/components/parameters/limit"} in _operation(document, "/collections/{collectionId}/items")[
        "parameters"]
    limit = document["components"]["parameters"]["limit"]
    assert (limit["schema"]["maximum"], limit["schema"]["default"]) == (rules.MAX_LIMIT, rules.DEFAULT_LIMIT)
    assert f"{rules.MAX_LIMIT} に下げて返す" in limit["description"]
    assert document["components"]["parameters"]["offset"]["schema"]["maximum"] == 2**63 - 1


def _operation(document: dict, path: str) -> dict:
    return document["paths"][path]["get"]


def _response(document: dict, path: str, status: str) -> dict:
    answer = _operation(document, path)["responses"][status]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer


def test_openapi_document_declares_every_error_and_its_two_forms(web, token):
    document = _get(web, token, "/ogc/api").get_json()
    for path in document["paths"]:
        for status in ("401", "403"):
            assert set(_response(document, path, status)["content"]) == {"application/problem+json", "text/html"}
    for path in ("/", "/conformance", "/api", "/collections", "/collections/{collectionId}",
                 "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"):
        assert "application/problem+json" in _response(document, path, "400")["content"], path
    for path in document["paths"]:
        if "{collectionId}" in path:
            assert "application/problem+json" in _response(document, path, "404")["content"], path


@pytest.mark.parametrize(("path", "status"), [("/ogc/collections?colour=red", 400),
                                              ("/ogc/collections/shelters/items?limit=0", 400),
                                              ("/ogc/collections/no-such-layer", 404),
                                              ("/ogc/collections/shelters/items/999999999", 404)])
def test_errors_come_as_the_document_says_in_json_and_in_html(web, token, path, status):
    as_json = _get(web, token, path)
    assert (as_json.status_code, as_json.mimetype) == (status, "application/problem+json")
    as_html = _get(web, token, path + ("&" if "?" in path else "?") + "f=html")
    assert (as_html.status_code, as_html.mimetype) == (status, "text/html")


def test_collections_list_the_layers_with_data_and_their_links(web, token):
    body = _get(web, token, "/ogc/collections").get_json()
    found = {c["id"]: c for c in body["collections"]}
    assert {"shelters", "hazard-flood", "hazard-sediment", "admin-areas", "disasters", "buildings",
            "evac-people"} <= set(found)
    assert "hazard-tsunami" not in found  # a catalogue layer without data is not offered
    shelters = found["shelters"]
    assert shelters["title"] == "避難所・避難場所" and shelters["itemType"] == "feature"
    rels = _rels(shelters)
    assert rels["items"]["href"] == "http://localhost/ogc/collections/shelters/items"
    assert rels["items"]["type"] == "application/geo+json"
    lon_min, lat_min, lon_max, lat_max = shelters["extent"]["spatial"]["bbox"][0]
    assert 122 < lon_min <= lon_max < 154 and 20 < lat_min <= lat_max < 46
    one = _get(web, token, "/ogc/collections/shelters").get_json()
    assert one["id"] == "shelters" and _rels(one)["self"]["href"].endswith("/ogc/collections/shelters")
    assert _get(web, token, "/ogc/collections/hazard-tsunami").status_code == 404
    assert _get(web, token, "/ogc/collections/nothing").get_json()["code"] == "collection_not_found"


def _pages(web, token, url):
    """Follow next links from ``url``; returns the pages."""
    pages = []
    while url:
        response = _get(web, token, url.replace("http://localhost", ""))
        assert response.status_code == 200 and response.mimetype == "application/geo+json"
        page = response.get_json()
        pages.append(page)
        url = _rels(page).get("next", {}).get("href")
        assert len(pages) < 100
    return pages


def test_paging_by_next_links_reaches_every_feature_once(web, token, system_session):
    expected = system_session.scalar(text("SELECT count(*) FROM shelters WHERE lg_code = :c"), {"c": DEMO_CODE})
    pages = _pages(web, token, "/ogc/collections/shelters/items?limit=4")
    ids = [f["id"] for page in pages for f in page["features"]]
    assert len(ids) == len(set(ids)) == expected > 4
    assert len(pages) == -(-expected // 4)
    assert all(p["numberMatched"] == expected for p in pages)
    assert [p["numberReturned"] for p in pages] == [len(p["features"]) for p in pages]
    assert "prev" in _rels(pages[-1]) and "prev" not in _rels(pages[0])
    feature = pages[0]["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    assert {"名称", "種別", "所在地", "想定収容人数"} <= set(feature["properties"])
    names = set(system_session.scalars(text("SELECT name FROM shelters WHERE lg_code = :c"), {"c": DEMO_CODE}))
    assert {f["properties"]["名称"] for p in pages for f in p["features"]} == names


def test_limit_above_the_maximum_is_lowered(web, token, system_session):
    total = system_session.scalar(text("SELECT count(*) FROM buildings WHERE lg_code = :c AND geom IS NOT NULL"),
                                  {"c": DEMO_CODE})
    page = _get(web, token, "/ogc/collections/buildings/items?limit=50000").get_json()
    assert page["numberReturned"] == min(total, rules.MAX_LIMIT)
    assert parse_qs(urlsplit(_rels(page)["self"]["href"]).query)["limit"] == [str(rules.MAX_LIMIT)]
    assert _get(web, token, "/ogc/collections/buildings/items?limit=0").status_code == 400


def test_bbox_returns_exactly_the_features_inside(web, token, system_session):
    lon, lat = system_session.execute(text(
        "SELECT ST_X(geom), ST_Y(geom) FROM shelters WHERE lg_code = :c ORDER BY id LIMIT 1"), {"c": DEMO_CODE}).one()
    box = (lon - 0.0002, lat - 0.0002, lon + 0.0002, lat + 0.0002)
    expected = system_session.scalar(text(
        "SELECT count(*) FROM shelters WHERE lg_code = :c AND geom && ST_MakeEnvelope(:a, :b, :d, :e, 4326)"),
        {"c": DEMO_CODE, "a": box[0], "b": box[1], "d": box[2], "e": box[3]})
    total = system_session.scalar(text("SELECT count(*) FROM shelters WHERE lg_code = :c"), {"c": DEMO_CODE})
    page = _get(web, token, "/ogc/collections/shelters/items?bbox=" + ",".join(map(str, box))).get_json()
    assert 1 <= page["numberMatched"] == expected < total
    for feature in page["features"]:
        x, y = feature["geometry"]["coordinates"]
        assert box[0] <= x <= box[2] and box[1] <= y <= box[3]
    assert "bbox=" in _rels(page)["self"]["href"]


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=140,40,139,41", "limit=x", "offset=-1",
                                   f"offset={2**63}", "colour=red", "f=xml", "bbox-crs=EPSG:6677&bbox=1,2,3,4"])
def test_bad_parameters_are_refused_with_a_problem_document(web, token, query):
    response = _get(web, token, f"/ogc/collections/shelters/items?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "invalid_parameter"


def test_single_feature_with_links(web, token, system_session):
    shelter_id, name = system_session.execute(text(
        "SELECT id, name FROM shelters WHERE lg_code = :c ORDER BY id LIMIT 1"), {"c": DEMO_CODE}).one()
    response = _get(web, token, f"/ogc/collections/shelters/items/{shelter_id}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["id"] == shelter_id and feature["properties"]["名称"] == name
    assert _rels(feature)["collection"]["href"].endswith("/ogc/collections/shelters")
    assert _get(web, token, "/ogc/collections/shelters/items/999999999").status_code == 404


def _problem(response) -> tuple[int, str, str]:
    body = response.get_json()
    return response.status_code, body["code"], body.get("details", {}).get("reason")


def test_missing_invalid_revoked_expired_tokens_get_401(web, db, system_session, token):
    path = "/ogc/collections"
    response = web.client.get(path)
    assert _problem(response) == (401, "unauthorized", "missing")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"
    assert _problem(web.client.get(path, headers=bearer("abc")))[2] == "malformed"
    assert _problem(web.client.get(path, headers=bearer(f"bclgis.{DEMO_CODE}.wrong")))[2] == "unknown"
    assert _problem(web.client.get(path, headers={"Authorization": "Token x"}))[2] == "malformed"
    expired = issue_token(db, DEMO_CODE, "bosai")
    system_session.execute(text("UPDATE gis_tokens SET expires_at = now() - interval '1 minute' "
                                "WHERE token_hint = :h"), {"h": expired[-6:]})
    system_session.execute(text("UPDATE gis_tokens SET revoked_at = now() WHERE token_hint = :h"), {"h": token[-6:]})
    system_session.commit()
    response = web.client.get(path, headers=bearer(expired))
    assert _problem(response)[2] == "expired" and "有効期限" in response.get_json()["detail"]
    assert _problem(web.client.get(path, headers=bearer(token)))[2] == "revoked"


def test_deactivated_user_and_user_without_the_map_screen(web, db, system_session):
    token = issue_token(db, DEMO_CODE, "fukushi")
    system_session.execute(text("UPDATE users SET revoked_screens = '{map}' WHERE login_id = 'fukushi' "
                                "AND lg_code = :c"), {"c": DEMO_CODE})
    system_session.commit()
    response = _get(web, token, "/ogc/collections")
    assert response.status_code == 403 and "地図" in response.get_json()["detail"]
    system_session.execute(text("UPDATE users SET is_active = false WHERE login_id = 'fukushi' AND lg_code = :c"),
                           {"c": DEMO_CODE})
    system_session.commit()
    assert _problem(_get(web, token, "/ogc/collections"))[2] == "user_inactive"


def test_basic_authentication_with_the_token_as_password(web, token):
    header = "Basic " + base64.b64encode(f"qgis:{token}".encode()).decode()
    assert web.client.get("/ogc/collections", headers={"Authorization": header}).status_code == 200


def test_a_token_reads_only_its_own_municipality(web, db, system_session, token):
    other = issue_token(db, SECOND_CODE, "admin")
    mine = {f["id"] for p in _pages(web, token, "/ogc/collections/shelters/items?limit=1000") for f in p["features"]}
    theirs = _pages(web, other, "/ogc/collections/shelters/items?limit=1000")
    their_ids = {f["id"] for p in theirs for f in p["features"]}
    assert their_ids and not mine & their_ids
    db_theirs = set(system_session.scalars(text("SELECT id FROM shelters WHERE lg_code = :c"), {"c": SECOND_CODE}))
    assert their_ids == db_theirs
    assert _get(web, token, f"/ogc/collections/shelters/items/{min(their_ids)}").status_code == 404
    # The municipality in the token cannot be swapped: the lookup runs under the named tenant's policy.
    forged = token.replace(f".{DEMO_CODE}.", f".{SECOND_CODE}.")
    assert _problem(web.client.get("/ogc/collections", headers=bearer(forged)))[2] == "unknown"


def test_people_under_protection_never_appear_in_the_personal_layer(web, db, system_session, token):
    fill_register(db, DEMO_CODE)
    located = """FROM evac_people p JOIN residents r ON r.id = p.resident_id
                 WHERE p.lg_code = :c AND p.removed_at IS NULL AND r.geom IS NOT NULL"""
    victim = system_session.execute(text(f"SELECT p.id, r.name {located} AND NOT r.is_protected ORDER BY p.id LIMIT 1"),
                                    {"c": DEMO_CODE}).one()
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :p)"), {"p": victim.id})
    system_session.commit()
    protected = system_session.scalar(text(f"SELECT count(*) {located} AND r.is_protected"), {"c": DEMO_CODE})
    visible = system_session.scalar(text(f"SELECT count(*) {located} AND NOT r.is_protected"), {"c": DEMO_CODE})
    assert protected >= 1 and visible > 0
    pages = _pages(web, token, "/ogc/collections/evac-people/items?limit=1000")
    ids = {f["id"] for p in pages for f in p["features"]}
    assert len(ids) == visible == pages[0]["numberMatched"]
    assert victim.id not in ids
    assert _get(web, token, f"/ogc/collections/evac-people/items/{victim.id}").status_code == 404
    feature = pages[0]["features"][0]
    assert set(feature["properties"]) == {"氏名", "氏名カナ", "避難支援等を必要とする事由", "同意"}
    download = _get(web, token, "/ogc/collections/evac-people/download.geojson")
    assert victim.name not in download.get_data(as_text=True)
    assert len(json.loads(download.get_data(as_text=True))["features"]) == visible


def test_personal_layer_is_hidden_from_a_role_without_the_screen(web, db):
    fill_register(db, DEMO_CODE)
    token = issue_token(db, DEMO_CODE, "hinanjo")  # 避難所担当: shelters and map only
    ids = {c["id"] for c in _get(web, token, "/ogc/collections").get_json()["collections"]}
    assert "shelters" in ids and "evac-people" not in ids
    for path in ("/ogc/collections/evac-people", "/ogc/collections/evac-people/items",
                 "/ogc/collections/evac-people/items/1", "/ogc/collections/evac-people/download.gpkg"):
        assert _get(web, token, path).status_code == 404, path


def test_each_items_request_is_audited_once(web, db, system_session, token):
    fill_register(db, DEMO_CODE)
    before = system_session.scalar(text("SELECT max(id) FROM audit_log"))
    _get(web, token, "/ogc/collections/shelters/items?limit=5")
    page = _get(web, token, "/ogc/collections/evac-people/items?limit=3").get_json()
    _get(web, token, "/ogc/collections")  # no features, no entry
    rows = system_session.execute(text(
        "SELECT action, login_id, target_type, target_ids, detail FROM audit_log WHERE id > :b ORDER BY id"),
        {"b": before}).all()
    assert [r.action for r in rows] == ["ogc_items", "ogc_items"]
    layer, people = rows
    assert layer.login_id == "admin" and layer.target_type == "map_layer" and layer.target_ids == ["shelters"]
    assert layer.detail["count"] == 5
    residents = set(system_session.scalars(text("SELECT resident_id::text FROM evac_people WHERE id = ANY(:i)"),
                                           {"i": [f["id"] for f in page["features"]]}))
    assert people.target_type == "resident" and set(people.target_ids) == residents and len(residents) == 3
    assert people.detail["collection"] == "evac-people" and people.detail["count"] == 3


def test_bbox_lookup_function_answers_for_the_transactions_tenant_only(db, system_session):
    from sqlalchemy.exc import DBAPIError

    from tests.helpers.database import tenant_session

    session = tenant_session(SECOND_CODE)
    found = set(session.scalars(text("SELECT bcl_ids_in_box('shelters', -180, -90, 180, 90)")))
    session.close()
    theirs = set(system_session.scalars(text("SELECT id FROM shelters WHERE lg_code = :c"), {"c": SECOND_CODE}))
    assert found == theirs and found
    session = tenant_session(SECOND_CODE)
    with pytest.raises(DBAPIError, match="unknown layer"):
        session.execute(text("SELECT bcl_ids_in_box('users', -180, -90, 180, 90)")).all()
    session.close()
