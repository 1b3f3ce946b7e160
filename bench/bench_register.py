"""避難行動要支援者 at 1,000,000 residents (the town of bench_link, loaded
here when the benchmark runs alone): the register re-extraction
that follows each link batch (a job of its own), an organisation's roster selection, and the
安否確認 screens (progress per 町丁目, the tablet list, the map's vector tiles and the small layer of
people under 支援措置) over the whole register.

The bench link loads no address points, so its residents have no position: inside the benchmark's
transaction (rolled back at the end) the people on the register get homes spread over the town,
and a ~550 m square grid stands in for the 町丁目 (about the size of real ones)."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from bench.bench_link import ensure_town
from bench.harness import Anchor, Result

LG_CODE = "012033"
CRITERIA = {"age_min": 65}
CENTRE = (141.0, 43.19)  # lon, lat: the middle of the homes _place_homes spreads


def run(url: str) -> list[Result]:
    from app import create_app
    from app.audit.services import Actor
    from app.config import Config
    from app.db import Scope
    from app.disasters.models import Disaster
    from app.evac_support import organisations, safety, services, updates
    from app.extensions import db
    from app.maps.tiles import TILE_LAYERS
    from gis.tiles import lonlat_to_tile, render_tile

    ensure_town(url)
    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    actor = Actor.system(LG_CODE, "bench")
    timings, sizes = {}, {}
    source = TILE_LAYERS["evac_people"].source
    with app.app_context(), db.unit_of_work(Scope.tenant(LG_CODE)) as session:
        services.save_criteria(session, actor, CRITERIA)
        started = time.perf_counter()
        session.scalar(text("SELECT count(*) FROM residents WHERE status = '住登内' "
                            "AND birth_date <= current_date - interval '65 years'"))
        timings["anchor"] = time.perf_counter() - started
        timings["first"], first = _timed(lambda: services.refresh_register(session, actor))
        timings["hook"], _ = _timed(lambda: updates.register_in_use(session, LG_CODE))
        timings["again"], _ = _timed(lambda: updates.refresh_after_link(session, LG_CODE, None, None))
        _place_homes(session)
        codes = [c for c, _ in organisations.area_choices(session)][:20]
        timings["org"], ids = _timed(lambda: services.roster_selection(session, "災害時", True, codes))
        disaster = Disaster(lg_code=LG_CODE, name="ベンチ地震", kind="地震", started_on=_today(session))
        session.add(disaster)
        session.flush()
        people = session.scalars(text("SELECT id FROM evac_people ORDER BY id LIMIT 20000")).all()
        session.execute(text("INSERT INTO safety_checks (lg_code, disaster_id, person_id, state, checked_by) "
                             "SELECT :lg, :d, unnest(CAST(:ids AS int[])), '無事', 'bench'"),
                        {"lg": LG_CODE, "d": disaster.id, "ids": people})
        _analyze(session, "safety_checks")
        timings["progress"], rows = _timed(lambda: safety.progress(session, disaster.id))
        timings["list"], _ = _timed(lambda: safety.people(session, actor, disaster.id, kana="サ"))
        for z in (12, 15):  # the 安否 map's tiles at the town centre: the first zoom with every person, and a street
            renders = [_timed(lambda z=z: render_tile(session, source, z, *lonlat_to_tile(*CENTRE, z),
                                                      {"disaster_id": disaster.id})) for _ in range(3)]
            timings[f"tile{z}"] = statistics.median(seconds for seconds, _ in renders)  # rendered, never cached
            sizes[f"tile{z}_kb"] = len(renders[0][1]) / 1e3
        timings["protected"], geojson = _timed(lambda: safety.protected_geojson(session, actor, disaster.id))
        sizes |= {"register": first["added"], "areas": len(rows) - 1, "org": len(ids),
                  "protected": geojson.count('"Feature"')}
        session.rollback()  # all in one transaction, undone: bench_roster extracts the register itself
    print(f"   register {sizes['register']:,} people in {sizes['areas']} grid areas; org roster {sizes['org']:,}; "
          f"map tiles z12 {sizes['tile12_kb']:.0f} KB, z15 {sizes['tile15_kb']:.0f} KB; "
          f"{sizes['protected']} people under 支援措置")
    count_anchor = Anchor("postgres.count_selection_1m.seconds", timings["anchor"], "s")
    register = Anchor("evac.register_first_extraction_1m.seconds", timings["first"], "s")
    return [
        Result("evac.link_follow_up_check.seconds", timings["hook"], "s", 0.05, count_anchor,
               notes="what an applied link batch pays for the register: one EXISTS (plus one job row when kept)"),
        Result("evac.register_first_extraction_1m.seconds", timings["first"], "s", 30.0, count_anchor,
               notes=f"{sizes['register']:,} people (age ≥ 65) added, with the update report"),
        Result("evac.register_refresh_after_link_1m.seconds", timings["again"], "s", 15.0, register,
               notes="the follow-up job after a link batch: re-extraction with nothing changed"),
        Result("evac.org_roster_selection_1m.seconds", timings["org"], "s", 5.0, register,
               notes=f"20 町丁目 of the grid, 災害時: {sizes['org']:,} people"),
        Result("safety.progress_1m.seconds", timings["progress"], "s", 10.0, register,
               notes="counts by state per 町丁目 over the whole register (latest of 20,000 reports)"),
        Result("safety.tablet_list_1m.seconds", timings["list"], "s", 2.0, register,
               notes="the tablet screen: kana prefix サ, first 200 people with their state"),
        Result("safety.map_tile_z12_1m.seconds", timings["tile12"], "s", 1.0, register,
               notes=f"the 安否 map's densest view: the z12 tile at the town centre, every person with the "
                     f"latest state ({sizes['tile12_kb']:.0f} KB; median of 3 renders, the tile cache bypassed)"),
        Result("safety.map_tile_z15_1m.seconds", timings["tile15"], "s", 0.1, register,
               notes=f"the 安否 map at street level: a z15 tile at the town centre ({sizes['tile15_kb']:.0f} KB; "
                     "median of 3 renders)"),
        Result("safety.map_protected_layer_1m.seconds", timings["protected"], "s", 2.0, register,
               notes=f"the staff layer of the {sizes['protected']} register people under 支援措置 (never in tiles)"),
    ]


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _today(session):
    return session.scalar(text("SELECT current_date"))


def _place_homes(session) -> None:
    """Homes for the register people over about 23 × 18 km around the town centre, then the grid
    areas (as the system: staff may not edit residents or 町丁目)."""
    from app.db import SYSTEM, Scope, set_scope

    set_scope(session, SYSTEM)
    session.execute(text("""
        UPDATE residents r SET geom = ST_SetSRID(ST_MakePoint(141.0 + (hashtext(r.atena_no) % 1000) / 7000.0,
                                                             43.19 + (hashtext(r.atena_no || 'y') % 1000) / 12000.0),
                                                 4326)
        FROM evac_people p WHERE p.resident_id = r.id"""))
    session.execute(text("""
        INSERT INTO admin_areas (lg_code, code, name, geom)
        SELECT :lg, lpad(row_number() OVER (ORDER BY g.i, g.j)::text, 4, '0'),
               '区画' || row_number() OVER (ORDER BY g.i, g.j), ST_Multi(g.geom)
        FROM ST_SquareGrid(0.005, (SELECT ST_SetSRID(ST_Extent(geom), 4326) FROM residents)) g
        WHERE EXISTS (SELECT 1 FROM residents r WHERE r.geom && g.geom)"""), {"lg": LG_CODE})
    set_scope(session, Scope.tenant(LG_CODE))
    _analyze(session, "residents", "admin_areas", "evac_people")


def _analyze(session, *tables: str) -> None:
    """Fresh planner statistics for ``tables``, as autovacuum gives them soon after a bulk write (only
    the owner may ANALYZE, so as the system)."""
    from app.db import SYSTEM, Scope, set_scope

    set_scope(session, SYSTEM)
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
    set_scope(session, Scope.tenant(LG_CODE))
