"""Closing a shelter keeps its history: after a household moved on and the shelter closed, its
入退所の記録 still lists every stay with the time in and out, who received them and where they
went; the receiving shelter shows where they came from; viewing is audited; a closed shelter
takes nobody in."""
import re

from sqlalchemy import text

from tests.helpers.shelters import check_in, present_evacuees


def test_a_closed_shelter_keeps_every_stay_and_where_people_went(two_openings, family, system_session):
    browser, first, second, first_shelter, second_shelter = two_openings
    check_in(browser, first, family[0].atena_no)
    someone = present_evacuees(system_session, first)[0]
    browser.post(f"/shelters/evacuees/{someone.id}/move", {"to_opening_id": str(second)},
                 form_page=f"/shelters/openings/{first}")
    version = system_session.scalar(text("SELECT version FROM shelter_openings WHERE id = :id"), {"id": first})
    closed = browser.post(f"/shelters/openings/{first}/status", {"status": "閉鎖", "version": str(version)},
                          form_page=f"/shelters/openings/{first}", follow_redirects=True).get_data(as_text=True)
    assert "閉鎖できません" not in closed
    assert system_session.scalar(text("SELECT status FROM shelter_openings WHERE id = :id"), {"id": first}) == "閉鎖"

    page = browser.get(f"/shelters/openings/{first}/history").get_data(as_text=True)
    rows = re.findall(r'<tr data-evacuee="(\d+)" class="(\w+)">(.*?)</tr>', page, re.S)
    assert len(rows) == len(family) and all(state == "left" for _, state, _ in rows)
    names = {member.name for member in family}
    assert all(any(name in r[2] for name in names) for r in rows)
    assert all("移動" in r[2] and f"（{second_shelter.name}へ）" in r[2] and "令和" in r[2] for r in rows)
    assert "閉鎖 令和" in page and "admin" in page
    arrived = browser.get(f"/shelters/openings/{second}/history").get_data(as_text=True)
    assert arrived.count(f"{first_shelter.name}から移動") == len(family) and arrived.count("滞在中") == len(family)
    viewed = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'evacuee_history_view' "
                                        "AND CAST(:id AS text) = ANY(target_ids)"), {"id": first})
    assert viewed == 1
    again = browser.post(f"/shelters/openings/{first}/check-in", {"atena_no": family[0].atena_no},
                         form_page=f"/shelters/openings/{first}")
    assert again.status_code == 422 and again.get_json()["code"] == "closed"
    opening_page = browser.get(f"/shelters/openings/{first}").get_data(as_text=True)
    assert f"/shelters/openings/{first}/history" in opening_page
