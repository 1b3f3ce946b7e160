"""A 罹災証明書 issued through the application workflow lists every damage grade of the 内閣府 standard
form with the household's one marked (■), read back from the served PDF with pdftotext; the PDF's
signature still verifies (pyHanko and poppler's pdfsig)."""
import re
import subprocess

import pytest
from sqlalchemy import select

from app.config import INSTANCE_DIR
from app.damage.models import Building
from certificate_engine.signing import signature_status
from tests.conftest import DEMO_CODE, new_browser

GRADES = ["全壊", "大規模半壊", "中規模半壊", "半壊", "準半壊", "準半壊に至らない（一部損壊）"]


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（様式）", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def house(system_session):
    return system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.is_dwelling,
                                                         Building.structure == "木造").order_by(Building.id)).first()


def _version(browser, page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', browser.get(page).get_data(as_text=True))
    return found.group(1) if found else "0"


def _advance(browser, application_id: int) -> None:
    page = f"/victims/certificates/{application_id}"
    browser.post(f"{page}/advance", {"version": _version(browser, page)}, form_page=page)


def _issue_with_a_final_survey(app, browser, house, parts: dict) -> int:
    """Apply, survey the house with ``parts`` (部位 → 損傷率 %), have a reviewer confirm it, issue."""
    response = browser.post("/victims/certificates/new", {
        "kind": "罹災証明書", "channel": "窓口", "applicant_name": "桜 太郎", "applicant_address": house.address,
        "cause": "令和8年桜ヶ丘地震", "building_id": str(house.id), "flood_level": "床上"},
        form_page=f"/victims/certificates/new?building_id={house.id}")
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    started = browser.post(f"/damage/buildings/{house.id}/surveys", {"round": "第1次", "hazard": "地震"},
                           form_page=f"/damage/buildings/{house.id}")
    survey = re.search(r"/damage/surveys/\d+", started.headers["Location"]).group(0)
    _advance(browser, application_id)
    browser.post(survey, {"version": _version(browser, survey), **{f"part_{k}": v for k, v in parts.items()}},
                 form_page=survey)
    _advance(browser, application_id)
    reviewer = new_browser(app)
    assert reviewer.login(DEMO_CODE, "bosai").status_code == 302
    reviewer.post(f"{survey}/finalise", {"version": _version(reviewer, survey)}, form_page=survey)
    _advance(browser, application_id)
    return application_id


def _marked(text: str, label: str, until: str) -> list[tuple[str, str]]:
    return re.findall(r"([■□])([^■□]+)", text.split(label, 1)[1].split(until, 1)[0])


def test_the_issued_certificate_lists_every_grade_and_marks_the_households(app, quake, house, tmp_path):
    # 屋根 100 % × 15 + 外壁 10 % × 75 = 22.5 % → 半壊
    application_id = _issue_with_a_final_survey(app, quake, house, {"屋根": "100", "外壁": "10"})
    response = quake.get(f"/victims/certificates/{application_id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    text = "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())
    grades = _marked(text, "住家の被害の程度", "浸水区分")
    assert [wording for _, wording in grades] == GRADES
    assert [wording for mark, wording in grades if mark == "■"] == ["半壊"]
    assert _marked(text, "浸水区分", "上記") == [("■", "床上浸水"), ("□", "床下浸水"), ("□", "浸水なし")]
    status = signature_status(pdf, (INSTANCE_DIR / "pki" / "ca.cert.pem",))
    assert status.intact and status.valid and status.trusted
    path = tmp_path / "risai.pdf"
    path.write_bytes(pdf)
    # pdfsig exits 0 even for a digest mismatch: the verdict is in its output.
    verdict = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in verdict
