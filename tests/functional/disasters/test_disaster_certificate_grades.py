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
from tests.helpers.applications import advance_application, apply_for_certificate
from tests.helpers.damage import record_survey, reviewer_browser, start_survey, survey_id_of, survey_version
from tests.helpers.demo import DEMO_CODE

GRADES = ["全壊", "大規模半壊", "中規模半壊", "半壊", "準半壊", "準半壊に至らない（一部損壊）"]


@pytest.fixture()
def wooden_house(system_session):
    return system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.is_dwelling,
                                                         Building.structure == "木造").order_by(Building.id)).first()


def _issue_with_a_final_survey(app, browser, house, parts: dict) -> int:
    """Apply, survey the house with ``parts`` (部位 → 損傷率 %), have a reviewer confirm it, issue."""
    response = apply_for_certificate(browser, house, flood_level="床上")
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    survey_id = survey_id_of(start_survey(browser, house))
    advance_application(browser, application_id)
    record_survey(browser, survey_id, {f"part_{k}": v for k, v in parts.items()})
    advance_application(browser, application_id)
    reviewer = reviewer_browser(app)
    reviewer.post(f"/damage/surveys/{survey_id}/finalise", {"version": survey_version(reviewer, survey_id)},
                  form_page=f"/damage/surveys/{survey_id}")
    advance_application(browser, application_id)
    return application_id


def _marked(text: str, label: str, until: str) -> list[tuple[str, str]]:
    return re.findall(r"([■□])([^■□]+)", text.split(label, 1)[1].split(until, 1)[0])


def test_the_issued_certificate_lists_every_grade_and_marks_the_households(app, quake, wooden_house, tmp_path):
    # 屋根 100 % × 15 + 外壁 10 % × 75 = 22.5 % → 半壊
    application_id = _issue_with_a_final_survey(app, quake, wooden_house, {"屋根": "100", "外壁": "10"})
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
