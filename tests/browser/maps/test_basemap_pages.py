"""Every page of the demo with a map, and the pages staff use beside them, on a tablet (1024×768) and a
phone (390×844): chromium asks nothing of any host but the BCL server, and the base map it shows is
the demo's own package, drawn with streets, blocks and water (not a blank), with its attribution."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import SYSTEM, set_scope
from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

VIEWPORTS = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
TILES_DRAWN = "() => document.querySelectorAll('.leaflet-tile-pane .leaflet-tile-loaded').length > 0"
PRINT_READY = "() => document.querySelector(\"#print-map[data-ready='1']\")"
# The most colours found on one canvas of the base map (sampled): land, roads, blocks, water…
BASE_COLOURS = """() => {
    let most = 0;
    document.querySelectorAll('.leaflet-tile-pane canvas.leaflet-tile-loaded').forEach(canvas => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set();
        for (let i = 0; i < data.length; i += 4 * 61) {
            if (data[i + 3] > 200) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        }
        most = Math.max(most, colours.size);
    });
    return most; }"""


def _arrange(database_url: str) -> dict:
    """A 要支援者 with consent and a 個別避難計画 whose route runs from home towards the town gymnasium,
    and a resident to place on the map (rows written as the screens would leave them)."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        set_scope(session, SYSTEM)
        resident_id, atena_no = session.execute(text("""
            SELECT id, atena_no FROM residents WHERE lg_code = '046990' AND NOT is_protected AND geom IS NOT NULL
            ORDER BY id DESC LIMIT 1""")).one()
        person_id = session.execute(text("""
            INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version)
            VALUES ('046990', :rid, '要介護3', '同意', 1)
            ON CONFLICT (lg_code, resident_id) DO UPDATE SET consent = '同意' RETURNING id"""),
            {"rid": resident_id}).scalar()
        session.execute(text("""
            INSERT INTO evac_plans (lg_code, person_id, supporters, shelter_id, route, notes, updated_by, version)
            SELECT '046990', :pid, '[]'::jsonb, s.id, ST_MakeLine(r.geom, s.geom), '', 'test', 1
            FROM residents r, shelters s WHERE r.id = :rid AND s.lg_code = '046990' AND s.code = '046990-001'
            ON CONFLICT (person_id) DO NOTHING"""), {"pid": person_id, "rid": resident_id})
        session.commit()
    engine.dispose()
    return {"person_id": person_id, "atena_no": atena_no}


def _start_survey(page, base: str) -> str:
    """Open a 被害認定調査 of a building from its record; returns the survey's path."""
    page.goto(base + "/damage/buildings/1")
    page.select_option("#round", "第1次")
    page.select_option("#hazard", "地震")
    page.click("#start-survey")
    page.wait_for_url("**/damage/surveys/*")
    return page.url[len(base):]


def _pages(arranged: dict, survey: str) -> list[tuple[str, str, str | None]]:
    """(name, path, what shows the map is ready: a script condition, or None for a page without a map)."""
    person = f"/evac-support/people/{arranged['person_id']}"
    return [
        ("map", "/map", TILES_DRAWN),
        ("map-print", "/map/print?size=A4&orientation=landscape&lat=38.4030&lon=140.9520&zoom=16&layers=shelters",
         TILES_DRAWN),
        ("analysis", "/map/analysis", TILES_DRAWN),
        ("safety-map", "/evac-support/safety/map", TILES_DRAWN),
        ("person-plan", person, TILES_DRAWN),
        ("plan-print", person + "/plan/print?noprint=1", PRINT_READY),
        ("place-resident", f"/residents/people/{arranged['atena_no']}/location", TILES_DRAWN),
        ("ogc-items", "/ogc/collections/shelters/items?f=html", TILES_DRAWN),
        ("ogc-item", "/ogc/collections/shelters/items/1?f=html", TILES_DRAWN),
        ("shelter-board", "/shelters/dashboard", None),
        ("survey", survey, None),
    ]


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_no_page_asks_an_outside_host_and_the_base_map_is_the_servers(live_server, browser_database, chromium,
                                                                      device):
    base = live_server.url
    arranged = _arrange(browser_database)
    context = chromium.new_context(viewport=VIEWPORTS[device], locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    requests, errors, tiles = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: tiles.append((response.url, response.status))
            if "/basemaps/" in response.url else None)
    try:
        login(page, base, "046990", "admin")
        register_disaster(page, base, f"令和8年桜ヶ丘地震（背景地図・{device}）")
        survey = _start_survey(page, base)
        for name, path, ready in _pages(arranged, survey):
            tiles.clear()
            response = page.goto(base + path)
            assert response.status == 200, (name, response.status)
            if ready:
                page.wait_for_function(ready, timeout=15000)
            page.wait_for_load_state("networkidle")
            if ready:
                assert tiles and all(status in (200, 204, 304) for _, status in tiles), (name, tiles)
                assert any(status == 200 for _, status in tiles), (name, tiles)
                assert page.evaluate(BASE_COLOURS) >= 3, f"{name}: the base map looks blank"
                expect(page.locator(".leaflet-control-attribution").first).to_contain_text("デモ用背景地図")
            page.screenshot(path=str(ARTIFACTS / f"basemap-{name}-{device}.png"), full_page=name != "map")
        outside = sorted({url for url in requests if not url.startswith((base + "/", "data:", "blob:"))})
        assert outside == [], outside
        assert errors == []
    finally:
        context.close()
