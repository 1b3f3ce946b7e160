"""ハザード・空間分析 in chromium: a layer imported through the upload form with its progress bar,
then a hazard class chosen and a rectangle drawn on /map/analysis: the analysis job's progress bar
and steps, then the result listed and on the map without a manual reload."""
import json
import os
import signal

import pytest

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def test_import_a_layer_with_progress_and_report(live_server, page, tmp_path):
    square = [[140.950, 38.400], [140.956, 38.400], [140.956, 38.405], [140.950, 38.405], [140.950, 38.400]]
    path = tmp_path / "tsunami.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"浸水深": "3.0m以上5.0m未満", "name": "沿岸部"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}), encoding="utf-8")
    login(page, live_server.url, "046990", "bosai")
    page.goto(live_server.url + "/map/layers/import")
    page.select_option("#layer", "tsunami")
    page.set_input_files("#file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/map/layers/imports/*")
    page.wait_for_selector("#import-done", timeout=30_000)
    assert page.locator("#class-table tr[data-class='3']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "hazard-import-report-1024.png"), full_page=True)


def test_choose_a_class_then_draw_an_area(live_server, page):
    login(page, live_server.url, "046990", "bosai")
    page.goto(live_server.url + "/map/analysis")
    page.select_option("#analysis-layer", "flood")
    page.select_option("#analysis-class", "2")
    os.kill(live_server.worker.pid, signal.SIGSTOP)  # hold the job in the queue to see it waiting
    try:
        page.click("#analysis-submit")
        page.wait_for_url("**/map/analysis/results/*")
        assert page.locator("#analysis-progress").is_visible()
        assert page.locator("#analysis-progress span").inner_text() == "分析を待っています"
        assert page.locator("#analysis-steps li").all_inner_texts() == ["住民", "要支援者", "建物", "避難所"]
        assert page.locator("#analysis-counts").count() == 0
        page.screenshot(path=str(ARTIFACTS / "hazard-analysis-progress-1024.png"))
    finally:
        os.kill(live_server.worker.pid, signal.SIGCONT)
    page.wait_for_selector("#analysis-counts", timeout=30_000)  # the page polled the job and reloaded
    assert page.locator("#analysis-progress").count() == 0
    residents = int(page.locator("[data-count='residents']").inner_text().replace(",", ""))
    assert residents > 0
    assert page.locator("#list-residents tbody tr").count() == min(residents, 500)
    page.wait_for_function("() => window.BCLMap && BCLMap.loaded['analysis'] > 0 && BCLMap.loaded['hazard:flood'] > 0")
    page.locator("#map-area").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "hazard-analysis-class-1024.png"))

    page.goto(live_server.url + "/map/analysis")
    page.wait_for_function("() => window.BCLMap && BCLMap.map")
    page.locator(".leaflet-draw-draw-rectangle").click()
    box = page.locator("#map-area .folium-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + box["width"] * 0.6, y + box["height"] * 0.6, steps=8)
    page.mouse.up()
    page.wait_for_url("**/map/analysis/results/*")
    page.wait_for_selector("#analysis-title", timeout=30_000)
    assert "地図上で描いた範囲" in page.locator("#analysis-title").inner_text()
    assert int(page.locator("[data-count='residents']").inner_text().replace(",", "")) > 0
    page.wait_for_function("() => BCLMap.loaded['analysis'] > 0")
    assert page.locator(".leaflet-overlay-pane path, .leaflet-marker-icon").count() > 0
    page.locator("#map-area").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "hazard-analysis-drawn-1024.png"))
    assert page.console_errors == []
