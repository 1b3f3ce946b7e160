"""Pure issuance rules: kiosk eligibility at the boundaries, kiosk hours, and the money per issue."""
from datetime import date, datetime

import pytest

from app.certificates import rules
from app.certificates.statistics.rules import DEFAULT_OFFICE_HOURS, OfficeHours
from certificate_engine.wareki import JST

DAY = date(2026, 11, 26)  # a Thursday


def _person(**kw):
    values = {"birth_date": date(1980, 4, 1), "status": "住登内", "removed_on": None, "is_protected": False,
              "household_moving_out": False}
    values.update(kw)
    return rules.PersonFacts(**values)


def _code(refusal):
    return refusal.code if refusal else None


@pytest.mark.parametrize(("birth", "expected"), [
    (date(2011, 11, 26), None),  # 15th birthday today
    (date(2011, 11, 27), "under_age"),  # 15 tomorrow
    (date(2011, 11, 25), None),
    (date(2012, 2, 29), "under_age"),
])
def test_issuance_rules_kiosk_age_boundary(birth, expected):
    assert _code(rules.person_refusal(_person(birth_date=birth), rules.KIOSK, DAY)) == expected


def test_issuance_rules_age_on_leap_day_birthday():
    assert rules.age_on(date(2008, 2, 29), date(2023, 2, 28)) == 14
    assert rules.age_on(date(2008, 2, 29), date(2023, 3, 1)) == 15


@pytest.mark.parametrize(("kw", "expected"), [
    ({"status": "転出", "removed_on": date(2026, 10, 1)}, "moved_out"),
    ({"status": "転出", "removed_on": date(2026, 12, 10)}, "moved_out"),  # filed, moving next month
    ({"status": "住登内", "removed_on": date(2026, 12, 10)}, "moved_out"),
    ({"status": "死亡", "removed_on": date(2026, 10, 1)}, "deceased"),
    ({"status": "職権消除", "removed_on": date(2026, 10, 1)}, "not_resident"),
    ({"is_protected": True}, "protected"),
    ({"household_moving_out": True}, "household_moving_out"),
    ({"unprintable": ("𠮷",)}, "unprintable"),
    ({}, None),
])
def test_issuance_rules_kiosk_person_refusals(kw, expected):
    assert _code(rules.person_refusal(_person(**kw), rules.KIOSK, DAY)) == expected


def test_issuance_rules_counter_has_no_kiosk_only_limits():
    young_protected = _person(birth_date=date(2020, 1, 1), is_protected=True, unprintable=("𠮷",))
    assert rules.person_refusal(young_protected, rules.COUNTER, DAY) is None
    assert _code(rules.person_refusal(_person(status="死亡"), rules.COUNTER, DAY)) == "deceased"


def test_issuance_rules_documents():
    tax = rules.DocumentFacts(rules.INCOME, fiscal_year=2026, has_tax_record=True)
    assert rules.document_refusal(tax, rules.KIOSK, DAY) is None
    assert _code(rules.document_refusal(rules.DocumentFacts(rules.INCOME, fiscal_year=2026), rules.KIOSK,
                                        DAY)) == "no_tax_record"
    old = rules.DocumentFacts(rules.INCOME, fiscal_year=2025, has_tax_record=True)
    assert _code(rules.document_refusal(old, rules.KIOSK, DAY)) == "tax_year_not_current"
    assert rules.document_refusal(old, rules.COUNTER, DAY) is None
    assert _code(rules.document_refusal(rules.DocumentFacts("戸籍謄本"), rules.KIOSK, DAY)) == "document_unknown"
    # Kiosks and らくらく窓口 print copies of an issued 罹災証明書; the counter issues it on its application.
    assert _code(rules.document_refusal(rules.DocumentFacts(rules.DISASTER), rules.KIOSK, DAY)) == "no_final_grade"
    assert rules.document_refusal(rules.DocumentFacts(rules.DISASTER, final_grade="半壊"), rules.KIOSK, DAY) is None
    assert rules.document_refusal(rules.DocumentFacts(rules.DISASTER, final_grade="半壊"), rules.SELF_SERVICE,
                                  DAY) is None
    refused_here = rules.document_refusal(rules.DocumentFacts(rules.DISASTER), rules.SELF_SERVICE, DAY)
    assert "らくらく窓口" in refused_here.message
    assert _code(rules.document_refusal(rules.DocumentFacts(rules.DISASTER, final_grade="半壊"), rules.COUNTER,
                                        DAY)) == "document_unknown"
    damage_report = rules.DocumentFacts(rules.DAMAGE_REPORT)
    assert _code(rules.document_refusal(damage_report, rules.KIOSK, DAY)) == "document_unknown"
    assert _code(rules.document_refusal(rules.DocumentFacts(rules.SEAL), rules.KIOSK, DAY)) == "no_seal"
    assert _code(rules.document_refusal(rules.DocumentFacts(rules.SEAL, has_seal=True, is_offered=False),
                                        rules.KIOSK, DAY)) == "not_offered"


WEEKDAY_ONLY = rules.DocumentFacts(rules.SEAL, has_seal=True, is_weekday_only=True)
TOWN = OfficeHours(extra_closed_days=frozenset({date(2026, 11, 27)}))
SATURDAY_OFFICE = OfficeHours(closed_weekdays=frozenset({6}))


