"""An administrator resets a user's password: a temporary one the user must change at the next
login. A municipality's administrator resets only its own staff, the operator only operator accounts;
the reset ends the user's sessions, lifts a lock and is audited without the password."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from app.auth.models import User
from app.auth.passwords import hash_password
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser

TEMPORARY = "Kari-pass-2026"


def _user(system_session, login_id, lg_code=DEMO_CODE) -> User:
    where = User.lg_code.is_(None) if lg_code is None else User.lg_code == lg_code
    return system_session.scalars(select(User).where(where, User.login_id == login_id)).one()


def _reset(browser, path, password=TEMPORARY, confirm=None):
    return browser.post(path, {"new": password, "confirm": password if confirm is None else confirm})


def test_reset_gives_a_temporary_password_that_must_be_changed(app, as_admin, system_session):
    bosai = _user(system_session, "bosai")
    tablet = new_browser(app)
    assert tablet.login(DEMO_CODE, "bosai").status_code == 302
    edit = as_admin.get(f"/admin/users/{bosai.id}").get_data(as_text=True)
    assert f'href="/admin/users/{bosai.id}/password"' in edit
    response = _reset(as_admin, f"/admin/users/{bosai.id}/password")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert "パスワード変更待ち" in as_admin.get("/admin/users").get_data(as_text=True)
    assert tablet.get("/").status_code == 302  # the user's sessions ended
    assert new_browser(app).login(DEMO_CODE, "bosai").status_code == 401  # the old password is gone
    user = new_browser(app)
    login = user.login(DEMO_CODE, "bosai", TEMPORARY)
    assert login.headers["Location"] == "/password"
    entry = system_session.execute(text("SELECT login_id, target_ids, detail::text FROM audit_log "
                                        "WHERE action = 'password_reset'")).one()
    assert entry[0] == "admin" and entry[1] == [str(bosai.id)] and TEMPORARY not in entry[2]


def test_reset_lifts_a_lock(app, as_admin, system_session):
    bosai = _user(system_session, "bosai")
    bosai.failed_logins, bosai.locked_until = 5, datetime.now(UTC) + timedelta(minutes=30)
    system_session.flush()
    assert _reset(as_admin, f"/admin/users/{bosai.id}/password").status_code == 302
    assert new_browser(app).login(DEMO_CODE, "bosai", TEMPORARY).status_code == 302


def test_the_temporary_password_follows_the_policy(as_admin, system_session):
    bosai = _user(system_session, "bosai")
    weak = _reset(as_admin, f"/admin/users/{bosai.id}/password", "short")
    assert weak.status_code == 422 and "10文字以上" in weak.get_data(as_text=True)
    with_id = _reset(as_admin, f"/admin/users/{bosai.id}/password", "bosai-2026-kari")
    assert with_id.status_code == 422 and "ユーザIDを含む" in with_id.get_data(as_text=True)
    mismatch = _reset(as_admin, f"/admin/users/{bosai.id}/password", TEMPORARY, "Other-pass-2026")
    assert mismatch.status_code == 422 and "一致しません" in mismatch.get_data(as_text=True)
    assert not system_session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'password_reset'")).scalar()


def test_an_administrator_resets_neither_their_own_nor_another_towns(as_admin, system_session):
    # Looked up first: the test's sessions share one connection, whose tenant each request sets.
    admin, other = _user(system_session, "admin"), _user(system_session, "admin", SECOND_CODE)
    own = _reset(as_admin, f"/admin/users/{admin.id}/password")
    assert own.status_code == 422 and "パスワード変更" in own.get_data(as_text=True)
    assert 'id="reset-password-link"' not in as_admin.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert _reset(as_admin, f"/admin/users/{other.id}/password").status_code == 404
    assert as_admin.get(f"/admin/users/{other.id}/password").status_code == 404


def test_staff_without_the_admin_screen_cannot_reset(app, system_session):
    shelter_staff = new_browser(app)
    shelter_staff.login(DEMO_CODE, "hinanjo")
    bosai = _user(system_session, "bosai")
    assert shelter_staff.get(f"/admin/users/{bosai.id}/password").status_code == 403


def test_the_operator_resets_operator_accounts_only(app, system_session):
    colleague = User(lg_code=None, login_id="jlis2", display_name="J-LIS 運営担当2", department="",
                     password_hash=hash_password("bcl-demo-2026"))
    system_session.add(colleague)
    system_session.flush()
    town_staff = _user(system_session, "bosai")
    operator = new_browser(app)
    assert operator.login(None, "jlis").status_code == 302
    page = operator.get("/operator/accounts").get_data(as_text=True)
    assert "jlis2" in page and f'href="/operator/accounts/{colleague.id}/password"' in page
    assert "bosai" not in page
    assert _reset(operator, f"/operator/accounts/{colleague.id}/password").status_code == 302
    assert new_browser(app).login(None, "jlis2", TEMPORARY).headers["Location"] == "/password"
    assert _reset(operator, f"/operator/accounts/{town_staff.id}/password").status_code == 404
