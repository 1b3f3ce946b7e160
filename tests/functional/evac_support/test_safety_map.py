"""The 安否 map at scale: the register comes as the map's 要支援者 vector tiles of the chosen disaster
(only id and state per person, decoded by an independent reader), coloured by the latest state; a tap
fetches the one person (audited); people under 支援措置 are in no tile and come only as the small
staff layer; no tiles without the register screen or without a chosen disaster."""
import pytest
from sqlalchemy import text

from app.evac_support.rules import SAFETY_COLORS
from gis.tiles import lonlat_to_tile
from tests.helpers.demo import DEMO_CODE
from tests.helpers.mvt_reader import decode
from tests.helpers.web import new_browser

MVT = "application/vnd.mapbox-vector-tile"


def _tile_path(session, person_id: int, z: int = 16) -> str:
    lon, lat = session.execute(text("""SELECT ST_X(r.geom), ST_Y(r.geom) FROM evac_people p
        JOIN residents r ON r.id = p.resident_id WHERE p.id = :p"""), {"p": person_id}).one()
    x, y = lonlat_to_tile(lon, lat, z)
    return f"/evac-support/safety/tiles/{z}/{x}/{y}.pbf"


def _states_in(response) -> dict[int, str]:
    assert response.status_code == 200 and response.mimetype == MVT
    features = decode(response.get_data())["evac_people"]["features"]
    return {f["properties"]["id"]: f["properties"]["state"] for f in features}


@pytest.fixture()
def register(as_admin, system_session):
    """The demo register extracted, a disaster chosen, three located people and one of them protected."""
    as_admin.post("/evac-support/refresh", {}, form_page="/evac-support")
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（安否の地図）", "kind": "地震",
                                     "started_on": "2026-11-20"})
    people = system_session.scalars(text("""SELECT p.id FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.lg_code = :lg AND p.removed_at IS NULL AND r.geom IS NOT NULL AND NOT r.is_protected
          AND r.status = '住登内' ORDER BY p.id LIMIT 3"""), {"lg": DEMO_CODE}).all()
    for person, state in zip(people, ("無事", "要救助"), strict=False):
        as_admin.post(f"/evac-support/safety/{person}", {"state": state}, form_page="/evac-support/safety")
    return people


def test_tiles_carry_the_latest_state_and_a_tap_fetches_the_person(as_admin, system_session, register):
    safe, rescue, unchecked = register
    states = _states_in(as_admin.get(_tile_path(system_session, safe)))
    assert states[safe] == "無事"
    for person, state in ((rescue, "要救助"), (unchecked, "未確認")):
        assert _states_in(as_admin.get(_tile_path(system_session, person)))[person] == state
    page = as_admin.get("/evac-support/safety/map").get_data(as_text=True)
    assert "/evac-support/safety/tiles/{z}/{x}/{y}.pbf" in page and "/evac-support/safety/people/{id}.json" in page
    assert all(color in page for color in SAFETY_COLORS.values())
    assert "/evac-support/safety/map.geojson" in page  # the 支援措置 layer, loaded on its own

    person = as_admin.get(f"/evac-support/safety/people/{rescue}.json").get_json()
    name = system_session.scalar(text("SELECT r.name FROM evac_people p JOIN residents r ON r.id = p.resident_id "
                                      "WHERE p.id = :p"), {"p": rescue})
    assert person["name"] == name and person["state"] == "要救助" and person["checked_by"] == "admin"
    assert person["checked_at"].startswith("令和") and person["area"] and person["protected"] == ""
    audited = system_session.scalar(text("""SELECT count(*) FROM audit_log WHERE action = 'safety_view'
        AND target_type = 'evac_person' AND CAST(:p AS text) = ANY(target_ids)"""), {"p": rescue})
    assert audited >= 1
    tiles_audited = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'map_layer_view'"))
    assert tiles_audited >= 1

    as_admin.post(f"/evac-support/safety/{unchecked}", {"state": "不在"}, form_page="/evac-support/safety")
    assert _states_in(as_admin.get(_tile_path(system_session, unchecked)))[unchecked] == "不在"  # not a stale tile


def test_protected_people_are_in_no_tile_only_in_the_staff_layer(as_admin, system_session, register):
    safe = register[0]
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :p)"), {"p": safe})
    system_session.flush()
    response = as_admin.get(_tile_path(system_session, safe))
    assert response.status_code == 204 or safe not in _states_in(response)
    layer = as_admin.get("/evac-support/safety/map.geojson").get_json()["features"]
    protected = system_session.scalars(text("""SELECT p.id FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.lg_code = :lg AND p.removed_at IS NULL AND r.is_protected AND r.geom IS NOT NULL"""),
        {"lg": DEMO_CODE}).all()
    assert sorted(f["properties"]["id"] for f in layer) == sorted(protected)
    mine = next(f["properties"] for f in layer if f["properties"]["id"] == safe)
    assert mine["state"] == "無事" and mine["protected"] == "支援措置"
    assert as_admin.get(f"/evac-support/safety/people/{safe}.json").get_json()["protected"] == "支援措置"


def test_no_tiles_without_the_register_screen_or_a_chosen_disaster(app, as_admin, system_session, register):
    path = _tile_path(system_session, register[0])
    shelter_staff = new_browser(app)
    shelter_staff.login(DEMO_CODE, "hinanjo")  # 避難所担当: no 避難行動要支援者 screen
    assert shelter_staff.get(path).status_code in (302, 403)
    assert shelter_staff.get(f"/evac-support/safety/people/{register[0]}.json").status_code in (302, 403)
    fresh = new_browser(app)
    fresh.login(DEMO_CODE, "fukushi")  # the register screen, but no disaster chosen yet
    assert fresh.get(path).status_code == 302
    assert as_admin.get("/evac-support/safety/people/999999999.json").status_code == 404
