"""Maintenance days of the kiosk service (operator-wide): the service is closed on them."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kiosk.models import KioskMaintenanceDay


def set_day(session: Session, day: date, note: str, closed: bool = True) -> None:
    """Close the kiosk service on ``day`` (or reopen it)."""
    existing = session.get(KioskMaintenanceDay, day)
    if closed and existing is None:
        session.add(KioskMaintenanceDay(day=day, note=note[:100]))
    elif closed:
        existing.note = note[:100]
    elif existing is not None:
        session.delete(existing)
    session.flush()


def list_days(session: Session, since: date) -> list[KioskMaintenanceDay]:
    """The maintenance days from ``since`` on."""
    return list(session.scalars(select(KioskMaintenanceDay).where(KioskMaintenanceDay.day >= since)
                                .order_by(KioskMaintenanceDay.day)))
