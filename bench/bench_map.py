"""Map benchmarks: vector tiles over a 1,000,000-point layer and the map page with 100,000 features.

- ``map.tile_z12.p95_ms``: every z12 tile covering a town of 1,000,000 residents (points spread
  over about 2°×1.7° around Tokyo, as in TOOLCHAIN §3, so ~1,700 points per z12 tile) fetched
  through the HTTP endpoint with Flask's test client, logged in, the shared tile cache (the
  UNLOGGED table map_tile_cache) emptied before each request, outside the timing: the time to
  render and store a tile, not to look it up. The same tile fetched again right after (a cache
  hit) is timed too and reported in the notes.
- ``map.tile_vs_raw.ratio``: the endpoint's total time over the same tiles ÷ the bare ST_AsMVT SQL
  (the same query under the same tenant policy, no Flask, no cache) on its own connection, before
  or after each request
  (alternating, since the second finds the tile's pages in shared buffers).
- ``map.page_100k.first_render_ms``: /map?layers=residents for a town of 100,000 residents in a
  real server, headless chromium: milliseconds from navigation start until the first tile of the
  residents layer is drawn on the canvas (VectorGrid's ``tileload`` with features), tile cache
  cleared before each load; the median of 5 loads.
"""
from __future__ import annotations

import random
import re
import statistics
import threading
import time
from datetime import date

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.harness import Anchor, Result, p95

BIG = "139998"  # fictional 1,000,000-resident town (check digit valid)
PAGE = "139980"  # fictional 100,000-resident town for the page
PASSWORD = "bench-map-2026"
BIG_BOX = (139.0, 35.0, 141.0, 36.7)
PAGE_BOX = (140.82, 38.22, 140.92, 38.30)  # apart from BIG_BOX: the raw SQL has no tenant filter


def run(url: str) -> list[Result]:
    from app import create_app
    from app.config import TestConfig

    config = TestConfig()
    config.DATABASE_URL, config.TESTING = url, False
    app = create_app(config)
    _load_town(url, BIG, "百万市", 1_000_000, BIG_BOX, seed=12)
    _load_town(url, PAGE, "十万市", 100_000, PAGE_BOX, seed=13)
    endpoint, raw, hits, tiles = _tiles(app, url)
    first_render = _page(app, url)
    return [
        Result("map.tile_z12.p95_ms", p95(endpoint), "ms", 50.0,
               Anchor("map.tile_z12.raw_st_asmvt.p95_ms", p95(raw), "ms"),
               notes=f"{tiles} z12 tiles over 1,000,000 residents (2°×1.7°), HTTP via Flask test client, "
                     "cache emptied before each tile (misses: render + store); median endpoint "
                     f"{statistics.median(endpoint):.1f} ms; the same tiles as cache hits: median "
                     f"{statistics.median(hits):.1f} ms, p95 {p95(hits):.1f} ms"),
        Result("map.tile_vs_raw.ratio", sum(endpoint) / sum(raw), "ratio", 1.5,
               Anchor("map.tile_z12.raw_st_asmvt.total_ms", sum(raw), "ms"),
               notes=f"endpoint total {sum(endpoint):.0f} ms ÷ raw ST_AsMVT total over the same {tiles} tiles"),
        Result("map.page_100k.first_render_ms", statistics.median(first_render), "ms", 2000.0,
               Anchor("map.page_100k.first_render_max_ms", max(first_render), "ms"),
               notes="navigation start → first residents tile drawn (VectorGrid tileload with features), "
                     "headless chromium 1024×768, real server, tile cache cleared; median of 5"),
    ]


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _load_town(url: str, lg_code: str, name: str, count: int, box, seed: int) -> None:
    """The municipality with its administrator, and ``count`` residents at points in ``box`` (COPY)."""
    from app.audit.services import Actor
    from app.db import SYSTEM
    from app.extensions import db
    from app.tenants.services import register_municipality

    west, south, east, north = box
    with db.unit_of_work(SYSTEM) as session:
        register_municipality(session, Actor.system(None), lg_code=lg_code, name=name, name_kana="ベンチ", kind="市",
                              population=count, center_lat=(south + north) / 2, center_lon=(west + east) / 2,
                              admin_login_id="mapadmin", admin_name="地図 担当", admin_password=PASSWORD)
        # One 町丁目 over the whole town, so the map opens on all of it.
        session.execute(text("""INSERT INTO admin_areas (lg_code, code, name, geom)
                                VALUES (:lg, '001', '全域', ST_Multi(ST_MakeEnvelope(:w, :s, :e, :n, 4326)))"""),
                        {"lg": lg_code, "w": west, "s": south, "e": east, "n": north})
    rnd = random.Random(seed)
    started = time.perf_counter()
    with psycopg.connect(_dsn(url)) as conn, conn.cursor() as cur:
        with cur.copy("COPY residents (lg_code, atena_no, household_no, name, name_kana, birth_date, sex, "
                      "is_household_head, address, status, is_protected, geom) FROM STDIN") as copy:
            for i in range(count):
                lon, lat = rnd.uniform(west, east), rnd.uniform(south, north)
                copy.write_row((lg_code, f"{i + 1:015d}", f"{i // 3 + 1:015d}", "地図 太郎", "チズ タロウ",
                                date(1940 + i % 80, 1 + i % 12, 1 + i % 28), "1" if i % 2 else "2", i % 3 == 0,
                                f"{name}{i // 1000}丁目{i % 1000}番", "住登内", rnd.random() < 0.0025,
                                f"SRID=4326;POINT({lon:.7f} {lat:.7f})"))
        cur.execute("ANALYZE residents")
    print(f"   {count:,} residents of {lg_code} loaded in {time.perf_counter() - started:.1f} s")


