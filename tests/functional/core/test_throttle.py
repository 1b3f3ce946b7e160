"""The one throttle of logins, card answers and kiosk sessions (app/throttle.py): a sliding window
per key on the database's clock, purged in batches per kind of key, and every 429 answer — a page
or a problem document — says when to come back (Retry-After)."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app import throttle
from app.errors import TooManyRequests
from app.throttle import Limit, ThrottleEvent

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(("path", "accept", "mimetype"), [
    ("/", "text/html", "text/html"), ("/api/kiosk/v1/sessions", "application/json", "application/problem+json")])
def test_every_answer_to_a_throttled_request_says_when_to_come_back(app, db, path, accept, mimetype):
    refused = TooManyRequests("しばらく時間をおいてからお試しください。", retry_after=42, code="too_many_sessions")
    with app.test_request_context(path, headers={"Accept": accept}):
        response = app.make_response(app.handle_user_exception(refused))
    assert response.status_code == 429 and response.mimetype == mimetype
    assert response.headers["Retry-After"] == "42"
    if mimetype == "application/problem+json":
        assert response.get_json()["code"] == "too_many_sessions"
        assert response.get_json()["details"] == {"retry_after": 42}


def _keys(session) -> list[str]:
    return list(session.scalars(select(ThrottleEvent.key).order_by(ThrottleEvent.key, ThrottleEvent.id)))


def _age(session, by: timedelta) -> None:
    session.execute(update(ThrottleEvent).values(at=ThrottleEvent.at - by))


def test_a_key_waits_until_the_oldest_of_its_newest_events_leaves_the_window(db, system_session):
    limit = Limit(2, MINUTE)
    throttle.add(system_session, "kiosk-sessions:demo-mart")
    _age(system_session, timedelta(seconds=45))
    throttle.add(system_session, "kiosk-sessions:demo-mart")
    assert throttle.wait(system_session, "kiosk-sessions:demo-mart", limit) == 15
    assert throttle.wait(system_session, "kiosk-sessions:other-mart", limit) == 0
    assert throttle.take(system_session, "kiosk-sessions:demo-mart", limit) == 15  # refused: not counted
    assert throttle.take(system_session, "kiosk-sessions:other-mart", limit) == 0  # counted
    assert _keys(system_session) == ["kiosk-sessions:demo-mart"] * 2 + ["kiosk-sessions:other-mart"]
    throttle.forget(system_session, "kiosk-sessions:demo-mart")
    assert throttle.wait(system_session, "kiosk-sessions:demo-mart", limit) == 0


def test_a_purge_drops_one_batch_of_one_kind_of_key_past_that_kinds_window(db, system_session, monkeypatch):
    monkeypatch.setattr(throttle, "PURGE_BATCH", 3)
    for key in ["card:a"] * 5 + ["login-addr:192.0.2.1"] * 2:
        throttle.add(system_session, key)
    _age(system_session, timedelta(minutes=12))  # past the login window (10), within the card's (15)
    throttle.add(system_session, "login-addr:192.0.2.1")
    throttle.purge(system_session, "card:", timedelta(minutes=15))
    throttle.purge(system_session, "login-", timedelta(minutes=10))
    assert _keys(system_session) == ["card:a"] * 5 + ["login-addr:192.0.2.1"]
    _age(system_session, timedelta(minutes=4))
    throttle.purge(system_session, "card:", timedelta(minutes=15))
    assert _keys(system_session) == ["card:a"] * 2 + ["login-addr:192.0.2.1"]  # one batch of three


def test_a_purge_skips_the_events_another_transaction_is_purging(db, system_session):
    """Concurrent purges never queue behind each other's locks: each takes the rows nobody holds."""
    throttle.add(system_session, "card:free")
    _age(system_session, timedelta(hours=1))
    with db.engine.connect() as other:
        other.execute(text("INSERT INTO throttle_events (key, at) VALUES ('card:held', now() - interval '1 hour')"))
        other.commit()
        try:
            other.execute(text("SELECT id FROM throttle_events WHERE key = 'card:held' FOR UPDATE"))
            system_session.execute(text("SET LOCAL lock_timeout = '2s'"))
            throttle.purge(system_session, "card:", timedelta(minutes=15))
            assert _keys(system_session) == ["card:held"]
        finally:
            other.rollback()
            other.execute(text("DELETE FROM throttle_events WHERE key = 'card:held'"))
            other.commit()
