"""Running a shelter on a tablet: after a household checks in, one member goes home by day, the
situation board counts day and night, and the household's evacuee cards print with QR codes."""
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS


def test_situation_board_and_evacuee_cards(live_server, page):
    base = live_server.url
    login(page, base, "046990", "bosai")
    register_disaster(page, base, "令和8年桜ヶ丘地震（避難所の状況）")
    page.goto(base + "/shelters/openings")
    page.click("#open-shelter")
    page.wait_for_url("**/shelters/openings/*")
    page.fill("#kana", "たか")
    first = page.locator("#desk-results tbody tr").first
    expect(first).to_be_visible()
    first.get_by_role("button", name="世帯で受付").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#present-table tbody tr")
    expect(rows.first.locator("select[name=stay]")).to_be_visible()
    people = rows.count()
    rows.first.locator("select[name=stay]").select_option("夜のみ")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash.success")).to_contain_text("「夜のみ」にしました")

    page.goto(base + "/shelters/dashboard")
    row = page.locator("#situation-table tbody tr").first
    expect(row.locator(".day")).to_have_text(str(people - 1))
    expect(row.locator(".night")).to_have_text(str(people))
    expect(page.locator("#totals")).to_contain_text(f"{people - 1} / {people}")
    page.screenshot(path=str(ARTIFACTS / "shelter-situation-board.png"), full_page=True)

    row.locator("a").first.click()
    page.locator("#present-table a", has_text="カード").first.click()
    cards = page.locator(".evacuee-card")
    expect(cards).to_have_count(people)
    expect(cards.first.locator("svg")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "shelter-evacuee-cards.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / "shelter-evacuee-cards.pdf"), format="A4")
    assert page.console_errors == []
