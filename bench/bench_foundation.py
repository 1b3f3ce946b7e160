"""Foundation benchmarks: fixture generation and loading, and the main screens over HTTP."""
from __future__ import annotations

import re

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.harness import Anchor, Result, latencies_ms, p95, seconds
from fixtures import demo
from fixtures.town import DEMO_TOWN, generate_town


def run(url: str) -> list[Result]:
    results = [_generate_1m(), _load_100k(url)]
    results.extend(_http(url))
    return results


def _generate_1m() -> Result:
    town = generate_town(DEMO_TOWN, residents=1_000_000, seed=1)
    value = seconds(lambda: sum(1 for _ in town.iter_residents()))
    # Anchor: the bare cost of producing a million 14-field tuples in this interpreter.
    anchor = seconds(lambda: sum(1 for i in range(1_000_000) for _ in [(i, i, "a", "b", None, "1", "", True, "x",
                                                                         "", "", "住登内", False, "g")]))
    return Result("fixtures.generate_1m.seconds", value, "s", 15.0,
                  Anchor("python.tuple_loop_1m.seconds", anchor, "s"))


def _load_100k(url: str) -> Result:
    town = generate_town(DEMO_TOWN, residents=100_000, seed=1)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            from app.db import SYSTEM, set_scope

            set_scope(session, SYSTEM)
            demo.ensure_operator(session)
            value = seconds(lambda: demo.load_town(session, town))
            session.commit()
    finally:
        engine.dispose()
    anchor = _raw_copy(url, town)
    return Result("fixtures.load_100k.seconds", value, "s", 20.0, Anchor("raw_copy_100k.seconds", anchor, "s"),
                  notes="generation + COPY of 100k residents, their buildings, areas and shelters")


def _raw_copy(url: str, town) -> float:
    """COPY the same resident and building rows, already in memory, into bare tables."""
    residents, buildings = list(town.iter_residents()), list(town.iter_buildings())
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE r AS SELECT * FROM residents WITH NO DATA")
        conn.execute("CREATE TEMP TABLE b AS SELECT * FROM buildings WITH NO DATA")

        def copy():
            with conn.cursor() as cur:
                with cur.copy(f"COPY r (lg_code, {', '.join(demo.RESIDENT_COLUMNS)}) FROM STDIN") as cp:
                    for row in residents:
                        cp.write_row((DEMO_TOWN.lg_code, *row))
                with cur.copy(f"COPY b (lg_code, {', '.join(demo.BUILDING_COLUMNS)}) FROM STDIN") as cp:
                    for row in buildings:
                        cp.write_row((DEMO_TOWN.lg_code, *row))
        return seconds(copy)


def _http(url: str) -> list[Result]:
    from app import create_app
    from app.config import TestConfig

    config = TestConfig()
    config.DATABASE_URL = url
    config.TESTING = False
    app = create_app(config)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "lg_code": DEMO_TOWN.lg_code, "login_id": "admin",
                                           "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, "bench login failed"
    health = p95(latencies_ms(lambda: client.get("/healthz"), 300))
    anchor = Anchor("http.healthz.p95_ms", health, "ms")
    menu = p95(latencies_ms(lambda: client.get("/"), 300))
    shelters = p95(latencies_ms(lambda: client.get("/map/layers/shelters.geojson"), 100))
    return [Result("http.main_menu.p95_ms", menu, "ms", 100.0, anchor),
            Result("http.map_shelters_layer.p95_ms", shelters, "ms", 100.0, anchor,
                   notes="GeoJSON of the shelters of a 100k-resident town")]
