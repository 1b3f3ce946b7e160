"""Running opened shelters through HTTP: the situation board (day/night, needs, toilet guidance) and
its exports, moves between shelters, evacuee cards and re-entry, needs seen only by the shelter's
own staff, facilities with optimistic locking."""
import csv
import io
import re

import openpyxl
from sqlalchemy import text

from app.shelters.models import HAZARD_TYPES, Evacuee
from tests.helpers.demo import DEMO_CODE
from tests.helpers.shelters import check_in, present_evacuees
from tests.helpers.web import new_browser


def _row(page: str, opening_id: int) -> str:
    return re.search(rf'<tr data-opening="{opening_id}".*?</tr>', page, re.S).group(0)


def test_the_situation_board_counts_day_night_kinds_and_toilets(two_openings, family, system_session):
    browser, first, _second, shelter, _ = two_openings
    page = f"/shelters/registry/{shelter.id}"
    browser.post(page, {"version": str(shelter.version), "toilets": "0", "floor_area_m2": "5"}, form_page=page)
    check_in(browser, first, family[0].atena_no)
    night_only = present_evacuees(system_session, first)[0]
    browser.post(f"/shelters/evacuees/{night_only.id}/stay", {"stay": "夜のみ", "version": str(night_only.version)},
                 form_page=f"/shelters/openings/{first}")
    browser.post(f"/shelters/openings/{first}/walk-in", {"name": "車中 泊子", "kind": "車中泊"},
                 form_page=f"/shelters/openings/{first}")
    page = browser.get("/shelters/dashboard").get_data(as_text=True)
    row = _row(page, first)
    inside = len(family)
    assert f"{inside}／{shelter.capacity}" in row
    assert re.search(rf'class="num day">{inside - 1}<', row) and re.search(rf'class="num night">{inside}<', row)
    assert "1基不足" in row  # one toilet needed for up to 50 people, none recorded
    assert f"{round(5 / inside, 1)}㎡" in row and "目安3.5㎡未満" in row
    rows = list(csv.reader(io.StringIO(browser.get("/shelters/dashboard.csv?encoding=cp932").data.decode("cp932"))))
    line = next(r for r in rows if r[0] == shelter.name)
    header = rows[0]
    assert line[header.index("避難所内")] == str(inside) and line[header.index("車中泊")] == "1"
    assert line[header.index("昼間")] == str(inside - 1) and line[header.index("夜間")] == str(inside)
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get("/shelters/dashboard.xlsx").data)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == header and any(r[0] == shelter.name and r[5] == inside for r in values[1:])
    assert system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'shelter_dashboard'")) >= 3


def test_a_household_moves_to_another_shelter_with_its_history(two_openings, family, system_session):
    browser, first, second, *_ = two_openings
    check_in(browser, first, family[0].atena_no)
    someone = present_evacuees(system_session, first)[1]
    response = browser.post(f"/shelters/evacuees/{someone.id}/move", {"to_opening_id": str(second)},
                            form_page=f"/shelters/openings/{first}", follow_redirects=True)
    assert f"{len(family)}人の移動を記録しました" in response.get_data(as_text=True)
    assert present_evacuees(system_session, first) == []
    arrived = present_evacuees(system_session, second)
    assert len(arrived) == len(family) and all(a.moved_from_id for a in arrived)
    left = system_session.get(Evacuee, someone.id)
    system_session.refresh(left)
    assert left.left_reason == "移動" and left.checked_out_at is not None
    assert {a.card_code for a in arrived} >= {left.card_code}
    again = browser.post(f"/shelters/evacuees/{arrived[0].id}/move", {"to_opening_id": str(second)},
                         form_page=f"/shelters/openings/{second}", follow_redirects=True).get_data(as_text=True)
    assert "同じ避難所への移動はできません" in again


def test_evacuee_card_brings_people_back_in_and_moves_them(two_openings, family, system_session):
    browser, first, second, *_ = two_openings
    check_in(browser, first, family[0].atena_no)
    person = present_evacuees(system_session, first)[0]
    card = browser.get(f"/shelters/evacuees/{person.id}/card").get_data(as_text=True)
    assert card.count('class="evacuee-card"') == len(family) and "<svg" in card
    assert f"{person.card_code[:4]}-{person.card_code[4:]}" in card
    browser.post(f"/shelters/evacuees/{person.id}/check-out", {}, form_page=f"/shelters/openings/{first}")
    back = browser.post(f"/shelters/openings/{first}/reentry", {"card": f"bcl-evac:{person.card_code.lower()}"},
                        form_page=f"/shelters/openings/{first}", follow_redirects=True).get_data(as_text=True)
    assert f"{person.name}さん：再入所を受け付けました" in back
    assert len(present_evacuees(system_session, first)) == len(family)
    moved = browser.post(f"/shelters/openings/{second}/reentry", {"card": person.card_code},
                         form_page=f"/shelters/openings/{second}", follow_redirects=True).get_data(as_text=True)
    assert "他の避難所からの移動を受け付けました" in moved
    assert [e.name for e in present_evacuees(system_session, second)] == [person.name]
    for typed, message in (("ZZZZ", "避難者カードの番号を読めません"), ("ACDE-FGHJ", "この災害で発行されていません")):
        page = browser.post(f"/shelters/openings/{second}/reentry", {"card": typed},
                            form_page=f"/shelters/openings/{second}", follow_redirects=True).get_data(as_text=True)
        assert message in page


