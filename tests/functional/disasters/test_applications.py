"""罹災証明書 / 被災証明書 applications through HTTP: 申請 → 調査 → 判定 → 交付 following the survey,
a certificate only on a final grade, 再調査依頼 and re-issue under a new number, the signed PDF
(read back with pdftotext) audited."""
import re

import pytest
from sqlalchemy import select, text

from app.damage.models import Building
from app.disasters.models import CertificateApplication
from tests.helpers.applications import advance_application, apply_for_certificate, certificate_text
from tests.helpers.damage import record_survey, reviewer_browser, start_survey, survey_id_of, survey_version
from tests.helpers.demo import DEMO_CODE


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（証明）", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def house(system_session):
    return system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.is_dwelling,
                                                         Building.structure == "木造").order_by(Building.id)).first()


def _status(system_session, application_id):
    system_session.expire_all()
    return system_session.get(CertificateApplication, application_id)


def test_application_follows_the_survey_to_issue_and_resurvey(app, quake, house, system_session):
    response = apply_for_certificate(quake, house)
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    page = quake.get(response.headers["Location"]).get_data(as_text=True)
    assert "建物の被害認定調査を開始してください" in page
    survey_id = survey_id_of(start_survey(quake, house))
    assert _status(system_session, application_id).status == "申請"
    advance_application(quake, application_id)
    assert _status(system_session, application_id).status == "調査"
    assert "調査結果を記録して判定してください" in advance_application(quake, application_id)
    record_survey(quake, survey_id, {"part_屋根": "100", "part_外壁": "20"})  # 15 + 15 = 30 % → 中規模半壊
    advance_application(quake, application_id)
    # nothing issued on an unconfirmed grade
    assert "判定が確定していません" in advance_application(quake, application_id)
    assert _status(system_session, application_id).certificate_no is None
    reviewer = reviewer_browser(app)
    reviewer.post(f"/damage/surveys/{survey_id}/finalise", {"version": survey_version(reviewer, survey_id)},
                  form_page=f"/damage/surveys/{survey_id}")
    issued = advance_application(quake, application_id)
    first = _status(system_session, application_id)
    assert first.status == "交付" and first.issued_grade == "中規模半壊"
    first_number = first.certificate_no
    assert re.fullmatch(r"罹\d{4}-000001", first_number) and first_number in issued
    printed = certificate_text(quake, application_id)
    assert "罹災証明書" in printed and "■中規模半壊" in printed and first_number in printed
    assert "桜ヶ丘町長桜井正道" in printed and "令和8年桜ヶ丘地震（証明）、令和8年11月20日発生" in printed
    # The resident asks for a 再調査: the new final grade is issued under a new number.
    advance_application(quake, application_id)
    assert _status(system_session, application_id).status == "再調査依頼"
    resurvey = survey_id_of(start_survey(quake, house, "再調査"))
    record_survey(quake, resurvey, {"part_屋根": "100", "part_柱": "100", "part_内壁": "100", "part_床": "50"})  # 50 %
    reviewer.post(f"/damage/surveys/{resurvey}/finalise", {"version": survey_version(reviewer, resurvey)},
                  form_page=f"/damage/surveys/{resurvey}")
    for _ in range(3):
        advance_application(quake, application_id)
    second = _status(system_session, application_id)
    assert (second.status, second.issued_grade) == ("交付", "全壊")
    assert second.certificate_no != first_number
    numbers = system_session.scalars(text("SELECT certificate_no FROM certificate_issues ORDER BY id")).all()
    assert numbers == [first_number, second.certificate_no]
    actions = system_session.scalars(text("SELECT action FROM audit_log WHERE target_type = "
                                          "'certificate_application' ORDER BY id")).all()
    assert actions.count("certificate_issue") == 2
    downloads = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'certificate_download'"))
    assert downloads == 1
    assert "■全壊" in certificate_text(quake, application_id)


