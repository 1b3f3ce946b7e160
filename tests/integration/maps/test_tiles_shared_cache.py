"""The vector-tile cache is shared by every worker: a tile rendered by one process is served by
another, a committed write makes both serve the fresh tile at once, the tenants' tiles stay apart
and no cached tile holds a person under 支援措置.

The second worker is a real second process with its own Flask app and connection pool; the data
is committed (no per-test rollback) and put back afterwards.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from app.db import SYSTEM, Scope
from app.extensions import db as database
from gis.tiles import lonlat_to_tile
from tests.helpers.demo import DEMO_CODE, PASSWORD, SECOND_CODE
from tests.helpers.mvt_reader import decode
from tests.helpers.paths import ROOT
from tests.helpers.web import new_browser

# A worker process: one Flask app of its own; reads one JSON command per line, answers one line.
WORKER = r"""
import hashlib, json, re, sys
from app import create_app
from app.config import TestConfig
from tests.helpers.mvt_reader import decode

config = TestConfig()
config.DATABASE_URL = sys.argv[1]
app = create_app(config)
client = None
for line in sys.stdin:
    command = json.loads(line)
    if "login" in command:
        client = app.test_client()  # a fresh browser
        page = client.get("/login").get_data(as_text=True)
        token = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
                 or re.search(r'id="csrf_token"[^>]*value="([^"]+)"', page)).group(1)
        lg_code, login_id, password = command["login"]
        status = client.post("/login", data={"csrf_token": token, "lg_code": lg_code, "login_id": login_id,
                                             "password": password}).status_code
        print(json.dumps({"status": status}), flush=True)
    else:
        response = client.get(command["get"])
        data = response.get_data()
        ids = sorted({f["properties"]["id"] for layer in decode(data).values() for f in layer["features"]}) \
            if response.status_code == 200 else []
        print(json.dumps({"status": response.status_code, "cache": response.headers.get("X-Tile-Cache"),
                          "sha": hashlib.sha256(data).hexdigest(), "ids": ids}), flush=True)
