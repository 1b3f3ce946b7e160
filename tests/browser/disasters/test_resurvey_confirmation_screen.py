"""再調査依頼 on a tablet and a phone: after 交付 the application page offers the confirmation screen,
which says what the request reopens; only its form, with the box ticked, records the request."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def _surveyed_building(page, base) -> str:
    """Start and record a survey of a wooden building found on the map; the survey's URL."""
    page.goto(base + "/map")
    page.locator(".leaflet-control-layers-overlays label", has_text="建物（被害認定）").click()
    page.wait_for_function("() => BCLMap.loaded['buildings'] > 0")
    building_id = page.evaluate("() => Number(BCLMap.featureIds('buildings', p => p.structure.startsWith('木造'))[1])")
    page.goto(f"{base}/damage/buildings/{building_id}")
    page.select_option("#round", "第1次")
    page.select_option("#hazard", "地震")
    page.click("#start-survey")
    page.wait_for_url("**/damage/surveys/*")
    page.fill("#part_屋根", "100")
    page.fill("#part_外壁", "30")
    page.fill("#part_基礎", "0")
    page.click("#save-survey")
    expect(page.locator("#survey-status")).to_have_text("判定待ち")
    return page.url


def test_resurvey_request_goes_through_its_confirmation(live_server, page, chromium):
    base = live_server.url
    login(page, base, "046990", "admin")
    register_disaster(page, base, "令和8年桜ヶ丘地震（再調査の確認）")
    survey_url = _surveyed_building(page, base)
    reviewer_context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    try:
        reviewer = reviewer_context.new_page()
        login(reviewer, base, "046990", "bosai")
        reviewer.goto(survey_url)
        reviewer.click("#finalise")
        expect(reviewer.locator("#survey-status")).to_have_text("確定")
    finally:
        reviewer_context.close()
    page.goto(survey_url)
    page.click("text=建物の記録へ")
    page.click("#apply-certificate")
    page.fill("#applicant_name", "桜 次郎")
    page.click("#submit-application")
    page.wait_for_url("**/victims/certificates/*")
    for step in ("調査", "判定", "交付"):
        page.click("#advance")
        expect(page.locator("#application-status")).to_have_text(step)
    expect(page.locator("#advance")).to_have_count(0)
    page.click("#request-resurvey")
    page.wait_for_url("**/resurvey")
    expect(page.locator("#resurvey-effects")).to_contain_text("新しい証明番号で証明書を交付します")
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
        page.screenshot(path=str(ARTIFACTS / f"resurvey-confirm-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.click("#confirm-resurvey")  # the box is required: the browser keeps the form until it is ticked
    assert page.url.endswith("/resurvey")
    page.check("#confirm_resurvey")
    page.click("#confirm-resurvey")
    page.wait_for_url(re.compile(r"/victims/certificates/\d+$"))
    expect(page.locator("#application-status")).to_have_text("再調査依頼")
    assert page.console_errors == []
