"""A 罹災証明書 / 被災証明書 application as staff take it over HTTP: applying at the counter, advancing it
to its certificate, the certificate read back as text, and the certificates issued for it."""
import re
import subprocess

from sqlalchemy import select

from app.certificates.models import IssuedCertificate


def apply_for_certificate(browser, house, **overrides):
    form = {"kind": "罹災証明書", "channel": "窓口", "applicant_name": "桜 太郎", "applicant_address": house.address,
            "cause": "令和8年桜ヶ丘地震", "building_id": str(house.id), "flood_level": ""} | overrides
    return browser.post("/victims/certificates/new", form,
                        form_page=f"/victims/certificates/new?building_id={house.id}")


def advance_application(browser, application_id):
    page = browser.get(f"/victims/certificates/{application_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    return browser.post(f"/victims/certificates/{application_id}/advance",
                        {"version": version.group(1) if version else "0", "confirm_resurvey": "y"},
                        form_page=f"/victims/certificates/{application_id}", follow_redirects=True
                        ).get_data(as_text=True)


def certificate_text(browser, application_id, issued_id=None):
    """The application's signed PDF as text (pdftotext), whitespace removed."""
    query = f"?issued={issued_id}" if issued_id else ""
    response = browser.get(f"/victims/certificates/{application_id}/certificate.pdf{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.status_code
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    return "".join(text.split())


def issue_hisai_certificate(browser, house, **overrides):
    """A 被災証明書 for belongings applied for and issued: (application id, the page after issuing)."""
    response = apply_for_certificate(browser, house, kind="被災証明書", building_id="",
                                     damaged_property="家財（テレビ）", **overrides)
    application_id = int(re.search(r"/victims/certificates/(\d+)", response.headers["Location"]).group(1))
    return application_id, advance_application(browser, application_id)


def issued_certificates(system_session, application_id):
    system_session.expire_all()
    return list(system_session.scalars(select(IssuedCertificate).where(
        IssuedCertificate.subject_type == "certificate_application", IssuedCertificate.subject_id == application_id)
        .order_by(IssuedCertificate.id)))
