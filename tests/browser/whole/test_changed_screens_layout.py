"""The screens this change touched, at 1024×768 and 390×844: the disaster's list and page and the menus
naming the current disaster, the survey page telling a surveyor who confirms, the password reset
and the forced password change, the audit list and the operator's accounts. Each fits the phone's
width (wide tables scroll inside their box) and says what it must; screenshots go to test-artifacts/."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser
SIZES = ((1024, 768), (390, 844))


def _shoot(page, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than {width}px"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})


def test_disaster_screens_and_the_survey_note(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    register_disaster(page, base, "令和8年桜ヶ丘地震（画面）")
    disaster_url = page.url
    _shoot(page, "disaster-show")
    page.goto(base + "/disasters")
    expect(page.locator("#disasters-table")).to_contain_text("選択中")
    _shoot(page, "disasters-list")
    page.click("#disasters-table a:has-text('令和8年桜ヶ丘地震（画面）')")
    assert page.url == disaster_url
    for path, name in (("/", "main-menu-disaster"), ("/victims", "victims-menu"), ("/shelters", "shelters-menu")):
        page.goto(base + path)
        expect(page.locator("#current-disaster a")).to_have_attribute("href", re.sub(r"^https?://[^/]+", "",
                                                                                      disaster_url))
        _shoot(page, name)
    page.click("#disaster-detail-link")
    assert page.url == disaster_url
    page.goto(base + "/damage/surveys")
    _shoot(page, "damage-surveys")


def test_survey_page_tells_the_surveyor_who_confirms(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    register_disaster(page, base, "令和8年桜ヶ丘地震（確定の案内）")
    page.goto(base + "/map")
    page.locator(".leaflet-control-layers-overlays label", has_text="建物（被害認定）").click()
    page.wait_for_function("() => BCLMap.loaded['buildings'] > 0")
    building_id = page.evaluate("() => Number(BCLMap.featureIds('buildings', p => p.structure.startsWith('木造'))[0])")
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
    expect(page.locator("#finalise")).to_have_count(0)
    expect(page.locator("#finalise-by-other")).to_contain_text("この調査はあなたが行ったため")
    _shoot(page, "survey-awaiting-review")


def test_password_reset_forced_change_audit_list(live_server, page, chromium):
    base = live_server.url
    login(page, base, "046990", "admin")
    # An account of this test's own: the demo accounts keep their password for the other tests.
    page.goto(base + "/admin/users/new")
    page.fill("#login_id", "shelter-reset")
    page.fill("#display_name", "山本 再設定")
    page.select_option("#role_id", label="04 避難所担当")
    page.fill("#password", "Shoki-pass-2026")
    page.locator("main form button[type=submit]").click()
    page.locator("tr[data-login-id='shelter-reset'] a", has_text="編集").click()
    page.click("#reset-password-link")
    expect(page.locator("#password-reset-effects")).to_be_visible()
    _shoot(page, "password-reset")
    page.fill("#new", "Kari-pass-2026")
    page.fill("#confirm", "Kari-pass-2026")
    page.click("#password-reset")
    expect(page.locator(".flash.success")).to_contain_text("パスワードを再設定しました")
    expect(page.locator("tr[data-login-id='shelter-reset']")).to_contain_text("パスワード変更待ち")

    user_context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    user = user_context.new_page()
    try:
        login(user, base, "046990", "shelter-reset", "Kari-pass-2026")
        assert user.url.endswith("/password")
        expect(user.locator("#password-change-required")).to_be_visible()
        expect(user.locator("#menu-toggle")).to_have_count(0)
        _shoot(user, "password-change-required")
        user.goto(base + "/shelters")
        assert user.url.endswith("/password")
        user.fill("#current", "Kari-pass-2026")
        user.fill("#new", "Own-pass-2026")
        user.fill("#confirm", "Own-pass-2026")
        user.locator("main form button[type=submit]").click()
        user.wait_for_url(base + "/")
        expect(user.locator("h1")).to_have_text("メインメニュー")
    finally:
        user_context.close()

    page.goto(base + "/admin/audit?action=password_reset")
    row = page.locator("#audit-table tr[data-action='password_reset']").first
    expect(row).to_contain_text("ユーザID")
    expect(row.locator("td.audit-target a")).to_be_visible()
    assert "None" not in row.inner_text()
    page.goto(base + "/admin/audit")
    _shoot(page, "audit-list")


def test_operator_accounts(live_server, page):
    login(page, live_server.url, None, "jlis")
    page.click("#operator-accounts-link")
    expect(page.locator("#operator-accounts")).to_contain_text("jlis")
    _shoot(page, "operator-accounts")
