"""Login throttling: failed logins are counted in the database per client address and per account,
over a sliding window; past the limit a login gets 429 with Retry-After, audited."""
from sqlalchemy import text

from app.auth.rules import account_key
from tests.helpers.demo import DEMO_CODE, PASSWORD, SECOND_CODE
from tests.helpers.web import new_browser

UNREGISTERED_CODE = "131016"
THROTTLED = "ログインの試行が続いたため、しばらくの間ログインを受け付けません"


def _attempt(web, lg_code, login_id, password="wrong-password-1", address="192.0.2.10", **headers):
    return web.post("/login", {"lg_code": lg_code or "", "login_id": login_id, "password": password},
                    environ_base={"REMOTE_ADDR": address}, headers=headers)


def _assert_throttled(app, response):
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    page = response.get_data(as_text=True)
    assert THROTTLED in page and f"約{-(-retry_after // 60)}分後" in page


def _audit(system_session, action):
    return system_session.execute(text(
        "SELECT login_id, host(ip_address), detail FROM audit_log WHERE action = :a ORDER BY id"), {"a": action}).all()


def test_many_ids_from_one_address_are_throttled_whatever_the_municipality_code(app, web, system_session):
    limit = app.config["LOGIN_THROTTLE_PER_ADDRESS"]
    codes = [DEMO_CODE, SECOND_CODE, UNREGISTERED_CODE, None]
    for i in range(limit):
        assert _attempt(web, codes[i % len(codes)], f"guess{i}").status_code == 401
    blocked = _attempt(web, DEMO_CODE, "admin", PASSWORD)  # even the right password waits
    _assert_throttled(app, blocked)
    assert web.get("/", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 302  # not logged in
    throttled = _audit(system_session, "login_throttled")
    assert [(row[0], row[1]) for row in throttled] == [("admin", "192.0.2.10")]
    assert throttled[0][2]["limits"] == ["address"]
    # another address is not affected
    assert _attempt(web, DEMO_CODE, "admin", PASSWORD, address="192.0.2.11").status_code == 302


def test_x_forwarded_for_does_not_dodge_the_address_limit_by_default(app, web):
    limit = app.config["LOGIN_THROTTLE_PER_ADDRESS"]
    for i in range(limit):
        response = _attempt(web, DEMO_CODE, f"guess{i}", **{"X-Forwarded-For": f"203.0.113.{i}"})
        assert response.status_code == 401
    _assert_throttled(app, _attempt(web, DEMO_CODE, "admin", PASSWORD, **{"X-Forwarded-For": "203.0.113.250"}))


def test_one_account_from_many_addresses_is_throttled(app, web, system_session):
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    for i in range(limit):
        assert _attempt(web, DEMO_CODE, "admin", address=f"198.51.100.{i}").status_code == 401
    _assert_throttled(app, _attempt(web, DEMO_CODE, "admin", PASSWORD, address="198.51.100.200"))
    assert _audit(system_session, "login_throttled")[0][2]["limits"] == ["account"]
    # the same ID in another municipality is another account
    assert _attempt(web, SECOND_CODE, "admin", PASSWORD, address="198.51.100.201").status_code == 302


def test_an_unknown_account_is_throttled_exactly_like_an_existing_one(app, web):
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]

    def statuses(login_id, network):
        return [_attempt(web, DEMO_CODE, login_id, address=f"{network}.{i}").status_code for i in range(limit + 1)]

    existing, unknown = statuses("bosai", "198.51.100"), statuses("nobody", "203.0.113")
    assert existing == unknown == [401] * limit + [429]


def test_the_operator_login_is_throttled_per_account(app, web):
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    for i in range(limit):
        assert _attempt(web, None, "jlis", address=f"198.51.100.{i}").status_code == 401
    _assert_throttled(app, _attempt(web, None, "jlis", PASSWORD, address="198.51.100.200"))


def test_the_account_count_ignores_case_and_spaces_of_the_id(app, web):
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    for i in range(limit):
        login_id = "nobody" if i % 2 else " NoBody "
        assert _attempt(web, DEMO_CODE, login_id, address=f"198.51.100.{i}").status_code == 401
    assert _attempt(web, DEMO_CODE, "nobody", address="198.51.100.200").status_code == 429


