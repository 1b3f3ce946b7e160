"""Signed certificate PDFs of the application workflow and the public /verify: the stored PDF is the
one served and its signature holds, /verify answers type, date and validity only, a re-issue voids
the old certificate, and refusals (no layout, unprintable characters, another municipality) issue nothing."""
import hashlib
import re

from sqlalchemy import text

from app.config import INSTANCE_DIR
from certificate_engine.signing import signature_status
from tests.helpers.applications import certificate_text
from tests.helpers.applications import issue_hisai_certificate as _issue_hisai
from tests.helpers.applications import issued_certificates as _issued
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser


def test_certpdf_the_served_pdf_is_the_stored_signed_one(quake, house, system_session):
    application_id, _ = _issue_hisai(quake, house)
    [issued] = _issued(system_session, application_id)
    pdf = quake.get(f"/victims/certificates/{application_id}/certificate.pdf").data
    assert hashlib.sha256(pdf).hexdigest() == issued.pdf_sha256
    assert issued.document_type == "被災証明書" and issued.channel == "窓口" and issued.issued_by == "admin"
    status = signature_status(pdf, (INSTANCE_DIR / "pki" / "ca.cert.pem",))
    assert status.intact and status.valid and status.trusted
    printed = certificate_text(quake, application_id)
    assert f"確認コード{issued.verification_code}" in printed
    assert f"http://localhost/verify?code={issued.verification_code}" in printed


def test_certpdf_verify_answers_type_date_and_validity_only(quake, house, system_session, app):
    address = house.address
    application_id, _ = _issue_hisai(quake, house, applicant_name="検証 花子")
    [issued] = _issued(system_session, application_id)
    public = new_browser(app)  # nobody logged in
    page = public.get(f"/verify?code={issued.verification_code.lower().replace('-', '')}").get_data(as_text=True)
    assert "真正な証明書です" in page and "被災証明書" in page and "状態: 有効" in page
    assert re.search(r"交付日: 令和\d+年\d+月\d+日", page)
    for personal in ("検証 花子", issued.serial, address, "家財"):
        assert personal not in page
    answer = public.get(f"/api/verify/v1/{issued.verification_code}").get_json()
    assert set(answer) == {"genuine", "document_type", "issued_on", "issued_on_wareki", "status"}
    assert answer["genuine"] is True and answer["document_type"] == "被災証明書" and answer["status"] == "有効"
    assert public.get("/api/verify/v1/ZZZZ-ZZZZ-ZZZZ").get_json() == {"genuine": False}
    assert public.get("/api/verify/v1/not-a-code").get_json() == {"genuine": False}
    assert "該当する証明書はありません" in public.get("/verify?code=ZZZZ-ZZZZ-ZZZZ").get_data(as_text=True)
    assert public.get("/verify").status_code == 200


def test_certpdf_reissue_gives_a_new_serial_and_voids_the_old(quake, house, system_session, app):
    application_id, _ = _issue_hisai(quake, house)
    page = quake.get(f"/victims/certificates/{application_id}").get_data(as_text=True)
    version = re.search(r'id="reissue-form".*?name="version" value="(\d+)"', page, re.S).group(1)
    refused = quake.post(f"/victims/certificates/{application_id}/reissue", {"version": version, "reason": ""},
                         form_page=f"/victims/certificates/{application_id}", follow_redirects=True)
    assert "再交付の理由を入力してください" in refused.get_data(as_text=True)
    assert len(_issued(system_session, application_id)) == 1
    done = quake.post(f"/victims/certificates/{application_id}/reissue", {"version": version, "reason": "紛失"},
                      form_page=f"/victims/certificates/{application_id}", follow_redirects=True)
    assert "以前の証明書は無効になりました" in done.get_data(as_text=True)
    old, new = _issued(system_session, application_id)
    assert old.voided_at is not None and old.void_reason == "再交付: 紛失" and new.voided_at is None
    assert old.serial != new.serial and old.verification_code != new.verification_code
    public = new_browser(app)
    assert public.get(f"/api/verify/v1/{old.verification_code}").get_json()["status"] == "無効"
    assert "この証明書は無効です" in public.get(f"/verify?code={old.verification_code}").get_data(as_text=True)
    assert new.serial in certificate_text(quake, application_id)  # the valid one by default
    assert old.serial in certificate_text(quake, application_id, old.id)  # the old one on request
    assert system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'certificate_void'")) == 1
    # A re-issue the engine refuses leaves the valid certificate valid.
    system_session.execute(text("UPDATE certificate_applications SET applicant_name = '𠮷田 太郎' WHERE id = :id"),
                           {"id": application_id})
    system_session.flush()
    page = quake.get(f"/victims/certificates/{application_id}").get_data(as_text=True)
    version = re.search(r'id="reissue-form".*?name="version" value="(\d+)"', page, re.S).group(1)
    refused = quake.post(f"/victims/certificates/{application_id}/reissue", {"version": version, "reason": "汚損"},
                         form_page=f"/victims/certificates/{application_id}", follow_redirects=True)
    assert "印字できない文字" in refused.get_data(as_text=True)
    assert [i.voided_at is None for i in _issued(system_session, application_id)] == [False, True]


def test_certpdf_unprintable_characters_and_missing_layout_issue_nothing(quake, house, system_session):
    application_id, page = _issue_hisai(quake, house, applicant_name="𠮷田 太郎")
    assert "印字できない文字" in page and "𠮷（U+20BB7）" in page
    assert _issued(system_session, application_id) == []
    system_session.execute(text("DELETE FROM certificate_layouts WHERE lg_code = :lg"), {"lg": DEMO_CODE})
    system_session.flush()
    application_id, page = _issue_hisai(quake, house)
    assert "証明書の様式（市町村長名・公印）が設定されていません" in page
    assert _issued(system_session, application_id) == []
    system_session.expire_all()
    assert system_session.scalar(text("SELECT status FROM certificate_applications WHERE id = :id"),
                                 {"id": application_id}) == "申請"


def test_certpdf_another_municipality_sees_no_certificate(quake, house, system_session, app):
    application_id, _ = _issue_hisai(quake, house)
    [issued] = _issued(system_session, application_id)
    other = tenant_session(SECOND_CODE)
    try:
        assert other.scalar(text("SELECT count(*) FROM issued_certificates")) == 0
    finally:
        other.close()
    stranger = new_browser(app)
    assert stranger.login(SECOND_CODE, "admin").status_code == 302
    response = stranger.get(f"/victims/certificates/{application_id}/certificate.pdf?issued={issued.id}")
    assert response.status_code == 404
