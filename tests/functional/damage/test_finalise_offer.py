"""判定を確定 is offered only to those the server lets confirm: the 被害認定の確定 screen, and never
the member of staff who surveyed (the server keeps refusing both)."""
import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.damage.models import Building
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


@pytest.fixture()
def judged(as_admin, system_session):
    """A survey recorded (判定待ち) by admin: its id."""
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（確定）", "kind": "地震", "started_on": "2026-11-20"})
    building = system_session.scalars(select(Building).where(
        Building.lg_code == DEMO_CODE, Building.structure == "木造", Building.floors <= 2
    ).order_by(Building.id)).first()
    started = as_admin.post(f"/damage/buildings/{building.id}/surveys", {"round": "第1次", "hazard": "地震"},
                            form_page=f"/damage/buildings/{building.id}")
    survey_id = int(re.search(r"/damage/surveys/(\d+)", started.headers["Location"]).group(1))
    recorded = as_admin.post(f"/damage/surveys/{survey_id}", {"version": _version(as_admin, survey_id),
                                                              "part_屋根": "100", "part_外壁": "40", "part_基礎": "50"})
    assert recorded.status_code == 302
    return survey_id


def _version(browser, survey_id) -> str:
    page = browser.get(f"/damage/surveys/{survey_id}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _login(app, login_id):
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, login_id).status_code == 302
    return browser


def test_the_surveyor_is_told_who_confirms_instead_of_being_offered_it(as_admin, judged):
    page = as_admin.get(f"/damage/surveys/{judged}").get_data(as_text=True)
    assert 'id="finalise-form"' not in page and "判定を確定" not in page
    assert "この調査はあなたが行ったため、判定の確定は別の職員が行います" in page
    refused = as_admin.post(f"/damage/surveys/{judged}/finalise", {"version": _version(as_admin, judged)},
                            form_page=f"/damage/surveys/{judged}", follow_redirects=True)
    assert "自分が調査した判定は確定できません" in refused.get_data(as_text=True)


def test_another_reviewer_is_offered_the_confirmation(app, judged):
    reviewer = _login(app, "bosai")
    page = reviewer.get(f"/damage/surveys/{judged}").get_data(as_text=True)
    assert 'id="finalise-form"' in page and "この調査はあなたが行ったため" not in page


def test_staff_without_the_review_screen_are_not_offered_it(app, judged, system_session):
    welfare = system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "fukushi")).one()
    welfare.granted_screens = ["victims"]
    system_session.flush()
    browser = _login(app, "fukushi")
    page = browser.get(f"/damage/surveys/{judged}").get_data(as_text=True)
    assert 'id="finalise-form"' not in page and 'id="finalise-by-other"' in page
    assert browser.post(f"/damage/surveys/{judged}/finalise", {"version": _version(browser, judged)},
                        form_page=f"/damage/surveys/{judged}").status_code == 403
