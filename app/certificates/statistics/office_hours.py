"""Each municipality's counter office hours (開庁時間): the statistics count the issues made outside
them (the seed's 「時間外」 share). A municipality that has set none has the standard hours
(``rules.DEFAULT_OFFICE_HOURS``: weekdays 8:30–17:15); 祝日 and 12/29–1/3 are always closed."""
from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates.models import OfficeHoursSetting
from app.certificates.statistics.rules import DEFAULT_OFFICE_HOURS, WEEKDAY_NAMES, OfficeHours
from app.errors import ValidationError, require_version

MAX_CLOSED_DAYS = 100


def as_rule(setting: OfficeHoursSetting | None) -> OfficeHours:
    """The pure rule of a stored setting (the standard hours when there is none)."""
    if setting is None:
        return DEFAULT_OFFICE_HOURS
    return OfficeHours(opens=setting.opens, closes=setting.closes, closed_weekdays=frozenset(setting.closed_weekdays),
                       extra_closed_days=frozenset(setting.closed_days))


def hours_of(session: Session, lg_code: str) -> OfficeHours:
    """The municipality's office hours."""
    return as_rule(session.get(OfficeHoursSetting, lg_code))


def hours_by_municipality(session: Session) -> dict[str, OfficeHours]:
    """The hours of every municipality that has set its own (those the session can read)."""
    return {setting.lg_code: as_rule(setting) for setting in session.scalars(select(OfficeHoursSetting))}


def save(session: Session, actor: Actor, *, version: int, opens: str, closes: str, closed_weekdays: list[str],
         closed_days: str) -> OfficeHoursSetting:
    """Set the actor's municipality's hours from the screen's fields: times ``HH:MM``, the closed
    weekdays (0 = 月 … 6 = 日) and the own 閉庁日 one per line (YYYY-MM-DD). Optimistic lock."""
    stored = session.get(OfficeHoursSetting, actor.lg_code)
    if stored is not None:
        require_version(stored.version, version, "開庁時間は他の職員が先に更新しました。内容を確認してください。",
                        {"開庁": stored.opens.strftime("%H:%M"), "閉庁": stored.closes.strftime("%H:%M")})
    opening, closing = _time(opens, "開庁時刻"), _time(closes, "閉庁時刻")
    if opening >= closing:
        raise ValidationError("閉庁時刻は開庁時刻より後にしてください。", code="hours_reversed")
    weekdays = sorted({_weekday(value) for value in closed_weekdays})
    if len(weekdays) == 7:
        raise ValidationError("開庁する曜日を1つ以上選んでください。", code="no_open_weekday")
    days = _days(closed_days)
    if stored is None:
        stored = OfficeHoursSetting(lg_code=actor.lg_code)
        session.add(stored)
    stored.opens, stored.closes, stored.closed_weekdays, stored.closed_days = opening, closing, weekdays, days
    session.flush()
    record(session, actor, "office_hours_update", "municipality", [actor.lg_code], opens=opens, closes=closes,
           closed_weekdays="".join(WEEKDAY_NAMES[d] for d in weekdays), closed_days=len(days))
    return stored


def _time(value: str, label: str) -> time:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", (value or "").strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise ValidationError(f"{label}は時:分（例 08:30）で入力してください。", code="time_invalid")
    return time(int(found[1]), int(found[2]))


def _weekday(value: str) -> int:
    if value not in {str(d) for d in range(7)}:
        raise ValidationError("閉庁する曜日の指定が正しくありません。", code="weekday_invalid")
    return int(value)


def _days(text_value: str) -> list[date]:
    days = set()
    for number, line in enumerate((text_value or "").splitlines(), 1):
        if not line.strip():
            continue
        try:
            days.add(date.fromisoformat(line.strip()))
        except ValueError as exc:
            raise ValidationError(f"閉庁日の {number} 行目「{line.strip()}」は 2026-12-28 の形で入力してください。",
                                  code="day_invalid") from exc
    if len(days) > MAX_CLOSED_DAYS:
        raise ValidationError(f"閉庁日は{MAX_CLOSED_DAYS}日までです。", code="too_many_days")
    return sorted(days)
