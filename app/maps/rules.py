"""Pure rules of the map: how often viewing a layer of people's locations is written to the audit log."""
from __future__ import annotations

from app.evac_support.rules import DEAD, EVACUATED, NEEDS_RESCUE, NOT_AT_HOME, OTHER, SAFE, UNCONFIRMED

# A map view fetches tens of tiles and every pan fetches more; the audit log gets one entry per
# user, personal layer and window (the first tile of the window), not one per tile.
AUDIT_WINDOW_SECONDS = 600

# A counted cell of 要支援者 at low zoom takes the most urgent 安否確認 state of its people, in this
# order: someone needing rescue first, then anyone not yet confirmed, and "all safe" only when all are.
CELL_STATE_PRIORITY = (NEEDS_RESCUE, UNCONFIRMED, NOT_AT_HOME, OTHER, DEAD, EVACUATED, SAFE)


def audit_due(last_recorded: float | None, now: float, window: int = AUDIT_WINDOW_SECONDS) -> bool:
    """Whether a view of a personal layer must be recorded again (never recorded, or the window passed)."""
    return last_recorded is None or now - last_recorded >= window


def print_view(args) -> tuple[float, float, int] | None:
    """(lat, lon, zoom) of the view to print from query arguments, or None (the whole area)."""
    try:
        lat, lon, zoom = float(args.get("lat", "")), float(args.get("lon", "")), int(args.get("zoom", ""))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 20):
        return None
    return lat, lon, zoom


# 空間分析 runs as a job; its result is kept for the user who ran it for this long, then purged.
ANALYSIS_RESULT_HOURS = 24

# The job's steps: (kind, label on the screen, the progress percent at which the step starts).
ANALYSIS_STEPS = (("residents", "住民", 5), ("evac_people", "要支援者", 60), ("buildings", "建物", 75),
                  ("shelters", "避難所", 90))


def analysis_step(progress: int, status: str) -> int:
    """How many of ``ANALYSIS_STEPS`` are finished at ``progress`` percent (all of them once done)."""
    if status == "done":
        return len(ANALYSIS_STEPS)
    return sum(1 for _, _, start in ANALYSIS_STEPS[1:] if progress >= start)
