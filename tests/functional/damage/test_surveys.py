"""被害認定調査 through HTTP: start from a building, record, judge, confirm changes, review by another
member of staff, optimistic locking, photos with thumbnails, 再調査, history and tenancy."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select, text

from app.damage.models import Building, DamageSurvey
from tests.helpers.damage import record_survey, reviewer_browser, start_survey, survey_id_of, survey_version
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def building(system_session):
    return system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.structure == "木造",
                                                         Building.floors <= 2).order_by(Building.id)).first()


def test_a_survey_from_start_to_a_final_grade_by_another_member_of_staff(app, quake, building, system_session):
    survey_id = survey_id_of(start_survey(quake, building))
    # 第1次: 屋根 100 %, 外壁 40 %, 基礎 50 % → 15 + 30 + 5 = 50 % → 全壊 (the lower bound counts)
    response = record_survey(quake, survey_id, {"part_屋根": "100", "part_外壁": "40", "part_基礎": "50",
                                                "lat": "38.40", "lon": "140.95", "accuracy": "8"})
    assert response.status_code == 302
    page = quake.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    assert "全壊" in page and "損害割合 50.0%" in page and "判定待ち" in page
    own = quake.post(f"/damage/surveys/{survey_id}/finalise", {"version": survey_version(quake, survey_id)},
                     form_page=f"/damage/surveys/{survey_id}", follow_redirects=True).get_data(as_text=True)
    assert "自分が調査した判定は確定できません" in own
    reviewer = reviewer_browser(app)
    reviewer.post(f"/damage/surveys/{survey_id}/finalise", {"version": survey_version(reviewer, survey_id)},
                  form_page=f"/damage/surveys/{survey_id}")
    survey = system_session.get(DamageSurvey, survey_id)
    assert (survey.status, survey.final_grade) == ("確定", "全壊")
    assert (survey.reviewed_by, survey.surveyed_by) == ("bosai", "admin")
    position = system_session.execute(text("SELECT ST_Y(geom), ST_X(geom) FROM damage_surveys WHERE id = :i"),
                                      {"i": survey_id}).one()
    assert position == (38.4, 140.95)
    history = reviewer.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    assert all(word in history for word in ("開始", "記録", "確定"))
    actions = system_session.scalars(text("SELECT action FROM audit_log WHERE target_type = 'damage_survey' "
                                          "ORDER BY id")).all()
    assert actions == ["damage_survey_start", "damage_survey_record", "damage_survey_finalise"]
    # final: no more edits; a 再調査 is a new survey and its final grade is the certified one
    refused = record_survey(quake, survey_id, {"part_屋根": "10"}, confirm=True,
                            version=str(survey.version)).get_data(as_text=True)
    assert "確定した調査は変更できません" in refused
    resurvey = survey_id_of(start_survey(quake, building, "再調査"))
    record_survey(quake, resurvey, {"part_屋根": "100", "part_柱": "100", "part_内壁": "20"})  # 第2次 weights: 33 %
    reviewer.post(f"/damage/surveys/{resurvey}/finalise", {"version": survey_version(reviewer, resurvey)},
                  form_page=f"/damage/surveys/{resurvey}")
    from app.damage.services import certified_grade
    assert certified_grade(system_session, survey.disaster_id, building.id) == "中規模半壊"


@pytest.mark.parametrize(("share", "grade"), [("45", "中規模半壊"), ("30", "中規模半壊"), ("15", "準半壊")])
def test_a_survey_by_the_floor_area_lost_grades_in_five_bands(quake, building, system_session, share, grade):
    survey_id = survey_id_of(start_survey(quake, building))
    assert record_survey(quake, survey_id, {"floor_area_share": share}).status_code == 302
    assert system_session.get(DamageSurvey, survey_id).computed_grade == grade
    page = quake.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    assert re.search(r'id="survey-grade"><strong>([^<]+)</strong>', page).group(1) == grade


def test_changing_a_judged_survey_needs_the_confirmation(quake, building, system_session):
    survey_id = survey_id_of(start_survey(quake, building, hazard="水害"))
    record_survey(quake, survey_id, {"flood_level": "above", "flood_depth_m": "0.5", "flood_external_force": "y"})
    assert system_session.get(DamageSurvey, survey_id).computed_grade == "中規模半壊"
    page = quake.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    assert "data-confirm-changes" in page and 'data-original="0.5"' in page
    unconfirmed = record_survey(quake, survey_id, {"flood_level": "above", "flood_depth_m": "0.49",
                                                   "flood_external_force": "y"}).get_data(as_text=True)
    assert "変更内容を確認し" in unconfirmed and 'value="0.49"' in unconfirmed  # the input is kept
    system_session.expire_all()
    assert system_session.get(DamageSurvey, survey_id).computed_grade == "中規模半壊"
    record_survey(quake, survey_id, {"flood_level": "above", "flood_depth_m": "0.49", "flood_external_force": "y"},
                  confirm=True)
    system_session.expire_all()
    assert system_session.get(DamageSurvey, survey_id).computed_grade == "半壊"


def test_two_tablets_on_one_survey_the_second_sees_the_first(app, quake, building, system_session):
    survey_id = survey_id_of(start_survey(quake, building))
    stale = survey_version(quake, survey_id)
    record_survey(quake, survey_id, {"part_屋根": "50"})
    other = reviewer_browser(app)
    response = other.post(f"/damage/surveys/{survey_id}", {"version": stale, "part_屋根": "90",
                                                          "confirm_changes": "y"},
                          form_page=f"/damage/surveys/{survey_id}")
    body = response.get_data(as_text=True)
    assert "他の職員が先に更新しました" in body and "準半壊に至らない" in body and 'value="90"' in body
    system_session.expire_all()
    assert system_session.get(DamageSurvey, survey_id).findings["parts"] == {"屋根": "50"}


def test_bad_inputs_are_explained_and_change_nothing(quake, building, system_session):
    resurvey = start_survey(quake, building, "再調査")
    assert "再調査は、判定が確定した調査" in quake.get(resurvey.headers["Location"]).get_data(as_text=True)
    survey_id = survey_id_of(start_survey(quake, building))
    for fields, message in [({"part_屋根": "120"}, "0〜100"), ({"tilt_1": "1/20"}, "四隅の4か所"),
                            ({"part_外壁": "abc"}, "数値で入力"), ({}, "判定に使える調査結果がありません")]:
        body = record_survey(quake, survey_id, fields).get_data(as_text=True)
        assert message in body, message
    system_session.expire_all()
    assert system_session.get(DamageSurvey, survey_id).status == "調査中"
    again = start_survey(quake, building)
    assert "確定していない調査があります" in quake.get(again.headers["Location"]).get_data(as_text=True)


def test_photos_are_stored_with_an_upright_thumbnail(quake, building):
    survey_id = survey_id_of(start_survey(quake, building))
    image = Image.new("RGB", (1600, 1200), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    quake.post(f"/damage/surveys/{survey_id}/photos", {"photo": (io.BytesIO(buffer.getvalue()), "roof.jpg"),
                                                        "caption": "屋根の損傷"},
               form_page=f"/damage/surveys/{survey_id}", content_type="multipart/form-data")
    page = quake.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    photo_id = re.search(r"/damage/photos/(\d+)\?size=thumb", page).group(1)
    thumb = Image.open(io.BytesIO(quake.get(f"/damage/photos/{photo_id}?size=thumb").data))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert quake.get(f"/damage/photos/{photo_id}").data == buffer.getvalue()
    bad = quake.post(f"/damage/surveys/{survey_id}/photos", {"photo": (io.BytesIO(b"not an image"), "x.jpg")},
                     form_page=f"/damage/surveys/{survey_id}", content_type="multipart/form-data",
                     follow_redirects=True)
    assert "写真を読み込めません" in bad.get_data(as_text=True)


def test_another_municipality_cannot_open_the_survey(app, quake, building):
    survey_id = survey_id_of(start_survey(quake, building))
    stranger = new_browser(app)
    assert stranger.login("033995", "admin").status_code == 302
    assert stranger.get(f"/damage/surveys/{survey_id}").status_code == 404
    assert stranger.get(f"/damage/buildings/{building.id}").status_code == 404


def test_without_a_disaster_the_building_page_says_what_to_do(as_admin, building):
    page = as_admin.get(f"/damage/buildings/{building.id}").get_data(as_text=True)
    assert "災害を選択すると" in page and "start-survey" not in page


def test_survey_list_exports_read_back_in_both_encodings_and_xlsx(quake, building, system_session):
    import csv

    from openpyxl import load_workbook

    survey_id = survey_id_of(start_survey(quake, building))
    record_survey(quake, survey_id, {"part_屋根": "100", "part_外壁": "40", "part_基礎": "50"})
    for encoding in ("utf-8-sig", "cp932"):
        response = quake.get(f"/damage/surveys/export?format=csv&encoding={encoding}")
        rows = list(csv.reader(io.StringIO(response.data.decode(encoding))))
        assert rows[0][0] == "所在地" and rows[1][0] == building.address
        assert rows[1][7] == "50.0" and rows[1][8] == "全壊" and rows[1][6] == "判定待ち"
    sheet = load_workbook(io.BytesIO(quake.get("/damage/surveys/export?format=xlsx").data)).active
    assert sheet.cell(2, 1).value == building.address and sheet.cell(2, 9).value == "全壊"
    exports = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'damage_survey_export'"))
    assert exports == 3


def test_survey_list_shows_open_surveys_first(quake, building):
    survey_id = survey_id_of(start_survey(quake, building))
    page = quake.get("/damage/surveys").get_data(as_text=True)
    assert f"/damage/surveys/{survey_id}" in page and "調査中" in page
    assert f"/damage/surveys/{survey_id}" not in quake.get("/damage/surveys?status=確定").get_data(as_text=True)


def test_building_shows_its_households_and_keeps_its_owner(as_admin, system_session):
    from app.residents.models import Resident

    resident = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                             Resident.status == "住登内")).first()
    house = system_session.scalars(select(Building).where(Building.address == resident.address)).first()
    page = as_admin.get(f"/damage/buildings/{house.id}").get_data(as_text=True)
    assert resident.name in page and resident.household_no in page
    assert system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'record_view' "
                                      "AND target_type = 'building'")) == 1
    half = as_admin.post(f"/damage/buildings/{house.id}/owner", {"owner_name": "大家 花子"},
                         form_page=f"/damage/buildings/{house.id}", follow_redirects=True).get_data(as_text=True)
    assert "所有者の氏名と住所は両方入力してください" in half
    as_admin.post(f"/damage/buildings/{house.id}/owner",
                  {"owner_name": "大家 花子", "owner_address": "仙台市青葉区1-1"},
                  form_page=f"/damage/buildings/{house.id}")
    page = as_admin.get(f"/damage/buildings/{house.id}").get_data(as_text=True)
    assert "大家 花子（仙台市青葉区1-1）" in page
