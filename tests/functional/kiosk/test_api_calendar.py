"""The kiosk API's calendar and clock: weekday-only documents refused on a 祝日, a 振替休日 and the
town's own 閉庁日 (menu and request), issued on an ordinary weekday, other documents available on
those days; a fixed clock without its offset refused."""
from datetime import UTC, datetime

import pytest

from app.audit.services import Actor
from app.certificates import fees
from app.certificates.statistics import office_hours
from app.db import Scope
from app.extensions import db as database
from app.kiosk.api import kiosk_now
from tests.helpers.cards import fresh_card
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

SEAL = "印鑑登録証明書"
THURSDAY = "2026-11-26T10:00:00+09:00"
HOLIDAY = "2026-11-23T10:00:00+09:00"  # 勤労感謝の日 (a Monday)
SUBSTITUTE_HOLIDAY = "2026-05-06T10:00:00+09:00"  # 振替休日 for 憲法記念日 on Sunday 5/3 (a Wednesday)
TOWN_CLOSED_DAY = "2026-11-27T10:00:00+09:00"  # a Friday 桜ヶ丘町 has set as its own 閉庁日


@pytest.fixture()
def weekday_only_seal(kiosk):
    """Both towns issue the 印鑑登録証明書 at kiosks on weekdays only; 桜ヶ丘町 closes on 2026-11-27."""
    for lg_code in (DEMO_CODE, SECOND_CODE):
        with database.unit_of_work(Scope.tenant(lg_code)) as session:
            fees.set_fee(session, Actor.system(lg_code, "test"), document_type=SEAL, channel="コンビニ", fee_yen=200,
                         is_offered=True, is_weekday_only=True)
    with database.unit_of_work(Scope.tenant(DEMO_CODE)) as session:
        office_hours.save(session, Actor.system(DEMO_CODE, "test"), version=0, opens="08:30", closes="17:15",
                          closed_weekdays=["5", "6"], closed_days="2026-11-27")
    return kiosk


def _at(kiosk, app, monkeypatch, moment, card):
    """Log in with ``card`` at ``moment``: (the seal's and the 住民票's menu entries, the seal request)."""
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", moment)
    session_id, verified = kiosk.login(card)
    assert verified.status_code == 200 and verified.get_json()["eligible"], verified.get_data(as_text=True)
    menu = {d["document_type"]: d for d in kiosk.get(f"/sessions/{session_id}/menu").get_json()["documents"]}
    return menu[SEAL], menu["住民票の写し"], kiosk.request(session_id, SEAL)


@pytest.mark.parametrize("moment", [HOLIDAY, SUBSTITUTE_HOLIDAY, TOWN_CLOSED_DAY])
def test_weekday_only_document_is_refused_on_a_closed_day(weekday_only_seal, jpki, app, monkeypatch, tmp_path,
                                                          moment):
    seal, resident_copy, requested = _at(weekday_only_seal, app, monkeypatch, moment,
                                         fresh_card(jpki, "demo-1", tmp_path))
    assert not seal["available"] and seal["refusal"]["code"] == "weekday_only"
    assert "祝日" in seal["refusal"]["message"] and "閉庁日" in seal["refusal"]["message"]
    assert resident_copy["available"]  # the kiosk itself is open
    assert requested.status_code == 422 and requested.get_json()["code"] == "weekday_only", requested.get_json()


def test_weekday_only_document_is_issued_on_an_ordinary_weekday(weekday_only_seal, jpki, app, monkeypatch,
                                                                tmp_path):
    seal, _, requested = _at(weekday_only_seal, app, monkeypatch, THURSDAY, fresh_card(jpki, "demo-1", tmp_path))
    assert seal["available"] and requested.status_code == 201, requested.get_data(as_text=True)
    request_id = requested.get_json()["request_id"]
    assert weekday_only_seal.pay(request_id, 200).status_code == 200
    assert weekday_only_seal.issue(request_id).status_code == 201


def test_a_town_closed_day_is_that_town_s_only(weekday_only_seal, jpki, app, monkeypatch, tmp_path):
    seal, _, requested = _at(weekday_only_seal, app, monkeypatch, TOWN_CLOSED_DAY,
                             fresh_card(jpki, "second-1", tmp_path))
    assert seal["available"] and requested.status_code == 201, requested.get_data(as_text=True)


def test_kiosk_clock_without_an_offset_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", "2026-11-26T10:00:00")
    with app.test_request_context(), pytest.raises(ValueError, match="KIOSK_FIXED_NOW must be a timezone-aware"):
        kiosk_now()
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", THURSDAY)
    with app.test_request_context():
        assert kiosk_now() == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
