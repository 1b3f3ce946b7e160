"""再調査依頼 reopens a certified case: it is taken from a confirmation screen (GET shows it, only
its POST with the box ticked records it), never by one press on the application page."""
import re

import pytest
from sqlalchemy import select

from app.damage.models import Building
from app.disasters.models import CertificateApplication
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _version(browser, path) -> str:
    return re.search(r'name="version" value="(\d+)"', browser.get(path).get_data(as_text=True)).group(1)


def _advance(browser, application_id, **extra):
    path = f"/victims/certificates/{application_id}"
    return browser.post(f"{path}/advance", {"version": _version(browser, path), **extra}, form_page=path)


@pytest.fixture()
def issued(app, as_admin, system_session):
    """An application whose 罹災証明書 was issued on a confirmed grade: its id."""
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（再調査）", "kind": "地震", "started_on": "2026-11-20"})
    house = system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.is_dwelling,
                                                          Building.structure == "木造").order_by(Building.id)).first()
    applied = as_admin.post("/victims/certificates/new", {
        "kind": "罹災証明書", "channel": "窓口", "applicant_name": "桜 太郎", "applicant_address": house.address,
        "cause": "令和8年桜ヶ丘地震", "building_id": str(house.id), "flood_level": ""},
        form_page=f"/victims/certificates/new?building_id={house.id}")
    application_id = int(re.search(r"/victims/certificates/(\d+)", applied.headers["Location"]).group(1))
    started = as_admin.post(f"/damage/buildings/{house.id}/surveys", {"round": "第1次", "hazard": "地震"},
                            form_page=f"/damage/buildings/{house.id}")
    survey = re.search(r"/damage/surveys/\d+", started.headers["Location"]).group(0)
    as_admin.post(survey, {"version": _version(as_admin, survey), "part_屋根": "100", "part_外壁": "40",
                           "part_基礎": "50"})
    reviewer = new_browser(app)
    reviewer.login(DEMO_CODE, "bosai")
    reviewer.post(f"{survey}/finalise", {"version": _version(reviewer, survey)}, form_page=survey)
    for _ in ("調査", "判定", "交付"):
        assert _advance(as_admin, application_id).status_code == 302
    assert _status(system_session, application_id) == "交付"
    return application_id


def _status(system_session, application_id) -> str:
    system_session.expire_all()
    return system_session.get(CertificateApplication, application_id).status


def test_application_page_offers_the_confirmation_screen_not_a_button(as_admin, issued):
    page = as_admin.get(f"/victims/certificates/{issued}").get_data(as_text=True)
    assert f'id="request-resurvey" href="/victims/certificates/{issued}/resurvey"' in page
    assert 'id="advance"' not in page


def test_the_confirmation_screen_writes_nothing_and_explains_what_happens(as_admin, issued, system_session):
    page = as_admin.get(f"/victims/certificates/{issued}/resurvey").get_data(as_text=True)
    assert "新しい証明番号で証明書を交付します" in page and 'name="confirm_resurvey"' in page
    assert f'action="/victims/certificates/{issued}/advance"' in page
    assert _status(system_session, issued) == "交付"


def test_a_request_without_the_confirmation_is_refused(as_admin, issued, system_session):
    refused = _advance(as_admin, issued)
    assert refused.status_code == 302
    assert "確認画面で内容を確認し" in as_admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert _status(system_session, issued) == "交付"


def test_the_confirmed_request_is_recorded(as_admin, issued, system_session):
    assert _advance(as_admin, issued, confirm_resurvey="y").status_code == 302
    assert _status(system_session, issued) == "再調査依頼"
    again = as_admin.get(f"/victims/certificates/{issued}/resurvey")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/victims/certificates/{issued}")
