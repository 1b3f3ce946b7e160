"""Browser tests: a real server process on 127.0.0.1 and Debian's chromium driven by Playwright."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.db import SYSTEM
from tests.conftest import create_empty_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser_database(server_url):
    """A migrated database with the demo data, separate from the rollback-per-test one."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.cli import alembic_config
    from app.db import set_scope
    from fixtures import demo

    name = f"bcl_browser_{os.getpid()}"
    url = create_empty_database(server_url, name)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with Session(engine) as session:
        set_scope(session, SYSTEM)
        demo.load_demo(session, residents=1500, seed=1)
        demo.load_second_town(session, residents=300, seed=2)
        session.commit()
    engine.dispose()
    yield url
    drop_database(server_url, name)


class LiveServer:
    def __init__(self, database_url: str, **env: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ, DATABASE_URL=database_url, BASEMAP_DEFAULT="blank",
                           SECRET_KEY="browser-test-secret", **env)
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = open(ARTIFACTS / f"server-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(self.port), "--no-reload"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        # The job worker beside it, as `make run` starts one.
        self.worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work"],
                                       cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def stop(self) -> None:
        for process in (self.process, self.worker):
            process.terminate()
            process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def live_server(browser_database):
    server = LiveServer(browser_database)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium):
    """A tablet-sized page (1024×768) that records every request it makes."""
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP",
                                   timezone_id="Asia/Tokyo")
    tab = context.new_page()
    tab.requests_seen = []
    tab.on("request", lambda request: tab.requests_seen.append(request.url))
    tab.console_errors = []
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


def login(page, base_url: str, lg_code: str | None, login_id: str, password: str = "bcl-demo-2026") -> None:
    page.goto(base_url + "/login")
    page.fill("#lg_code", lg_code or "")
    page.fill("#login_id", login_id)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def register_disaster(page, base_url: str, name: str, kind: str = "地震", started_on: str = "2026-11-20") -> None:
    """Register a disaster through its form; it becomes the chosen one."""
    page.goto(base_url + "/disasters/new")
    page.fill("#name", name)
    page.select_option("#kind", kind)
    page.fill("#started_on", started_on)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/disasters/*")


def zoom_to_first_building(page, zoom: int = 18) -> dict:
    """Centre the map on the first building of the buildings tile layer at ``zoom``, wait until its
    tile at that zoom holds it, and return its id, lat, lon, address and its (x, y) on the page."""
    point = page.evaluate("""(zoom) => {
        const id = BCLMap.featureIds('buildings')[0], tiles = BCLMap.groups['buildings']._vectorTiles;
        let props = null;
        Object.keys(tiles).forEach(k => { const f = tiles[k]._features[id]; if (f) props = f.feature.properties; });
        BCLMap.map.closePopup();
        BCLMap.map.setView([props.lat, props.lon], zoom, {animate: false});
        return {id: props.id, lat: props.lat, lon: props.lon, address: props.address}; }""", zoom)
    page.wait_for_function(f"""() => {{
        const tiles = BCLMap.groups['buildings']._vectorTiles, z = BCLMap.map.getZoom();
        return Object.keys(tiles).some(k => k.endsWith(':' + z) && tiles[k]._features['{point['id']}']); }}""")
    xy = page.evaluate(f"""() => {{
        const p = BCLMap.map.latLngToContainerPoint([{point['lat']}, {point['lon']}]);
        const r = BCLMap.map.getContainer().getBoundingClientRect();
        return {{x: r.left + p.x, y: r.top + p.y}}; }}""")
    return point | xy
