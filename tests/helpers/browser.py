"""Browser tests' tools: Debian's chromium as Playwright drives it, a real server process (with a job
worker) on 127.0.0.1, and the steps a member of staff takes on a page."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.helpers.paths import ARTIFACTS, ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`flask run` and a job worker in processes of their own, on a free port of 127.0.0.1."""

    def __init__(self, database_url: str, **env: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="browser-test-secret", **env)
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
