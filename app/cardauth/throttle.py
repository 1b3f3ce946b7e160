"""Throttles of the terminal APIs, counted in the database (``api_throttle_events``) so that every
gunicorn worker and every app server sees the same count: a sliding window of counted events per
key, on the real clock.

- ``take`` counts one use unless the key already has ``limit.count`` uses in the window, and then
  says how long to wait instead. Takes of one key queue on a transaction-scoped advisory lock, so a
  window never admits more than the limit; a use whose request is refused later is rolled back.
- ``add`` counts an event that already happened (a failed card answer, recorded after the rollback
  of the failed work); ``wait_seconds`` reads whether a key is held back, without counting.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from app.cardauth.models import ThrottleEvent
from app.errors import DomainError

KEEP_EVENTS = timedelta(days=1)


class Throttled(DomainError):
    """A call refused by a throttle (429); ``details["retry_after"]`` is the wait in seconds."""

    status = 429
    title = "しばらく時間をおいてからお試しください"

    def __init__(self, message: str, *, code: str, retry_after: int):
        super().__init__(message, code=code, details={"retry_after": retry_after})


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events in any ``window``."""

    count: int
    window: timedelta


def seconds_until(oldest_counted: datetime, window: timedelta, now: datetime) -> int:
    """Whole seconds (at least 1) until ``oldest_counted`` leaves the window: the Retry-After."""
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def certificate_key(issuer: str, serial: str) -> str:
    """The throttle key of a card certificate: a hash, so the table holds nothing that names a card."""
    return "card:" + hashlib.sha256(f"{issuer}\n{serial}".encode()).hexdigest()[:40]


def wait_seconds(session: Session, key: str, limit: Limit, now: datetime) -> int | None:
    """The seconds ``key`` must wait because the window before ``now`` holds ``limit.count`` events
    already (until the oldest of the newest ``limit.count`` leaves it), else None."""
    if limit.count <= 0:
        return seconds_until(now, limit.window, now)
    oldest_counted = session.scalar(
        select(ThrottleEvent.at).where(ThrottleEvent.key == key, ThrottleEvent.at > now - limit.window)
        .order_by(ThrottleEvent.at.desc()).offset(limit.count - 1).limit(1))
    return None if oldest_counted is None else seconds_until(oldest_counted, limit.window, now)


def add(session: Session, key: str, now: datetime) -> None:
    """Count one event of ``key`` at ``now``."""
    session.add(ThrottleEvent(key=key, at=now))
    session.flush()


def take(session: Session, key: str, limit: Limit, now: datetime) -> int | None:
    """Count one use of ``key`` now, or return the seconds to wait when the window is full."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"throttle:{key}"})
    wait = wait_seconds(session, key, limit, now)
    if wait is None:
        add(session, key, now)
    return wait


def purge(session: Session, now: datetime) -> None:
    """Drop the events of more than a day ago."""
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - KEEP_EVENTS))
