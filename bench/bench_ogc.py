"""OGC API – Features benchmark: pages of the buildings layer (1,000 features, with the latest
survey grade) at the start and deep in the layer, and map-view bbox pages, through HTTP with a
personal token; anchored on the bare PostGIS query that writes the same features as GeoJSON."""
from __future__ import annotations

import random

import psycopg
from sqlalchemy import select, text

from bench.harness import Anchor, Result, latencies_ms, p95, seconds
from fixtures.town import DEMO_TOWN, generate_town

LG_CODE = DEMO_TOWN.lg_code  # bench_foundation loads this town with 100,000 residents
_RAW_PAGE = """SELECT json_build_object('type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom, 7)::json,
                      'properties', json_build_object('所在地', address))::text
               FROM buildings WHERE lg_code = %s AND geom IS NOT NULL {where} ORDER BY id LIMIT 1000 OFFSET %s"""


def run(url: str) -> list[Result]:
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db

    config = TestConfig()
    config.DATABASE_URL, config.TESTING = url, False
    app = create_app(config)
    with app.app_context():
        token, count, boxes = _arrange(db)
        client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
        last = max(0, (count - 1000) // 1000 * 1000)

        def page(offset):
            response = client.get(f"/ogc/collections/buildings/items?limit=1000&offset={offset}", headers=headers)
            assert response.status_code == 200
            return response
        assert page(last).get_json()["numberReturned"] > 0
        first = p95(latencies_ms(lambda: page(0), 30, warmup=3))
        deep = p95(latencies_ms(lambda: page(last), 30, warmup=3))
        cycle = iter(boxes * 20)
        bbox = p95(latencies_ms(lambda: client.get(f"/ogc/collections/buildings/items?limit=1000&bbox={next(cycle)}",
                                                   headers=headers), 100))
        download = seconds(lambda: client.get("/ogc/collections/buildings/download.gpkg", headers=headers).close())
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        raw_first = p95(latencies_ms(lambda: conn.execute(_RAW_PAGE.format(where=""), (LG_CODE, 0)).fetchall(), 30))
        raw_deep = p95(latencies_ms(lambda: conn.execute(_RAW_PAGE.format(where=""), (LG_CODE, last)).fetchall(), 30))
    notes = f"{count:,} buildings of the 100,000-resident town; limit=1000"
    return [
        Result("ogc.items_first_page.p95_ms", first, "ms", 300.0, Anchor("sql.geojson_page.p95_ms", raw_first, "ms"),
               notes=notes),
        Result("ogc.items_last_page.p95_ms", deep, "ms", 500.0, Anchor("sql.geojson_last_page.p95_ms", raw_deep, "ms"),
               notes=notes + f"; offset={last:,}"),
        Result("ogc.items_bbox.p95_ms", bbox, "ms", 150.0, Anchor("sql.geojson_page.p95_ms", raw_first, "ms"),
               notes="bbox of about 500 m × 500 m around random buildings (a zoomed-in QGIS view)"),
        Result("ogc.download_gpkg_buildings.seconds", download, "s", 20.0,
               Anchor("ogc.items_first_page.seconds", first / 1000, "s"), notes=f"{count:,} buildings to GeoPackage"),
    ]


def _arrange(db):
    """The town (loaded if bench_foundation has not), a token of its administrator, bbox samples."""
    from app.audit.services import Actor
    from app.auth.models import User
    from app.db import SYSTEM, Scope
    from app.ogc import tokens
    from fixtures import demo

    with db.unit_of_work(SYSTEM) as session:
        if not session.scalar(text("SELECT count(*) FROM municipalities WHERE lg_code = :c"), {"c": LG_CODE}):
            demo.ensure_operator(session)
            demo.load_town(session, generate_town(DEMO_TOWN, residents=100_000, seed=1))
    with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
        user = session.scalars(select(User).where(User.login_id == "admin")).one()
        _, token = tokens.create_token(session, Actor(LG_CODE, user.id, "admin"), "bench", 1)
        count = session.scalar(text("SELECT count(*) FROM buildings WHERE geom IS NOT NULL"))
        centres = session.execute(text("SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM buildings "
                                       "TABLESAMPLE SYSTEM (5) LIMIT 50")).all()
    rnd = random.Random(4)
    rnd.shuffle(centres)
    boxes = [f"{x - 0.003:.6f},{y - 0.0023:.6f},{x + 0.003:.6f},{y + 0.0023:.6f}" for x, y in centres]
    return token, count, boxes
