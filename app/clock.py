"""Time in BCL: every moment carries its time zone, and "today" is the date in Japan.

A naive datetime would be read in the server's zone (UTC on most servers, nine hours off the
Japanese day), so the rules that take a time refuse one (``require_aware``) instead of guessing,
and code that needs a date asks for Japan's: ``japan_date(moment)`` for a moment it has,
``today_in_japan()`` for now, never ``date.today()`` or ``moment.date()``.
"""
from __future__ import annotations

from datetime import date, datetime

from certificate_engine.wareki import JST


def require_aware(moment: datetime, name: str) -> datetime:
    """``moment`` unchanged when it carries a UTC offset; a naive datetime raises ValueError naming
    the argument ``name`` (and anything but a datetime raises TypeError)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a timezone-aware datetime, not {type(moment).__name__}")
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (e.g. +09:00), not the naive "
                         f"{moment.isoformat()}: it would be read in the server's time zone")
    return moment


def japan_date(moment: datetime) -> date:
    """The date in Japan (JST) of ``moment``, a timezone-aware datetime (a naive one is refused)."""
    return require_aware(moment, "moment").astimezone(JST).date()


def today_in_japan() -> date:
    """Today's date in Japan (JST), whatever the server's time zone."""
    return japan_date(datetime.now(JST))
