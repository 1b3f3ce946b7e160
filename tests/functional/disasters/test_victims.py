"""被災者台帳 through HTTP: built from the affected 町丁目, people added by hand, the statutory
items kept with confirmation and locking, 提供抑止 for people under 支援措置, exports read back
(CSV in both encodings, XLSX), tenancy. Provisions to registered recipients: test_victim_provisions.py."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.disasters.models import Victim
from app.residents.models import Resident
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


@pytest.fixture()
def flood(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜川水害", "kind": "風水害（大雨・洪水）",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def protected_area(system_session):
    """A 町丁目 where someone under 支援措置 lives (code, that person's resident id)."""
    row = system_session.execute(text("""
        SELECT a.code, r.id FROM residents r JOIN admin_areas a ON ST_Intersects(a.geom, r.geom)
        WHERE r.lg_code = :lg AND r.is_protected AND r.status = '住登内' ORDER BY r.id LIMIT 1"""),
                                 {"lg": DEMO_CODE}).one()
    return row[0], row[1]


def _build(browser, **form):
    return browser.post("/victims/register/build", form, form_page="/victims/register")


def _victim_of(system_session, resident_id) -> Victim:
    return system_session.scalars(select(Victim).where(Victim.resident_id == resident_id)).one()


def test_build_from_the_affected_area_takes_everyone_living_there_once(flood, protected_area, system_session):
    code, _ = protected_area
    expected = system_session.scalar(text("""
        SELECT count(*) FROM residents r JOIN admin_areas a ON ST_Intersects(a.geom, r.geom)
        WHERE r.lg_code = :lg AND r.status = '住登内' AND a.code = :code"""), {"lg": DEMO_CODE, "code": code})
    page = flood.get(_build(flood, area=code).headers["Location"]).get_data(as_text=True)
    assert f"{expected} 人を追加しました" in page
    again = flood.get(_build(flood, area=code).headers["Location"]).get_data(as_text=True)
    assert "0 世帯・0 人を追加しました" in again  # building again adds nobody twice
    assert system_session.scalar(select(func.count()).select_from(Victim)) == expected
    listing = flood.get("/victims/register").get_data(as_text=True)
    assert f'id="register-total">{expected}<' in listing and "提供抑止" in listing
    heads = system_session.scalar(text("SELECT count(*) FROM victim_households WHERE head_name <> ''"))
    assert heads > 0
    care = system_session.scalar(text("SELECT count(*) FROM victims WHERE care_reason <> ''"))
    cared = flood.get("/victims/register?care=1").get_data(as_text=True)
    assert f'id="register-total">{care}<' in cared
    nothing = flood.get(_build(flood).headers["Location"]).get_data(as_text=True)
    assert "台帳に載せる範囲" in nothing


def test_person_page_warns_about_protection_and_is_audited(flood, protected_area, system_session):
    code, resident_id = protected_area
    _build(flood, area=code)
    victim = _victim_of(system_session, resident_id)
    page = flood.get(f"/victims/register/{victim.id}").get_data(as_text=True)
    assert "支援措置（DV等）の対象者です" in page
    viewed = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'victim_view' "
                                        "AND :id = ANY(target_ids)"), {"id": str(victim.id)})
    assert viewed == 1


def _post_victim(browser, victim_id, values, version, confirm=True):
    data = {"version": str(version), **values}
    if confirm:
        data["confirm_changes"] = "y"
    return browser.post(f"/victims/register/{victim_id}", data, form_page=f"/victims/register/{victim_id}")


def test_updates_need_confirmation_and_the_second_tablet_sees_the_first(app, flood, protected_area, system_session):
    code, resident_id = protected_area
    _build(flood, area=code)
    victim = _victim_of(system_session, resident_id)
    unconfirmed = _post_victim(flood, victim.id, {"relief_status": "食料支給 11/21"}, victim.version, confirm=False)
    assert "変更内容を確認し" in unconfirmed.get_data(as_text=True)
    assert _post_victim(flood, victim.id, {"relief_status": "食料支給 11/21"}, victim.version).status_code == 302
    other = new_browser(app)
    other.login(DEMO_CODE, "bosai")
    stale = _post_victim(other, victim.id, {"relief_status": "毛布 11/21"}, victim.version).get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale and "食料支給 11/21" in stale and "毛布 11/21" in stale
    system_session.expire_all()
    assert _victim_of(system_session, resident_id).relief_status == "食料支給 11/21"


