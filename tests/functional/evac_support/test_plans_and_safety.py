"""個別避難計画 and 安否確認 through HTTP: a plan only with consent, saved with supporters, shelter
and a drawn route (LineString 4326), a stale save shows the other change, the A4 print leaves out
支援措置 people's address and map; safety states kept as append-only history, progress per 町丁目,
the state a tap on the map shows and the states read back as CSV (both encodings) and XLSX."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE

ROUTE = {"type": "LineString", "coordinates": [[140.88, 38.26], [140.881, 38.2605], [140.8822, 38.2611]]}


def _refresh(browser):
    browser.post("/evac-support/refresh", {}, form_page="/evac-support")


def _people(system_session, n=3) -> list[int]:
    return system_session.scalars(text("""SELECT p.id FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.lg_code = :lg AND p.removed_at IS NULL AND r.geom IS NOT NULL ORDER BY p.id LIMIT :n"""),
        {"lg": DEMO_CODE, "n": n}).all()


def _consent(browser, system_session, person_id, consent="同意"):
    version = system_session.scalar(text("SELECT version FROM evac_people WHERE id = :id"), {"id": person_id})
    browser.post(f"/evac-support/people/{person_id}/consent", {"consent": consent, "consent_on": "2026-11-01",
                                                              "how": "郵送", "version": str(version)},
                 form_page="/evac-support")


def _plan_form(version=0, **extra):
    form = {"version": str(version), "supporter_name_1": "近藤 一郎", "supporter_address_1": "桜ヶ丘町一丁目3番",
            "supporter_phone_1": "090-1111-2222", "supporter_relation_1": "近所", "supporter_name_2": "民生 花子",
            "supporter_phone_2": "0120-33-4444", "supporter_relation_2": "民生委員", "route": json.dumps(ROUTE),
            "notes": "車いす。薬を持ち出す。"}
    return form | extra


@pytest.fixture()
def shelter_id(system_session):
    return system_session.scalar(text("SELECT id FROM shelters WHERE lg_code = :lg ORDER BY code LIMIT 1"),
                                 {"lg": DEMO_CODE})


def test_plan_needs_consent_saves_route_and_shows_a_conflict(as_admin, system_session, shelter_id):
    _refresh(as_admin)
    person, other = _people(system_session, 2)
    page = as_admin.get(f"/evac-support/people/{person}").get_data(as_text=True)
    assert "この方の同意の状況は「未回答」です" in page and 'id="plan-form"' not in page
    refused = as_admin.post(f"/evac-support/people/{person}/plan", _plan_form(shelter_id=str(shelter_id)),
                            form_page=f"/evac-support/people/{other}")
    assert refused.status_code == 422 and "個別避難計画は本人の同意" in refused.get_data(as_text=True)
    assert system_session.scalar(text("SELECT count(*) FROM evac_plans")) == 0

    _consent(as_admin, system_session, person)
    consented = as_admin.get(f"/evac-support/people/{person}").get_data(as_text=True)
    assert '<span id="person-consent-how">郵送</span>' in consented and "令和8年11月1日" in consented
    saved = as_admin.post(f"/evac-support/people/{person}/plan", _plan_form(shelter_id=str(shelter_id)),
                          follow_redirects=True).get_data(as_text=True)
    assert "個別避難計画を保存しました" in saved and "近藤 一郎" in saved
    plan = system_session.execute(text("""SELECT id, version, supporters, shelter_id, ST_AsText(route), ST_SRID(route),
        GeometryType(route) FROM evac_plans WHERE person_id = :p"""), {"p": person}).one()
    assert [s["name"] for s in plan.supporters] == ["近藤 一郎", "民生 花子"] and plan.shelter_id == shelter_id
    assert plan[5] == 4326 and plan[6] == "LINESTRING" and plan[4].startswith("LINESTRING(140.88 38.26")

    unconfirmed = as_admin.post(f"/evac-support/people/{person}/plan",
                                _plan_form(version=plan.version, notes="ほかの職員の備考"))
    assert unconfirmed.status_code == 422 and "チェックを入れてから更新" in unconfirmed.get_data(as_text=True)
    other_change = as_admin.post(f"/evac-support/people/{person}/plan",
                                 _plan_form(version=plan.version, notes="ほかの職員の備考", confirm_changes="y"),
                                 follow_redirects=True)
    assert "個別避難計画を保存しました" in other_change.get_data(as_text=True)
    stale = as_admin.post(f"/evac-support/people/{person}/plan", _plan_form(version=plan.version, notes="私の備考",
                                                                             confirm_changes="y"))
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "他の職員が先に保存しました" in body
    assert "ほかの職員の備考" in body and "私の備考" in body  # the other change and this input, both shown
    bad_route = as_admin.post(f"/evac-support/people/{person}/plan",
                              _plan_form(version=plan.version + 1, confirm_changes="y",
                                         route='{"type": "Point", "coordinates": [1, 2]}'))
    assert bad_route.status_code == 422 and "線として描いて" in bad_route.get_data(as_text=True)
    actions = system_session.scalars(text("SELECT action FROM audit_log WHERE action LIKE 'evac_plan%' "
                                          "ORDER BY id")).all()
    assert actions == ["evac_plan_save", "evac_plan_save"]


def test_plan_print_is_a4_with_wareki_and_protects_dv_people(as_admin, system_session, shelter_id):
    _refresh(as_admin)
    person, protected = _people(system_session, 2)
    for who in (person, protected):
        _consent(as_admin, system_session, who)
        as_admin.post(f"/evac-support/people/{who}/plan", _plan_form(shelter_id=str(shelter_id)))
    address = system_session.scalar(text("SELECT r.address FROM evac_people p JOIN residents r ON r.id = p.resident_id "
                                         "WHERE p.id = :id"), {"id": person})
    sheet = as_admin.get(f"/evac-support/people/{person}/plan/print").get_data(as_text=True)
    assert "個別避難計画" in sheet and "令和" in sheet and address in sheet and 'id="print-map"' in sheet
    stylesheet = as_admin.get("/static/css/evac_print.css")
    css = stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert "size: A4 portrait" in css and "evac_print.css" in sheet
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :id)"), {"id": protected})
    system_session.flush()
    hidden_address = system_session.scalar(text(
        "SELECT r.address FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE p.id = :id"),
        {"id": protected})
    dv = as_admin.get(f"/evac-support/people/{protected}/plan/print").get_data(as_text=True)
    assert "支援措置対象のため記載しません" in dv and hidden_address not in dv and 'id="print-map"' not in dv
    listing = as_admin.get("/evac-support/plans", query_string={"has_plan": "1"}).get_data(as_text=True)
    assert listing.count("作成済") == 2
    without = as_admin.get("/evac-support/plans", query_string={"has_plan": "0"}).get_data(as_text=True)
    assert "作成済" not in without


def _disaster(browser, name="令和8年桜ヶ丘地震（安否）"):
    browser.post("/disasters/new", {"name": name, "kind": "地震", "started_on": "2026-11-20"})


def _set(browser, person_id, state, note=""):
    return browser.post(f"/evac-support/safety/{person_id}", {"state": state, "note": note},
                        form_page="/evac-support/safety", headers={"Accept": "application/json"})


def test_safety_states_history_progress_map_and_exports(as_admin, system_session):
    _refresh(as_admin)
    assert "災害を選択してください" in as_admin.get("/evac-support/safety", follow_redirects=True
                                                   ).get_data(as_text=True)
    _disaster(as_admin)
    first, second, third = _people(system_session, 3)
    assert _set(as_admin, first, "不在").get_json()["state"] == "不在"
    answer = _set(as_admin, first, "無事", "本人と電話").get_json()
    assert answer["counts"]["無事"] == 1 and answer["counts"]["不在"] == 0 and answer["checked_by"] == "admin"
    _set(as_admin, second, "要救助")
    assert _set(as_admin, third, "元気").status_code == 422
    history = system_session.execute(text("SELECT state, checked_by FROM safety_checks WHERE person_id = :p "
                                          "ORDER BY id"), {"p": first}).all()
    assert history == [("不在", "admin"), ("無事", "admin")]
    person_page = as_admin.get(f"/evac-support/people/{first}").get_data(as_text=True)
    assert "本人と電話" in person_page and "不在" in person_page

    total = system_session.scalar(text("SELECT count(*) FROM evac_people WHERE lg_code = :lg AND removed_at IS NULL"),
                                  {"lg": DEMO_CODE})
    progress = as_admin.get("/evac-support/safety/progress").get_data(as_text=True)
    assert f'<td class="num">{total}</td>' in progress
    assert f"{round(100 * 2 / total, 1)}%" in progress  # 無事 + 要救助 confirmed of everyone on the register
    area = system_session.scalar(text("""SELECT a.code FROM admin_areas a JOIN residents r ON ST_Covers(a.geom, r.geom)
        JOIN evac_people p ON p.resident_id = r.id WHERE p.id = :p ORDER BY a.code LIMIT 1"""), {"p": first})
    in_area = as_admin.get("/evac-support/safety", query_string={"area": area}).get_data(as_text=True)
    assert f'data-person="{first}"' in in_area
    kana = system_session.scalar(text("SELECT r.name_kana FROM evac_people p JOIN residents r ON r.id = p.resident_id "
                                      "WHERE p.id = :p"), {"p": second})
    hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana.replace(" ", "")[:2])
    by_kana = as_admin.get("/evac-support/safety", query_string={"kana": hiragana}).get_data(as_text=True)
    assert f'data-person="{second}"' in by_kana

    states = {p: as_admin.get(f"/evac-support/safety/people/{p}.json").get_json()["state"]
              for p in (first, second, third)}
    assert states == {first: "無事", second: "要救助", third: "未確認"}
    page = as_admin.get("/evac-support/safety/map").get_data(as_text=True)
    assert "/evac-support/safety/tiles/{z}/{x}/{y}.pbf" in page and "#d32f2f" in page

    utf8 = list(csv.reader(io.StringIO(as_admin.get("/evac-support/safety/export").data.decode("utf-8-sig"))))
    cp932 = list(csv.reader(io.StringIO(as_admin.get("/evac-support/safety/export", query_string={
        "encoding": "cp932"}).data.decode("cp932"))))
    assert utf8 == cp932 and len(utf8) - 1 == total and utf8[0][7] == "安否"
    assert sorted(r[7] for r in utf8[1:] if r[7] != "未確認") == ["無事", "要救助"]
    book = load_workbook(io.BytesIO(as_admin.get("/evac-support/safety/export", query_string={"format": "xlsx"}).data))
    assert book.active.max_row == total + 1
    logged = system_session.scalars(text("SELECT action FROM audit_log WHERE action IN "
                                         "('safety_check_record', 'safety_export') ORDER BY id")).all()
    assert logged.count("safety_check_record") == 3 and logged.count("safety_export") == 3


def test_safety_history_is_append_only_and_protected_people_lose_their_address(as_admin, system_session):
    _refresh(as_admin)
    _disaster(as_admin, "令和8年桜ヶ丘地震（追記のみ）")
    person = _people(system_session, 1)[0]
    _set(as_admin, person, "避難済")
    with pytest.raises(Exception, match=r"append-only|permission denied"):
        system_session.execute(text("UPDATE safety_checks SET state = '死亡' WHERE person_id = :p"), {"p": person})
    system_session.rollback()
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :id)"), {"id": person})
    system_session.flush()
    rows = list(csv.reader(io.StringIO(as_admin.get("/evac-support/safety/export").data.decode("utf-8-sig"))))
    marked = [r for r in rows[1:] if r[11]]
    assert len(marked) >= 1 and all(r[4] == "" and r[5] == "" for r in marked)
