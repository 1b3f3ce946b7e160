"""A shelter's day on a tablet and a phone: the desk says whom it received and where; on the map the
shelter is a house with its state's letter (not a building's circle), its popup gives name, state
and counts and leads to the shelter and its desk, and the legend draws the same symbols."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def test_check_in_message_and_the_shelter_on_the_map(live_server, page):
    base = live_server.url
    login(page, base, "046990", "bosai")
    register_disaster(page, base, "令和8年桜ヶ丘地震（避難所の地図）")
    page.goto(base + "/shelters/openings")
    page.click("#open-shelter")
    page.wait_for_url("**/shelters/openings/*")
    shelter_name = page.locator("h1").inner_text().split("（")[0]
    opening_id = int(re.search(r"/shelters/openings/(\d+)", page.url).group(1))
    page.fill("#kana", "さと")
    first = page.locator("#desk-results tbody tr").first
    expect(first).to_be_visible()
    first.get_by_role("button", name="世帯で受付").click()
    page.wait_for_load_state("networkidle")
    message = page.locator(".flash.success")
    expect(message).to_contain_text(f"を「{shelter_name}」で受け付けました。")
    expect(message).to_contain_text("さん（")
    page.screenshot(path=str(ARTIFACTS / "shelter-checkin-message-1024.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator(".flash.success")).to_have_count(0)  # shown once
    page.set_viewport_size({"width": 1024, "height": 768})

    page.goto(base + "/map")
    page.wait_for_function("() => BCLMap.loaded['shelters'] > 0")
    symbols = page.locator(".bcl-shelter-symbol svg path")
    expect(symbols.first).to_be_visible()
    assert page.locator(".leaflet-marker-pane .marker-cluster").count() == 0  # clusters are houses too
    legend = page.locator("#map-legend .legend-symbol")
    expect(legend).to_have_count(4)
    assert sorted(legend.locator("text").evaluate_all("els => els.map(e => e.textContent)")) == sorted("開満閉避")
    shelter = page.evaluate(f"""() => BCLMap.groups['shelters'].getLayers()
        .map(m => m.feature.properties).find(p => p.opening_id === {opening_id})""")
    assert shelter["status"] == "開設" and shelter["name"] == shelter_name
    page.evaluate(f"() => BCLMap.openFeature('shelters', {shelter['id']})")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(shelter_name)
    expect(popup).to_contain_text("開設")
    expect(popup).to_contain_text(re.compile(r"\d+人／\d+人"))
    details = popup.get_by_role("link", name="避難所の詳細")
    expect(details).to_have_attribute("href", f"/shelters/registry/{shelter['id']}")
    expect(popup.get_by_role("link", name="受付・避難者の一覧")).to_have_attribute(
        "href", f"/shelters/openings/{opening_id}")
    marker = page.locator(f".bcl-shelter-symbol[title^='{shelter_name}']")
    expect(marker.locator("text")).to_have_text("開")
    assert marker.locator("path").get_attribute("fill") == "#2e7d32"
    page.screenshot(path=str(ARTIFACTS / "map-shelter-popup-1024.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function("() => BCLMap.loaded['shelters'] > 0")
    page.locator("#map-area").scroll_into_view_if_needed()
    page.evaluate(f"() => BCLMap.openFeature('shelters', {shelter['id']})")
    page.screenshot(path=str(ARTIFACTS / "map-shelter-popup-390.png"), full_page=True)
    details = page.locator(".leaflet-popup-content").get_by_role("link", name="避難所の詳細")
    details.click()
    page.wait_for_url(f"**/shelters/registry/{shelter['id']}")
    expect(page.locator("h1")).to_contain_text(shelter_name)
    assert page.console_errors == []
