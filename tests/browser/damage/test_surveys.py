"""A damage survey on a tablet: from the map to a building, findings, judgement, and the grade made
final by another member of staff; the building shows its grade on the map; the resident's 罹災証明書
application goes 申請 → 調査 → 判定 → 交付 as a signed A4 PDF, which anyone can check at /verify."""
import subprocess

from playwright.sync_api import expect

from tests.helpers.browser import login, register_disaster
from tests.helpers.paths import ARTIFACTS


def test_survey_from_the_map_to_a_final_grade(live_server, page, chromium):
    base = live_server.url
    login(page, base, "046990", "admin")
    register_disaster(page, base, "令和8年桜ヶ丘地震（ブラウザ）")
    page.goto(base + "/map")
    page.locator(".leaflet-control-layers-overlays label", has_text="建物（被害認定）").click()
    page.wait_for_function("() => BCLMap.loaded['buildings'] > 0")
    building_id = page.evaluate("""() => {
        const id = BCLMap.featureIds('buildings', p => p.structure.startsWith('木造'))[0];
        BCLMap.openFeature('buildings', id);
        return Number(id); }""")
    link = page.locator(".leaflet-popup-content a", has_text="建物の記録")
    expect(link).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "map-building-popup.png"))
    link.click()
    page.wait_for_url(f"**/damage/buildings/{building_id}")
    page.select_option("#round", "第1次")
    page.select_option("#hazard", "地震")
    page.click("#start-survey")
    page.wait_for_url("**/damage/surveys/*")
    survey_url = page.url
    page.fill("#part_屋根", "100")
    page.fill("#part_外壁", "30")
    page.fill("#part_基礎", "0")
    page.screenshot(path=str(ARTIFACTS / "survey-form-tablet.png"), full_page=True)
    page.click("#save-survey")
    expect(page.locator("#survey-grade")).to_contain_text("中規模半壊")  # 15 + 22.5 = 37.5 %
    expect(page.locator("#survey-status")).to_have_text("判定待ち")
    # The surveyor cannot confirm their own judgement (and is not offered to); another member of staff does.
    expect(page.locator("#finalise")).to_have_count(0)
    expect(page.locator("#finalise-by-other")).to_contain_text("別の職員")
    reviewer_context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    reviewer = reviewer_context.new_page()
    try:
        login(reviewer, base, "046990", "bosai")
        reviewer.goto(survey_url)
        reviewer.click("#finalise")
        expect(reviewer.locator("#survey-status")).to_have_text("確定")
        expect(reviewer.locator("#history-table")).to_contain_text("確定")
        reviewer.screenshot(path=str(ARTIFACTS / "survey-final.png"), full_page=True)
    finally:
        reviewer_context.close()
    # Back on the map (the surveyor's disaster is still selected) the building shows its grade.
    page.goto(base + "/map")
    page.locator(".leaflet-control-layers-overlays label", has_text="建物（被害認定）").click()
    page.wait_for_function("() => BCLMap.loaded['buildings'] > 0")
    page.wait_for_function(f"() => BCLMap.featureIds('buildings').includes('{building_id}')")
    page.evaluate(f"BCLMap.openFeature('buildings', {building_id})")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("中規模半壊")
    # The household applies for a 罹災証明書 at the counter; the steps follow the survey.
    page.goto(f"{base}/damage/buildings/{building_id}")
    page.click("#apply-certificate")
    page.fill("#applicant_name", "桜 太郎")
    page.click("#submit-application")
    page.wait_for_url("**/victims/certificates/*")
    for step in ("調査", "判定", "交付"):
        page.click("#advance")
        expect(page.locator("#application-status")).to_have_text(step)
    expect(page.locator("#certificate-no")).to_contain_text("罹")
    page.screenshot(path=str(ARTIFACTS / "certificate-application.png"), full_page=True)
    certificate = page.locator("#certificate-pdf").get_attribute("href")
    response = page.request.get(base + certificate)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "risai-certificate.pdf").write_bytes(response.body())
    printed = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.body(), capture_output=True,
                             check=True).stdout.decode()
    assert "■中規模半壊" in printed and "罹災証明書" in printed
    code = page.locator("#pdfs-table code").first.inner_text()
    page.goto(base + "/verify")
    page.fill("#code", code)
    page.click("#verify-button")
    expect(page.locator("#verify-result")).to_contain_text("真正な証明書です")
    expect(page.locator("#verify-result")).to_contain_text("罹災証明書")
    page.screenshot(path=str(ARTIFACTS / "certificate-verify.png"), full_page=True)
    assert page.console_errors == []
