"""Vector tiles through HTTP: MVT that an independent reader decodes, the tenant's features only,
people under 支援措置 never, counts at low zoom, cache invalidated by writes, 204/304, rights, audit."""
import json

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEntry
from app.damage.models import Building
from app.residents.models import Resident
from gis.tiles import lonlat_to_tile
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.mvt_reader import decode
from tests.helpers.web import new_browser

MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture()
def evac(system_session):
    """要支援者 in both towns: in the demo town eight people, one of them under 支援措置."""
    people = {}
    for lg_code, count in ((DEMO_CODE, 8), (SECOND_CODE, 4)):
        residents = system_session.scalars(select(Resident).where(
            Resident.lg_code == lg_code, Resident.geom.is_not(None), Resident.status == "住登内",
            Resident.is_protected.is_(False)).order_by(Resident.id).limit(count)).all()
        protected = system_session.scalars(select(Resident).where(
            Resident.lg_code == lg_code, Resident.geom.is_not(None), Resident.status == "住登内",
            Resident.is_protected.is_(True)).order_by(Resident.id).limit(1)).all()
        ids = []
        for resident in [*residents, *protected]:
            ids.append(system_session.execute(text("""
                INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version)
                VALUES (:lg, :rid, '75歳以上', '同意', 1) RETURNING id"""),
                {"lg": lg_code, "rid": resident.id}).scalar())
        people[lg_code] = {"ids": ids, "protected_id": ids[-1] if protected else None,
                           "protected_resident": protected[0] if protected else None}
    system_session.commit()
    return people


def _tile_of(session, resident_id: int, z: int) -> tuple[int, int, int]:
    lon, lat = session.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM residents WHERE id = :id"),
                               {"id": resident_id}).one()
    return (z, *lonlat_to_tile(lon, lat, z))


def _expected_evac(session, lg_code: str, z: int, x: int, y: int) -> set[int]:
    """The ids PostGIS itself puts in that tile (with the 64/4096 buffer), DV people left out."""
    return set(session.scalars(text("""
        SELECT p.id FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.lg_code = :lg AND p.removed_at IS NULL AND NOT r.is_protected AND r.status = '住登内'
          AND ST_Intersects(ST_Transform(r.geom, 3857), ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096))"""),
        {"lg": lg_code, "z": z, "x": x, "y": y}))


def _features(response, layer: str) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == MVT
    return decode(response.get_data())[layer]["features"]


def test_tile_holds_the_tenants_people_and_never_a_protected_person(as_admin, evac, system_session):
    demo = evac[DEMO_CODE]
    z, x, y = _tile_of(system_session, demo["protected_resident"].id, 13)
    features = _features(as_admin.get(f"/map/tiles/evac_people/{z}/{x}/{y}.pbf"), "evac_people")
    ids = {f["properties"]["id"] for f in features}
    assert ids == _expected_evac(system_session, DEMO_CODE, z, x, y) and ids
    assert demo["protected_id"] not in ids
    assert not ids & set(evac[SECOND_CODE]["ids"])
    sample = features[0]
    assert sample["type"] == 1 and sample["properties"]["state"] == "未確認"
    assert set(sample["properties"]) == {"id", "reasons", "consent", "state"}  # nothing that names a person
    # Positions agree (to a unit of the 4096 grid) with PostGIS's own projection of the same people.
    expected = dict((pid, (px, py)) for pid, px, py in system_session.execute(text("""
        SELECT p.id, ST_X(g), ST_Y(g) FROM evac_people p JOIN residents r ON r.id = p.resident_id,
             LATERAL ST_AsMVTGeom(ST_Transform(r.geom, 3857), ST_TileEnvelope(:z, :x, :y), 4096, 64, true) AS g
        WHERE p.id = ANY(:ids)"""), {"z": z, "x": x, "y": y, "ids": list(ids)}))
    for feature in features:
        px, py = expected[feature["properties"]["id"]]
        assert abs(feature["point"][0] - px) <= 1 and abs(feature["point"][1] - py) <= 1


