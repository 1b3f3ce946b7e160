"""The shelter tests' fixtures: two opened shelters of a disaster and a family to check in."""
import pytest
from sqlalchemy import select, text

from app.residents.models import Resident
from app.shelters.models import Shelter
from tests.helpers.demo import DEMO_CODE
from tests.helpers.shelters import open_shelter


@pytest.fixture()
def two_openings(as_admin, system_session):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘豪雨（運営）", "kind": "地震", "started_on": "2026-11-20"})
    first, second = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE)
                                           .order_by(Shelter.id).limit(2)).all()
    return as_admin, open_shelter(as_admin, first.id), open_shelter(as_admin, second.id), first, second


@pytest.fixture()
def family(system_session):
    household = system_session.scalar(text("""
        SELECT household_no FROM residents WHERE lg_code = :lg AND status = '住登内'
        GROUP BY household_no HAVING count(*) >= 3 ORDER BY household_no LIMIT 1"""), {"lg": DEMO_CODE})
    return system_session.scalars(select(Resident).where(Resident.household_no == household,
                                                         Resident.status == "住登内").order_by(Resident.id)).all()