def test_someone_not_in_the_records_is_added_by_hand(flood, system_session):
    response = flood.post("/victims/register/new", {"name": "旅行 一郎", "address": "東京都千代田区1-1",
                                                    "birth_date": "1980-04-01", "sex": "1"})
    assert response.status_code == 302
    page = flood.get(response.headers["Location"]).get_data(as_text=True)
    assert "旅行 一郎" in page and "手入力" in page
    missing = flood.post("/victims/register/new", {"name": "", "address": ""}).get_data(as_text=True)
    assert "氏名を入力してください" in missing


def _csv(browser, url, encoding):
    response = browser.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode(encoding))))


def test_staff_exports_read_back_in_both_encodings_and_as_xlsx(flood, protected_area, system_session):
    code, resident_id = protected_area
    _build(flood, area=code)
    resident = system_session.get(Resident, resident_id)
    total = system_session.scalar(select(func.count()).select_from(Victim))
    staff = _csv(flood, "/victims/register/export?format=csv&encoding=utf-8-sig", "utf-8-sig")
    assert len(staff) == total + 1 and staff[0][1] == "氏名"
    row = next(r for r in staff if r[1] == resident.name and r[3] and resident.address in r[6])
    assert resident.address in row[6]  # the staff's own file, for the municipality's relief
    sjis = _csv(flood, "/victims/register/export?format=csv&encoding=cp932", "cp932")
    assert [r[1] for r in sjis] == [r[1] for r in staff]
    workbook = load_workbook(io.BytesIO(flood.get("/victims/register/export?format=xlsx").data))
    sheet = workbook.active
    assert sheet.max_row == total + 1 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet.cell(1, 1).font.bold and int(sheet.page_setup.paperSize) == 9  # A4
    assert [r[1] for r in sheet.iter_rows(min_row=1, values_only=True)] == [r[1] for r in staff]
    exports = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'victim_export'"))
    assert exports == 3


@pytest.mark.parametrize("query", ["format=csv&third_party=1", "format=csv&third_party=1&encoding=cp932",
                                   "format=xlsx&third_party=1", "third_party=0"])