def test_the_window_slides_and_old_failures_are_purged(app, web, system_session):
    limit = app.config["LOGIN_THROTTLE_PER_ADDRESS"]
    window = app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    for i in range(limit):
        _attempt(web, DEMO_CODE, f"guess{i}")
    assert _attempt(web, DEMO_CODE, "admin", PASSWORD).status_code == 429
    system_session.execute(text("UPDATE throttle_events SET at = at - make_interval(secs => :s)"), {"s": window + 1})
    system_session.flush()
    assert _attempt(web, DEMO_CODE, "nobody").status_code == 401  # counted afresh; old rows go
    remaining = system_session.execute(text("SELECT key FROM throttle_events ORDER BY key")).scalars().all()
    assert remaining == ["login-acct:" + account_key(DEMO_CODE, "nobody"), "login-addr:192.0.2.10"]
    assert _attempt(web, DEMO_CODE, "admin", PASSWORD).status_code == 302


def test_a_successful_login_does_not_reset_the_address_count(app, web):
    limit = app.config["LOGIN_THROTTLE_PER_ADDRESS"]
    for i in range(limit - 1):
        _attempt(web, DEMO_CODE, f"guess{i}")
    assert _attempt(web, SECOND_CODE, "admin", PASSWORD).status_code == 302
    web.post("/logout", {}, form_page="/", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert _attempt(web, DEMO_CODE, "guess-last").status_code == 401
    assert _attempt(web, DEMO_CODE, "guess-after").status_code == 429


def test_the_failure_counts_are_not_personal_data_in_clear(app, web, system_session):
    _attempt(web, DEMO_CODE, "my-secret-typed-as-id")
    keys = system_session.execute(text("SELECT key FROM throttle_events ORDER BY key")).scalars().all()
    assert keys == ["login-acct:" + account_key(DEMO_CODE, "my-secret-typed-as-id"), "login-addr:192.0.2.10"]
    assert not any("my-secret" in key for key in keys)


def test_an_administrators_unlock_lifts_the_account_limit(app, as_admin, system_session):
    web = new_browser(app)
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    for i in range(limit):
        _attempt(web, DEMO_CODE, "fukushi", address=f"198.51.100.{i}")
    assert _attempt(web, DEMO_CODE, "fukushi", PASSWORD, address="198.51.100.200").status_code == 429
    user_id = system_session.execute(text("SELECT id FROM users WHERE lg_code = :c AND login_id = 'fukushi'"),
                                     {"c": DEMO_CODE}).scalar()
    assert as_admin.post(f"/admin/users/{user_id}/unlock", form_page="/admin/users").status_code == 302
    assert _attempt(web, DEMO_CODE, "fukushi", PASSWORD, address="198.51.100.201").status_code == 302


def _change_password(browser, current):
    return browser.post("/password", {"current": current, "new": "new-Passw0rd-2026", "confirm": "new-Passw0rd-2026"},
                        form_page="/password", environ_base={"REMOTE_ADDR": "192.0.2.20"})


def test_guessing_the_current_password_on_the_password_screen_locks_the_account(app, system_session):
    """A stolen session cannot guess the password on the change screen faster than at the login:
    each wrong current password is a failed login, and the lock ends every session, the guesser's too."""
    guesser = new_browser(app)
    assert guesser.login(DEMO_CODE, "hinanjo").status_code == 302
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _change_password(guesser, "guess-Passw0rd").status_code == 200
    assert guesser.get("/").status_code == 302  # the session ended with the lock
    assert [row[0] for row in _audit(system_session, "login_locked")] == ["hinanjo"]
    assert new_browser(app).login(DEMO_CODE, "hinanjo").status_code == 401  # locked, even with the password


def test_the_password_screen_is_throttled_like_the_login(app, system_session, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 1000)  # the throttle, not the lock, stops it
    guesser = new_browser(app)
    assert guesser.login(DEMO_CODE, "hinanjo").status_code == 302
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        assert _change_password(guesser, "guess-Passw0rd").status_code == 200
    blocked = _change_password(guesser, PASSWORD)  # even the right current password waits
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    assert THROTTLED in blocked.get_data(as_text=True)
    assert [row[2]["limits"] for row in _audit(system_session, "login_throttled")] == [["account"]]
