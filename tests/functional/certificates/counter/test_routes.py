"""窓口交付 through the browser: search, the counter menu with fees, issue → signed PDF and a log row
(channel 窓口, the municipality's fee), a refusal shows its reason and stores nothing, void and reissue,
the 支援措置 banner, and another municipality cannot reach the person."""
import subprocess

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.certificates.models import IssuanceLog, IssuedCertificate
from app.residents.models import Resident
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser


def _person(system_session, protected=False):
    return system_session.scalars(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.status == "住登内", Resident.removed_on.is_(None),
        Resident.is_protected.is_(protected), Resident.is_household_head).order_by(Resident.id)).first()


def _issued(system_session, resident):
    system_session.expire_all()
    return list(system_session.scalars(select(IssuedCertificate).where(
        IssuedCertificate.subject_type == "resident", IssuedCertificate.subject_id == resident.id)
        .order_by(IssuedCertificate.id)))


def _log(system_session, issued):
    return system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued.id))


def _text(pdf: bytes) -> str:
    return "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                  check=True).stdout.decode().split())


@pytest.fixture()
def person(system_session):
    return _person(system_session)


def test_counter_home_has_the_tiles(as_admin):
    page = as_admin.get("/certificates").get_data(as_text=True)
    assert "窓口交付" in page and 'href="/certificates/counter"' in page
    assert 'href="/certificates/statistics"' in page


def test_counter_search_finds_the_person_and_audits(as_admin, person, system_session):
    page = as_admin.get("/certificates/counter", query_string={"kana": person.name_kana}).get_data(as_text=True)
    assert f'href="/certificates/counter/{person.atena_no}"' in page
    found = system_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "resident_search"))
    assert found >= 1


def test_counter_issue_gives_the_signed_pdf_and_logs_the_fee(as_admin, person, system_session):
    page = as_admin.get(f"/certificates/counter/{person.atena_no}").get_data(as_text=True)
    assert "住民票の写し" in page and "300円" in page
    response = as_admin.post(f"/certificates/counter/{person.atena_no}/issue",
                             {"document_type": "住民票の写し", "household": "y"})
    assert response.status_code == 302
    pdf = as_admin.get(response.headers["Location"])
    assert pdf.mimetype == "application/pdf"
    [issued] = _issued(system_session, person)
    assert issued.channel == "窓口" and issued.document_type == "住民票の写し"
    log = _log(system_session, issued)
    assert (log.channel, log.fee_yen) == ("窓口", 300)
    printed = _text(pdf.data)
    assert person.name.replace(" ", "").replace("\u3000", "") in printed
    assert issued.verification_code in printed
    listing = as_admin.get(f"/certificates/counter/{person.atena_no}").get_data(as_text=True)
    assert issued.serial in listing


def test_counter_refusal_shows_the_reason_and_stores_nothing(as_admin, person, system_session):
    before = system_session.scalar(select(func.count()).select_from(IssuedCertificate))
    response = as_admin.post(f"/certificates/counter/{person.atena_no}/issue",
                             {"document_type": "所得証明書", "fiscal_year": "1999"})
    assert response.status_code == 422
    assert "請求された年度の税情報がない" in response.get_data(as_text=True)
    system_session.expire_all()
    assert system_session.scalar(select(func.count()).select_from(IssuedCertificate)) == before


def test_counter_void_needs_a_reason_and_reissue_is_free(as_admin, person, system_session):
    as_admin.post(f"/certificates/counter/{person.atena_no}/issue", {"document_type": "住民票の写し"})
    [first] = _issued(system_session, person)
    refused = as_admin.post(f"/certificates/counter/{person.atena_no}/issued/{first.id}/reissue", {"reason": ""})
    assert refused.status_code == 422 and len(_issued(system_session, person)) == 1
    response = as_admin.post(f"/certificates/counter/{person.atena_no}/issued/{first.id}/reissue",
                             {"reason": "汚損"})
    assert response.status_code == 302
    old, new = _issued(system_session, person)
    assert old.voided_at is not None and new.voided_at is None and _log(system_session, new).fee_yen == 0
    assert as_admin.post(f"/certificates/counter/{person.atena_no}/issued/{new.id}/void",
                         {"reason": " "}).status_code == 422
    as_admin.post(f"/certificates/counter/{person.atena_no}/issued/{new.id}/void", {"reason": "誤交付"})
    [_, new] = _issued(system_session, person)
    assert new.void_reason == "誤交付" and _log(system_session, new).voided_at is not None


def test_counter_protected_person_shows_the_banner_and_may_still_be_issued(as_admin, system_session):
    protected = _person(system_session, protected=True)
    if protected is None:
        protected = _person(system_session)
        protected.is_protected = True
        system_session.commit()
    page = as_admin.get(f"/certificates/counter/{protected.atena_no}").get_data(as_text=True)
    assert 'id="protection-warning"' in page
    response = as_admin.post(f"/certificates/counter/{protected.atena_no}/issue", {"document_type": "住民票の写し"})
    assert response.status_code == 302 and len(_issued(system_session, protected)) == 1


def test_counter_other_municipality_cannot_reach_the_person(app, as_admin, person, system_session):
    as_admin.post(f"/certificates/counter/{person.atena_no}/issue", {"document_type": "住民票の写し"})
    [issued] = _issued(system_session, person)
    other = new_browser(app)
    other.login(SECOND_CODE, "admin")
    assert other.get(f"/certificates/counter/{person.atena_no}").status_code == 404
    assert other.get(f"/certificates/counter/{person.atena_no}/issued/{issued.id}.pdf").status_code == 404
    assert other.post(f"/certificates/counter/{person.atena_no}/issue",
                      {"document_type": "住民票の写し"}).status_code == 404
    listing = as_admin.get(f"/certificates/counter/{person.atena_no}").get_data(as_text=True)
    assert listing.count('data-serial="') == 1 and issued.serial in listing


def test_counter_certificate_prints_the_fee_paid_when_the_municipality_chooses(as_admin, person, system_session):
    def issue_text():
        response = as_admin.post(f"/certificates/counter/{person.atena_no}/issue", {"document_type": "住民票の写し"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return _text(as_admin.get(response.headers["Location"]).data)

    assert "手数料" not in issue_text()  # not printed unless chosen
    page = as_admin.get("/admin/certificate-layout").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    saved = as_admin.post("/admin/certificate-layout", {
        "mayor_title": "桜ヶ丘町長", "mayor_name": "桜井 正道", "version": version, "confirm_changes": "y",
        "print_fee": "y"}, form_page="/admin/certificate-layout", content_type="multipart/form-data")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert "手数料300円" in issue_text()
