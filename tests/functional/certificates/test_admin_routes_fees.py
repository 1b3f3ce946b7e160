"""The fee administration screen: defaults shown, a change needs the confirmation checkbox, a stale
form gets the other person's values, and the saved fee is what a kiosk quotes."""
from app.certificates import fees
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser

EDIT = "/admin/certificate-fees/edit?document_type=住民票の写し&channel=コンビニ"


def _form(version, fee, confirmed=True):
    data = {"version": str(version), "fee_yen": str(fee), "is_offered": "y"}
    if confirmed:
        data["confirm_changes"] = "y"
    return data


def test_issuance_fee_screen_saves_with_confirmation_and_locking(as_admin, app):
    listing = as_admin.get("/admin/certificate-fees").get_data(as_text=True)
    assert "住民票の写し" in listing and "200円" in listing and "（既定）" in listing
    unconfirmed = as_admin.post(EDIT, _form(0, 150, confirmed=False))
    assert unconfirmed.status_code == 200 and "チェックを入れてから" in unconfirmed.get_data(as_text=True)
    saved = as_admin.post(EDIT, _form(0, 150))
    assert saved.status_code == 302
    other = new_browser(app)
    assert other.login(DEMO_CODE, "admin").status_code == 302
    stale = other.post(EDIT, _form(0, 120))
    page = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "他の職員が先に更新しました" in page and "150円" in page
    session = tenant_session(DEMO_CODE)
    assert fees.fee_for(session, DEMO_CODE, "住民票の写し", "コンビニ").fee_yen == 150
    session.close()


def test_issuance_fee_screen_refuses_an_unknown_pair(as_admin):
    response = as_admin.get("/admin/certificate-fees/edit?document_type=戸籍謄本&channel=コンビニ")
    assert response.status_code == 422
