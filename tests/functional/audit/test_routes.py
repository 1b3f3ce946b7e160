"""The administrator's audit viewer: filters and CSV export read back in both encodings."""
import csv
import io

from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser


def test_viewer_lists_and_filters_entries(app, as_admin):
    new_browser(app).login(DEMO_CODE, "bosai", "wrong-password-1")
    page = as_admin.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert "ログイン失敗" in page and "bosai" in page
    assert 'data-action="login"' not in page
    by_user = as_admin.get("/admin/audit?login_id=bosai").get_data(as_text=True)
    assert "bosai" in by_user and 'data-action="audit_view"' not in by_user


def test_viewer_shows_only_own_municipality(app, as_admin):
    new_browser(app).login(SECOND_CODE, "bosai", "wrong-password-1")
    page = as_admin.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert SECOND_CODE not in page


def test_bad_filter_gets_a_clear_message(as_admin):
    response = as_admin.get("/admin/audit?date_from=2026-13-45")
    assert response.status_code == 422
    assert "検索条件に誤りがあります" in response.get_data(as_text=True)


def _rows(data: bytes, encoding: str):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_csv_export_in_utf8_with_bom(as_admin):
    response = as_admin.get("/admin/audit.csv?encoding=utf-8-sig")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data, "utf-8-sig")
    assert rows[0][:4] == ["日時", "団体コード", "ユーザID", "操作"]
    assert any(r[4] == "login" and r[2] == "admin" for r in rows[1:])
    assert all(r[1] == DEMO_CODE for r in rows[1:])


def test_csv_export_in_cp932_is_audited(as_admin):
    response = as_admin.get("/admin/audit.csv?encoding=cp932&action=login")
    rows = _rows(response.get_data(), "cp932")
    assert rows[0][0] == "日時" and len(rows) >= 2
    assert {r[4] for r in rows[1:]} == {"login"}
    page = as_admin.get("/admin/audit?action=audit_export").get_data(as_text=True)
    assert "監査ログの出力" in page


def test_audit_requires_its_screen(app, db):
    browser = new_browser(app)
    browser.login(DEMO_CODE, "bosai")
    assert browser.get("/admin/audit").status_code == 403
    assert browser.get("/admin/audit.csv").status_code == 403
