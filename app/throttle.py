"""Throttles: sliding windows of counted events per key, in one table that every gunicorn worker and
app server shares (``throttle_events``; an in-process counter would give each worker its own
allowance).

A key starts with what it counts: ``login-addr:<client address>`` and ``login-acct:<hash of 団体コード
and ユーザID>`` (failed logins, docs/permissions.md), ``card:<hash of a card certificate>`` (failed card
answers, docs/card-auth.md), ``kiosk-sessions:<store operator>`` (opened kiosk sessions,
docs/kiosk-api.md). A key with ``limit.count`` events in the last ``limit.window`` waits until the
oldest of them leaves the window; the wait is answered as 429 ``TooManyRequests`` with Retry-After.

Times are the database's (``now()``), never an app server's clock, so servers whose clocks disagree
still count one window. The table is UNLOGGED: counts are not worth WAL, and a crash of PostgreSQL
forgets them, which only eases the limits for one window. Nothing in it is personal or a tenant's:
accounts and certificates are counted under hashes, and a client address's count spans every
municipality on purpose (switching the 団体コード does not reset it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, DateTime, Index, String, delete, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base

# Events dropped per purge at most: purges run where events are added, so they keep pace with them
# without one call deleting an unbounded backlog inside the caller's transaction.
PURGE_BATCH = 1000


class ThrottleEvent(Base):
    """One counted event of a throttle key, at the database's time."""

    __tablename__ = "throttle_events"
    __table_args__ = (
        Index("ix_throttle_events_key_at", "key", "at"),
        Index("ix_throttle_events_at", "at"),
        {"prefixes": ["UNLOGGED"]},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events in any ``window`` (a count of 0 admits nothing)."""

    count: int
    window: timedelta


def seconds_until(oldest_counted: datetime, window: timedelta, now: datetime) -> int:
    """Whole seconds (at least 1) until ``oldest_counted`` leaves the window: the Retry-After."""
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def wait(session: Session, key: str, limit: Limit) -> int:
    """The seconds ``key`` must wait, 0 when it may go on: while the window holds ``limit.count``
    events, until the oldest of the newest ``limit.count`` leaves it."""
    if limit.count <= 0:
        return max(1, math.ceil(limit.window.total_seconds()))
    row = session.execute(
        select(ThrottleEvent.at, func.now().label("now"))
        .where(ThrottleEvent.key == key, ThrottleEvent.at > func.now() - limit.window)
        .order_by(ThrottleEvent.at.desc()).offset(limit.count - 1).limit(1)).first()
    return 0 if row is None else seconds_until(row.at, limit.window, row.now)


def add(session: Session, key: str) -> None:
    """Count one event of ``key`` now."""
    session.execute(insert(ThrottleEvent).values(key=key))


def take(session: Session, key: str, limit: Limit) -> int:
    """Count one use of ``key`` now, or, when the window is full, count nothing and return the
    seconds to wait (0: counted). Takes of one key queue on a transaction-scoped advisory lock, so a
    window never admits more than the limit; a use whose request is refused later is rolled back."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"throttle:{key}"})
    seconds = wait(session, key, limit)
    if not seconds:
        add(session, key)
    return seconds


def forget(session: Session, key: str) -> None:
    """Drop every counted event of ``key`` (an administrator lifted an account's lock, say)."""
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.key == key),
                    execution_options={"synchronize_session": False})


def purge(session: Session, prefix: str, window: timedelta) -> None:
    """Drop up to PURGE_BATCH events that have left ``window``, of the keys starting with ``prefix``
    (each kind of key has its own window). Rows another transaction is purging are skipped (SKIP
    LOCKED), so concurrent callers never wait for each other."""
    # A materialized CTE picks the batch once: as an IN (subquery) the planner may run the LIMIT
    # subquery again per row scanned and delete more than one batch.
    stale = (select(ThrottleEvent.id)
             .where(ThrottleEvent.key.startswith(prefix, autoescape=True), ThrottleEvent.at < func.now() - window)
             .limit(PURGE_BATCH).with_for_update(skip_locked=True)
             .cte("stale").prefix_with("MATERIALIZED"))
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.id.in_(select(stale.c.id))),
                    execution_options={"synchronize_session": False})