def test_another_tenants_location_gives_the_demo_town_nothing(app, as_admin, evac, system_session):
    second = evac[SECOND_CODE]
    z, x, y = _tile_of(system_session, system_session.scalar(
        select(Resident.id).where(Resident.id.in_(select(text("resident_id FROM evac_people WHERE id = :i")
                                                            .bindparams(i=second["ids"][0]))))), 14)
    response = as_admin.get(f"/map/tiles/evac_people/{z}/{x}/{y}.pbf")
    assert response.status_code == 204 and response.get_data() == b""
    neighbour = new_browser(app)
    neighbour.login(SECOND_CODE, "admin")
    ids = {f["properties"]["id"] for f in _features(neighbour.get(f"/map/tiles/evac_people/{z}/{x}/{y}.pbf"),
                                                     "evac_people")}
    assert second["ids"][0] in ids and not ids & set(evac[DEMO_CODE]["ids"])


def test_low_zoom_tiles_carry_counts_not_people(as_admin, evac, system_session):
    z, x, y = _tile_of(system_session, evac[DEMO_CODE]["protected_resident"].id, 10)
    features = _features(as_admin.get(f"/map/tiles/evac_people/{z}/{x}/{y}.pbf"), "evac_people")
    assert features and all(set(f["properties"]) == {"count", "state"} for f in features)
    assert {f["properties"]["state"] for f in features} == {"未確認"}  # no 安否確認 yet: nobody confirmed
    assert sum(f["properties"]["count"] for f in features) == len(_expected_evac(system_session, DEMO_CODE, z, x, y))


def test_low_zoom_cells_take_the_most_urgent_safety_state(as_admin, evac, system_session):
    from datetime import date

    from app.disasters.models import Disaster

    disaster = Disaster(lg_code=DEMO_CODE, name="テスト水害（地図）", kind="地震", started_on=date(2026, 11, 1))
    system_session.add(disaster)
    system_session.commit()
    people = evac[DEMO_CODE]["ids"][:-1]  # the last one is under 支援措置
    for person in people:
        system_session.execute(text("""INSERT INTO safety_checks (lg_code, disaster_id, person_id, state, checked_by)
                                       VALUES (:lg, :d, :p, :s, 'test')"""),
                               {"lg": DEMO_CODE, "d": disaster.id, "p": person, "s": "無事"})
    system_session.commit()
    as_admin.post("/disasters/select", {"disaster_id": disaster.id}, form_page="/")
    z, x, y = _tile_of(system_session, system_session.scalar(
        text("SELECT resident_id FROM evac_people WHERE id = :p"), {"p": people[0]}), 9)

    def cell_states():
        features = _features(as_admin.get(f"/map/tiles/evac_people/{z}/{x}/{y}.pbf"), "evac_people")
        return {f["properties"]["state"]: f["properties"]["count"] for f in features}

    # Everyone in the test's 要支援者 is 無事 but the demo register may hold others (未確認).
    before = cell_states()
    assert "要救助" not in before
    system_session.execute(text("""INSERT INTO safety_checks (lg_code, disaster_id, person_id, state, checked_by)
                                   VALUES (:lg, :d, :p, '要救助', 'test')"""),
                           {"lg": DEMO_CODE, "d": disaster.id, "p": people[0]})
    system_session.commit()
    after = cell_states()
    assert "要救助" in after and sum(after.values()) == sum(before.values())
    assert as_admin.get(f"/map/tiles/evac_people/8/{x >> 2}/{y >> 2}.pbf").status_code == 204  # below min zoom


def _first_building(session):
    return session.execute(text("""SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))
                                   FROM buildings WHERE lg_code = :lg AND geom IS NOT NULL ORDER BY id LIMIT 1"""),
                           {"lg": DEMO_CODE}).one()


