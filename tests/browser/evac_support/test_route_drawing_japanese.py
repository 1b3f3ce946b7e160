"""The 個別避難計画's route is drawn with Japanese tools (線を描く, 完了, 最後の点を消す, やめる, the
tooltips, the edit and delete buttons), with icons that do not overlap, on a tablet and a phone."""
import pytest
from playwright.sync_api import expect

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def _consenting_person_page(page, base) -> str:
    """Build the register, record one person's consent and open their page; its URL."""
    page.goto(base + "/evac-support")
    page.click("#refresh")
    page.wait_for_load_state("networkidle")
    row = page.locator("#evac-table tbody tr").nth(3)
    name = row.locator("td a").first.inner_text()
    row.locator("select[name=consent]").select_option("同意")
    row.get_by_role("button", name="記録").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_url("**/evac-support/people/*")
    return page.url


def test_route_tools_are_japanese_on_tablet_and_phone(live_server, chromium):
    base = live_server.url
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    page = context.new_page()
    login(page, base, "046990", "fukushi")
    person = _consenting_person_page(page, base)
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(person)
        line = page.locator(".leaflet-draw-draw-polyline")
        expect(line).to_have_attribute("title", "線を描く")
        expect(page.locator(".leaflet-draw-edit-edit")).to_have_attribute("title", "直せる線・区域がありません")
        expect(page.locator(".leaflet-draw-edit-remove")).to_have_attribute("title", "消せる線・区域がありません")
        line.scroll_into_view_if_needed()
        line.click()
        box = page.locator("#plan-map").bounding_box()
        page.mouse.move(box["x"] + box["width"] * .5, box["y"] + box["height"] * .5)
        expect(page.locator(".leaflet-draw-tooltip")).to_contain_text("地図を押して線の最初の点を置きます。")
        page.mouse.click(box["x"] + box["width"] * .4, box["y"] + box["height"] * .6)
        page.mouse.move(box["x"] + box["width"] * .6, box["y"] + box["height"] * .4)
        expect(page.locator(".leaflet-draw-tooltip")).to_contain_text("続けて次の点を置きます。")
        expect(page.locator(".leaflet-draw-actions:visible a")).to_have_text(["完了", "最後の点を消す", "やめる"])
        actions = page.locator(".leaflet-draw-actions:visible").bounding_box()
        button = line.bounding_box()
        assert actions["x"] >= button["x"] + button["width"] - 1  # beside the button, not over it
        page.screenshot(path=str(ARTIFACTS / f"evacplan-draw-ja-{width}.png"))
        page.locator(".leaflet-draw-actions:visible a", has_text="やめる").click()
    context.close()
