"""Domain errors raised by services and the one place that turns them into responses.

Services raise these; they never call ``abort``. HTML requests get a Japanese page, API requests
(paths under /api/, /ogc/ or ``Accept: application/json``) get an RFC 9457 problem document.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class DomainError(Exception):
    """Base class: ``message`` is shown to the user (Japanese), ``code`` is stable for APIs.
    ``after_rollback``, when a service sets it (``keeping``), records what must outlive the refused
    work (an audit entry of the refusal, a failure counted): the request's refusal (``app.web.refuse``,
    which the error handler calls for an uncaught error) calls it with the session after the rollback,
    and the request commits what it wrote."""

    status = 400
    code = "bad_request"
    title = "入力内容に誤りがあります"
    after_rollback: Callable[[Any], None] | None = None

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def headers(self) -> dict[str, str]:
        """HTTP headers every answer to this error carries, page or problem document alike."""
        return {}

    def keeping(self, write: Callable[[Any], None]) -> DomainError:
        """This error, with ``write`` (given the session) to run once the refused work is rolled back,
        after whatever was to run before."""
        earlier = self.after_rollback

        def after(session) -> None:
            if earlier is not None:
                earlier(session)
            write(session)

        self.after_rollback = after
        return self


class ValidationError(DomainError):
    status = 422
    code = "validation_error"
    title = "入力内容に誤りがあります"


class AuthenticationError(DomainError):
    status = 401
    code = "authentication_failed"
    title = "認証に失敗しました"


class TooManyRequests(DomainError):
    """Too many attempts in a short time (a throttle, app/throttle.py): try again after ``retry_after``
    seconds, which the answer says as Retry-After (and an API's problem document as
    ``details.retry_after``)."""

    status = 429
    code = "too_many_requests"
    title = "しばらくしてからお試しください"

    def __init__(self, message: str, *, retry_after: int, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.details = {**self.details, "retry_after": retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = "この画面を利用する権限がありません"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "対象が見つかりません"

    def __init__(self, message: str, *, target_type: str | None = None, target_id: Any = None, **kw):
        super().__init__(message, **kw)
        self.target_type = target_type
        self.target_id = target_id


class Conflict(DomainError):
    """Optimistic-lock conflict: ``current`` carries the other person's saved values."""

    status = 409
    code = "conflict"
    title = "他の利用者が先に更新しました"

    def __init__(self, message: str, *, current: dict[str, Any] | None = None, **kw):
        super().__init__(message, **kw)
        self.current = current or {}


def require_version(stored: int, submitted: int, message: str, current: dict[str, Any]) -> None:
    """Optimistic locking: refuse a form filled in on an older version of a record. ``current``
    shows the other person's saved values next to the user's own input."""
    if stored != submitted:
        raise Conflict(message, current=current)


class InvalidInput(DomainError):
    """A request the application cannot use as sent (a character the database cannot store, a record
    number no column can hold): 400, with the field named in ``details``."""

    status = 400
    code = "invalid_input"
    title = "入力内容を受け付けられません"
