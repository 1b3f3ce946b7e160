"""The shelter desk and someone under 支援措置, on a phone (390×844) and a tablet (1024×768): the
desk finds the person by kana and shows them marked 提供抑止 with neither birth date nor address,
a search by their address finds no protected person, and after 世帯で受付 the evacuee list marks
them too. Screenshots go to test-artifacts/."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS


@pytest.fixture(scope="module")
def protected(browser_database):
    """(kana, address, 方書) of a resident under 支援措置 in the browser tests' demo town."""
    engine = create_engine(browser_database)
    with engine.connect() as connection:
        row = connection.execute(text("""SELECT name_kana, address, address_katagaki FROM residents
            WHERE lg_code = '046990' AND status = '住登内' AND is_protected ORDER BY id LIMIT 1""")).one()
    engine.dispose()
    return row


def test_the_desk_shows_a_protected_person_without_birth_date_or_address(live_server, sized_page, protected):
    page, (kana, address, katagaki) = sized_page, protected
    login(page, live_server.url, "046990", "hinanjo")
    page.goto(live_server.url + "/shelters/desk")
    page.fill("#kana", kana.replace("\u3000", ""))
    row = page.locator("#desk-results tbody tr", has=page.locator(".badge", has_text="提供抑止")).first
    expect(row).to_be_visible()
    cells = row.locator("td")
    expect(cells.nth(2)).to_have_text("本人に確認")
    expect(cells.nth(4)).to_have_text("表示しません")
    expect(row.locator(".badge")).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / f"shelter-desk-protected-{page.size}.png"), full_page=True)
    assert address not in page.content() and (not katagaki or katagaki not in page.content())
    page.fill("#kana", "")
    page.fill("#address", address[-8:])
    expect(page.locator("#desk-status")).to_contain_text("件")
    expect(page.locator("#desk-results .badge", has_text="提供抑止")).to_have_count(0)
    assert page.console_errors == []


def test_after_check_in_the_evacuee_list_marks_the_protected_person(live_server, page, protected):
    base, kana = live_server.url, protected[0]
    login(page, base, "046990", "bosai")
    register_disaster(page, base, "令和8年桜ヶ丘地震（支援措置の受付）")
    page.goto(base + "/shelters/openings")
    page.click("#open-shelter")
    page.wait_for_url("**/shelters/openings/*")
    page.fill("#kana", kana.replace("\u3000", ""))
    row = page.locator("#desk-results tbody tr", has=page.locator(".badge", has_text="提供抑止")).first
    expect(row).to_be_visible()
    row.get_by_role("button", name="世帯で受付").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#present-table .badge", has_text="提供抑止").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "shelter-checkin-protected.png"), full_page=True)
    assert protected[1] not in page.content()
    assert page.console_errors == []
