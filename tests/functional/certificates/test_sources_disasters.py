"""The 罹災証明書 a kiosk prints is a copy from the disasters package's document source: the
application discovers and registers it, the record carries the grade issued at the counter and
numbers the next copy, and without the source the certificates core offers no copy at all."""
from datetime import date

import pytest
from sqlalchemy import select

from app.certificates import issuance, rules, sources
from app.certificates.issuer import issuer_from_config
from app.residents.models import Resident
from fixtures.demo_disaster import issue_household_certificate
from tests.helpers.demo import DEMO_CODE

A_WEEKDAY = date(2026, 12, 1)


@pytest.fixture()
def household_head(system_session):
    return system_session.scalar(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.status == "住登内", Resident.is_household_head,
        Resident.is_protected.is_(False)).order_by(Resident.id).limit(1))


@pytest.fixture()
def issued(app, system_session, household_head):
    return issue_household_certificate(system_session, issuer_from_config(app.config, "http://localhost/verify"),
                                       DEMO_CODE, household_head.atena_no, grade="中規模半壊")


def test_sources_the_disasters_package_provides_both_disaster_certificates(app):
    assert {rules.DISASTER, rules.DAMAGE_REPORT} <= set(sources.provided_kinds())


def test_sources_the_record_states_the_counters_grade_and_numbers_the_next_copy(issued, household_head,
                                                                                system_session):
    record = sources.find_record(system_session, rules.DISASTER, household_head.id, {})
    assert record.final_grade == "中規模半壊"
    copy = record.next_copy(system_session)
    assert copy.serial == f"{issued.certificate_no}-2"
    assert (copy.subject.type, copy.subject.id) == ("certificate_application", issued.id)
    assert sources.find_record(system_session, rules.DISASTER, household_head.id,
                               {"disaster_id": issued.disaster_id + 1}) is None  # another disaster: none


def test_sources_without_the_source_the_kiosk_copy_is_refused(issued, household_head, system_session, monkeypatch):
    quoted = issuance.quote(system_session, household_head, rules.DISASTER, {}, rules.KIOSK, A_WEEKDAY)
    assert quoted.charges.fee_yen == rules.FREE_DISASTER_KIOSK_FEE_YEN
    monkeypatch.setattr(sources, "_SOURCES", {})
    with pytest.raises(issuance.IssuanceRefused) as refused:
        issuance.quote(system_session, household_head, rules.DISASTER, {}, rules.KIOSK, A_WEEKDAY)
    assert refused.value.code == "no_final_grade"
