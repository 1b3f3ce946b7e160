"""The certificate layout screen (システム管理): mayor and 公印 with optimistic locking and the
confirmation checkbox; the next certificate carries the new mayor; only PNG seals; admin screen only."""
import io
import re

from sqlalchemy import text

from app.certificates.models import CertificateLayout
from fixtures.certificate_samples import seal_png
from tests.helpers.applications import certificate_text
from tests.helpers.applications import issue_hisai_certificate as _issue_hisai
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _version(browser):
    page = browser.get("/admin/certificate-layout").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _save(browser, **fields):
    data = {"mayor_title": "桜ヶ丘町長", "mayor_name": "新井 市郎", "version": _version(browser),
            "confirm_changes": "y"} | fields
    return browser.post("/admin/certificate-layout", data, form_page="/admin/certificate-layout",
                        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


def _stored(system_session):
    system_session.expire_all()
    return system_session.get(CertificateLayout, DEMO_CODE)


def test_certpdf_layout_screen_sets_the_mayor_of_new_certificates(quake, house, system_session):
    page = quake.get("/admin/certificate-layout").get_data(as_text=True)
    assert 'value="桜井 正道"' in page and 'id="seal-preview"' in page
    assert quake.get("/admin/certificate-layout/seal.png").data.startswith(b"\x89PNG")
    unconfirmed = _save(quake, confirm_changes="")
    assert "チェックを入れてから更新してください" in unconfirmed and _stored(system_session).mayor_name == "桜井 正道"
    stale = _save(quake, version="999")
    assert "他の職員が先に更新しました" in stale and "桜井 正道" in stale
    not_png = _save(quake, seal=(io.BytesIO(b"GIF89a..."), "seal.gif"))
    assert "PNG にしてください" in not_png and _stored(system_session).mayor_name == "桜井 正道"
    new_seal = seal_png("桜ヶ丘町長印")
    done = _save(quake, seal=(io.BytesIO(new_seal), "seal.png"))
    assert "証明書の様式を更新しました" in done
    stored = _stored(system_session)
    assert stored.mayor_name == "新井 市郎" and stored.seal_png == new_seal
    application_id, _ = _issue_hisai(quake, house)
    assert "桜ヶ丘町長新井市郎" in certificate_text(quake, application_id)
    actions = system_session.scalars(text("SELECT action FROM audit_log WHERE action = 'certificate_layout_update'"))
    assert len(actions.all()) == 1


def test_certpdf_layout_screen_is_for_administrators_only(app, db):
    staff = new_browser(app)
    assert staff.login(DEMO_CODE, "hinanjo").status_code == 302
    assert staff.get("/admin/certificate-layout").status_code == 403


def test_certpdf_layout_screen_sets_each_documents_title_and_statement(quake, house, system_session):
    page = quake.get("/admin/certificate-layout").get_data(as_text=True)
    assert "上記について被害の届出があったことを証明します。</textarea>" in page  # the standard, ready to edit
    own = {"title_被災証明書": "被災届出証明書",
           "statement_被災証明書": "上記のとおり被害の届出を受理したことを証明します。"}
    unprintable = _save(quake, **{**own, "statement_被災証明書": "被害の届出を受理しました\U0001F600"})
    assert "被災証明書の証明文に証明書で印字できない文字があります" in unprintable
    too_long = _save(quake, **{**own, "statement_被災証明書": "証" * 201})
    assert "200文字以内にしてください（201文字）" in too_long
    assert _stored(system_session).statements == {}
    assert "証明書の様式を更新しました" in _save(quake, **own)
    stored = _stored(system_session)
    assert stored.titles == {"被災証明書": "被災届出証明書"}
    assert stored.statements == {"被災証明書": "上記のとおり被害の届出を受理したことを証明します。"}
    application_id, _ = _issue_hisai(quake, house)
    printed = certificate_text(quake, application_id)
    assert "被災届出証明書" in printed and "上記のとおり被害の届出を受理したことを証明します。" in printed
    # Back to the standard wording: blank title, the standard text.
    _save(quake, **{"title_被災証明書": "", "statement_被災証明書": "上記について被害の届出があったことを証明します。"})
    assert (_stored(system_session).titles, _stored(system_session).statements) == ({}, {})
