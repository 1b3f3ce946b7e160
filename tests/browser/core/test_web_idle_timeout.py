"""A form typed on a tablet survives the idle logout: log in again and the input is back."""
import time

import pytest

from tests.helpers.browser import LiveServer, login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def short_idle_server(browser_database):
    server = LiveServer(browser_database, IDLE_TIMEOUT_SECONDS="2")
    yield server
    server.stop()


def test_draft_survives_idle_logout(short_idle_server, page):
    base = short_idle_server.url
    login(page, base, "046990", "bosai")
    page.goto(base + "/disasters/new")
    page.fill("#name", "令和8年11月大雨（下書き）")
    page.select_option("#kind", "土砂災害")
    page.fill("#started_on", "2026-11-24")
    page.fill("#description", "桜ヶ丘三丁目で土砂崩れ")
    time.sleep(3)  # longer than the idle limit of this server
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login**")
    assert "一定時間操作がなかったため" in page.content()
    page.screenshot(path=str(ARTIFACTS / "session-expired.png"))

    page.fill("#lg_code", "046990")
    page.fill("#login_id", "bosai")
    page.fill("#password", "bcl-demo-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/disasters/new?restore=1")
    assert page.locator("#draft-restored").is_visible()
    assert page.input_value("#name") == "令和8年11月大雨（下書き）"
    assert page.input_value("#kind") == "土砂災害"
    assert page.input_value("#description") == "桜ヶ丘三丁目で土砂崩れ"
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "draft-submitted.png"))
    assert "令和8年11月大雨（下書き）" in page.locator("h1").inner_text(), page.locator("main").inner_text()