def test_a_new_building_appears_in_the_next_tile(as_admin, system_session):
    building_id, lon, lat = _first_building(system_session)
    z, (x, y) = 17, lonlat_to_tile(lon, lat, 17)
    url = f"/map/tiles/buildings/{z}/{x}/{y}.pbf"
    first = as_admin.get(url)
    before = {f["properties"]["id"] for f in _features(first, "buildings")}
    assert building_id in before
    again = as_admin.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    session = tenant_session(DEMO_CODE)
    added = Building(lg_code=DEMO_CODE, address="桜ヶ丘町 新築", structure="木造", floors=2,
                     geom=f"SRID=4326;POINT({lon + 0.00001} {lat + 0.00001})")
    session.add(added)
    session.commit()
    new_id = added.id
    session.close()
    after = as_admin.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    features = {f["properties"]["id"]: f["properties"] for f in _features(after, "buildings")}
    assert set(features) == before | {new_id}
    assert features[new_id]["grade"] == "未調査" and features[new_id]["lat"] == pytest.approx(lat + 0.00001)


def test_empty_tiles_are_204_and_unknown_layers_404(as_admin):
    assert as_admin.get("/map/tiles/buildings/14/0/0.pbf").status_code == 204
    assert as_admin.get("/map/tiles/buildings/14/99999/0.pbf").status_code == 404
    assert as_admin.get("/map/tiles/volcano/14/0/0.pbf").status_code == 404


def test_layers_follow_the_screens_of_the_role(app, db, evac):
    shelter_staff = new_browser(app)
    shelter_staff.login(DEMO_CODE, "hinanjo")  # role 04: shelters and map only
    assert shelter_staff.get("/map/tiles/evac_people/13/7300/3100.pbf").status_code == 403
    assert shelter_staff.get("/map/tiles/residents/13/7300/3100.pbf").status_code == 403
    assert shelter_staff.get("/map/tiles/buildings/13/7300/3100.pbf").status_code in (200, 204)
    page = shelter_staff.get("/map").get_data(as_text=True)
    assert "/map/tiles/buildings/" in page and "/map/tiles/evac_people/" not in page
    welfare = new_browser(app)
    welfare.login(DEMO_CODE, "fukushi")  # role 03: evac_support, not victims
    assert welfare.get("/map/tiles/evac_people/13/7300/3100.pbf").status_code in (200, 204)
    assert welfare.get("/map/tiles/residents/13/7300/3100.pbf").status_code == 403


def test_viewing_people_on_the_map_is_audited_once_per_window(as_admin, evac, system_session):
    z, x, y = _tile_of(system_session, evac[DEMO_CODE]["protected_resident"].id, 14)
    for dx in (0, 1, 2):
        as_admin.get(f"/map/tiles/evac_people/{z}/{x + dx}/{y}.pbf")
    as_admin.get(f"/map/tiles/buildings/{z}/{x}/{y}.pbf")
    entries = system_session.scalars(select(AuditEntry).where(AuditEntry.action == "map_layer_view")).all()
    assert len(entries) == 1 and entries[0].detail == {"layer": "evac_people", "tile": f"{z}/{x}/{y}"}
    assert entries[0].login_id == "admin"


def test_residents_layer_leaves_out_protected_and_moved_out_people(as_admin, system_session):
    protected = system_session.scalar(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.is_protected.is_(True), Resident.geom.is_not(None)))
    z, x, y = _tile_of(system_session, protected.id, 15)
    ids = {f["properties"]["id"] for f in _features(as_admin.get(f"/map/tiles/residents/{z}/{x}/{y}.pbf"),
                                                     "residents")}
    expected = set(system_session.scalars(text("""
        SELECT id FROM residents WHERE lg_code = :lg AND status = '住登内' AND NOT is_protected
          AND ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096))"""),
        {"lg": DEMO_CODE, "z": z, "x": x, "y": y}))
    assert ids == expected and protected.id not in ids


