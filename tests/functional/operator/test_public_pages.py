"""The operator (J-LIS, no 団体コード) on pages that are not the operator's screen: the public
certificate verification answers as it does for anyone, and municipal jobs are simply not found."""
from app.jobs.models import Job
from tests.helpers.applications import issue_hisai_certificate, issued_certificates
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _operator(app):
    browser = new_browser(app)
    assert browser.login(None, "jlis").status_code == 302
    return browser


def test_operator_gets_the_public_verification_result(app, quake, house, system_session):
    application_id, _ = issue_hisai_certificate(quake, house)
    [issued] = issued_certificates(system_session, application_id)
    operator = _operator(app)
    answer = operator.get(f"/api/verify/v1/{issued.verification_code}")
    assert answer.status_code == 200
    assert answer.get_json()["genuine"] is True and answer.get_json()["status"] == "有効"
    assert operator.get("/api/verify/v1/ZZZZ-ZZZZ-ZZZZ").get_json() == {"genuine": False}
    page = operator.get(f"/verify?code={issued.verification_code}")
    assert page.status_code == 200 and "真正な証明書です" in page.get_data(as_text=True)
    assert "該当する証明書はありません" in operator.get("/verify?code=ZZZZ-ZZZZ-ZZZZ").get_data(as_text=True)


def test_operator_finds_no_municipal_job(app, db, system_session):
    job = Job(lg_code=DEMO_CODE, kind="link_apply", payload={}, status="done", progress=100)
    system_session.add(job)
    system_session.commit()
    job_id = job.id
    operator = _operator(app)
    for path in (f"/jobs/{job_id}", "/jobs/999999"):
        response = operator.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json" and response.get_json()["code"] == "not_found"
        page = operator.get(path)
        assert page.status_code == 404 and "対象が見つかりません" in page.get_data(as_text=True)
