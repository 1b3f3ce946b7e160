"""Every rule that takes a time refuses a naive datetime (it would be read in the server's zone)
and gives the same answer for the same moment in JST or UTC."""
from datetime import UTC, date, datetime, timedelta

import pytest

from app.auth import rules as auth_rules
from app.cardauth import rules as card_rules
from app.certificates import rules as certificate_rules
from app.certificates.statistics import services as statistics
from app.certificates.statistics.rules import DEFAULT_OFFICE_HOURS, Month
from app.clock import japan_date, require_aware, today_in_japan
from certificate_engine.wareki import JST
from tests.helpers.paths import ROOT

NAIVE = datetime(2026, 11, 26, 10, 0)  # meant as JST, but nothing says so
AWARE_JST = datetime(2026, 11, 26, 10, 0, tzinfo=JST)
SAME_IN_UTC = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
NO_TRUST = card_rules.TrustStore((), ())

NAIVE_CALLS = {
    "kiosk_closed": lambda: certificate_rules.kiosk_closed(NAIVE),
    "office_hours_within": lambda: DEFAULT_OFFICE_HOURS.within(NAIVE),
    "month_of": lambda: Month.of(NAIVE),
    "parse_month": lambda: statistics.parse_month(None, NAIVE),
    "month_choices": lambda: statistics.month_choices(Month(2026, 11), NAIVE),
    "japan_date": lambda: japan_date(NAIVE),
    "check_challenge": lambda: card_rules.check_challenge(AWARE_JST, None, NAIVE),
    "issuer_of": lambda: card_rules.issuer_of(None, NO_TRUST, NAIVE),
    "check_validity": lambda: card_rules.check_validity(None, NAIVE),
    "check_revocation": lambda: card_rules.check_revocation(None, None, NO_TRUST, NAIVE),
    "check_certificate": lambda: card_rules.check_certificate(None, NO_TRUST, NAIVE),
    "lock_after_failure": lambda: auth_rules.lock_after_failure(5, NAIVE, 5, 15),
    "is_locked": lambda: auth_rules.is_locked(AWARE_JST, NAIVE),
}


@pytest.mark.parametrize("call", NAIVE_CALLS.values(), ids=NAIVE_CALLS.keys())
def test_clock_rules_refuse_a_naive_datetime(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_clock_require_aware_names_the_argument_and_keeps_aware_moments():
    assert require_aware(AWARE_JST, "now") is AWARE_JST
    assert require_aware(SAME_IN_UTC, "now") is SAME_IN_UTC
    with pytest.raises(ValueError, match=r"^now must be a timezone-aware datetime .*2026-11-26T10:00:00"):
        require_aware(NAIVE, "now")
    with pytest.raises(TypeError, match="moment"):
        require_aware(date(2026, 11, 26), "moment")


def test_clock_rules_answer_the_same_for_jst_and_utc():
    late_evening_utc = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 12/1 00:30 in Japan
    assert Month.of(late_evening_utc) == Month(2026, 12)
    assert japan_date(late_evening_utc) == date(2026, 12, 1)
    assert japan_date(late_evening_utc - timedelta(minutes=31)) == date(2026, 11, 30)  # 23:59 in Japan
    assert japan_date(AWARE_JST) == japan_date(SAME_IN_UTC) == date(2026, 11, 26)
    assert DEFAULT_OFFICE_HOURS.within(SAME_IN_UTC) and DEFAULT_OFFICE_HOURS.within(AWARE_JST)
    assert certificate_rules.kiosk_closed(SAME_IN_UTC) is None
    assert auth_rules.lock_after_failure(5, SAME_IN_UTC, 5, 15) == AWARE_JST + timedelta(minutes=15)
    assert auth_rules.is_locked(AWARE_JST + timedelta(seconds=1), SAME_IN_UTC)


def test_clock_today_in_japan_is_the_japanese_date():
    before, today, after = datetime.now(JST).date(), today_in_japan(), datetime.now(JST).date()
    assert today in (before, after)


def test_the_app_s_calendar_writes_and_reads_era_dates_as_the_engine_does():
    from app import clock
    from certificate_engine import wareki

    assert (clock.JST, clock.era_of, clock.format_date, clock.format_datetime, clock.from_era) == (
        wareki.JST, wareki.era_of, wareki.format_date, wareki.format_datetime, wareki.from_era)



def _imported_modules(path) -> set[str]:
    """Every module ``path`` imports, ``from a import b`` counting as both ``a`` and ``a.b``."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_app_takes_its_calendar_from_app_clock_only_and_app_clock_is_framework_free():

    root = ROOT
    through_the_engine = sorted(str(p.relative_to(root)) for p in (root / "app").rglob("*.py")
                                if "certificate_engine.wareki" in _imported_modules(p))
    assert through_the_engine == ["app/clock.py"]
    assert {m.split(".")[0] for m in _imported_modules(root / "app" / "clock.py")} <= {
        "__future__", "datetime", "certificate_engine"}
