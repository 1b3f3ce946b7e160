"""The OGC API's HTML pages in a browser: a logged-in staff member browses from the landing page to
a layer's features, sees them in the table and on the small Leaflet map, taps one, pages on."""
from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS


def test_staff_browse_the_ogc_pages_with_a_map(live_server, page):
    base = live_server.url
    login(page, base, "046990", "admin")
    page.goto(base + "/ogc/")  # a browser's Accept: the HTML page
    expect(page.locator("h1")).to_contain_text("BCL 地図レイヤ")
    page.click("#ogc-links >> text=コレクション一覧")
    expect(page.locator("#collection-table")).to_contain_text("避難所・避難場所")
    page.click("tr[data-collection='shelters'] >> text=表と地図")
    page.wait_for_function("() => window.BCLOgcMap !== undefined")
    rows = page.locator("#item-table tbody tr")
    assert rows.count() == page.evaluate("BCLOgcMap.count") > 0
    expect(page.locator("#item-count")).to_contain_text("件目")
    # Tap the first feature's symbol: its popup names it as the table does.
    name = rows.first.locator("td").nth(1).inner_text()
    xy = page.evaluate("""() => {
        let first = null;
        BCLOgcMap.map.eachLayer(l => { if (!first && l.feature) first = l; });
        const p = BCLOgcMap.map.latLngToContainerPoint(first.getLatLng());
        const r = BCLOgcMap.map.getContainer().getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y, id: first.feature.id}; }""")
    page.mouse.click(xy["x"], xy["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(f"ID {xy['id']}")
    expect(popup).to_contain_text("名称：")
    page.screenshot(path=str(ARTIFACTS / "ogc-items-html.png"), full_page=True)
    assert name
    # Paging stays in HTML: two features a page, the next page has others and leads back.
    page.goto(page.url + "&limit=2")
    first_ids = page.locator("#item-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert len(first_ids) == 2
    page.click("a[rel=next]")
    page.wait_for_function("() => window.BCLOgcMap !== undefined && BCLOgcMap.count === 2")
    expect(page.locator("#item-count")).to_contain_text("3〜4 件目")
    assert not set(page.locator("#item-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")) \
        & set(first_ids)
    page.click("a[rel=prev]")
    expect(page.locator("#item-count")).to_contain_text("1〜2 件目")
    assert all(url.startswith(base) or url.startswith(("data:", "blob:")) for url in page.requests_seen)
    assert page.console_errors == []
