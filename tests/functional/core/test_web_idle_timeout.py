"""Idle timeout on shared tablets: back to login with a message, and the way back to the form."""
import time
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE


def _age_session(web, seconds):
    with web.client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - seconds


def test_idle_session_returns_to_login_with_a_message(app, as_admin, system_session):
    _age_session(as_admin, app.config["IDLE_TIMEOUT_SECONDS"] + 5)
    response = as_admin.get("/map")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == ["/map"]
    login_page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "一定時間操作がなかったため" in login_page
    assert as_admin.get("/").status_code == 302
    actions = system_session.execute(text("SELECT action FROM audit_log WHERE login_id='admin'")).scalars().all()
    assert "session_expired" in actions


def test_expired_post_returns_to_the_form_page_marked_for_restore(app, as_admin, system_session):
    token = as_admin.csrf_token("/disasters/new")
    _age_session(as_admin, app.config["IDLE_TIMEOUT_SECONDS"] + 5)
    response = as_admin.client.post("/disasters/new", data={
        "csrf_token": token, "name": "令和8年11月豪雨", "kind": "地震", "started_on": "2026-11-20"},
        headers={"Referer": "http://localhost/disasters/new"})
    assert response.status_code == 302
    next_url = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    assert next_url == "/disasters/new?restore=1"
    # nothing was saved: the expired request did not act
    count = system_session.execute(text("SELECT count(*) FROM disasters WHERE name='令和8年11月豪雨'")).scalar()
    assert count == 0
    # logging in again leads back to the form
    login = as_admin.post("/login", {"lg_code": DEMO_CODE, "login_id": "admin", "password": "bcl-demo-2026",
                                     "next": next_url})
    assert login.headers["Location"] == "/disasters/new?restore=1"


def test_activity_keeps_the_session_alive(app, as_admin):
    _age_session(as_admin, app.config["IDLE_TIMEOUT_SECONDS"] - 30)
    assert as_admin.get("/").status_code == 200
    assert as_admin.get("/").status_code == 200


def test_api_style_request_gets_a_json_problem_when_expired(app, as_admin):
    _age_session(as_admin, app.config["IDLE_TIMEOUT_SECONDS"] + 5)
    response = as_admin.get("/map/layers/shelters.geojson", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "session_expired"


def test_next_parameter_cannot_redirect_off_site(web):
    response = web.post("/login", {"lg_code": DEMO_CODE, "login_id": "admin", "password": "bcl-demo-2026",
                                   "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