"""


class Worker:
    """The second worker process."""

    def __init__(self, database_url: str):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, database_url], cwd=ROOT, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the worker process ended"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def _fetch(browser, path: str) -> dict:
    response = browser.get(path)
    data = response.get_data()
    ids = sorted({f["properties"]["id"] for layer in decode(data).values() for f in layer["features"]}) \
        if response.status_code == 200 else []
    return {"status": response.status_code, "cache": response.headers.get("X-Tile-Cache"),
            "sha": hashlib.sha256(data).hexdigest(), "ids": ids}


def _system(sql: str, **params):
    with database.unit_of_work(SYSTEM) as session:
        result = session.execute(text(sql), params)
        return result.all() if result.returns_rows else None


@pytest.fixture()
def scene(app):
    """A z14 tile of the demo town's buildings layer and a building in it to move away.

    The buildings layer is used because viewing it is not audited: this test commits, and the
    audit log is append-only."""
    moved_id, lon, lat, geom = _system("""
        SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), ST_AsEWKT(geom) FROM buildings
        WHERE lg_code = :lg ORDER BY id LIMIT 1""", lg=DEMO_CODE)[0]
    z, x, y = 14, *lonlat_to_tile(lon, lat, 14)
    _system("DELETE FROM map_tile_cache")
    yield {"path": f"/map/tiles/buildings/{z}/{x}/{y}.pbf", "moved_id": moved_id}
    _system("UPDATE buildings SET geom = ST_GeomFromEWKT(:g) WHERE id = :id", g=geom, id=moved_id)
    _system("DELETE FROM map_tile_cache")


def test_two_workers_share_tiles_and_see_a_write_at_once(app, database_url, scene):
    path = scene["path"]
    first = new_browser(app)
    assert first.login(DEMO_CODE, "admin").status_code == 302
    worker = Worker(database_url)
    try:
        assert worker.ask(login=[DEMO_CODE, "admin", PASSWORD])["status"] == 302
        rendered = _fetch(first, path)
        assert rendered["status"] == 200 and rendered["cache"] == "miss"
        assert scene["moved_id"] in rendered["ids"]
        shared = worker.ask(get=path)
        assert shared["cache"] == "hit" and shared["sha"] == rendered["sha"]  # rendered once, by the first

        # A committed write bumps the layer's version: the next request of either worker is fresh.
        _system("UPDATE buildings SET geom = ST_Translate(geom, 0.5, 0) WHERE id = :id", id=scene["moved_id"])
        fresh = worker.ask(get=path)
        assert fresh["cache"] == "miss" and scene["moved_id"] not in fresh["ids"]
        again = _fetch(first, path)
        assert again["cache"] == "hit" and again["sha"] == fresh["sha"]
        # The miss pruned the tiles of the older version.
        versions = _system("SELECT DISTINCT version FROM map_tile_cache WHERE lg_code = :lg AND layer = 'buildings'",
                           lg=DEMO_CODE)
        assert len(versions) == 1

        # Another municipality asking for the same z/x/y gets its own tile, never the cached one.
        assert worker.ask(login=[SECOND_CODE, "admin", PASSWORD])["status"] == 302
        neighbour = worker.ask(get=path)
        assert neighbour["cache"] == "miss" and not set(neighbour["ids"]) & set(again["ids"])
    finally:
        worker.close()
    with database.unit_of_work(Scope.tenant(SECOND_CODE)) as session:  # row-level security on the cache
        assert session.scalar(text("SELECT count(*) FROM map_tile_cache WHERE lg_code = :lg"), {"lg": DEMO_CODE}) == 0


def test_no_cached_tile_holds_a_protected_person(as_admin, system_session):
    """Tiles of the people layers at every zoom, rendered and cached: none holds a protected person
    (the tile's content is the same for every role allowed the layer, so the key has no role)."""
    lon, lat = system_session.execute(text("""
        SELECT ST_X(geom), ST_Y(geom) FROM residents
        WHERE lg_code = :lg AND is_protected AND status = '住登内' AND geom IS NOT NULL ORDER BY id LIMIT 1"""),
                                      {"lg": DEMO_CODE}).one()
    system_session.execute(text("""
        INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version)
        SELECT lg_code, id, '75歳以上', '同意', 1 FROM residents
        WHERE lg_code = :lg AND status = '住登内' AND geom IS NOT NULL
          AND ST_DWithin(geom::geography, ST_MakePoint(:lon, :lat)::geography, 300)
          AND id NOT IN (SELECT resident_id FROM evac_people)"""), {"lg": DEMO_CODE, "lon": lon, "lat": lat})
    system_session.commit()
    for zoom in (10, 12, 14, 16):
        x, y = lonlat_to_tile(lon, lat, zoom)
        for layer in ("residents", "evac_people"):
            assert as_admin.get(f"/map/tiles/{layer}/{zoom}/{x}/{y}.pbf").headers["X-Tile-Cache"] == "miss"
            assert as_admin.get(f"/map/tiles/{layer}/{zoom}/{x}/{y}.pbf").headers["X-Tile-Cache"] == "hit"
    protected = {layer: set(system_session.scalars(text(sql))) for layer, sql in (
        ("residents", "SELECT id FROM residents WHERE is_protected"),
        ("evac_people",
         "SELECT p.id FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE r.is_protected"))}
    assert protected["evac_people"], "the scene needs a protected 要支援者"
    cached = system_session.execute(text("SELECT layer, z, data FROM map_tile_cache WHERE lg_code = :lg"),
                                    {"lg": DEMO_CODE}).all()
    assert len(cached) == 8
    for layer, zoom, data in cached:
        features = [f for found in decode(bytes(data)).values() for f in found["features"]]
        assert features, f"an empty {layer} tile at z{zoom}"
        if zoom >= 12:  # detailed tiles carry ids; lower zooms only counts
            assert not {f["properties"]["id"] for f in features} & protected[layer]
