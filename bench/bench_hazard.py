"""Hazard join benchmark: assign 1,000,000 residents to 10,000 hazard polygons.

A town of its own (lg_code 131016) gets 1M resident points and a 100 × 100 grid of octagonal flood
zones (classes 1–6) over the same extent, generated deterministically and loaded with COPY; the
polygons go in through the import service's ``replace_layer``. Timed: the service function that
records every resident's class (``gis.analysis.assign_resident_hazards`` into ``resident_hazards``,
run in the tenant's scope under row-level security). Anchor: the raw spatial join alone
(``count(*)`` of point-in-polygon pairs driven from the polygons as the service's database
function does, without row-level security, nothing written), in the same run.
"""
from __future__ import annotations

import math
import os
import time

import numpy as np
import psycopg
from sqlalchemy import text

from bench.harness import Anchor, Result

LG_CODE = "131016"
RESIDENTS = int(os.environ.get("BENCH_HAZARD_RESIDENTS", 1_000_000))
GRID = 100  # GRID × GRID polygons
WEST, SOUTH, SIZE = 139.60, 35.60, 0.20  # degrees: about 18 km × 22 km


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _load_town(url: str) -> None:
    rng = np.random.default_rng(7)
    lon = WEST + rng.random(RESIDENTS) * SIZE
    lat = SOUTH + rng.random(RESIDENTS) * SIZE
    with psycopg.connect(_dsn(url)) as conn:
        conn.execute("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon,"
                     " version) VALUES (%s, '浸水市', '', '市', %s, %s, %s, 1) ON CONFLICT DO NOTHING",
                     (LG_CODE, RESIDENTS, SOUTH + SIZE / 2, WEST + SIZE / 2))
        columns = ("lg_code, atena_no, household_no, name, name_kana, birth_date, sex, is_household_head, address, "
                   "status, is_protected, geom")
        with conn.cursor().copy(f"COPY residents ({columns}) FROM STDIN") as copy:
            for i in range(RESIDENTS):
                copy.write_row((LG_CODE, f"{i + 1:015d}", f"{i // 3 + 1:015d}", "浸水 太郎", "シンスイ タロウ",
                                "1960-04-01", "1", i % 3 == 0, "浸水市1-1", "住登内", False,
                                f"SRID=4326;POINT({lon[i]:.7f} {lat[i]:.7f})"))
        conn.execute("ANALYZE residents")


def _octagons() -> list[tuple[str, str, str]]:
    """GRID² octagons, each 90 % of its cell, classes 1–6 in a fixed pattern (hex EWKT is enough)."""
    cell = SIZE / GRID
    radius = cell * 0.45
    rows = []
    for i in range(GRID):
        for j in range(GRID):
            cx, cy = WEST + (i + 0.5) * cell, SOUTH + (j + 0.5) * cell
            ring = [(cx + radius * math.cos(k * math.pi / 4), cy + radius * math.sin(k * math.pi / 4))
                    for k in range(8)]
            wkt = ", ".join(f"{x:.7f} {y:.7f}" for x, y in [*ring, ring[0]])
            rows.append((str((i * 7 + j * 3) % 6 + 1), f"区域{i}-{j}", f"SRID=4326;MULTIPOLYGON((({wkt})))"))
    return rows


def run(url: str) -> list[Result]:
    from app import create_app
    from app.config import Config
    from app.db import SYSTEM, Scope
    from app.extensions import db
    from app.maps.layer_services import replace_layer
    from gis.analysis import assign_resident_hazards
    from layers.catalogue import CATALOGUE_BY_CODE

    started = time.perf_counter()
    _load_town(url)
    print(f"   {RESIDENTS:,} residents loaded in {time.perf_counter() - started:.1f} s")
    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    severity = tuple(c.code for c in CATALOGUE_BY_CODE["flood"].classes)
    with app.app_context():
        with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
            started = time.perf_counter()
            replace_layer(session, LG_CODE, "flood", _octagons())
            print(f"   {GRID * GRID:,} polygons replaced in {time.perf_counter() - started:.2f} s")
        with db.unit_of_work(SYSTEM) as session:
            session.execute(text("ANALYZE hazard_areas"))
        with db.unit_of_work(SYSTEM) as session:
            started = time.perf_counter()
            pairs = session.execute(text("""
                SELECT count(*) FROM hazard_areas h
                CROSS JOIN LATERAL (SELECT r.id FROM residents r
                                    WHERE r.lg_code = h.lg_code AND ST_Intersects(h.geom, r.geom) OFFSET 0) r
                WHERE h.lg_code = :lg AND h.layer_code = 'flood'"""), {"lg": LG_CODE}).scalar_one()
            anchor = time.perf_counter() - started
        with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
            started = time.perf_counter()
            assigned = assign_resident_hazards(session, "flood", severity)
            elapsed = time.perf_counter() - started
            by_class = dict(session.execute(text("SELECT class_code, count(*) FROM resident_hazards "
                                                 "GROUP BY 1 ORDER BY 1")).all())
    if assigned != pairs:  # the octagons do not overlap, so each pair is one resident
        raise RuntimeError(f"assigned {assigned} residents but the raw join found {pairs} pairs")
    print(f"   assigned {assigned:,} of {RESIDENTS:,} residents in {elapsed:.2f} s (raw join {anchor:.2f} s); "
          f"per class {by_class}")
    return [Result(f"map.hazard_join_{RESIDENTS // 1_000_000 or RESIDENTS}{'m' if RESIDENTS >= 1_000_000 else ''}"
                   ".seconds", elapsed, "s", 10.0,
                   Anchor("postgres.raw_point_in_polygon_join.seconds", anchor, "s"),
                   notes=f"{RESIDENTS:,} resident points, {GRID * GRID:,} octagonal zones; resident_hazards written "
                         "under row-level security, most severe class per resident")]
