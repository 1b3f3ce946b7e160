"""The shelters' situation in a disaster at a glance: how many people are where, by day and by night,
who needs particular care, and what the toilet and space guidelines ask for those numbers."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.shelters import rules

_DASHBOARD_SQL = """
    SELECT o.id, s.name, s.kind, o.status, o.created_at, s.capacity, s.toilets, s.floor_area_m2,
           count(e.id) FILTER (WHERE e.kind = :in_shelter) AS inside,
           count(e.id) FILTER (WHERE e.kind = :at_home) AS at_home,
           count(e.id) FILTER (WHERE e.kind = :in_car) AS in_car,
           count(e.id) FILTER (WHERE e.kind = :in_shelter AND e.stay = :whole_day) AS whole_day,
           count(e.id) FILTER (WHERE e.kind = :in_shelter AND e.stay = :day_only) AS day_only,
           count(e.id) FILTER (WHERE e.kind = :in_shelter AND e.stay = :night_only) AS night_only,
           count(e.id) FILTER (WHERE cardinality(e.needs) > 0) AS with_needs,
           count(e.id) FILTER (WHERE ep.id IS NOT NULL) AS registered
    FROM shelter_openings o
    JOIN shelters s ON s.id = o.shelter_id
    LEFT JOIN evacuees e ON e.opening_id = o.id AND e.checked_out_at IS NULL
    LEFT JOIN evac_people ep ON ep.resident_id = e.resident_id AND ep.removed_at IS NULL
    WHERE o.disaster_id = :disaster_id
    GROUP BY o.id, s.id
    ORDER BY (o.status = :closed), s.code"""
_DASHBOARD_VALUES = {"in_shelter": rules.IN_SHELTER, "at_home": rules.AT_HOME, "in_car": rules.IN_CAR,
                     "whole_day": rules.WHOLE_DAY, "day_only": rules.DAY_ONLY, "night_only": rules.NIGHT_ONLY,
                     "closed": rules.CLOSED}


@dataclass(frozen=True)
class ShelterSituation:
    """One opened shelter of the disaster, with its people counted as they are now."""

    opening_id: int
    name: str
    kind: str
    status: str
    days_open: int
    capacity: int
    inside: int  # staying in the shelter itself
    at_home: int  # 在宅避難, registered at this shelter for supplies and information
    in_car: int
    day: int
    night: int
    with_needs: int  # evacuees with needs recorded (the needs themselves are for the shelter's staff)
    registered: int  # people on the 避難行動要支援者名簿
    guidance: rules.Guidance

    @property
    def percent(self) -> int:
        return round(100 * self.inside / self.capacity) if self.capacity else 0


def situation(session: Session, actor: Actor, disaster_id: int, now: datetime | None = None,
              prolonged_after_days: int = rules.PROLONGED_AFTER_DAYS) -> list[ShelterSituation]:
    """Every shelter opened for the disaster (closed ones last), counted now; the view is audited."""
    now = now or datetime.now(UTC)
    rows = session.execute(text(_DASHBOARD_SQL), {"disaster_id": disaster_id, **_DASHBOARD_VALUES}).all()
    found = [_situation(row, now, prolonged_after_days) for row in rows]
    record(session, actor, "shelter_dashboard", "disaster", [disaster_id], shelters=len(found))
    return found


def _situation(row, now: datetime, prolonged_after_days: int) -> ShelterSituation:
    (opening_id, name, kind, status, opened_at, capacity, toilets, floor_area, inside, at_home, in_car,
     whole_day, day_only, night_only, with_needs, registered) = row
    day, night = rules.day_and_night({rules.WHOLE_DAY: whole_day, rules.DAY_ONLY: day_only,
                                      rules.NIGHT_ONLY: night_only})
    days_open = max(0, (now - opened_at).days)
    guide = rules.guidance(max(day, night), toilets, float(floor_area) if floor_area else None, days_open,
                           prolonged_after_days)
    return ShelterSituation(opening_id, name, kind, status, days_open, capacity, inside, at_home, in_car, day,
                            night, with_needs, registered, guide)


def totals(rows: list[ShelterSituation]) -> dict[str, int]:
    """Sums over the shelters for the summary line."""
    keys = ("capacity", "inside", "at_home", "in_car", "day", "night", "with_needs", "registered")
    summed = {key: sum(getattr(r, key) for r in rows) for key in keys}
    summed["open"] = sum(1 for r in rows if r.status != rules.CLOSED)
    summed["toilets_short"] = sum(r.guidance.toilets_short for r in rows)
    return summed


EXPORT_HEADER = ["避難所", "種別", "状態", "開設日数", "想定収容人数", "避難所内", "収容率(%)", "在宅避難", "車中泊",
                 "昼間", "夜間", "配慮が必要な方", "避難行動要支援者", "必要なトイレ", "トイレ", "1人あたり面積(m2)"]


def export_rows(rows: list[ShelterSituation]) -> Iterator[list]:
    """The situation as rows of the report (EXPORT_HEADER)."""
    for r in rows:
        g = r.guidance
        yield [r.name, r.kind, r.status, r.days_open, r.capacity, r.inside, r.percent, r.at_home, r.in_car, r.day,
               r.night, r.with_needs, r.registered, g.toilets_needed, g.toilets_available,
               "" if g.space_per_person_m2 is None else g.space_per_person_m2]
