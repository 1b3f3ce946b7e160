"""The Content-Security-Policy blocks nothing the pages need: the main pages are used in chromium
while every `securitypolicyviolation` event and every CSP console message is collected."""
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(page):
    page.add_init_script(COLLECT_VIOLATIONS)
    page.csp_messages = []
    page.on("console", lambda m: page.csp_messages.append(m.text) if "Content Security Policy" in m.text else None)


def _assert_no_violation(page, where: str):
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], (where, violations)
    assert page.csp_messages == [], (where, page.csp_messages)
    assert page.console_errors == [], (where, page.console_errors)


def test_main_pages_run_under_the_content_security_policy(live_server, page):
    base = live_server.url
    _watch(page)
    page.goto(base + "/login")
    _assert_no_violation(page, "login")
    login(page, base, "046990", "admin")
    expect(page.locator(".tile").first).to_be_visible()
    page.click("#menu-toggle")  # app.js: the side menu
    expect(page.locator("#side-menu")).to_have_class("side-menu open")
    _assert_no_violation(page, "menu")

    register_disaster(page, base, "令和8年CSP確認地震")
    page.goto(base + "/map")
    page.wait_for_function("() => window.BCLMap && BCLMap.map && BCLMap.loaded['shelters'] > 0")
    page.locator(".leaflet-control-layers-overlays label", has_text="建物（被害認定）").click()
    page.wait_for_function("() => BCLMap.loaded['buildings'] > 0")
    building_id = page.evaluate("() => Number(BCLMap.featureIds('buildings', p => p.structure.startsWith('木造'))[0])")
    _assert_no_violation(page, "map")
    page.goto(base + "/map/print?size=A4&orientation=landscape")
    page.wait_for_function("() => window.BCLMap && BCLMap.map")
    _assert_no_violation(page, "map print")

    page.goto(f"{base}/damage/buildings/{building_id}")
    page.select_option("#round", "第1次")
    page.select_option("#hazard", "地震")
    page.click("#start-survey")
    page.wait_for_url("**/damage/surveys/*")
    page.fill("#part_屋根", "100")
    _assert_no_violation(page, "survey form")
    page.goto(base + "/damage/surveys")
    with page.expect_navigation():  # data-autosubmit (app.js) instead of an onchange attribute
        page.select_option("#status", index=1)
    _assert_no_violation(page, "survey list")

    page.goto(base + "/shelters/desk")
    page.fill("#kana", "やま")
    expect(page.locator("#desk-results tbody tr").first).to_be_visible()
    _assert_no_violation(page, "shelter desk")

    for path in ("/victims/register", "/evac-support", "/certificates/counter?kana=ヤマ",
                 "/certificates/queue/printer"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        _assert_no_violation(page, path)
    page.goto(base + "/no-such-page")
    page.click("[data-history-back]")
    page.wait_for_url("**/certificates/queue/printer")
    page.screenshot(path=str(ARTIFACTS / "csp-print-station.png"))
    _assert_no_violation(page, "error page")
