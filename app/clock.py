"""The calendar of BCL: Japan's time zone, today's date in Japan and 和暦 dates. Framework-free.

Every moment carries its time zone, and "today" is the date in Japan. A naive datetime would be
read in the server's zone (UTC on most servers, nine hours off the Japanese day), so the rules
that take a time refuse one (``require_aware``) instead of guessing, and code that needs a date
asks for Japan's: ``japan_date(moment)`` for a moment it has, ``today_in_japan()`` for now, never
``date.today()`` or ``moment.date()``.

和暦 formatting and reading come from the certificate engine's ``wareki`` (framework-free, so the
engine and the app write the same era dates); the app imports them from here. The 国民の祝日 stay
with the office hours in ``app.certificates.statistics.holidays``, the only code that needs them.
"""
from __future__ import annotations

from datetime import date, datetime

from certificate_engine.wareki import JST, era_of, format_date, format_datetime, from_era

__all__ = ["JST", "era_of", "format_date", "format_datetime", "from_era", "japan_date", "require_aware",
           "today_in_japan"]


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