def test_the_staff_export_makes_no_file_for_third_parties(flood, protected_area, system_session, query):
    """A file for someone outside is a recorded provision only (test_victim_provisions.py): the
    export refuses to make one, and hands out nobody — least of all people who never consented."""
    code, resident_id = protected_area
    _build(flood, area=code)
    resident = system_session.get(Resident, resident_id)
    refused = flood.get(f"/victims/register/export?{query}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert "外部への提供（90条の4）" in page and resident.name not in page
    assert system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'victim_export'")) == 0
    register = flood.get("/victims/register").get_data(as_text=True)
    assert "third_party" not in register and 'id="provide-form"' in register


def test_another_municipality_sees_nothing(app, flood, protected_area, system_session):
    code, resident_id = protected_area
    _build(flood, area=code)
    victim = _victim_of(system_session, resident_id)
    stranger = new_browser(app)
    stranger.login("033995", "admin")
    assert stranger.get(f"/victims/register/{victim.id}").status_code == 404


def test_affected_area_builds_the_register_and_an_ended_disaster_takes_no_surveys(flood, protected_area,
                                                                                   system_session):
    from app.disasters.models import Disaster

    code, resident_id = protected_area
    disaster = system_session.scalars(select(Disaster).where(Disaster.name == "令和8年桜川水害")).one()
    page = f"/disasters/{disaster.id}"
    flood.post(f"{page}/areas", {"area": code, "version": str(disaster.version)}, form_page=page)
    system_session.expire_all()
    assert system_session.get(Disaster, disaster.id).geom is not None
    assert f'value="{code}" checked' in flood.get(page).get_data(as_text=True)
    layer = flood.get("/map/layers/disasters.geojson").get_json()
    assert [f["properties"]["name"] for f in layer["features"]] == ["令和8年桜川水害"]
    built = flood.get(_build(flood, whole="y").headers["Location"]).get_data(as_text=True)
    assert "人を追加しました" in built and _victim_of(system_session, resident_id)
    stale = flood.post(f"{page}/status", {"status": "終了", "version": "0"}, form_page=page,
                       follow_redirects=True).get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale
    version = system_session.get(Disaster, disaster.id).version
    flood.post(f"{page}/status", {"status": "終了", "version": str(version)}, form_page=page)
    building_id = system_session.scalar(text("SELECT id FROM buildings WHERE lg_code = :lg ORDER BY id LIMIT 1"),
                                        {"lg": DEMO_CODE})
    refused = flood.post(f"/damage/buildings/{building_id}/surveys", {"round": "第1次", "hazard": "水害"},
                         form_page=f"/damage/buildings/{building_id}", follow_redirects=True).get_data(as_text=True)
    assert "終了しています" in refused


def test_own_items_are_renamed_hidden_added_and_exported(flood, protected_area, system_session):
    code, resident_id = protected_area
    _build(flood, area=code)
    form = flood.get("/admin/items").get_data(as_text=True)
    keys = re.findall(r'name="key" value="([a-z_0-9]+)"', form)
    assert keys[:2] == ["shelter", "home_state"]
    data = {"key": keys, "new_label": "証明書の送付先"}
    for index, key in enumerate(keys):
        data[f"label_{key}"] = "避難所名" if key == "shelter" else re.search(
            rf'name="label_{key}" value="([^"]+)"', form).group(1)
        data[f"order_{key}"] = str(index)
        if key != "pets":
            data[f"visible_{key}"] = "y"
    flood.post("/admin/items", data, form_page="/admin/items")
    victim = _victim_of(system_session, resident_id)
    page = flood.get(f"/victims/register/{victim.id}").get_data(as_text=True)
    assert "避難所名" in page and "ペットの有無" not in page and "証明書の送付先" in page
    _post_victim(flood, victim.id, {"opt_shelter": "桜ヶ丘小学校", "opt_item_1": "仙台の親戚宅"}, victim.version)
    system_session.expire_all()
    assert _victim_of(system_session, resident_id).optional_items == {"shelter": "桜ヶ丘小学校",
                                                                      "item_1": "仙台の親戚宅"}
    rows = _csv(flood, "/victims/register/export?format=csv", "utf-8-sig")
    assert "避難所名" in rows[0] and "証明書の送付先" in rows[0] and "ペットの有無" not in rows[0]
    column = rows[0].index("避難所名")
    assert any(r[column] == "桜ヶ丘小学校" for r in rows[1:])
    empty = flood.post("/admin/items", data | {f"label_{keys[0]}": ""}, form_page="/admin/items",
                       follow_redirects=True).get_data(as_text=True)
    assert "事項の名称は1〜40文字" in empty


def test_the_households_of_one_building_are_added_from_its_page(flood, system_session):
    from app.damage.models import Building

    resident = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                             Resident.status == "住登内")).first()
    house = system_session.scalars(select(Building).where(Building.address == resident.address)).first()
    assert 'id="register-building"' in flood.get(f"/damage/buildings/{house.id}").get_data(as_text=True)
    flood.post("/victims/register/build", {"building_id": str(house.id)}, form_page=f"/damage/buildings/{house.id}")
    added = system_session.scalars(select(Victim.resident_id)).all()
    living = system_session.scalars(select(Resident.id).where(Resident.address == resident.address,
                                                              Resident.status == "住登内")).all()
    assert sorted(added) == sorted(living) and resident.id in added


def test_one_person_who_is_not_the_head_brings_the_heads_name(flood, system_session):
    member = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE, Resident.status == "住登内",
                                                           Resident.is_household_head.is_(False))).first()
    head = system_session.scalars(select(Resident).where(Resident.household_no == member.household_no,
                                                         Resident.is_household_head)).first()
    assert "1 人を追加しました" in flood.get(_build(flood, atena_no=member.atena_no).headers["Location"]).get_data(
        as_text=True)
    assert system_session.scalar(text("SELECT head_name FROM victim_households")) == head.name
