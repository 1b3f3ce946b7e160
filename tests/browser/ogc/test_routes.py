"""GIS連携 in headless chromium: from the user menu to レイヤのダウンロード, a GeoPackage downloaded
through the browser, a personal token issued, used by a GIS client over HTTP, and revoked."""
import json
import urllib.error
import urllib.request

import pyogrio
import pytest

from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            json.loads(response.read())
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_layer_download_and_personal_token_from_the_user_menu(live_server, page, tmp_path):
    login(page, live_server.url, "046990", "admin")
    page.locator(".user-menu summary").click()
    page.locator(".user-menu a", has_text="GIS連携・レイヤのダウンロード").click()
    page.wait_for_url("**/gis/layers")
    row = page.locator('tr[data-collection="admin-areas"]')
    assert "町丁目" in row.inner_text()
    with page.expect_download() as download:
        row.locator("a", has_text="GeoPackage").click()
    target = tmp_path / "areas.gpkg"
    download.value.save_as(target)
    frame = pyogrio.read_dataframe(target)
    assert len(frame) > 0 and frame["町丁目名"].str.len().min() > 0 and frame.crs.to_epsg() == 4326
    page.screenshot(path=str(ARTIFACTS / "gis-layers-1024.png"), full_page=True)

    page.locator(".subnav a", has_text="GIS連携トークン").click()
    page.wait_for_url("**/gis/tokens")
    page.fill("#name", "QGIS ブラウザ試験")
    page.fill("#days", "7")
    page.locator("main form.form button[type=submit]").click()
    token = page.locator("#issued-token code.token").inner_text().strip()
    assert token.startswith("bclgis.046990.")
    collections = f"{live_server.url}/ogc/collections"
    assert _status(collections, token) == 200
    page.goto(f"{live_server.url}/gis/tokens")
    assert page.locator("#issued-token").count() == 0  # shown once
    row = page.locator("#token-table tr", has_text="QGIS ブラウザ試験")
    assert "有効" in row.inner_text()
    row.locator("button", has_text="失効").click()
    page.wait_for_url("**/gis/tokens")
    assert "失効" in page.locator("#token-table tr", has_text="QGIS ブラウザ試験").inner_text()
    assert _status(collections, token) == 401
    assert page.console_errors == []
