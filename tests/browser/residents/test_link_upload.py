"""Pattern B in the browser: upload a batch, watch the progress bar, read the report."""
import pytest

from fixtures.link_batch import write_diff_batch
from fixtures.town import DEMO_TOWN, generate_town
from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

pytestmark = pytest.mark.browser


def test_upload_shows_progress_and_the_report(live_server, page, tmp_path):
    town = generate_town(DEMO_TOWN, residents=1500, seed=1)  # what the browser database holds
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=120)
    login(page, live_server.url, "046990", "admin")
    page.goto(live_server.url + "/residents")
    assert page.locator("#expected-sequence").inner_text() == "2"
    page.set_input_files("#batch", str(diff))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/residents/batches/*")
    page.screenshot(path=str(ARTIFACTS / "link-batch-progress.png"))
    page.wait_for_selector("#count-table", timeout=60000)  # the page reloads when the job is done
    assert "反映済み" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "link-batch-report.png"), full_page=True)
    page.goto(live_server.url + "/residents")
    assert page.locator("#expected-sequence").inner_text() == "3"
    page.screenshot(path=str(ARTIFACTS / "link-status.png"), full_page=True)


def test_a_bad_upload_is_explained_on_the_page(live_server, page, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    login(page, live_server.url, "046990", "admin")
    page.goto(live_server.url + "/residents")
    page.set_input_files("#batch", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "ZIP形式ではありません" in page.locator("#upload-error").inner_text()
