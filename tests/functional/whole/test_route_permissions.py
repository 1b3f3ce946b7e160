"""A crawler over every route: login required, the right screen permission, the user's own tenant."""
import re

import pytest
from sqlalchemy import select, text

from app.auth import rules
from app.auth.models import Role, User
from app.disasters.models import Disaster
from app.web import PUBLIC_ENDPOINTS
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser

SAMPLE_IDS = {"user_id": 1, "disaster_id": 1, "key": "shelters", "atena_no": "1", "job_id": 1}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(SAMPLE_IDS.get(m.group(1), 1)), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def _guard(app, endpoint):
    view = app.view_functions[endpoint]
    return getattr(view, "required_screen", None) or getattr(view, "auth_scheme", None)


def test_every_route_declares_a_screen_or_an_api_scheme(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint not in PUBLIC_ENDPOINTS and not _guard(app, rule.endpoint)]
    assert missing == []


def test_public_endpoints_are_few_and_known(app):
    assert {"static", "auth.login", "main.healthz", "main.favicon", "link_api.openapi", "cardauth_api.openapi",
            "kiosk_api.openapi", "applications_api.openapi", "certificates.verify_openapi", "certificates.verify",
            "certificates.verify_api"} == PUBLIC_ENDPOINTS


def test_every_api_route_requires_its_token(app, web):
    api = [(e, m, p) for e, m, p in _routes(app) if getattr(app.view_functions[e], "auth_scheme", None)]
    assert api, "no token-authenticated routes found"
    for endpoint, method, path in api:
        for headers in ({}, {"Authorization": "Bearer bcl.046990.not-a-real-token"}, {"Authorization": "Basic x"}):
            response = web.client.open(path, method=method, headers=headers)
            assert response.status_code == 401, (endpoint, headers, response.status_code)
            assert response.get_json()["code"] == "unauthorized"


def test_every_route_requires_login(app, web):
    for endpoint, method, path in _routes(app):
        if getattr(app.view_functions[endpoint], "auth_scheme", None):
            continue
        response = web.client.open(path, method=method)
        assert response.status_code in (302, 400), (endpoint, method, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), (endpoint, response.headers["Location"])


def _user_without(system_session, screen: str) -> None:
    """Give 'hinanjo' (role 04) every screen except ``screen``."""
    user = system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "hinanjo")).one()
    user.granted_screens = sorted(rules.SCREEN_CODES - {screen})
    user.revoked_screens = [screen]
    system_session.commit()


@pytest.mark.parametrize("screen", sorted(rules.SCREEN_CODES))
def test_each_screen_is_refused_without_its_permission(app, db, system_session, screen):
    _user_without(system_session, screen)
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "hinanjo").status_code == 302
    guarded = [(e, m, p) for e, m, p in _routes(app)
               if getattr(app.view_functions[e], "required_screen", None) == screen]
    assert guarded, f"no route uses screen {screen}"
    for endpoint, method, path in guarded:
        response = browser.client.open(path, method=method, data={"csrf_token": browser.csrf_token("/")})
        assert response.status_code == 403, (endpoint, method, response.status_code)
        assert "権限がありません" in response.get_data(as_text=True)
    denied = system_session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action = 'permission_denied' AND login_id = 'hinanjo' "
        "AND :s = ANY(target_ids)"), {"s": screen}).scalar()
    assert denied == len(guarded)


def test_operator_cannot_open_municipal_screens(app, web):
    assert web.login(None, "jlis").status_code == 302
    assert web.get("/map").status_code == 403
    assert web.get("/admin/users").status_code == 403


def test_municipal_staff_cannot_open_the_operator_screen(as_admin):
    assert as_admin.get("/operator").status_code == 403


def test_main_menu_shows_locked_tiles_for_missing_screens(app, db):
    browser = new_browser(app)
    browser.login(DEMO_CODE, "hinanjo")  # role 04: shelters and map only
    page = browser.get("/").get_data(as_text=True)
    assert re.search(r'class="tile support" href="/shelters"', page)
    assert re.search(r'class="tile locked" data-screen="victims"', page)


def _other_tenant_ids(system_session):
    user_id = system_session.scalars(select(User.id).where(User.lg_code == SECOND_CODE)).first()
    role = system_session.scalars(select(Role).where(Role.lg_code == SECOND_CODE)).first()
    disaster = Disaster(lg_code=SECOND_CODE, name="北山村の災害", kind="地震",
                        started_on=__import__("datetime").date(2026, 1, 1))
    system_session.add(disaster)
    system_session.commit()
    return {"user_id": user_id, "role_id": role.id, "disaster_id": disaster.id}


def test_another_tenants_record_ids_are_not_found_and_audited(as_admin, system_session):
    ids = _other_tenant_ids(system_session)
    for path in (f"/admin/users/{ids['user_id']}", f"/disasters/{ids['disaster_id']}"):
        response = as_admin.get(path)
        assert response.status_code == 404, path
        assert "北山村" not in response.get_data(as_text=True)
    response = as_admin.post("/disasters/select", {"disaster_id": ids["disaster_id"]}, form_page="/")
    assert response.status_code == 404
    rows = system_session.execute(text(
        "SELECT target_type, target_ids FROM audit_log WHERE action = 'record_not_found' AND lg_code = :c"),
        {"c": DEMO_CODE}).all()
    assert ("user", [str(ids["user_id"])]) in rows
    assert ("disaster", [str(ids["disaster_id"])]) in rows


def test_another_tenants_features_never_reach_the_map(as_admin):
    data = as_admin.get("/map/layers/shelters.geojson").get_json()
    assert data["features"]
    assert all("北山" not in f["properties"]["name"] for f in data["features"])
