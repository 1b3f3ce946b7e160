"""Login, lockout, logout and password change through HTTP."""
from sqlalchemy import select, text

from app.auth.models import User
from tests.helpers.demo import DEMO_CODE, PASSWORD, SECOND_CODE
from tests.helpers.web import new_browser


def _audit_actions(system_session, login_id):
    return system_session.execute(text(
        "SELECT action FROM audit_log WHERE login_id = :l ORDER BY id"), {"l": login_id}).scalars().all()


def test_login_succeeds_and_shows_the_main_menu(web, system_session):
    response = web.login(DEMO_CODE, "admin")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = web.get("/").get_data(as_text=True)
    assert "メインメニュー" in page and "被災者支援システム" in page and "桜ヶ丘町" in page
    assert "login" in _audit_actions(system_session, "admin")


def test_wrong_password_is_refused_without_saying_which_part_is_wrong(web, system_session):
    response = web.login(DEMO_CODE, "admin", "wrong-password-1")
    assert response.status_code == 401
    assert "団体コード、ユーザID、またはパスワードが正しくありません" in response.get_data(as_text=True)
    assert "login_failed" in _audit_actions(system_session, "admin")


def test_unknown_user_gets_the_same_message(web):
    response = web.login(DEMO_CODE, "nobody")
    assert "団体コード、ユーザID、またはパスワードが正しくありません" in response.get_data(as_text=True)


def test_municipality_code_with_a_wrong_check_digit_is_refused_clearly(web):
    response = web.login("046991", "admin")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "検査数字が正しくありません" in body and "6桁目は 0 になるはず" in body


def test_unregistered_municipality_code_is_not_told_apart(web):
    response = web.login("131016", "admin")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "団体コード、ユーザID、またはパスワードが正しくありません" in body and "登録されていません" not in body


def test_a_user_of_one_municipality_cannot_log_in_to_another(web):
    # 'admin' exists in both towns with the same password; the code decides the tenant.
    assert web.login(SECOND_CODE, "admin").status_code == 302
    page = web.get("/").get_data(as_text=True)
    assert "北山村" in page and "桜ヶ丘町" not in page


def test_account_locks_after_repeated_failures(app, web, system_session):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        web.login(DEMO_CODE, "bosai", "wrong-password-1")
    locked = web.login(DEMO_CODE, "bosai", PASSWORD)  # the right password does not open a locked account
    assert locked.status_code == 401
    assert "団体コード、ユーザID、またはパスワードが正しくありません" in locked.get_data(as_text=True)
    user = system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "bosai")).one()
    assert user.locked_until is not None and user.failed_logins == limit
    assert "login_locked" in _audit_actions(system_session, "bosai")


def test_administrator_unlocks_a_locked_account(app, web, as_admin, system_session):
    other = new_browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        other.login(DEMO_CODE, "fukushi", "wrong-password-1")
    users_page = as_admin.get("/admin/users").get_data(as_text=True)
    assert "ロック中" in users_page
    user_id = system_session.scalars(select(User.id).where(User.lg_code == DEMO_CODE,
                                                           User.login_id == "fukushi")).one()
    response = as_admin.post(f"/admin/users/{user_id}/unlock", form_page="/admin/users")
    assert response.status_code == 302
    assert new_browser(app).login(DEMO_CODE, "fukushi").status_code == 302


def test_a_success_resets_the_failure_count(app, web, system_session):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        web.login(DEMO_CODE, "hinanjo", "wrong-password-1")
    assert web.login(DEMO_CODE, "hinanjo").status_code == 302
    user = system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "hinanjo")).one()
    assert user.failed_logins == 0


def test_logout_ends_the_session(as_admin, system_session):
    response = as_admin.post("/logout", form_page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert as_admin.get("/").status_code == 302
    assert "logout" in _audit_actions(system_session, "admin")


def test_logout_requires_post_with_csrf(as_admin):
    assert as_admin.get("/logout").status_code == 405
    response = as_admin.client.post("/logout", data={})
    assert response.status_code == 400
    assert as_admin.get("/").status_code == 200  # still logged in


def test_login_form_requires_csrf(web):
    response = web.client.post("/login", data={"lg_code": DEMO_CODE, "login_id": "admin", "password": PASSWORD})
    assert response.status_code in (302, 400)
    assert web.get("/").status_code == 302  # not logged in


def test_password_change_checks_and_ends_other_sessions(app, as_admin):
    other = new_browser(app)
    assert other.login(DEMO_CODE, "admin").status_code == 302
    weak = as_admin.post("/password", {"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "10文字以上" in weak.get_data(as_text=True)
    mismatch = as_admin.post("/password", {"current": PASSWORD, "new": "New-pass-2026", "confirm": "New-pass-2027"})
    assert "一致しません" in mismatch.get_data(as_text=True)
    wrong = as_admin.post("/password", {"current": "nope-nope-1", "new": "New-pass-2026", "confirm": "New-pass-2026"})
    assert "現在のパスワードが正しくありません" in wrong.get_data(as_text=True)
    done = as_admin.post("/password", {"current": PASSWORD, "new": "New-pass-2026", "confirm": "New-pass-2026"})
    assert done.status_code == 302
    assert as_admin.get("/").status_code == 200  # this session continues
    assert other.get("/").status_code == 302  # the other one ended
    assert new_browser(app).login(DEMO_CODE, "admin", "New-pass-2026").status_code == 302


def test_operator_logs_in_without_municipality_code(web):
    assert web.login(None, "jlis").status_code == 302
    assert web.get("/").headers["Location"] == "/operator"
    page = web.get("/operator").get_data(as_text=True)
    assert "運営管理" in page and DEMO_CODE in page and SECOND_CODE in page


def test_a_municipal_login_id_is_not_an_operator(web):
    assert web.login(None, "admin").status_code == 401
