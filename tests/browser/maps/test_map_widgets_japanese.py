"""Every text the vendored map widgets show is Japanese — Leaflet's controls, Leaflet.draw's toolbar,
tooltips and actions, 現在地 — set through their options, and Leaflet.draw's icons sit inside the
larger touch buttons without overlapping (screenshots at 1024×768 and 390×844)."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser

# English a widget would show if a text were missed ("Zoom in", "Layers", "Click to start…").
ENGLISH = re.compile(r"\b(Zoom|Layers|Close|Draw|Delete|Cancel|Finish|Click|Drag|Save|Clear|Edit|Show me|"
                     r"Marker|Release|meters|popup)\b", re.I)

WIDGET_TEXTS = """() => {
    const found = [];
    document.querySelectorAll('.leaflet-container, .leaflet-container *').forEach(el => {
        ['title', 'aria-label', 'alt'].forEach(a => { if (el.getAttribute(a)) found.push(el.getAttribute(a)); });
    });
    document.querySelectorAll('.leaflet-control-container, .leaflet-draw-tooltip, .leaflet-popup')
        .forEach(el => found.push(el.innerText));
    return found; }"""


def _english(page) -> list[str]:
    return [text for text in page.evaluate(WIDGET_TEXTS) if ENGLISH.search(text)]


def _boxes_overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1 and \
        a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1


def test_staff_map_controls_speak_japanese(live_server, page):
    login(page, live_server.url, "046990", "admin")
    page.goto(live_server.url + "/map")
    page.wait_for_function("() => BCLMap.loaded['shelters'] > 0")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "拡大")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("aria-label", "縮小")
    expect(page.locator(".leaflet-control-layers-toggle")).to_have_attribute("title", "地図・レイヤの切替")
    expect(page.locator(".leaflet-control-locate a")).to_have_attribute("title", "現在地を表示")
    expect(page.locator(".leaflet-control-attribution a[href='https://leafletjs.com']")).to_have_attribute(
        "title", "地図を表示するライブラリ Leaflet")
    shelter_id = page.evaluate("() => BCLMap.groups['shelters'].getLayers()[0].feature.properties.id")
    page.evaluate(f"() => BCLMap.openFeature('shelters', {shelter_id})")
    expect(page.locator(".leaflet-popup-close-button")).to_have_attribute("aria-label", "閉じる")
    assert _english(page) == []
    assert page.console_errors == []


def test_drawing_an_analysis_area_is_japanese_and_its_icons_do_not_overlap(live_server, chromium):
    for width, height in ((1024, 768), (390, 844)):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, seen=errors: seen.append(str(error)))
        login(page, live_server.url, "046990", "admin")
        page.goto(live_server.url + "/map/analysis")
        polygon, rectangle = page.locator(".leaflet-draw-draw-polygon"), page.locator(".leaflet-draw-draw-rectangle")
        expect(polygon).to_have_attribute("title", "多角形で区域を描く")
        expect(rectangle).to_have_attribute("title", "四角形で区域を描く")
        polygon.scroll_into_view_if_needed()
        polygon.click()
        actions = page.locator(".leaflet-draw-actions:visible a")
        expect(actions).to_have_text(["完了", "最後の点を消す", "やめる"])
        box = page.locator(".folium-map").bounding_box()
        page.mouse.move(box["x"] + box["width"] * .6, box["y"] + box["height"] * .6)
        expect(page.locator(".leaflet-draw-tooltip")).to_contain_text("地図を押して区域の最初の点を置きます。")
        buttons = [polygon.bounding_box(), rectangle.bounding_box()]
        assert not _boxes_overlap(buttons[0], page.locator(".leaflet-draw-actions:visible").bounding_box())
        assert not _boxes_overlap(*buttons)
        # Each icon is drawn in a 30 px box in the middle of its button and clipped there.
        styles = polygon.evaluate("a => { const s = getComputedStyle(a); "
                                  "return [s.backgroundClip, s.backgroundOrigin, s.backgroundImage]; }")
        assert styles[0].endswith("content-box") and styles[1].endswith("content-box") and "spritesheet" in styles[2]
        assert _english(page) == []
        page.screenshot(path=str(ARTIFACTS / f"analysis-draw-ja-{width}.png"))
        assert errors == []
        context.close()
