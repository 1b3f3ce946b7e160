"""Browser tests: a real server process on 127.0.0.1 and Debian's chromium driven by Playwright."""
from __future__ import annotations

import os

import pytest

from app.db import SYSTEM
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.helpers.database import create_empty_database, drop_database


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


@pytest.fixture(params=[(390, 844), (1024, 768)], ids=["phone", "tablet"])
def sized_page(chromium, request):
    """A fresh tab at a phone's (390×844) and then a tablet's (1024×768) size; page errors are kept
    in ``console_errors`` and the size in ``size`` (for screenshot names)."""
    width, height = request.param
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                   timezone_id="Asia/Tokyo")
    tab = context.new_page()
    tab.console_errors = []
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    tab.size = f"{width}x{height}"
    yield tab
    context.close()
