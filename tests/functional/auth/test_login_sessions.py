"""Ending sessions: a session cookie copied earlier stops working after logout, a password change,
an account lock and a deactivation, on every device of that user."""
from sqlalchemy import select, text

from app.auth.models import User
from tests.helpers.demo import DEMO_CODE, PASSWORD
from tests.helpers.web import new_browser


def _copy_of_session(app, browser, home="/"):
    """A second client carrying the same session cookie, as a thief or a forgotten tab would."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = browser.client.get_cookie(name)
    assert cookie is not None, "not logged in"
    copy = app.test_client()
    copy.set_cookie(name, cookie.value)
    assert copy.get(home).status_code == 200, "the copied cookie should work while the session lives"
    return copy


def _logged_in(app, login_id, lg_code=DEMO_CODE):
    browser = new_browser(app)
    assert browser.login(lg_code, login_id).status_code == 302
    return browser


def _user(system_session, login_id, lg_code=DEMO_CODE):
    return system_session.scalars(select(User).where(
        User.lg_code.is_(None) if lg_code is None else User.lg_code == lg_code, User.login_id == login_id)).one()


def test_a_cookie_copied_before_logout_no_longer_works(app, as_admin):
    copy = _copy_of_session(app, as_admin)
    assert as_admin.post("/logout", form_page="/").status_code == 302
    response = copy.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_ends_the_users_sessions_on_every_device_and_no_one_elses(app, as_admin):
    tablet = _logged_in(app, "admin")
    colleague = _logged_in(app, "bosai")
    assert as_admin.post("/logout", form_page="/").status_code == 302
    assert tablet.get("/").status_code == 302
    assert colleague.get("/").status_code == 200


def test_after_logout_everywhere_a_new_login_works(app, as_admin):
    as_admin.post("/logout", form_page="/")
    again = _logged_in(app, "admin")
    assert again.get("/").status_code == 200


def test_operator_logout_ends_a_copied_session(app, db):
    operator = _logged_in(app, "jlis", lg_code=None)
    copy = _copy_of_session(app, operator, home="/operator")
    assert operator.post("/logout", form_page="/operator").status_code == 302
    assert copy.get("/operator").status_code == 302


def test_a_cookie_copied_before_a_password_change_no_longer_works(app, as_admin):
    copy = _copy_of_session(app, as_admin)
    done = as_admin.post("/password", {"current": PASSWORD, "new": "New-pass-2026", "confirm": "New-pass-2026"})
    assert done.status_code == 302
    assert as_admin.get("/").status_code == 200  # the session that changed it continues
    assert copy.get("/").status_code == 302


def test_a_cookie_copied_before_a_lock_no_longer_works(app, system_session):
    owner = _logged_in(app, "bosai")
    copy = _copy_of_session(app, owner)
    attacker = new_browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attacker.login(DEMO_CODE, "bosai", "wrong-password-1")
    assert _user(system_session, "bosai").locked_until is not None
    assert copy.get("/").status_code == 302
    assert owner.get("/").status_code == 302


def test_a_session_of_a_locked_account_is_refused_even_without_a_new_generation(app, system_session):
    owner = _logged_in(app, "bosai")
    # An account locked by any path (here: directly in the database) has no live session.
    system_session.execute(text("UPDATE users SET locked_until = now() + interval '10 minutes' "
                                "WHERE lg_code = :c AND login_id = 'bosai'"), {"c": DEMO_CODE})
    system_session.flush()
    assert owner.get("/").status_code == 302


def test_a_cookie_copied_before_deactivation_no_longer_works(app, as_admin, system_session):
    owner = _logged_in(app, "fukushi")
    copy = _copy_of_session(app, owner)
    user = _user(system_session, "fukushi")
    page = as_admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "有効" in page
    response = as_admin.post(f"/admin/users/{user.id}", {
        "version": user.version, "display_name": user.display_name, "department": user.department,
        "role_id": user.role_id, "screens": sorted(user.screens), "confirm_changes": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert copy.get("/").status_code == 302
    assert owner.get("/").status_code == 302


def test_failed_logins_do_not_end_sessions_before_the_lock(app, db):
    owner = _logged_in(app, "hinanjo")
    attacker = new_browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        attacker.login(DEMO_CODE, "hinanjo", "wrong-password-1")
    assert owner.get("/").status_code == 200


def test_logins_and_logouts_do_not_invalidate_an_administrators_open_edit_form(app, as_admin, system_session):
    user = _user(system_session, "fukushi")
    version = user.version  # the administrator opens the edit form
    owner = _logged_in(app, "fukushi")
    owner.post("/logout", form_page="/")
    new_browser(app).login(DEMO_CODE, "fukushi", "wrong-password-1")
    response = as_admin.post(f"/admin/users/{user.id}", {
        "version": version, "display_name": user.display_name, "department": "福祉課 高齢者係",
        "role_id": user.role_id, "screens": sorted(user.screens), "is_active": "y", "confirm_changes": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
