"""The shelter desk on a tablet: typing hiragana finds the resident as one types."""
from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS


def test_typing_kana_finds_residents_as_you_type(live_server, page):
    login(page, live_server.url, "046990", "hinanjo")
    page.goto(live_server.url + "/shelters")
    page.click("#tile-desk")
    page.wait_for_url("**/shelters/desk")
    page.fill("#kana", "やま")
    expect(page.locator("#desk-results tbody tr").first).to_be_visible()
    rows = page.locator("#desk-results tbody tr")
    assert rows.count() > 0
    kana = page.locator("#desk-results tbody tr td:nth-child(2)").all_inner_texts()
    assert kana and all(k.startswith("ヤマ") for k in kana)
    expect(page.locator("#desk-status")).to_contain_text("件")
    page.screenshot(path=str(ARTIFACTS / "shelter-desk.png"), full_page=True)
    assert page.console_errors == []
