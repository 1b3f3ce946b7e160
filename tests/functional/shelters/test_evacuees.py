"""Opened shelters through HTTP: open for a disaster, check a household in (all members, once),
occupancy, check out, closing only when empty, evacuees in the 被災者台帳, tenancy."""
import re

import pytest
from sqlalchemy import func, select, text

from app.disasters.models import Victim
from app.residents.models import Resident
from app.shelters.models import Shelter
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


@pytest.fixture()
def opened(as_admin, system_session):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（避難所）", "kind": "地震", "started_on": "2026-11-20"})
    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    response = as_admin.post("/shelters/openings", {"shelter_id": str(shelter.id)}, form_page="/shelters/openings")
    opening_id = int(re.search(r"/shelters/openings/(\d+)", response.headers["Location"]).group(1))
    return as_admin, opening_id


@pytest.fixture()
def family(system_session):
    """A household of three or more living in the town: its members."""
    household = system_session.scalar(text("""
        SELECT household_no FROM residents WHERE lg_code = :lg AND status = '住登内'
        GROUP BY household_no HAVING count(*) >= 3 ORDER BY household_no LIMIT 1"""), {"lg": DEMO_CODE})
    return system_session.scalars(select(Resident).where(Resident.household_no == household,
                                                         Resident.status == "住登内")).all()


def _check_in(browser, opening_id, atena_no):
    response = browser.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": atena_no},
                            form_page=f"/shelters/openings/{opening_id}")
    return response.status_code, response.get_json()


def test_a_household_checks_in_together_once_and_occupancy_follows(opened, family, system_session):
    browser, opening_id = opened
    status, answer = _check_in(browser, opening_id, family[1].atena_no)
    assert status == 200 and answer["present"] == len(family)
    assert sorted(answer["checked_in"]) == sorted(m.name for m in family)
    page = browser.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
    assert f'id="occupancy">{len(family)}<' in page
    status, again = _check_in(browser, opening_id, family[0].atena_no)
    assert status == 422 and again["code"] == "already_checked_in"
    in_register = system_session.scalar(select(func.count()).select_from(Victim).where(
        Victim.resident_id.in_([m.id for m in family])))
    assert in_register == len(family)
    evacuee_id = re.search(r"/shelters/evacuees/(\d+)/check-out", page).group(1)
    closing = browser.post(f"/shelters/openings/{opening_id}/status", {"status": "閉鎖", "version": "1"},
                           form_page=f"/shelters/openings/{opening_id}", follow_redirects=True).get_data(as_text=True)
    assert "避難者が残っているため閉鎖できません" in closing
    browser.post(f"/shelters/evacuees/{evacuee_id}/check-out", {}, form_page=f"/shelters/openings/{opening_id}")
    page = browser.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
    assert f'id="occupancy">{len(family) - 1}<' in page
    listing = browser.get("/shelters/openings").get_data(as_text=True)
    assert re.search(rf'<td class="num">{len(family) - 1}</td>', listing)


def test_errors_and_tenancy(app, opened, family):
    browser, opening_id = opened
    status, answer = _check_in(browser, opening_id, "999999999")
    assert status == 422 and answer["code"] == "resident_unknown"
    again = browser.post("/shelters/openings", {"shelter_id": str(_shelter_of(browser, opening_id))},
                         form_page="/shelters/openings", follow_redirects=True).get_data(as_text=True)
    assert "既に開設しています" in again
    stranger = new_browser(app)
    stranger.login("033995", "admin")
    assert stranger.get(f"/shelters/openings/{opening_id}").status_code == 404


def _shelter_of(browser, opening_id) -> int:
    page = browser.get("/shelters/openings").get_data(as_text=True)
    name = re.search(r"<h1>([^（]+)（", browser.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)).group(1)
    return int(re.search(rf'<option value="(\d+)">{re.escape(name)}（', page).group(1))


def test_walk_ins_and_car_stays_are_received_and_in_the_register(opened, family, system_session):
    browser, opening_id = opened
    browser.post(f"/shelters/openings/{opening_id}/walk-in", {"name": "旅行 一郎", "name_kana": "リョコウ イチロウ",
                                                             "address": "東京都千代田区1-1", "kind": "車中泊"},
                 form_page=f"/shelters/openings/{opening_id}")
    at_home = {"atena_no": family[0].atena_no, "kind": "在宅"}
    response = browser.post(f"/shelters/openings/{opening_id}/check-in", at_home,
                            form_page=f"/shelters/openings/{opening_id}")
    assert response.status_code == 200
    kinds = dict(system_session.execute(text("SELECT name, kind FROM evacuees")).all())
    assert kinds["旅行 一郎"] == "車中泊" and kinds[family[0].name] == "在宅"
    assert system_session.scalar(text("SELECT source FROM victims WHERE name = '旅行 一郎'")) == "手入力"
    page = browser.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
    assert f'id="occupancy">{len(family) + 1}<' in page
    nameless = browser.post(f"/shelters/openings/{opening_id}/walk-in", {"name": ""},
                            form_page=f"/shelters/openings/{opening_id}", follow_redirects=True).get_data(as_text=True)
    assert "氏名を入力してください" in nameless
