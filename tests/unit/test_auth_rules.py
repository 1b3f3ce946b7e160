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