def test_bad_applications_are_refused_with_the_reason(quake, house, system_session):
    missing = apply_for_certificate(quake, house, applicant_name="", cause="").get_data(as_text=True)
    assert "世帯主の氏名、罹災原因を入力してください" in missing
    no_house = apply_for_certificate(quake, house, building_id="").get_data(as_text=True)
    assert "罹災証明書には被災した住家を指定してください" in no_house
    assert system_session.scalar(text("SELECT count(*) FROM certificate_applications")) == 0


def test_a_hisai_certificate_for_belongings_is_issued_without_a_survey(quake, house, system_session):
    response = apply_for_certificate(quake, house, kind="被災証明書", building_id="",
                                     damaged_property="家財（冷蔵庫・洗濯機）")
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    advance_application(quake, application_id)
    issued = _status(system_session, application_id)
    assert issued.status == "交付" and issued.certificate_no.startswith("被")
    printed = certificate_text(quake, application_id)
    assert "被災証明書" in printed and "被害の届出があったことを証明します" in printed
    assert "家財（冷蔵庫・洗濯機）" in printed


def _issue_token(browser, purpose):
    page = browser.post("/residents/tokens", {"name": f"{purpose} テスト", "purpose": purpose}).get_data(as_text=True)
    return re.search(r'<code class="token">([^<]+)</code>', page).group(1)


def test_online_applications_arrive_through_their_own_token(quake, house, system_session):
    token = _issue_token(quake, "applications")
    link_token = _issue_token(quake, "link")
    client = quake.client
    headers = {"Authorization": f"Bearer {token}"}
    disasters = client.get("/api/applications/v1/disasters", headers=headers).get_json()["disasters"]
    disaster_id = next(d["id"] for d in disasters if d["name"] == "令和8年桜ヶ丘地震（証明）")
    body = {"disaster_id": disaster_id, "kind": "罹災証明書", "applicant_name": "桜 花子",
            "applicant_address": house.address, "cause": "地震", "building_address": house.address}
    refused = client.post("/api/applications/v1/certificate-applications", json=body,
                          headers={"Authorization": f"Bearer {link_token}"})
    assert refused.status_code == 401  # a link token cannot file applications
    assert client.get("/api/link/v1/status", headers=headers).status_code == 401  # nor the other way round
    created = client.post("/api/applications/v1/certificate-applications", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    answer = created.get_json()
    assert answer["status"] == "申請" and answer["channel"] == "オンライン" and answer["certificate_no"] is None
    stored = system_session.get(CertificateApplication, answer["id"])
    assert stored.building_id == house.id and stored.applicant_name == "桜 花子"
    listing = quake.get("/victims/certificates").get_data(as_text=True)
    assert "（オンライン）" in listing and "桜 花子" in listing
    followed = client.get(created.headers["Location"], headers=headers).get_json()
    assert followed["id"] == answer["id"] and followed["status"] == "申請"
    for change, code in [({"disaster_id": 99999}, "disaster_unknown"), ({"building_address": "どこにもない住所"},
                                                                         "building_unknown"),
                         ({"applicant_name": 5}, "not_a_string"), ({"applicant_name": ""}, "missing")]:
        problem = client.post("/api/applications/v1/certificate-applications", json=body | change, headers=headers)
        assert problem.status_code == 422 and problem.get_json()["code"] == code, (change, problem.get_json())
    not_json = client.post("/api/applications/v1/certificate-applications", data="x", headers=headers)
    assert not_json.status_code == 422 and not_json.get_json()["code"] == "not_json"
    audit = system_session.scalar(text("SELECT login_id FROM audit_log WHERE action = "
                                       "'certificate_application_create' ORDER BY id DESC LIMIT 1"))
    assert audit == "token:applications テスト"


def test_a_certificate_issued_just_after_midnight_on_new_years_day_takes_japans_year(quake, house, system_session,
                                                                                    monkeypatch):
    """00:30 JST on 1 January 2027 is still 2026 in UTC: the number follows Japan's date."""
    from datetime import date

    import app.disasters.applications

    monkeypatch.setattr(app.disasters.applications, "today_in_japan", lambda: date(2027, 1, 1))
    response = apply_for_certificate(quake, house, kind="被災証明書", building_id="", damaged_property="家財")
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    advance_application(quake, application_id)
    assert _status(system_session, application_id).certificate_no.startswith("被2027-")
