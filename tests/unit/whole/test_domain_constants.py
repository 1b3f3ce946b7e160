"""The named domain values agree with the database's check constraints and with each other: a value
added to a rules module without the constraint (or the other way round) fails here, not in a save."""
import re

import pytest

import app.models  # noqa: F401  (every model, so that Base.metadata is complete)
from app.certificates import rules as certificates
from app.damage import rules as damage
from app.db import Base
from app.disasters import rules as disasters
from app.evac_support import rules as evac
from app.maps.rules import CELL_STATE_PRIORITY
from app.residents import rules as residents
from app.residents.link import spec
from app.shelters import rules as shelters


def _allowed(table: str, constraint: str) -> tuple[str, ...]:
    """The values of ``column IN ('a','b')`` in the named check constraint of ``table``."""
    name = f"ck_{table}_{constraint}"
    found = [c for c in Base.metadata.tables[table].constraints if c.name in (constraint, name)]
    assert len(found) == 1, f"{table} has no check constraint {constraint}"
    listed = re.search(r"IN \(([^)]*)\)", str(found[0].sqltext)).group(1)
    return tuple(re.findall(r"'([^']*)'", listed))


@pytest.mark.parametrize(("table", "constraint", "named"), [
    ("disasters", "status_known", disasters.DISASTER_STATUSES),
    ("certificate_applications", "status_known", disasters.APPLICATION_STATUSES),
    ("certificate_applications", "channel_known", disasters.APPLICATION_CHANNELS),
    ("certificate_applications", "kind_known", disasters.CERTIFICATE_KINDS),
    ("damage_surveys", "round_known", damage.SURVEY_ROUNDS),
    ("damage_surveys", "status_known", damage.SURVEY_STATUSES),
    ("evac_people", "consent_known", evac.CONSENT_STATES),
    ("safety_checks", "state_known", evac.SAFETY_STATES),
    ("shelter_openings", "status_known", shelters.OPENING_STATUSES),
    ("issued_certificates", "channel_known", certificates.CHANNELS),
    ("issuance_log", "channel_known", certificates.CHANNELS),
    ("certificate_fees", "channel_known", certificates.CHANNELS),
])
def test_named_values_are_exactly_what_the_check_constraint_allows(table, constraint, named):
    assert _allowed(table, constraint) == tuple(named)


def test_the_link_s_status_codes_map_onto_the_resident_statuses():
    assert tuple(spec.RESIDENT_STATUS.values()) == residents.RESIDENT_STATUSES
    assert spec.RESIDENT_STATUS["1"] == residents.REGISTERED


def test_every_safety_state_has_a_colour_and_a_place_in_the_map_s_cell_order():
    assert set(evac.SAFETY_COLORS) == set(evac.SAFETY_STATES)
    assert sorted(CELL_STATE_PRIORITY) == sorted(evac.SAFETY_STATES)
    assert set(evac.CONFIRMED_STATES) < set(evac.SAFETY_STATES)
    assert evac.UNCONFIRMED not in evac.CONFIRMED_STATES


def test_the_shown_grade_sql_binds_every_value_it_names():
    names = set(re.findall(r":(\w+)", damage.SHOWN_GRADE_SQL)) | {"not_surveyed"}
    assert names == {name for name, _ in damage.SHOWN_GRADE_PARAMS}
    assert dict(damage.SHOWN_GRADE_PARAMS)["not_surveyed"] not in damage.GRADES


def test_the_check_reader_itself_reads_a_constraint():
    assert _allowed("disasters", "status_known") == ("対応中", "終了")