def test_needs_are_seen_only_by_the_shelters_own_staff(app, two_openings, family, system_session):
    browser, first, _second, shelter, _ = two_openings
    check_in(browser, first, family[0].atena_no)
    person = present_evacuees(system_session, first)[0]
    browser.post(f"/shelters/registry/{shelter.id}/staff", {}, form_page=f"/shelters/registry/{shelter.id}")
    shelter_user = new_browser(app)
    shelter_user.login(DEMO_CODE, "hinanjo")
    assert shelter_user.get(f"/shelters/evacuees/{person.id}/needs").status_code == 403
    opening_page = shelter_user.get(f"/shelters/openings/{first}").get_data(as_text=True)
    assert "配慮事項は、この避難所の担当職員だけ" in opening_page
    hinanjo_id = system_session.scalar(text("SELECT id FROM users WHERE lg_code = :lg AND login_id = 'hinanjo'"),
                                       {"lg": DEMO_CODE})
    assert shelter_user.post(f"/shelters/registry/{shelter.id}/staff", {"user_id": str(hinanjo_id)},
                             form_page=f"/shelters/registry/{shelter.id}").status_code == 403
    browser.post(f"/shelters/registry/{shelter.id}/staff", {"user_id": str(hinanjo_id)},
                 form_page=f"/shelters/registry/{shelter.id}")
    saved = shelter_user.post(f"/shelters/evacuees/{person.id}/needs",
                              {"needs": ["食物アレルギー"], "note": "卵・乳", "version": str(person.version)},
                              form_page=f"/shelters/evacuees/{person.id}/needs", follow_redirects=True)
    assert "配慮事項を保存しました" in saved.get_data(as_text=True)
    assert "卵・乳" in shelter_user.get(f"/shelters/openings/{first}").get_data(as_text=True)
    assert "卵・乳" not in browser.get(f"/shelters/openings/{first}").get_data(as_text=True)  # admin, not assigned
    stale = shelter_user.post(f"/shelters/evacuees/{person.id}/needs",
                              {"needs": ["介護"], "note": "車いす", "version": str(person.version)},
                              form_page=f"/shelters/evacuees/{person.id}/needs").get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale and "車いす" in stale and "卵・乳" in stale
    board = browser.get("/shelters/dashboard").get_data(as_text=True)
    assert re.search(r'class="num needs">1<', _row(board, first)) and "卵・乳" not in board
    actions = system_session.scalars(text("SELECT action FROM audit_log WHERE action LIKE 'evacuee_needs%'")).all()
    assert "evacuee_needs_update" in actions and "evacuee_needs_view" in actions


def test_facilities_are_saved_with_optimistic_locking(two_openings):
    browser, _first, _second, shelter, _ = two_openings
    page = f"/shelters/registry/{shelter.id}"
    form = {"version": str(shelter.version), "toilets": "4", "floor_area_m2": "320.5", "has_generator": "1",
            "accessibility": ["スロープ", "車いす対応トイレ"], "stockpile": "水 500L"}
    saved = browser.post(page, form | {"kind": "福祉避難所"}, form_page=page, follow_redirects=True
                         ).get_data(as_text=True)
    assert "設備を保存しました" in saved and "<option selected>福祉避難所</option>" in saved
    assert "（福祉避難所）" in browser.get("/shelters/openings").get_data(as_text=True)
    form["version"] = str(shelter.version + 1)
    bad_kind = browser.post(page, form | {"kind": "臨時避難所"}, form_page=page).get_data(as_text=True)
    assert "避難所の種別「臨時避難所」はありません" in bad_kind
    form["version"] = str(shelter.version)
    stale = browser.post(page, form | {"toilets": "9"}, form_page=page).get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale and 'value="9"' in stale
    wrong = browser.post(page, form | {"version": str(shelter.version + 1), "toilets": "-1"}, form_page=page)
    assert "0以上で入力してください" in wrong.get_data(as_text=True)
    unknown = browser.post(page, form | {"version": str(shelter.version + 1), "accessibility": ["ヘリポート"]},
                           form_page=page)
    assert "バリアフリー設備「ヘリポート」はありません" in unknown.get_data(as_text=True)


def test_capacity_and_hazards_are_edited_and_reach_the_dataset(two_openings):
    browser, _first, _second, shelter, _ = two_openings
    page = f"/shelters/registry/{shelter.id}"
    form = {"version": str(shelter.version), "toilets": "2", "floor_area_m2": "", "stockpile": "",
            "capacity": "480", "hazards_shown": "1", "hazards": ["地震", "洪水"]}
    saved = browser.post(page, form, form_page=page, follow_redirects=True).get_data(as_text=True)
    assert "設備を保存しました" in saved and 'id="capacity" name="capacity" value="480"' in saved
    assert 'name="hazards" value="洪水" checked' in saved
    exported = browser.get("/shelters/registry/dataset.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    row = next(r for r in rows if r["名称"] == shelter.name)
    assert row["想定収容人数"] == "480"
    assert [h for h in HAZARD_TYPES if row[f"災害種別_{h}"] == "1"] == ["洪水", "地震"]
    form["version"] = str(shelter.version + 1)
    cleared = browser.post(page, form | {"hazards": []}, form_page=page, follow_redirects=True).get_data(as_text=True)
    assert "設備を保存しました" in cleared and 'name="hazards" value="洪水" checked' not in cleared
    form["version"] = str(shelter.version + 2)
    bad = browser.post(page, form | {"capacity": "-5"}, form_page=page).get_data(as_text=True)
    assert "0以上で入力してください" in bad
    unknown = browser.post(page, form | {"hazards": ["隕石"]}, form_page=page).get_data(as_text=True)
    assert "災害の種別「隕石」はありません" in unknown
