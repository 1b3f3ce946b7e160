"""What the map overlay, the vector tiles and the OGC API show of a building in the chosen disaster:
the grade once a survey is final, else the state of its latest survey, 未調査 without one."""
from datetime import date

import pytest
from sqlalchemy import text

from app.disasters.models import Disaster
from gis.tiles import lonlat_to_tile
from tests.factories import issue_token
from tests.helpers.demo import DEMO_CODE
from tests.helpers.mvt_reader import decode
from tests.helpers.web import bearer

STATES = ("調査中", "判定待ち", "確定")


@pytest.fixture()
def surveyed(as_admin, system_session):
    """Four located buildings of the demo town: one survey each in the three states (the final one
    半壊), and one never surveyed; the disaster is the one chosen on the map."""
    disaster = Disaster(lg_code=DEMO_CODE, name="テスト地震（被害の程度）", kind="地震", started_on=date(2026, 11, 1))
    system_session.add(disaster)
    system_session.flush()
    buildings = system_session.execute(text("""
        SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM buildings
        WHERE lg_code = :lg AND geom IS NOT NULL ORDER BY id LIMIT 4"""), {"lg": DEMO_CODE}).all()
    for (building_id, _, _), status in zip(buildings, STATES, strict=False):
        system_session.execute(text("""
            INSERT INTO damage_surveys (lg_code, disaster_id, building_id, round, hazard, status, findings,
                                        computed_grade, final_grade, note, surveyed_by, reviewed_by, version)
            VALUES (:lg, :d, :b, '第1次', '地震', :status, '{}', '半壊', :final, '', '', '', 1)"""),
            {"lg": DEMO_CODE, "d": disaster.id, "b": building_id, "status": status,
             "final": "半壊" if status == "確定" else None})
    system_session.commit()
    as_admin.post("/disasters/select", {"disaster_id": disaster.id}, form_page="/")
    expected = dict(zip([b[0] for b in buildings], ("調査中", "判定待ち", "半壊", "未調査"), strict=True))
    return expected, {b[0]: (b[1], b[2]) for b in buildings}


def test_the_map_overlay_shows_grade_or_survey_state(as_admin, surveyed):
    expected, _ = surveyed
    response = as_admin.get("/map/layers/buildings.geojson")
    assert response.status_code == 200
    shown = {f["properties"]["id"]: f["properties"]["grade"] for f in response.get_json()["features"]}
    assert {building_id: shown[building_id] for building_id in expected} == expected


def test_the_building_tiles_show_grade_or_survey_state(as_admin, surveyed):
    expected, positions = surveyed
    for building_id, grade in expected.items():
        x, y = lonlat_to_tile(*positions[building_id], 17)
        response = as_admin.get(f"/map/tiles/buildings/17/{x}/{y}.pbf")
        assert response.status_code == 200
        features = decode(response.get_data())["buildings"]["features"]
        assert {f["properties"]["id"]: f["properties"]["grade"] for f in features}[building_id] == grade


def test_the_ogc_buildings_collection_shows_grade_or_survey_state(web, db, surveyed):
    expected, _ = surveyed
    token = issue_token(db, DEMO_CODE, "admin")
    page = web.client.get("/ogc/collections/buildings/items?limit=10000", headers=bearer(token)).get_json()
    shown = {f["id"]: f["properties"]["被害の程度"] for f in page["features"]}
    assert {building_id: shown[building_id] for building_id in expected} == expected
