"""After a check-in the desk says who was received and where: the answer carries the message and the
page the desk reloads shows it once."""
import re

import pytest
from sqlalchemy import select, text

from app.residents.models import Resident
from app.shelters.models import Shelter
from tests.helpers.demo import DEMO_CODE


@pytest.fixture()
def opened(as_admin, system_session):
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（受付）", "kind": "地震", "started_on": "2026-11-20"})
    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    response = as_admin.post("/shelters/openings", {"shelter_id": str(shelter.id)}, form_page="/shelters/openings")
    return int(re.search(r"/shelters/openings/(\d+)", response.headers["Location"]).group(1)), shelter


def _household(system_session) -> list[Resident]:
    household = system_session.scalar(text("""
        SELECT household_no FROM residents WHERE lg_code = :lg AND status = '住登内' AND NOT is_protected
        GROUP BY household_no HAVING count(*) = 2 ORDER BY household_no LIMIT 1"""), {"lg": DEMO_CODE})
    return system_session.scalars(select(Resident).where(Resident.household_no == household,
                                                         Resident.status == "住登内")).all()


def test_check_in_names_the_people_and_the_shelter_once(as_admin, opened, system_session):
    opening_id, shelter = opened
    members = _household(system_session)
    response = as_admin.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": members[0].atena_no},
                             form_page=f"/shelters/openings/{opening_id}")
    answer = response.get_json()
    assert response.status_code == 200
    for member in members:
        assert f"{member.name}さん" in answer["message"]
    assert f"（2人）を「{shelter.name}」で受け付けました。" in answer["message"]
    page = as_admin.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
    assert page.count(answer["message"]) == 1
    assert answer["message"] not in as_admin.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)


def test_a_refused_check_in_flashes_nothing(as_admin, opened, system_session):
    opening_id, _ = opened
    members = _household(system_session)
    as_admin.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": members[0].atena_no},
                  form_page=f"/shelters/openings/{opening_id}")
    as_admin.get(f"/shelters/openings/{opening_id}")  # the first message is shown
    again = as_admin.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": members[0].atena_no},
                          form_page=f"/shelters/openings/{opening_id}")
    assert again.status_code == 422
    assert "受け付けました" not in as_admin.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
