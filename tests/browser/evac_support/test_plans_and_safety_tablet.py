"""避難行動要支援者 on a tablet (1024×768): record consent, draw an evacuation route with
Leaflet.draw and open the A4 print; in a disaster set a safety state with one touch and see the
progress and the map colour change: the map's vector tiles of the view carry the state, a tap opens the
person's name, state and who checked, and the link to the record."""
import re

from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import Scope, set_scope
from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS


def _build_register(page, base):
    page.goto(base + "/evac-support")
    page.click("#refresh")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#evac-table tbody tr").first.locator("a")).to_be_visible()


def test_draw_a_route_for_a_plan_and_print_it(live_server, page):
    base = live_server.url
    login(page, base, "046990", "fukushi")
    _build_register(page, base)
    row = page.locator("#evac-table tbody tr").nth(2)
    name = row.locator("td a").first.inner_text()
    row.locator("select[name=consent]").select_option("同意")
    row.get_by_role("button", name="記録").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_url("**/evac-support/people/*")
    expect(page.locator("#plan-form")).to_be_visible()
    page.fill("input[name=supporter_name_1]", "近藤 一郎")
    page.fill("input[name=supporter_phone_1]", "090-1111-2222")
    page.fill("input[name=supporter_relation_1]", "近所")
    page.select_option("#shelter_id", index=1)
    page.locator("#plan-map").scroll_into_view_if_needed()
    page.click(".leaflet-draw-draw-polyline")
    box = page.locator("#plan-map").bounding_box()
    for dx, dy in ((0.3, 0.6), (0.5, 0.45), (0.7, 0.3)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        page.wait_for_timeout(150)
    page.locator(".leaflet-draw-actions a", has_text="完了").click()
    expect(page.locator("#route-status")).to_contain_text("3点")
    assert '"LineString"' in page.input_value("#route")
    page.screenshot(path=str(ARTIFACTS / "evacplan-route.png"), full_page=True)
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash.success")).to_contain_text("個別避難計画を保存しました")
    expect(page.locator("#route-status")).to_contain_text("3点")  # drawn again from the stored LineString
    expect(page.locator("#save-plan")).to_be_disabled()  # an update waits for 変更事項の確認
    page.fill("#notes", "車いすを使用")
    page.check("#confirm_changes")
    expect(page.locator("#save-plan")).to_be_enabled()
    expect(page.locator("[data-changed-count]")).to_have_text("1")
    href = page.get_attribute("#print-plan", "href")
    page.goto(base + href + "?noprint=1")
    expect(page.locator("#print-map[data-ready='1']")).to_be_visible()
    expect(page.locator("#plan-supporters")).to_contain_text("近藤 一郎")
    expect(page.locator(".made")).to_contain_text("令和")
    assert page.locator("#print-map path.leaflet-interactive").count() >= 1
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "evacplan-print-a4.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert page.console_errors == []
    assert all(url.startswith(base) or url.startswith("data:") for url in page.requests_seen)


def _home(database_url: str, person_id: int) -> tuple[float, float]:
    """Where the person lives (lon, lat), read from the database the server uses."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        set_scope(session, Scope.tenant("046990"))
        lon, lat, protected = session.execute(text("""SELECT ST_X(r.geom), ST_Y(r.geom), r.is_protected
            FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE p.id = :p"""), {"p": person_id}).one()
    engine.dispose()
    assert not protected, "the person tapped must be one the tiles carry"
    return lon, lat


def test_safety_state_on_a_tablet_changes_progress_and_map(live_server, browser_database, page):
    base = live_server.url
    login(page, base, "046990", "bosai")
    _build_register(page, base)
    register_disaster(page, base, "令和8年桜ヶ丘地震（安否確認）")
    page.goto(base + "/evac-support/safety")
    before = float(page.inner_text("#confirmed-percent"))
    row = page.locator("form.safety-row").first
    person_id = row.get_attribute("data-person")
    row.get_by_role("button", name="要救助").click()
    expect(row.locator("button.current")).to_have_text("要救助")
    expect(page.locator("#confirmed-percent")).not_to_have_text(str(before))
    expect(row.locator("[data-checked]")).to_contain_text("bosai")
    page.screenshot(path=str(ARTIFACTS / "evacplan-safety-tablet.png"))
    page.goto(base + "/evac-support/safety/progress")
    total_row = page.locator("#progress-table tbody tr.total")
    expect(total_row.locator("td[data-state='要救助']")).not_to_have_text("0")
    assert re.fullmatch(r"\d+(\.\d)?%", total_row.locator("td[data-percent]").inner_text())
    lon, lat = _home(browser_database, int(person_id))
    page.goto(base + "/evac-support/safety/map")
    expect(page.locator("[data-overlay-status='safety_protected']")).to_have_text(re.compile(r"\d+件"))
    # The register comes as vector tiles of the view: zoom in on the person's home.
    page.evaluate(f"() => {{ BCLMap.map.setView([{lat}, {lon}], 18, {{animate: false}}); }}")
    page.wait_for_function(f"""() => {{
        const tiles = BCLMap.groups.evac_people._vectorTiles, z = BCLMap.map.getZoom();
        return Object.keys(tiles).some(k => {{ const f = k.endsWith(':' + z) && tiles[k]._features['{person_id}'];
            return f && f.feature.options && f.feature.options.fillColor; }}); }}""", timeout=20000)
    zoom = page.evaluate("() => BCLMap.map.getZoom()")
    assert any(f"/evac-support/safety/tiles/{zoom}/" in url for url in page.requests_seen)
    drawn = page.evaluate("""(id) => { const found = []; const tiles = BCLMap.groups.evac_people._vectorTiles;
        const z = BCLMap.map.getZoom();
        Object.keys(tiles).filter(k => k.endsWith(':' + z)).forEach(k => { const f = tiles[k]._features[id];
            if (f) { found.push({state: f.feature.properties.state, color: (f.feature.options || {}).fillColor}); } });
        return found; }""", person_id)
    assert drawn and all(d == {"state": "要救助", "color": "#d32f2f"} for d in drawn), drawn
    expect(page.locator("#map-legend")).to_contain_text("要救助")
    xy = page.evaluate(f"""() => {{
        const p = BCLMap.map.latLngToContainerPoint([{lat}, {lon}]);
        const r = BCLMap.map.getContainer().getBoundingClientRect();
        return {{x: r.left + p.x, y: r.top + p.y}}; }}""")
    page.mouse.click(xy["x"], xy["y"])  # a tap on the person fetches name, state, time and who
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("要救助")
    expect(popup).to_contain_text("bosai")
    expect(popup.locator("a", has_text="要支援者の記録")).to_be_visible()
    assert popup.locator("th").all_inner_texts()[:2] == ["氏名", "安否"]  # the labels in their set order
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(ARTIFACTS / "evacplan-safety-map.png"), full_page=True)
    popup.locator("a", has_text="要支援者の記録").click()
    page.wait_for_url(f"**/evac-support/people/{person_id}")
    assert page.console_errors == []
    assert all(url.startswith(base) or url.startswith("data:") for url in page.requests_seen)
