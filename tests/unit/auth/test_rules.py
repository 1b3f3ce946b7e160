from datetime import UTC, datetime, timedelta

from app.auth import rules


def test_effective_screens_combine_role_grants_and_revocations():
    screens = rules.effective_screens(["map", "shelters"], ["search"], ["shelters"])
    assert screens == {"map", "search"}


def test_effective_screens_ignore_unknown_codes():
    assert rules.effective_screens(["map", "nonexistent"], ["bogus"], []) == {"map"}


def test_user_overrides_store_only_the_difference_from_the_role():
    granted, revoked = rules.user_overrides(["map", "shelters"], ["map", "search"])
    assert granted == ["search"]
    assert revoked == ["shelters"]
    assert rules.effective_screens(["map", "shelters"], granted, revoked) == {"map", "search"}


def test_default_roles_use_known_screens_and_admin_has_all():
    for _, _, screens in rules.DEFAULT_ROLES:
        assert set(screens) <= rules.SCREEN_CODES
    assert set(rules.DEFAULT_ROLES[0][2]) == rules.SCREEN_CODES


def test_password_problems():
    assert rules.password_problems("short1") != []
    assert any("2種類" in p for p in rules.password_problems("abcdefghijkl"))
    assert any("ユーザID" in p for p in rules.password_problems("admin-2026-xyz", "admin"))
    assert rules.password_problems("bcl-demo-2026", "admin") == []


def test_lock_after_failure_at_the_limit_only():
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert rules.lock_after_failure(4, now, 5, 30) is None
    assert rules.lock_after_failure(5, now, 5, 30) == now + timedelta(minutes=30)


def test_is_locked():
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert rules.is_locked(now + timedelta(seconds=1), now)
    assert not rules.is_locked(now, now)
    assert not rules.is_locked(None, now)


def _refusal(**overrides):
    facts = dict(user_found=True, municipality_found=True, is_active=True, is_locked=False, password_ok=True)
    return rules.login_refusal(**{**facts, **overrides})


def test_login_refusal_names_the_first_reason_for_the_audit_log():
    assert _refusal() is None
    assert _refusal(password_ok=False) == "wrong_password"
    assert _refusal(is_active=False) == "inactive"
    assert _refusal(is_locked=True) == "locked"
    assert _refusal(is_locked=True, password_ok=False) == "locked"
    assert _refusal(user_found=False, is_active=False) == "unknown_user"
    assert _refusal(municipality_found=False, user_found=False, is_active=False) == "unknown_municipality"


def test_a_locked_or_disabled_account_is_refused_even_with_the_right_password():
    assert _refusal(is_locked=True, password_ok=True) is not None
    assert _refusal(is_active=False, password_ok=True) is not None


def test_account_key_ignores_case_and_spaces_but_not_the_municipality():
    key = rules.account_key("046990", "Admin")
    assert key == rules.account_key("046990", " admin ")
    assert key != rules.account_key("033995", "admin")
    assert key != rules.account_key(None, "admin")
    assert len(key) == 64 and "admin" not in key
    assert len(rules.account_key("046990", "adm\x00in\ud800")) == 64  # anything typed can be keyed


def test_failures_notice_only_when_something_happened():
    assert rules.failures_notice(0, False) is None
    assert "2回ありました" in rules.failures_notice(2, False)
    locked = rules.failures_notice(5, True)
    assert "5回あり、一時的にロックされていました" in locked


def test_login_policy_from_settings():
    settings = {"LOGIN_MAX_FAILURES": 3, "LOGIN_LOCK_MINUTES": 10, "LOGIN_THROTTLE_WINDOW_SECONDS": 60,
                "LOGIN_THROTTLE_PER_ADDRESS": 7, "LOGIN_THROTTLE_PER_ACCOUNT": 4}
    assert rules.LoginPolicy.from_settings(settings) == rules.LoginPolicy(3, 10, 60, 7, 4)


def test_possible_login_ids():
    assert rules.is_possible_login_id("admin") and rules.is_possible_login_id("a.b-c_1")
    assert rules.is_possible_login_id("a" * 32) and not rules.is_possible_login_id("a" * 33)
    for impossible in ("", "-admin", "adm in", "adm\x00in", "管理者", "admin\n"):
        assert not rules.is_possible_login_id(impossible), impossible
