"""A 被害認定調査 as staff take it over HTTP: start one from a building, record findings, the form's
version, and a second member of staff (bosai) to review it."""
import re

from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def start_survey(browser, building, survey_round="第1次", hazard="地震"):
    return browser.post(f"/damage/buildings/{building.id}/surveys", {"round": survey_round, "hazard": hazard},
                        form_page=f"/damage/buildings/{building.id}")


def survey_id_of(response) -> int:
    """The id of the survey a response redirects to."""
    return int(re.search(r"/damage/surveys/(\d+)", response.headers["Location"]).group(1))


def survey_version(browser, survey_id) -> str:
    return re.search(r'name="version" value="(\d+)"', browser.get(f"/damage/surveys/{survey_id}")
                     .get_data(as_text=True)).group(1)


def record_survey(browser, survey_id, fields, confirm=False, version=None):
    data = {"version": version or survey_version(browser, survey_id), **fields}
    if confirm:
        data["confirm_changes"] = "y"
    return browser.post(f"/damage/surveys/{survey_id}", data, form_page=f"/damage/surveys/{survey_id}")


def reviewer_browser(app):
    """Another member of staff (bosai), logged in: who may make a survey's grade final."""
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "bosai").status_code == 302
    return browser
