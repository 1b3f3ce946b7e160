"""Check-in at an opened shelter on a tablet: find a resident by kana, check the household in with
one touch and see the occupancy change."""
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS


def test_check_in_a_household_and_see_occupancy_change(live_server, page):
    base = live_server.url
    login(page, base, "046990", "bosai")
    register_disaster(page, base, "令和8年桜ヶ丘地震（受付）")
    page.goto(base + "/shelters/openings")
    page.click("#open-shelter")
    page.wait_for_url("**/shelters/openings/*")
    expect(page.locator("#occupancy")).to_have_text("0")
    page.fill("#kana", "さと")
    first = page.locator("#desk-results tbody tr").first
    expect(first).to_be_visible()
    household = first.locator("td").nth(5).inner_text()
    first.get_by_role("button", name="世帯で受付").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#present-table")).to_contain_text(household)
    count = page.locator("#present-table tbody tr").count()
    expect(page.locator("#occupancy")).to_have_text(str(count))
    assert count >= 1
    page.screenshot(path=str(ARTIFACTS / "shelter-checkin.png"), full_page=True)
    page.locator("#present-table button", has_text="退所").first.click()
    expect(page.locator("#occupancy")).to_have_text(str(count - 1))
    assert page.console_errors == []