def test_map_page_and_print_view(as_admin, system_session):
    page = as_admin.get("/map?layers=buildings").get_data(as_text=True)
    assert "Leaflet.VectorGrid.bundled.min.js" in page and "L.Control.Locate.min.js" in page
    assert "BCLMap.tileOverlay" in page and 'id="print-map"' in page
    assert json.dumps("被害認定調査を開始")[1:-1] in page and "#start-survey" in page
    for hazard in ("flood", "sediment", "tsunami", "storm_surge"):  # every catalogue layer can be switched on
        assert f"/map/layers/hazard:{hazard}.geojson" in page
    _, lon, lat = _first_building(system_session)
    sheet = as_admin.get(f"/map/print?size=A3&orientation=portrait&lat={lat}&lon={lon}&zoom=17&layers=buildings"
                         "&title=被害状況図").get_data(as_text=True)
    assert "@page { size: A3 portrait;" in sheet and "size-A3 portrait" in sheet
    assert '<h1 id="print-title">被害状況図</h1>' in sheet and "作成日：令和" in sheet
    assert "出典：桜ヶ丘町のデモ用背景地図" in sheet and "cyberjapandata" not in sheet  # the server's own base map
    assert "建物（被害認定）" in sheet and "中規模半壊" in sheet  # the legend of the layer shown
    assert f"[{lat}, {lon}]" in sheet
    fallback = as_admin.get("/map/print?size=B5").get_data(as_text=True)
    assert "@page { size: A4 landscape;" in fallback


def test_shelters_show_their_opening_and_occupancy(as_admin, system_session):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（地図）", "kind": "地震", "started_on": "2026-11-20"})
    shelter_id = system_session.scalar(text("SELECT min(id) FROM shelters WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    as_admin.post("/shelters/openings", {"shelter_id": str(shelter_id)}, form_page="/shelters/openings")
    features = as_admin.get("/map/layers/shelters.geojson").get_json()["features"]
    opened = next(f["properties"] for f in features if f["properties"]["id"] == shelter_id)
    assert opened["status"] == "開設" and opened["occupancy"] == f"0人／{opened['capacity']}人"
    others = [f["properties"] for f in features if f["properties"]["id"] != shelter_id]
    assert others and all(p["status"] == "未開設" and p["occupancy"] is None for p in others)
    count = system_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "map_layer_view"))
    assert count == 0  # shelters are not people


def test_tile_queries_under_row_level_security_use_the_spatial_index(db):
    """&& must be LEAKPROOF, or PostgreSQL filters the whole tenant before the bounding box."""
    from app.maps.tiles import TILE_LAYERS
    from gis.tiles import tile_query

    session = tenant_session(DEMO_CODE)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    sql, params = tile_query(TILE_LAYERS["residents"].source, 15, 29205, 12600)
    plan = "\n".join(session.scalars(text("EXPLAIN " + sql), params))
    session.close()
    assert "Index Cond: (geom && " in plan, plan


def test_safety_states_colour_the_people_in_the_chosen_disaster(as_admin, evac, system_session):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（安否の地図）", "kind": "地震",
                                     "started_on": "2026-11-20"})
    person = evac[DEMO_CODE]["ids"][0]
    resident_id = system_session.scalar(text("SELECT resident_id FROM evac_people WHERE id = :id"), {"id": person})
    z, x, y = _tile_of(system_session, resident_id, 13)
    url = f"/map/tiles/evac_people/{z}/{x}/{y}.pbf"
    before = as_admin.get(url)
    assert {f["properties"]["state"] for f in _features(before, "evac_people")} == {"未確認"}
    answer = as_admin.post(f"/evac-support/safety/{person}", {"state": "要救助"}, form_page="/evac-support/safety",
                           headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    after = as_admin.get(url, headers={"If-None-Match": before.headers["ETag"]})
    states = {f["properties"]["id"]: f["properties"]["state"] for f in _features(after, "evac_people")}
    assert states[person] == "要救助" and set(states.values()) == {"未確認", "要救助"}
