"""The map on a tablet: vector-tile layers drawn, a building tapped opens its record and the survey
start, "my location" is a finger-sized button, and the print view carries legend, scale and credit."""
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster, zoom_to_first_building
from tests.helpers.paths import ARTIFACTS

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "is_mobile": False,
          "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


def test_tiled_layers_tap_a_building_and_print(live_server, chromium):
    base = live_server.url
    context = chromium.new_context(**TABLET)
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    try:
        login(page, base, "046990", "admin")
        register_disaster(page, base, "令和8年桜ヶ丘地震（地図タイル）")
        page.goto(base + "/map?layers=buildings,residents")
        page.wait_for_function("() => BCLMap.loaded['buildings'] > 0 && BCLMap.loaded['residents'] > 0", timeout=20000)
        assert any("/map/tiles/buildings/" in url and url.endswith(".pbf") for url in requests)
        locate = page.locator(".leaflet-control-locate a").first
        expect(locate).to_be_visible()
        box = locate.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        page.screenshot(path=str(ARTIFACTS / "map-tiles-tablet.png"))
        # Tap the first building drawn, where the map draws it.
        point = zoom_to_first_building(page)
        page.mouse.click(point["x"], point["y"])
        start = page.locator(".leaflet-popup-content a", has_text="被害認定調査を開始")
        expect(start).to_be_visible()
        expect(page.locator(".leaflet-popup-content a", has_text="建物の記録")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "map-tiles-building-tap.png"))
        start.click()
        page.wait_for_url(f"**/damage/buildings/{point['id']}#start-survey")
        expect(page.locator("#start-survey")).to_be_visible()
        # Print: the form on the map opens the print view of the current view in a new tab.
        page.goto(base + "/map?layers=buildings,admin_areas")
        page.wait_for_function("() => BCLMap.loaded['buildings'] > 0", timeout=20000)
        expect(page.locator("[data-overlay-status='shelters']")).to_have_text("表示時に読み込み")  # switched off
        page.select_option("#print-size", "A3")
        with context.expect_page() as opened:
            page.click("#print-map")
        sheet = opened.value
        sheet.wait_for_load_state("networkidle")
        sheet.wait_for_function("() => BCLMap.loaded['buildings'] > 0", timeout=20000)
        expect(sheet.locator("#print-legend")).to_contain_text("建物（被害認定）")
        expect(sheet.locator("#print-legend")).to_contain_text("全壊")
        expect(sheet.locator("#print-legend")).not_to_contain_text("避難所・避難場所")  # off on the map, off on paper
        expect(sheet.locator(".leaflet-control-scale-line")).to_be_visible()
        expect(sheet.locator("#print-credit")).to_contain_text("デモ用背景地図")  # the base map on the map
        expect(sheet.locator("#print-date")).to_contain_text("令和")
        assert "size=A3" in sheet.url and "buildings" in sheet.url
        sheet.emulate_media(media="print")
        expect(sheet.locator(".print-actions")).to_be_hidden()
        sheet.screenshot(path=str(ARTIFACTS / "map-print-a3.png"), full_page=True)
        assert all(url.startswith(base) or url.startswith(("data:", "blob:")) for url in requests)
        assert errors == []
    finally:
        context.close()
