"""マイナンバーカードで受付 at the shelter desk: the card finds the household, which the desk checks in
with one touch; another municipality's card, a revoked card and a replay check in nobody."""
import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.residents.models import Resident
from app.shelters.models import Evacuee, Shelter
from tests.factories import register, terminal_token
from tests.helpers.cards import build_jpki, fresh_card, heads, trust_config
from tests.helpers.demo import DEMO_CODE


@pytest.fixture(scope="module")
def jpki(app, tmp_path_factory):
    return build_jpki(tmp_path_factory.mktemp("jpki-desk"))


@pytest.fixture()
def desk(as_admin, system_session, app, jpki, monkeypatch):
    """An opened shelter of 桜ヶ丘町 with every test card registered: (browser, opening id, csrf headers)."""
    trust_config(monkeypatch, app, jpki)
    register(jpki)
    as_admin.post("/disasters/new", {"name": "カード受付の地震", "kind": "地震", "started_on": "2026-11-21"})
    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    response = as_admin.post("/shelters/openings", {"shelter_id": str(shelter.id)}, form_page="/shelters/openings")
    opening_id = int(re.search(r"/shelters/openings/(\d+)", response.headers["Location"]).group(1))
    headers = {"X-CSRFToken": as_admin.csrf_token(f"/shelters/openings/{opening_id}")}
    return as_admin, opening_id, headers


def _card_answer(desk, card, pin="1234"):
    browser, opening_id, headers = desk
    challenge = browser.client.post(f"/shelters/openings/{opening_id}/card/challenge", headers=headers, json={})
    assert challenge.status_code == 200, challenge.get_data(as_text=True)
    body = challenge.get_json()
    return card.respond(body["challenge_id"], body["challenge"], pin)


def _verify(desk, answer):
    browser, opening_id, headers = desk
    return browser.client.post(f"/shelters/openings/{opening_id}/card/verify", headers=headers, json=answer)


def _present(system_session, opening_id):
    return system_session.scalar(select(func.count()).select_from(Evacuee).where(
        Evacuee.opening_id == opening_id, Evacuee.checked_out_at.is_(None)))


def test_the_card_shows_the_household_and_one_touch_checks_it_in(desk, jpki, tmp_path, system_session):
    browser, opening_id, _ = desk
    found = _verify(desk, _card_answer(desk, fresh_card(jpki, "demo-1", tmp_path)))
    assert found.status_code == 200, found.get_data(as_text=True)
    body = found.get_json()
    holder_atena = heads(DEMO_CODE, 1)[0][0]
    household = system_session.scalars(select(Resident).where(
        Resident.lg_code == DEMO_CODE, Resident.household_no == body["results"][0]["household_no"],
        Resident.status == "住登内")).all()
    assert body["atena_no"] == holder_atena
    assert sorted(r["atena_no"] for r in body["results"]) == sorted(m.atena_no for m in household)
    assert body["results"][0]["is_household_head"]
    checked = browser.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": body["atena_no"]},
                           form_page=f"/shelters/openings/{opening_id}")
    assert checked.status_code == 200 and checked.get_json()["present"] == len(household)
    assert _present(system_session, opening_id) == len(household)


def test_the_desk_page_offers_card_check_in(desk):
    browser, opening_id, _ = desk
    page = browser.get(f"/shelters/openings/{opening_id}").get_data(as_text=True)
    assert "マイナンバーカードで受付" in page and f"/shelters/openings/{opening_id}/card/verify" in page


@pytest.mark.parametrize(("label", "code"), [("second-1", "other_municipality"), ("revoked", "certificate_revoked"),
                                             ("expired", "certificate_expired"), ("forged", "untrusted_issuer")])
def test_refused_cards_check_in_nobody(desk, jpki, tmp_path, system_session, label, code):
    response = _verify(desk, _card_answer(desk, fresh_card(jpki, label, tmp_path)))
    assert response.status_code == 401 and response.get_json()["code"] == code
    assert response.get_json()["error"]
    assert _present(system_session, desk[1]) == 0


def test_a_replayed_desk_answer_is_refused(desk, jpki, tmp_path):
    answer = _card_answer(desk, fresh_card(jpki, "demo-1", tmp_path))
    assert _verify(desk, answer).status_code == 200
    assert _verify(desk, answer).get_json()["code"] == "challenge_replayed"


def test_a_card_held_back_by_its_failed_answers_is_told_when_to_come_back(desk, jpki, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_AUTH_FAILURES_PER_CERTIFICATE", 1)
    card = fresh_card(jpki, "demo-1", tmp_path)
    forged = _card_answer(desk, card)
    forged["signature"] = _card_answer(desk, card)["signature"]  # signed another challenge
    assert _verify(desk, forged).get_json()["code"] == "bad_signature"
    held = _verify(desk, _card_answer(desk, card))
    assert held.status_code == 429 and held.get_json()["code"] == "too_many_attempts"
    assert held.get_json()["error"] and 0 < int(held.headers["Retry-After"]) <= 15 * 60


def test_a_desk_challenge_is_not_accepted_by_the_terminal_api(desk, jpki, tmp_path, web):
    answer = _card_answer(desk, fresh_card(jpki, "demo-1", tmp_path))
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}
    response = web.client.post("/api/cardauth/v1/verify", json=answer, headers=headers)
    assert response.status_code == 401 and response.get_json()["code"] == "challenge_unknown"


def test_card_check_in_needs_the_shelter_screen_and_the_csrf_token(desk, app):
    browser, opening_id, _ = desk
    assert browser.client.post(f"/shelters/openings/{opening_id}/card/challenge", json={}).status_code == 400


def test_a_protected_household_found_by_card_shows_no_address(desk, jpki, tmp_path, system_session):
    holder_atena = heads(DEMO_CODE, 1)[0][0]
    holder = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                           Resident.atena_no == holder_atena)).one()
    members = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                            Resident.household_no == holder.household_no)).all()
    for member in members:  # 支援措置 covers the whole household, as it usually does
        member.is_protected = True
    system_session.commit()
    found = _verify(desk, _card_answer(desk, fresh_card(jpki, "demo-1", tmp_path)))
    assert found.status_code == 200, found.get_data(as_text=True)
    rows = found.get_json()["results"]
    assert rows and all(r["is_protected"] and r["address"] == "" and r["birth_date"] is None for r in rows)
    assert holder.address not in found.get_data(as_text=True)


def test_the_desk_reads_the_card_answer_within_its_published_limits(desk, jpki, tmp_path, system_session):
    """The desk reads a card's answer as the terminal APIs do (16 KiB, the CardAnswer schema), and a
    refused body is audited like any refused answer."""
    answer = _card_answer(desk, fresh_card(jpki, "demo-1", tmp_path))
    too_large = _verify(desk, {**answer, "certificate": answer["certificate"] + "\n" + "A" * 20_000})
    assert too_large.status_code == 413 and too_large.get_json()["code"] == "body_too_large"
    too_long = _verify(desk, {**answer, "signature": answer["signature"] + "A" * 1024})
    assert too_long.status_code == 400 and too_long.get_json()["code"] == "body_invalid"
    assert too_long.get_json()["error"]
    refusals = system_session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "card_auth_refused")
                                      .order_by(AuditEntry.id)).all()
    assert [r["code"] for r in refusals] == ["body_too_large", "body_invalid"]
    assert _present(system_session, desk[1]) == 0
