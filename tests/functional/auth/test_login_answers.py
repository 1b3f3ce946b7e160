"""A failed login tells nothing about which part was wrong: unknown 団体コード, unknown user ID,
wrong password and a locked account get the same page, and each costs one Argon2 verification."""
import re

import pytest
from sqlalchemy import text

from app.auth import passwords
from tests.helpers.demo import DEMO_CODE, PASSWORD
from tests.helpers.web import new_browser

UNREGISTERED_CODE = "131016"  # a valid code (check digit right) of a municipality not in BCL


def _comparable(response) -> tuple[int, str]:
    """Status and page with the echoed input and the CSRF token blanked out."""
    page = response.get_data(as_text=True)
    return response.status_code, re.sub(r'value="[^"]*"', 'value=""', page)


def _lock(app, lg_code, login_id):
    attacker = new_browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert attacker.login(lg_code, login_id, "wrong-password-1").status_code == 401


def _audit(system_session, login_id):
    return system_session.execute(text(
        "SELECT action, detail->>'reason' FROM audit_log WHERE login_id = :l ORDER BY id"), {"l": login_id}).all()


def test_the_four_failures_of_a_municipal_login_answer_alike(app, web):
    _lock(app, DEMO_CODE, "bosai")
    answers = {
        "unknown municipality": web.login(UNREGISTERED_CODE, "admin"),
        "unknown user": web.login(DEMO_CODE, "nobody"),
        "wrong password": web.login(DEMO_CODE, "admin", "wrong-password-1"),
        "locked, right password": web.login(DEMO_CODE, "bosai", PASSWORD),
    }
    comparable = {case: _comparable(response) for case, response in answers.items()}
    first = comparable["wrong password"]
    assert first[0] == 401
    assert "団体コード、ユーザID、またはパスワードが正しくありません" in first[1]
    for case, answer in comparable.items():
        assert answer == first, case
    assert UNREGISTERED_CODE not in first[1] and "登録されていません" not in first[1]
    assert "ロックされています" not in first[1]


def test_the_four_failures_of_an_operator_login_answer_alike(app, web, system_session):
    _lock(app, None, "jlis")
    system_session.execute(text("UPDATE users SET is_active = false WHERE lg_code = :c AND login_id = 'hinanjo'"),
                           {"c": DEMO_CODE})
    system_session.flush()
    answers = [web.login(None, "nobody"), web.login(None, "admin"),  # 'admin' is a municipal ID only
               web.login(None, "jlis", PASSWORD), web.login(DEMO_CODE, "hinanjo")]
    comparable = [_comparable(response) for response in answers]
    assert comparable[0][0] == 401
    assert all(answer == comparable[0] for answer in comparable)


def test_the_failure_reason_is_kept_in_the_audit_log_for_the_administrator(app, web, system_session):
    web.login(DEMO_CODE, "nobody")
    web.login(DEMO_CODE, "admin", "wrong-password-1")
    web.login(UNREGISTERED_CODE, "kensa")
    assert ("login_failed", "unknown_user") in _audit(system_session, "nobody")
    assert ("login_failed", "wrong_password") in _audit(system_session, "admin")
    assert ("login_failed", "unknown_municipality") in _audit(system_session, "kensa")


@pytest.fixture()
def hash_checks(monkeypatch):
    """The password hashes each login verified (a spy on our hasher; the verification still runs)."""
    checked = []
    real = passwords._hasher

    class CountingHasher:
        def verify(self, password_hash, password):
            checked.append(password_hash)
            return real.verify(password_hash, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    return checked


@pytest.mark.parametrize(("lg_code", "login_id", "password"), [
    (UNREGISTERED_CODE, "admin", PASSWORD),
    (DEMO_CODE, "nobody", PASSWORD),
    (DEMO_CODE, "admin", "wrong-password-1"),
    (None, "nobody", PASSWORD),
    (None, "jlis", "wrong-password-1"),
])
def test_every_failed_login_verifies_one_argon2_hash(web, hash_checks, lg_code, login_id, password):
    assert web.login(lg_code, login_id, password).status_code == 401
    assert len(hash_checks) == 1
    assert hash_checks[0].startswith("$argon2id$")


def test_a_locked_account_still_verifies_one_hash(app, web, hash_checks):
    _lock(app, DEMO_CODE, "bosai")
    hash_checks.clear()
    assert web.login(DEMO_CODE, "bosai").status_code == 401
    assert len(hash_checks) == 1


def test_a_locked_account_with_the_right_password_is_not_let_in(app, web, system_session):
    _lock(app, DEMO_CODE, "bosai")
    assert web.login(DEMO_CODE, "bosai").status_code == 401
    assert web.get("/").status_code == 302
    assert ("login_locked", "locked") in _audit(system_session, "bosai")


def test_after_a_lock_the_owner_is_told_at_the_next_successful_login(app, web, system_session):
    _lock(app, DEMO_CODE, "bosai")
    system_session.execute(text("UPDATE users SET locked_until = now() - interval '1 minute' "
                                "WHERE lg_code = :c AND login_id = 'bosai'"), {"c": DEMO_CODE})
    system_session.flush()
    assert web.login(DEMO_CODE, "bosai").status_code == 302
    page = web.get("/").get_data(as_text=True)
    failures = app.config["LOGIN_MAX_FAILURES"]
    assert f"前回のログインの後、このユーザIDでログインの失敗が{failures}回あり、一時的にロックされていました" in page
    assert web.get("/").get_data(as_text=True).count("一時的にロックされていました") == 0  # told once


def test_failures_before_a_success_are_told_without_a_lock(web):
    web.login(DEMO_CODE, "hinanjo", "wrong-password-1")
    web.login(DEMO_CODE, "hinanjo", "wrong-password-2")
    assert web.login(DEMO_CODE, "hinanjo").status_code == 302
    page = web.get("/").get_data(as_text=True)
    assert "前回のログインの後、このユーザIDでログインの失敗が2回ありました" in page


def test_a_clean_login_says_nothing_about_failures(web):
    assert web.login(DEMO_CODE, "hinanjo").status_code == 302
    assert "ログインの失敗が" not in web.get("/").get_data(as_text=True)


def test_a_login_id_with_a_nul_byte_is_refused_alike_for_every_id(web):
    """A NUL is refused for the whole request before the login looks at anything: the same 400
    whether or not the ID exists, so it tells nothing about the account."""
    existing, unknown = web.login(DEMO_CODE, "adm\x00in"), web.login(DEMO_CODE, "nob\x00ody")
    assert existing.status_code == unknown.status_code == 400
    assert "使用できない文字" in existing.get_data(as_text=True)
    assert _comparable(existing) == _comparable(unknown)

