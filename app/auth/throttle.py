"""Login throttling over the shared throttle (app/throttle.py): failed logins counted per client
address (``login-addr:<address>``) and per account (``login-acct:<rules.account_key>``), over the
login policy's window and limits. Only failures count; a throttled attempt is not tried, so it
neither costs an Argon2 verification nor extends the wait.

Concurrent attempts each read the count before their own failure is written, so a burst can pass
the limit by at most the number of requests served at that moment (workers × threads).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app import throttle
from app.auth import rules

ADDRESS, ACCOUNT = "login-addr:", "login-acct:"


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
    window = timedelta(seconds=policy.throttle_window_seconds)
    waits = {
        "address": throttle.wait(session, ADDRESS + attempt.address,
                                 throttle.Limit(policy.throttle_per_address, window)),
        "account": throttle.wait(session, ACCOUNT + attempt.account_key,
                                 throttle.Limit(policy.throttle_per_account, window)),
    }
    holding = [name for name, seconds in waits.items() if seconds]
    return max(waits.values()), holding


def forget_account(session: Session, account_key: str) -> None:
    """Drop the counted failures of one account (an administrator unlocked it)."""
    throttle.forget(session, ACCOUNT + account_key)


def record_failure(session: Session, attempt: Attempt, policy: rules.LoginPolicy) -> None:
    """Count one failed login against its address and its account, and purge failures that have
    left the window."""
    throttle.add(session, ADDRESS + attempt.address)
    throttle.add(session, ACCOUNT + attempt.account_key)
    throttle.purge(session, "login-", timedelta(seconds=policy.throttle_window_seconds))
