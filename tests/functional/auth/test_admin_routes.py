"""The administrator edits roles (権限管理) and per-user screens through the UI; routes obey at once."""
import re

from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from app.auth.models import Role, User
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _role(system_session, code):
    return system_session.scalars(select(Role).where(Role.lg_code == DEMO_CODE, Role.code == code)).one()


def _user(system_session, login_id):
    return system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == login_id)).one()


def _grid_form(page: str) -> list[tuple[str, str]]:
    """What the browser would submit for the roles grid as shown."""
    versions = re.findall(r'<input type="hidden" name="(role-\d+-version)" value="(\d+)"', page)
    names = re.findall(r'<input type="text" name="(role-\d+-name)" value="([^"]*)"', page)
    checked = re.findall(r'<input type="checkbox" name="(role-\d+-screens)" value="(\w+)"[^>]*checked', page)
    assert versions and names and checked
    return versions + names + checked


def test_roles_grid_grants_a_screen_to_everyone_in_the_role(app, as_admin, system_session):
    hinanjo = new_browser(app)
    hinanjo.login(DEMO_CODE, "hinanjo")
    assert hinanjo.get("/search").status_code == 403
    page = as_admin.get("/admin/roles").get_data(as_text=True)
    role04 = _role(system_session, "04")
    form = [*_grid_form(page), (f"role-{role04.id}-screens", "search"),
            ("csrf_token", as_admin.csrf_token("/admin/roles"))]
    response = as_admin.client.post("/admin/roles", data=MultiDict(form))
    assert response.status_code == 302
    assert "1件の権限を更新しました" in as_admin.get("/admin/roles").get_data(as_text=True)
    assert hinanjo.get("/search").status_code == 200
    system_session.expire_all()
    assert "search" in _role(system_session, "04").screens
    entry = system_session.execute(text(
        "SELECT detail FROM audit_log WHERE action='role_update' ORDER BY id DESC LIMIT 1")).scalar()
    assert "search" in entry["screens_after"] and "search" not in entry["screens_before"]


def test_roles_grid_refuses_a_stale_form(as_admin, system_session):
    page = as_admin.get("/admin/roles").get_data(as_text=True)
    role04 = _role(system_session, "04")
    role04.name = "避難所運営"  # someone else saved meanwhile
    system_session.commit()
    form = [*_grid_form(page), (f"role-{role04.id}-screens", "search"),
            ("csrf_token", as_admin.csrf_token("/admin/roles"))]
    as_admin.client.post("/admin/roles", data=MultiDict(form))
    assert "他の利用者が先に更新しました" in as_admin.get("/admin/roles").get_data(as_text=True)
    system_session.expire_all()
    assert "search" not in _role(system_session, "04").screens


def _edit_form(system_session, user, **changes):
    data = {"version": user.version, "display_name": user.display_name, "department": user.department,
            "role_id": user.role_id, "screens": sorted(user.screens), "is_active": "y"}
    data.update(changes)
    return data


def test_per_user_screens_override_the_role(app, as_admin, system_session):
    user = _user(system_session, "fukushi")  # role 03 without 'victims'
    data = _edit_form(system_session, user, screens=sorted(user.screens - {"map"} | {"victims"}),
                      confirm_changes="y")
    response = as_admin.post(f"/admin/users/{user.id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    browser = new_browser(app)
    browser.login(DEMO_CODE, "fukushi")
    assert browser.get("/victims").status_code == 200
    assert browser.get("/map").status_code == 403
    system_session.expire_all()
    user = _user(system_session, "fukushi")
    assert user.granted_screens == ["victims"] and user.revoked_screens == ["map"]


def test_update_without_the_confirmation_checkbox_is_refused(as_admin, system_session):
    user = _user(system_session, "fukushi")
    response = as_admin.post(f"/admin/users/{user.id}", _edit_form(system_session, user, display_name="変更後"))
    assert response.status_code == 200
    assert "チェックを入れてから更新してください" in response.get_data(as_text=True)
    system_session.expire_all()
    assert _user(system_session, "fukushi").display_name != "変更後"


def test_edit_page_marks_fields_for_change_highlighting(as_admin, system_session):
    user = _user(system_session, "fukushi")
    page = as_admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "data-confirm-changes" in page and 'name="confirm_changes"' in page
    assert f'data-original="{user.display_name}"' in page
    assert re.search(r"<button[^>]*data-confirm-submit", page)


def test_two_administrators_editing_one_user_lose_nothing(app, as_admin, system_session):
    user = _user(system_session, "fukushi")
    first = _edit_form(system_session, user, display_name="一人目の変更", confirm_changes="y")
    second = _edit_form(system_session, user, display_name="二人目の変更", confirm_changes="y")
    assert as_admin.post(f"/admin/users/{user.id}", first).status_code == 302
    response = as_admin.post(f"/admin/users/{user.id}", second)
    body = response.get_data(as_text=True)
    assert "他の利用者が先に更新しました" in body
    assert "一人目の変更" in body  # the other person's saved value is shown
    assert 'value="二人目の変更"' in body  # and this person's input is still in the form
    system_session.expire_all()
    assert _user(system_session, "fukushi").display_name == "一人目の変更"


def test_administrator_cannot_lock_themselves_out(as_admin, system_session):
    admin = _user(system_session, "admin")
    data = _edit_form(system_session, admin, screens=["map"], confirm_changes="y")
    body = as_admin.post(f"/admin/users/{admin.id}", data).get_data(as_text=True)
    assert "システム管理の権限を外すことはできません" in body


def test_create_user_and_log_in(app, as_admin, system_session):
    role = _role(system_session, "04")
    response = as_admin.post("/admin/users/new", {"login_id": "shelter-07", "display_name": "伊藤 花子",
                                                  "department": "公民館", "role_id": role.id,
                                                  "password": "Hinan-2026"})
    assert response.status_code == 302
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "shelter-07", "Hinan-2026").status_code == 302
    assert browser.post("/password", {"current": "Hinan-2026", "new": "Hinan-own-2026",
                                      "confirm": "Hinan-own-2026"}).status_code == 302  # the initial one is changed
    assert browser.get("/shelters").status_code == 200
    taken = as_admin.post("/admin/users/new", {"login_id": "shelter-07", "display_name": "x", "department": "",
                                               "role_id": role.id, "password": "Hinan-2026"})
    assert "既に使われています" in taken.get_data(as_text=True)


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, as_admin, system_session):
    browser = new_browser(app)
    browser.login(DEMO_CODE, "bosai")
    assert browser.get("/").status_code == 200
    user = _user(system_session, "bosai")
    data = _edit_form(system_session, user, confirm_changes="y")
    del data["is_active"]
    assert as_admin.post(f"/admin/users/{user.id}", data).status_code == 302
    assert browser.get("/").status_code == 302
    assert new_browser(app).login(DEMO_CODE, "bosai").status_code == 401


def test_roles_grid_cannot_take_administration_from_the_one_saving_it(as_admin, system_session):
    page = as_admin.get("/admin/roles").get_data(as_text=True)
    role01 = _role(system_session, "01")
    form = [(k, v) for k, v in _grid_form(page) if (k, v) != (f"role-{role01.id}-screens", "admin")]
    form.append(("csrf_token", as_admin.csrf_token("/admin/roles")))
    as_admin.client.post("/admin/roles", data=MultiDict(form))
    assert "あなた自身がシステム管理を使えなくなる" in as_admin.get("/admin/roles").get_data(as_text=True)
    system_session.expire_all()
    assert "admin" in _role(system_session, "01").screens
    assert as_admin.get("/admin/users").status_code == 200
