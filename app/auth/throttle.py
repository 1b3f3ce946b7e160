"""Login throttling: failed logins counted per client address and per account in the database.

The counts live in ``login_failures`` so every gunicorn worker and every app server sees the same
numbers (an in-process counter would give each worker its own allowance). A sliding window: an
address or account with ``limit`` failures in the last ``window`` seconds waits until the oldest of
them leaves the window. Only failures count; a throttled attempt is not tried, so it neither costs
an Argon2 verification nor extends the wait. Times are the database's, shared by every server.

Concurrent attempts each read the count before their own failure is written, so a burst can pass
the limit by at most the number of requests served at that moment (workers × threads).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.auth import rules
from app.auth.models import LoginFailure

PURGE_BATCH = 1000


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the client address and the account key (rules.account_key)."""

    address: str
    account_key: str

    @classmethod
    def of(cls, address: str | None, lg_code: str | None, login_id: str) -> Attempt:
        return cls((address or "unknown").replace("\x00", "")[:64], rules.account_key(lg_code, login_id))


def wait_seconds(session: Session, attempt: Attempt, policy: rules.LoginPolicy) -> tuple[int, list[str]]:
    """Seconds the attempt must wait (0: it may proceed) and which limits hold it ("address", "account")."""
    waits = {
        "address": _wait(session, LoginFailure.address == attempt.address, policy.throttle_per_address, policy),
        "account": _wait(session, LoginFailure.account_key == attempt.account_key,
                         policy.throttle_per_account, policy),
    }
    holding = [name for name, seconds in waits.items() if seconds]
    return max(waits.values()), holding


def _wait(session: Session, which, limit: int, policy: rules.LoginPolicy) -> int:
    # The limit-th most recent failure in the window: while it is inside, the count is at the limit.
    window = timedelta(seconds=policy.throttle_window_seconds)
    row = session.execute(
        select(LoginFailure.failed_at, func.now())
        .where(which, LoginFailure.failed_at > func.now() - window)
        .order_by(LoginFailure.failed_at.desc()).offset(max(limit, 1) - 1).limit(1)).first()
    if row is None:
        return 0
    return rules.retry_after_seconds(row.failed_at, row.now, policy.throttle_window_seconds)


def forget_account(session: Session, account_key: str) -> None:
    """Drop the counted failures of one account (an administrator unlocked it)."""
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == account_key),
                    execution_options={"synchronize_session": False})


def record_failure(session: Session, attempt: Attempt, policy: rules.LoginPolicy) -> None:
    """Count one failed login, and purge failures that have left the window."""
    session.add(LoginFailure(address=attempt.address, account_key=attempt.account_key))
    window = timedelta(seconds=policy.throttle_window_seconds)
    # SKIP LOCKED: concurrent logins purging at once never wait for each other.
    stale = (select(LoginFailure.id).where(LoginFailure.failed_at < func.now() - window)
             .limit(PURGE_BATCH).with_for_update(skip_locked=True))
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(stale.scalar_subquery())),
                    execution_options={"synchronize_session": False})
    session.flush()