def _login(client, lg_code: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "lg_code": lg_code, "login_id": "mapadmin",
                                           "password": PASSWORD})
    assert response.status_code == 302, "bench login failed"


def _tiles(app, url: str) -> tuple[list[float], list[float], int]:
    """Per z12 tile: the endpoint's time (cache cleared) and the raw ST_AsMVT time."""
    from app.maps.tiles import TILE_LAYERS
    from gis.tiles import tile_query, tiles_covering

    source = TILE_LAYERS["residents"].source
    tiles = list(tiles_covering(BIG_BOX, 12))
    engine = create_engine(url)
    endpoint, raw, hits = [], [], []
    with app.app_context(), engine.connect() as conn, psycopg.connect(_dsn(url), autocommit=True) as cleaner:
        client = app.test_client()
        _login(client, BIG)
        # The same SQL under the same tenant policy as the endpoint: other benchmarks' towns share
        # the database (and the area), and the anchor must read the same rows.
        conn.execute(text("SELECT set_config('role', 'bcl_app', true), set_config('app.lg_code', :lg, true)"),
                     {"lg": BIG})

        def bare(z, x, y):
            sql, params = tile_query(source, z, x, y)
            return conn.execute(text(sql), params).scalar()

        for z, x, y in tiles:  # warm the buffers so both sides read from memory
            bare(z, x, y)
        def through_endpoint(z, x, y):
            response = client.get(f"/map/tiles/residents/{z}/{x}/{y}.pbf")
            assert response.status_code in (200, 204), response.status_code
            return response.get_data()

        for i, (z, x, y) in enumerate(tiles):
            _empty_tile_cache(cleaner)
            # Whichever runs second finds the tile's pages in shared buffers: alternate the order.
            order = (("endpoint", through_endpoint), ("raw", bare)) if i % 2 == 0 else \
                (("raw", bare), ("endpoint", through_endpoint))
            answers = {}
            for side, fetch in order:
                started = time.perf_counter()
                answers[side] = bytes(fetch(z, x, y) or b"")
                (endpoint if side == "endpoint" else raw).append((time.perf_counter() - started) * 1000)
            assert _ids(answers["raw"]) == _ids(answers["endpoint"]), "endpoint and raw SQL disagree"
            started = time.perf_counter()
            assert through_endpoint(z, x, y) == answers["endpoint"], "the cached tile differs"
            hits.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return endpoint, raw, hits, len(tiles)


def _empty_tile_cache(cleaner) -> None:
    """Empty the shared tile cache on a connection of its own (autocommit), outside any timing."""
    cleaner.execute("DELETE FROM map_tile_cache")


def _ids(tile: bytes) -> set:
    """The feature ids in a tile, read by the tests' independent MVT reader."""
    from tests.helpers.mvt_reader import decode

    return {f["properties"]["id"] for layer in decode(tile).values() for f in layer["features"]}


def _page(app, url: str) -> list[float]:
    """First render of /map with the residents layer on, in headless chromium against a real server."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    timings = []
    try:
        with sync_playwright() as playwright, psycopg.connect(_dsn(url), autocommit=True) as cleaner:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP").new_page()
            page.goto(base + "/login")
            page.fill("#lg_code", PAGE)
            page.fill("#login_id", "mapadmin")
            page.fill("#password", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_load_state("networkidle")
            for _ in range(6):
                _empty_tile_cache(cleaner)
                page.goto(base + "/map?layers=residents,admin_areas")
                page.wait_for_function("window.BCLMap && BCLMap.firstTileAt['residents']", timeout=60000)
                timings.append(page.evaluate("BCLMap.firstTileAt['residents']"))
            drawn = page.evaluate("BCLMap.drawn['residents']")
            browser.close()
    finally:
        server.shutdown()
    print(f"   page loads: {[round(t) for t in timings]} ms (first load warms the browser), "
          f"{drawn:,} residents drawn in the last view")
    return timings[1:]
