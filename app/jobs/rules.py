"""Pure rules of the job queue: how long a failed job waits before its next attempt, and the key
that keeps jobs of one municipality in sequence, and the reason an administrator gives for stopping
a job."""
from __future__ import annotations

from app.errors import ValidationError

RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600
MAX_REASON = 200


def retry_delay_seconds(failed_attempts: int) -> int:
    """Seconds before the next attempt after ``failed_attempts`` failures (1, 2, …): 5 s, doubled
    after each failure, never more than 10 minutes. A database that went away gets time to come back
    without every worker hammering it."""
    if failed_attempts < 1:
        raise ValueError(f"failed_attempts must be at least 1, not {failed_attempts}")
    return min(RETRY_BASE_SECONDS * 2 ** min(failed_attempts - 1, 16), RETRY_MAX_SECONDS)


def lock_key(group: str | None, lg_code: str | None) -> str | None:
    """The lock a job of ``group`` holds while it runs: one per municipality (``group:lg_code``), or
    one for the whole system when the job has no municipality. No group, no lock."""
    if not group:
        return None
    return f"{group}:{lg_code or '*'}"


def checked_reason(reason: str | None, asked_for: str) -> str:
    """The reason an administrator gave for stopping a job or its batch, stripped: refused
    (``ValidationError``) when empty (「{asked_for}理由を入力してください。」), longer than MAX_REASON
    or holding a control character (it goes into the audit log and the batch's findings)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"{asked_for}理由を入力してください。", code="reason_required")
    if len(reason) > MAX_REASON or any(ord(c) < 0x20 or ord(c) == 0x7F for c in reason):
        raise ValidationError(f"理由は{MAX_REASON}文字以内で入力してください（制御文字は使えません）。",
                              code="reason_invalid")
    return reason


def last_line(text: str | None, width: int = 200) -> str:
    """The last non-empty line of a job's error (a traceback ends with the exception), at most
    ``width`` characters; empty when there is none."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:width] if lines else ""
