"""Throttles of the kiosk API, counted in the database so that every worker sees them: sessions per
store operator token, failed card answers per certificate (kiosk and card-auth API); and
unused kiosk sessions expire and are purged."""
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.cardauth.rules import certificate_throttle_key
from app.cardauth.services import FAILURE_WINDOW
from app.kiosk import services
from app.kiosk.models import KioskSession
from app.throttle import ThrottleEvent
from tests.factories import store_operator, terminal_token
from tests.helpers.cards import fresh_card
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import OPEN_NOW, STORE, KioskClient, documented


def _throttled(response, code):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json" and response.get_json()["code"] == code
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    return response


def _age_throttle_events(system_session, key: str, by: timedelta) -> None:
    system_session.execute(update(ThrottleEvent).where(ThrottleEvent.key == key).values(at=ThrottleEvent.at - by))
    system_session.flush()


def _sessions(system_session, operator):
    return system_session.scalar(select(func.count()).select_from(KioskSession)
                                 .where(KioskSession.store_operator == operator))


def _at(moment: str, minutes: float = 0) -> str:
    return (datetime.fromisoformat(moment) + timedelta(minutes=minutes)).isoformat()


def test_kiosk_sessions_are_throttled_per_store_operator_token(kiosk, app, monkeypatch, web, system_session, document):
    monkeypatch.setitem(app.config, "KIOSK_SESSIONS_PER_OPERATOR", 5)
    for _ in range(5):
        assert kiosk.post("/sessions").status_code == 201
    refused = _throttled(kiosk.post("/sessions"), "too_many_sessions")
    documented(document, "POST", "/sessions", refused)
    # Another store of the same operator shares the operator's count; another operator does not.
    kiosk.store = {**STORE, "X-Kiosk-Store-Id": "sendai-002"}
    _throttled(kiosk.post("/sessions"), "too_many_sessions")
    assert _sessions(system_session, "demo-mart") == 5
    other = KioskClient(web.client, store_operator("other-mart"), dict(STORE))
    assert other.post("/sessions").status_code == 201
    # A minute after those five the door opens again (throttles run on the database's clock: the
    # counted sessions are made a minute older rather than waited for).
    _age_throttle_events(system_session, "kiosk-sessions:demo-mart", timedelta(minutes=1))
    assert kiosk.post("/sessions").status_code == 201


def test_failed_card_answers_are_throttled_per_certificate(kiosk, jpki, tmp_path, app, monkeypatch, system_session,
                                                          document):
    monkeypatch.setitem(app.config, "CARD_AUTH_FAILURES_PER_CERTIFICATE", 3)
    card = fresh_card(jpki, "demo-1", tmp_path)
    for _ in range(3):
        opened = kiosk.post("/sessions").get_json()
        forged = card.respond(opened["challenge_id"], "c2lnbmVkIHNvbWV0aGluZyBlbHNl", "1234")
        assert kiosk.post(f"/sessions/{opened['session_id']}/verify", forged).get_json()["code"] == "bad_signature"
    _, honest = kiosk.login(card)
    _throttled(honest, "too_many_attempts")
    documented(document, "POST", "/sessions/{session_id}/verify", honest)
    serial = format(card.certificate.serial_number, "X")
    codes = [e.detail["code"] for e in system_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "card_auth_refused").order_by(AuditEntry.id))
        if e.target_ids == [serial]]
    assert codes == ["bad_signature"] * 3 + ["too_many_attempts"]
    # Another card is not held back; the card itself is free again once its failures are 15 minutes
    # old (on the database's clock: the counted failures are made older rather than waited for).
    assert kiosk.login(fresh_card(jpki, "demo-2", tmp_path))[1].status_code == 200
    _age_throttle_events(system_session, certificate_throttle_key(card.certificate.issuer.rfc4514_string(), serial),
                         FAILURE_WINDOW)
    assert kiosk.login(card)[1].status_code == 200


def test_the_card_auth_api_throttles_failed_answers_per_certificate(kiosk, web, jpki, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_AUTH_FAILURES_PER_CERTIFICATE", 2)
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}
    card = fresh_card(jpki, "demo-1", tmp_path)
    for _ in range(2):
        challenge = web.client.post("/api/cardauth/v1/challenges", headers=headers).get_json()
        forged = card.respond(challenge["challenge_id"], "c2lnbmVkIHNvbWV0aGluZyBlbHNl", "1234")
        assert web.client.post("/api/cardauth/v1/verify", json=forged, headers=headers).status_code == 401
    challenge = web.client.post("/api/cardauth/v1/challenges", headers=headers).get_json()
    honest = card.respond(challenge["challenge_id"], challenge["challenge"], "1234")
    _throttled(web.client.post("/api/cardauth/v1/verify", json=honest, headers=headers), "too_many_attempts")


def test_an_unused_kiosk_session_expires_and_is_purged(kiosk, jpki, tmp_path, app, monkeypatch, system_session,
                                                      document):
    card = fresh_card(jpki, "demo-1", tmp_path)
    opened = kiosk.post("/sessions").get_json()
    answer = card.respond(opened["challenge_id"], opened["challenge"], "1234")
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", _at(OPEN_NOW, 3.1))
    expired = kiosk.post(f"/sessions/{opened['session_id']}/verify", answer)
    assert expired.status_code == 410 and expired.get_json()["code"] == "session_expired"
    documented(document, "POST", "/sessions/{session_id}/verify", expired)
    # Verified in time, the session lives on for the rest of the flow.
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", OPEN_NOW)
    session_id, verified = kiosk.login(card)
    assert verified.status_code == 200
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", _at(OPEN_NOW, 9))
    assert kiosk.get(f"/sessions/{session_id}/menu").status_code == 200
    # An hour after it expired, the unused session is gone.
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", _at(OPEN_NOW, 64))
    assert kiosk.post("/sessions").status_code == 201
    assert system_session.get(KioskSession, uuid.UUID(opened["session_id"])) is None


class _FastClock(datetime):
    """The clock of an app server that runs 20 minutes ahead."""

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + timedelta(minutes=20)


def test_app_servers_whose_clocks_disagree_count_one_window(kiosk, app, monkeypatch):
    """The window runs on the database's clock: sessions opened through a server whose clock is 20
    minutes fast hold the operator back for a minute at most, not 21, at a server with the right time."""
    monkeypatch.setitem(app.config, "KIOSK_SESSIONS_PER_OPERATOR", 2)
    with monkeypatch.context() as fast_server:
        fast_server.setattr(services, "datetime", _FastClock)
        for _ in range(2):
            assert kiosk.post("/sessions").status_code == 201
    refused = _throttled(kiosk.post("/sessions"), "too_many_sessions")
    assert int(refused.headers["Retry-After"]) <= 60
