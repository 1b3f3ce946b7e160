"""Staff walk-through in headless chromium: login, main menu, side menu, map; nothing leaves 127.0.0.1."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def _only_local(requests):
    hosts = {urlsplit(url).hostname for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
    return hosts <= {"127.0.0.1"}, hosts


def test_login_menu_and_map_stay_on_this_machine(live_server, page):
    login(page, live_server.url, "046990", "admin")
    assert page.locator("h1", has_text="メインメニュー").is_visible()
    for tile in ("被災者支援システム", "避難所関連システム", "避難行動要支援者関連システム", "横断検索", "地図",
                 "システム管理"):
        assert page.locator(".tile strong", has_text=tile).first.is_visible(), tile
    page.screenshot(path=str(ARTIFACTS / "main-menu-1024.png"), full_page=True)

    page.click("#menu-toggle")
    page.wait_for_selector("#side-menu.open")
    assert page.locator("#side-menu a", has_text="地図").is_visible()
    page.screenshot(path=str(ARTIFACTS / "side-menu-1024.png"))
    page.locator("#side-menu a", has_text="地図").click()
    page.wait_for_url("**/map")

    page.wait_for_function("() => window.BCLMap && BCLMap.loaded['shelters'] > 0 && BCLMap.loaded['admin_areas'] > 0")
    markers = page.locator(".leaflet-marker-icon, .leaflet-interactive").count()
    assert markers > 0
    assert page.locator(".leaflet-control-layers-base label", has_text="町の地図（デモ）").is_visible()
    assert page.locator(".leaflet-control-attribution").inner_text().strip() != ""
    page.locator(".leaflet-control-layers-overlays label", has_text="洪水浸水想定区域").click()
    page.wait_for_function("() => BCLMap.loaded['hazard:flood'] > 0")
    page.screenshot(path=str(ARTIFACTS / "map-1024.png"))

    local, hosts = _only_local(page.requests_seen)
    assert local, f"requests left 127.0.0.1: {hosts}"
    assert page.console_errors == []


# A 1×1 PNG standing in for 地理院タイル: the test machine has no internet, and tests never use it.
TILE_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a4a1b3b20000000049454e44ae426082")


def _offer_gsi_tiles(page, base_url: str) -> None:
    """The second town's administrator turns 地理院タイル (internet) on (off by default, docs/basemaps.md)."""
    login(page, base_url, "033995", "admin")
    page.goto(base_url + "/admin/basemaps")
    if not page.is_checked("#gsi_online"):
        page.check("#gsi_online")
        page.click("#basemap-setting-submit")
        page.wait_for_load_state("networkidle")


def test_gsi_base_map_is_credited_when_chosen(live_server, page):
    tiles = []
    page.route("https://cyberjapandata.gsi.go.jp/**",
               lambda route: (tiles.append(route.request.url), route.fulfill(body=TILE_PNG, content_type="image/png")))
    _offer_gsi_tiles(page, live_server.url)
    page.goto(live_server.url + "/map")
    page.locator(".leaflet-control-layers-base label", has_text="地理院タイル（淡色）").click()
    attribution = page.locator(".leaflet-control-attribution a", has_text="地理院タイル")
    attribution.wait_for()
    assert attribution.get_attribute("href") == "https://maps.gsi.go.jp/development/ichiran.html"
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    assert tiles and all("/xyz/pale/" in url for url in tiles)
    page.screenshot(path=str(ARTIFACTS / "map-gsi-pale.png"))


def test_map_falls_back_to_the_blank_map_when_tiles_are_unreachable(live_server, page):
    page.route("https://cyberjapandata.gsi.go.jp/**", lambda route: route.abort())
    _offer_gsi_tiles(page, live_server.url)
    page.goto(live_server.url + "/map")
    page.locator(".leaflet-control-layers-base label", has_text="地理院タイル（標準）").click()
    page.wait_for_selector("#map-offline-note:not([hidden])", timeout=15000)
    blank = page.locator(".leaflet-control-layers-base label", has_text="白地図（オフライン）").locator("input")
    assert blank.is_checked()
    page.wait_for_function("() => BCLMap.loaded['shelters'] > 0")  # the overlays still work
    page.screenshot(path=str(ARTIFACTS / "map-offline-fallback.png"))


def test_phone_layout_keeps_touch_targets_large(live_server, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", has_touch=True,
                                   is_mobile=True)
    page = context.new_page()
    login(page, live_server.url, "046990", "hinanjo")
    page.screenshot(path=str(ARTIFACTS / "main-menu-phone.png"), full_page=True)
    small = page.evaluate("""() => Array.from(document.querySelectorAll('a.button, button, .tile, select'))
        .filter(el => el.offsetParent !== null)
        .map(el => el.getBoundingClientRect())
        .filter(r => r.height < 44 || r.width < 44).length""")
    assert small == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_wrong_code_is_explained_on_the_login_page(live_server, page):
    login(page, live_server.url, "046991", "admin")
    assert "検査数字が正しくありません" in page.locator("#login-error").inner_text()


def test_change_confirmation_enables_update_only_when_ticked(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    page.goto(base + "/admin/users")
    page.locator("tr[data-login-id='fukushi'] a", has_text="編集").click()
    page.wait_for_url("**/admin/users/*")
    submit = page.locator("[data-confirm-submit]")
    expect(submit).to_be_disabled()  # retries until the page's script has run
    page.fill("#department", "福祉課 障害福祉係")
    expect(page.locator(".field.changed #department")).to_have_count(1)
    expect(submit).to_be_disabled()
    page.check("#confirm_changes")
    expect(submit).to_be_enabled()
    page.screenshot(path=str(ARTIFACTS / "user-edit-confirm.png"))
    submit.click()
    page.wait_for_url("**/admin/users")
    assert "更新しました" in page.content()
