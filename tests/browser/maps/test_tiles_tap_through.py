"""With the residents, 要支援者 and buildings tile layers switched on, a tap on a 町丁目, a disaster
area or a hazard polygon still opens that area's popup (the tile canvases do not swallow it), and a tap on a tiled
feature opens the feature's popup, not the area's below it."""
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster, zoom_to_first_building
from tests.helpers.paths import ARTIFACTS

TILES = "residents,evac_people,buildings"

# A point of the map inside a polygon of the overlay ``key`` only (no other area layer's polygon,
# no tiled feature within a finger's reach), in page coordinates; null when the view has none.
# The areas are drawn on Leaflet's canvas renderer: the element at the point must be that canvas
# (in the overlay pane), not a vector-tile canvas above it.
FIND_AREA_SPOT = """([key, others]) => {
    const map = BCLMap.map, rect = map.getContainer().getBoundingClientRect();
    const polygons = (k) => {
        const found = [];
        const visit = (layer) => {
            if (layer.feature && layer._containsPoint) { found.push(layer); }
            if (layer.eachLayer) { layer.eachLayer(visit); }
        };
        if (BCLMap.groups[k] && map.hasLayer(BCLMap.groups[k])) { visit(BCLMap.groups[k]); }
        return found;
    };
    const mine = polygons(key), theirs = others.flatMap(polygons);
    for (let y = 60; y < rect.height - 60; y += 10) {
        for (let x = 60; x < rect.width - 80; x += 10) {
            const point = map.containerPointToLayerPoint([x, y]);
            const hit = mine.find(l => l._containsPoint(point));
            if (!hit || theirs.some(l => l._containsPoint(point))) { continue; }
            if (BCLMap.findTileFeature(map.containerPointToLatLng([x, y]))) { continue; }
            const element = document.elementFromPoint(rect.left + x, rect.top + y);
            if (!element.closest('.leaflet-overlay-pane')) { continue; }
            return {x: rect.left + x, y: rect.top + y, name: hit.feature.properties.name};
        }
    }
    return null;
}"""

# Centre the map on the first polygon of ``key`` at ``zoom``.
CENTRE_ON = """([key, zoom]) => {
    let found = null;
    const visit = (layer) => {
        if (!found && layer.feature && layer.getBounds) { found = layer; }
        if (layer.eachLayer) { layer.eachLayer(visit); }
    };
    visit(BCLMap.groups[key]);
    BCLMap.map.setView(found.getBounds().getCenter(), zoom, {animate: false});
}"""


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # VectorGrid draws the tiles it received


AREAS = ("admin_areas", "hazard:flood", "disasters")


def _tap_area(page, key: str, label: str) -> str:
    page.evaluate("() => { BCLMap.map.closePopup(); }")
    spot = page.evaluate(FIND_AREA_SPOT, [key, [k for k in AREAS if k != key]])
    assert spot, f"no spot of {key} free of tiled features in view"
    page.mouse.click(spot["x"], spot["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(label)
    expect(popup).to_contain_text(spot["name"])
    return spot["name"]


def _open_map(page, base: str, area: str) -> None:
    page.goto(f"{base}/map?layers={TILES},{area}")
    page.wait_for_function(f"() => BCLMap.loaded['buildings'] > 0 && BCLMap.loaded['residents'] > 0"
                           f" && BCLMap.loaded['{area}'] > 0", timeout=30000)
    assert page.evaluate("['residents', 'evac_people', 'buildings'].every(k => BCLMap.map.hasLayer(BCLMap.groups[k]))")


def test_areas_below_tile_layers_and_tile_features_answer_taps(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    # A disaster whose area is two 町丁目 (set on its page), so the 被災地域 layer has a polygon.
    register_disaster(page, base, "令和8年桜ヶ丘水害（地図のタップ）", kind="風水害（大雨・洪水）")
    page.locator("#areas-form input[name=area]").nth(0).check()
    page.locator("#areas-form input[name=area]").nth(1).check()
    page.click("#areas-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    # The tile canvases cover the whole map, yet the polygons below them get the taps.
    for area, label in (("hazard:flood", "区域"), ("disasters", "令和8年桜ヶ丘水害（地図のタップ）"),
                        ("admin_areas", "町丁目")):
        _open_map(page, base, area)
        page.evaluate(CENTRE_ON, [area, 16])
        _settle(page)
        assert page.evaluate("BCLMap.featureIds('residents').length + BCLMap.featureIds('buildings').length") > 0
        _tap_area(page, area, label)
        page.screenshot(path=str(ARTIFACTS / f"map-tap-{area.replace(':', '-')}-under-tiles.png"))

    # A tap on a building (inside a 町丁目) opens the building, not the area below it.
    point = zoom_to_first_building(page)
    # What the browser hits under the symbol is the area layer's canvas, not the tile canvas.
    assert page.evaluate(f"!!document.elementFromPoint({point['x']}, {point['y']}).closest('.leaflet-overlay-pane')")
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(point["address"])
    expect(popup.locator("a", has_text="建物の記録")).to_be_visible()
    expect(popup).not_to_contain_text("町丁目")
    page.screenshot(path=str(ARTIFACTS / "map-tap-building-over-area.png"))
    assert page.console_errors == []
