"""The main screen: what the menu shows and the health of the service."""
from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import rules


def menu_groups(can_use, url_for_screen) -> list[tuple[str, list[dict]]]:
    """Screens grouped as on the main menu, each with its URL and whether the user may use it."""
    groups: dict[str, list[dict]] = {}
    for screen in rules.SCREENS:
        groups.setdefault(screen.group, []).append({
            "code": screen.code, "name": screen.name, "description": screen.description,
            "url": url_for_screen(screen.code), "allowed": can_use(screen.code),
        })
    return list(groups.items())


def database_health(session: Session) -> dict:
    """Round-trip time and PostGIS version; raises if the database cannot be reached."""
    started = time.perf_counter()
    version = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return {"status": "ok", "postgis": version, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
