"""The 被災者台帳 handed to a registered 提供先 on a tablet: the register screen offers no file for
third parties other than 外部への提供; its form opens the confirmation page, and the button there
records the provision and downloads the file, which lists the person who consented and says only
whether they consented to this recipient."""
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

RECIPIENT = "桜ヶ丘町社会福祉協議会（タブレット）"


def test_a_provision_is_confirmed_then_recorded_and_downloaded(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    register_disaster(page, base, "令和8年桜ヶ丘水害（提供の確認）", kind="風水害（大雨・洪水）")
    page.goto(base + "/victims/register")
    page.locator("#build-form input[name=area]").first.check()
    page.click("#build-register")
    expect(page.locator(".flash.success")).to_contain_text("人を追加しました")

    page.goto(base + "/victims/recipients")
    page.fill("#name", RECIPIENT)
    page.select_option("#kind", "社会福祉協議会")
    page.locator("#recipient-form button[type=submit]").click()
    expect(page.locator("#recipient-table")).to_contain_text(RECIPIENT)

    page.goto(base + "/victims/register")
    person = page.locator("#register-table tbody tr a").first
    name = person.inner_text()
    person.click()
    page.locator("#consents label", has_text=RECIPIENT).locator("input").check()
    page.check("#confirm_changes")
    page.click("#update-victim")
    expect(page.locator(".flash.success")).to_contain_text("更新しました")

    page.goto(base + "/victims/register")
    assert page.locator("a[href*='third_party']").count() == 0
    page.select_option("#recipient_id", label=f"{RECIPIENT}（社会福祉協議会）")
    page.fill("#purpose", "見守り活動")
    page.select_option("#provide-format", "xlsx")
    page.click("#provide-check")
    expect(page.locator("#provision-count")).to_have_text("1 人")
    expect(page.locator("#provision-plan")).to_contain_text(RECIPIENT)
    page.screenshot(path=str(ARTIFACTS / "victim-provision-confirm.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#provide-register")
    path = ARTIFACTS / "victim-provision.xlsx"
    download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0][12] == "この提供先への本人同意"
    assert [(r[1], r[12]) for r in rows[1:]] == [(name, "あり")]

    page.goto(base + "/victims/register")
    expect(page.locator("#provision-table tbody tr").first).to_contain_text(RECIPIENT)
    expect(page.locator("#provision-table tbody tr").first).to_contain_text("見守り活動")