@pytest.mark.parametrize(("day", "hours", "expected"), [
    (date(2026, 11, 26), TOWN, None),  # Thursday
    (date(2026, 11, 27), TOWN, "weekday_only"),  # the town's own 閉庁日 (a Friday)
    (date(2026, 11, 27), DEFAULT_OFFICE_HOURS, None),  # the same Friday elsewhere
    (date(2026, 11, 28), TOWN, "weekday_only"),  # Saturday
    (date(2026, 11, 29), TOWN, "weekday_only"),  # Sunday
    (date(2026, 11, 28), SATURDAY_OFFICE, "weekday_only"),  # a Saturday office hour is still no 平日
    (date(2026, 11, 23), TOWN, "weekday_only"),  # 勤労感謝の日 (Monday)
    (date(2026, 11, 24), TOWN, None),
    (date(2026, 5, 6), TOWN, "weekday_only"),  # 振替休日 (Wednesday)
    (date(2026, 5, 7), TOWN, None),
    (date(2026, 9, 22), TOWN, "weekday_only"),  # 国民の休日 (Tuesday)
    (date(2026, 12, 28), TOWN, None),  # Monday before the year-end closure
    (date(2026, 12, 29), TOWN, "weekday_only"),  # 年末年始 (Tuesday)
    (date(2027, 1, 4), TOWN, None),
])
def test_issuance_rules_weekday_only_follows_the_calendar_and_the_town(day, hours, expected):
    assert _code(rules.document_refusal(WEEKDAY_ONLY, rules.KIOSK, day, hours.closed_reason(day))) == expected
    everyday = rules.DocumentFacts(rules.SEAL, has_seal=True)
    assert rules.document_refusal(everyday, rules.KIOSK, day, hours.closed_reason(day)) is None


def test_issuance_rules_current_fiscal_year_switches_on_june_first():
    assert rules.current_fiscal_year(date(2026, 5, 31)) == 2025
    assert rules.current_fiscal_year(date(2026, 6, 1)) == 2026


def _at(month, day, hour, minute):
    return datetime(2026, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize(("moment", "expected"), [
    (_at(11, 26, 6, 29), "closed_hours"),
    (_at(11, 26, 6, 30), None),
    (_at(11, 26, 22, 59), None),
    (_at(11, 26, 23, 0), "closed_hours"),
    (_at(12, 28, 22, 59), None),
    (_at(12, 29, 10, 0), "closed_year_end"),
    (_at(12, 31, 10, 0), "closed_year_end"),
    (datetime(2027, 1, 1, 10, 0, tzinfo=JST), "closed_year_end"),
    (datetime(2027, 1, 3, 22, 0, tzinfo=JST), "closed_year_end"),
    (datetime(2027, 1, 4, 6, 30, tzinfo=JST), None),
])
def test_issuance_rules_kiosk_hours(moment, expected):
    assert _code(rules.kiosk_closed(moment)) == expected


def test_issuance_rules_kiosk_hours_are_japan_time_and_maintenance_days_close():
    utc_evening = datetime.fromisoformat("2026-11-26T21:40:00+00:00")  # 06:40 JST on the 27th
    assert rules.kiosk_closed(utc_evening) is None
    assert _code(rules.kiosk_closed(utc_evening, {date(2026, 11, 27)})) == "closed_maintenance"
    assert rules.kiosk_closed(utc_evening, {date(2026, 11, 26)}) is None


def test_issuance_rules_charges():
    resident_copy = rules.charges(rules.RESIDENT_COPY, rules.KIOSK, 200)
    assert (resident_copy.fee_yen, resident_copy.commission_yen, resident_copy.bcl_fee_yen) == (200, 117, 180)
    assert resident_copy.municipality_net_yen == -97
    disaster = rules.charges(rules.DISASTER, rules.KIOSK, 0)
    assert (disaster.fee_yen, disaster.commission_yen, disaster.bcl_fee_yen) == (10, 117, 0)
    assert disaster.municipality_net_yen == -107
    assert rules.charges(rules.DISASTER, rules.KIOSK, 300).fee_yen == 300
    assert rules.charges(rules.INCOME, rules.COUNTER, 300) == rules.Charges(300, 0, 0)
    assert rules.charges(rules.SEAL, rules.KIOSK, 150, commission=110, bcl_fee=150) == rules.Charges(150, 110, 150)


@pytest.mark.parametrize(("document_type", "bcl_fee"), [
    (rules.RESIDENT_COPY, 180), (rules.SEAL, 180), (rules.INCOME, 180), (rules.ASSESSMENT, 180),
    (rules.INCOME_TAX, 180), (rules.PAYMENT, 180),
    (rules.RESIDENT_ITEMS, 0),  # a kiosk document, but not one the seed names for the BCL fee
    (rules.DISASTER, 0),
])
def test_issuance_rules_bcl_fee_only_for_the_documents_the_seed_names(document_type, bcl_fee):
    kiosk = rules.charges(document_type, rules.KIOSK, 200)
    assert (kiosk.commission_yen, kiosk.bcl_fee_yen) == (117, bcl_fee)
    assert rules.charges(document_type, rules.SELF_SERVICE, 300).bcl_fee_yen == 0


def test_issuance_rules_resident_items_certificate_stays_a_kiosk_and_counter_document():
    assert rules.RESIDENT_ITEMS in rules.channel_documents(rules.KIOSK)
    assert rules.RESIDENT_ITEMS in rules.channel_documents(rules.SELF_SERVICE)
    assert rules.RESIDENT_ITEMS in rules.channel_documents(rules.COUNTER)
    assert rules.default_offered(rules.RESIDENT_ITEMS, rules.KIOSK)


def test_issuance_rules_default_fees():
    assert rules.default_fee(rules.RESIDENT_COPY, rules.COUNTER) == 300
    assert rules.default_fee(rules.RESIDENT_COPY, rules.KIOSK) == 200
    assert rules.default_fee(rules.DISASTER, rules.COUNTER) == 0
    assert rules.default_offered(rules.SEAL, rules.KIOSK) and rules.default_offered(rules.DISASTER, rules.KIOSK)
    assert not rules.default_offered(rules.DAMAGE_REPORT, rules.KIOSK)
