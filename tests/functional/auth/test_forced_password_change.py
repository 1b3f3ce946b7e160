"""A password someone else chose (registration by an administrator, a municipality's first
administrator registered by the operator) is changed at the first login: until then every screen
leads to the password screen, and the password policy applies to the new one."""
from sqlalchemy import select

from app.auth.models import Role, User
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser

INITIAL = "Hinan-2026"


def _registered_user(as_admin, system_session) -> None:
    role = system_session.scalars(select(Role).where(Role.lg_code == DEMO_CODE, Role.code == "04")).one()
    response = as_admin.post("/admin/users/new", {"login_id": "shelter-08", "display_name": "伊藤 花子",
                                                  "department": "公民館", "role_id": role.id, "password": INITIAL})
    assert response.status_code == 302


def test_a_new_user_must_change_the_initial_password_before_anything_else(app, as_admin, system_session):
    _registered_user(as_admin, system_session)
    user = new_browser(app)
    assert user.login(DEMO_CODE, "shelter-08", INITIAL).headers["Location"] == "/password"
    for path in ("/", "/shelters", "/map", "/shelters/desk"):
        response = user.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/password", path
    page = user.get("/password").get_data(as_text=True)
    assert 'id="password-change-required"' in page
    assert 'id="side-menu"' not in page and 'id="disaster-select"' not in page
    problem = user.get("/shelters/desk/search.json?kana=ヤマダ", headers={"Accept": "application/json"})
    assert problem.status_code == 403 and problem.get_json()["code"] == "password_change_required"


def test_the_new_password_follows_the_policy_and_opens_the_screens(app, as_admin, system_session):
    _registered_user(as_admin, system_session)
    user = new_browser(app)
    user.login(DEMO_CODE, "shelter-08", INITIAL)
    same = user.post("/password", {"current": INITIAL, "new": INITIAL, "confirm": INITIAL})
    assert "現在と同じパスワードには変更できません" in same.get_data(as_text=True)
    weak = user.post("/password", {"current": INITIAL, "new": "abcdefghij", "confirm": "abcdefghij"})
    assert "2種類以上" in weak.get_data(as_text=True)
    assert user.get("/shelters").status_code == 302
    done = user.post("/password", {"current": INITIAL, "new": "Own-pass-2026", "confirm": "Own-pass-2026"})
    assert done.status_code == 302
    assert user.get("/shelters").status_code == 200
    system_session.expire_all()
    account = system_session.scalars(select(User).where(User.login_id == "shelter-08")).one()
    assert account.must_change_password is False


def test_logout_stays_possible_before_the_change(app, as_admin, system_session):
    _registered_user(as_admin, system_session)
    user = new_browser(app)
    user.login(DEMO_CODE, "shelter-08", INITIAL)
    response = user.post("/logout", form_page="/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_first_administrator_of_a_new_municipality_changes_the_operators_password(app, web):
    web.login(None, "jlis")
    registered = web.post("/operator", {"lg_code": "012033", "name": "小樽港市", "kind": "市", "population": "25000",
                                        "center_lat": "43.19", "center_lon": "141.0", "admin_login_id": "admin",
                                        "admin_name": "管理者", "admin_password": "Start-2026"})
    assert registered.status_code == 302
    admin = new_browser(app)
    assert admin.login("012033", "admin", "Start-2026").headers["Location"] == "/password"
    assert admin.get("/admin").headers["Location"] == "/password"


def test_demo_and_existing_accounts_are_not_asked_to_change(as_admin):
    assert as_admin.get("/shelters").status_code == 200
