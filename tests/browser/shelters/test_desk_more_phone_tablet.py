"""The shelter desk's search on a phone (390×844) and a tablet (1024×768) says how many match and
how many are shown, and 「さらに表示」 adds the next ones until all are listed. Screenshots go to
test-artifacts/."""
import re

from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS


def test_the_desk_shows_the_total_and_more_on_request(live_server, sized_page):
    page, base = sized_page, live_server.url
    login(page, base, "046990", "hinanjo")
    page.goto(base + "/shelters/desk")
    page.fill("#kana", "ヤ")
    status, more = page.locator("#desk-status"), page.locator("#desk-more")
    rows = page.locator("#desk-results tbody tr")
    expect(status).to_contain_text("件中 1–20件を表示")
    total = int(re.match(r"(\d+)件中", status.inner_text()).group(1))
    assert total > 20 and rows.count() == 20
    expect(more).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"shelter-desk-more-{page.size}.png"), full_page=False)
    while more.is_visible():
        shown = rows.count()
        more.click()
        expect(rows).to_have_count(min(shown + 20, total))
    expect(status).to_contain_text(f"{total}件中 1–{total}件を表示")
    kana = rows.locator("td:nth-child(2)").all_inner_texts()
    assert all(k.startswith("ヤ") for k in kana)
    page.fill("#kana", "ヤマ")  # a new search starts again from its first people
    expect(status).not_to_contain_text(f"{total}件中")
    expect(status).to_contain_text("件中 1–")
    assert int(re.match(r"(\d+)件中", status.inner_text()).group(1)) < total and rows.count() <= 20
    page.screenshot(path=str(ARTIFACTS / f"shelter-desk-more-end-{page.size}.png"), full_page=True)
    assert page.console_errors == []
