"""Test fixtures: a real PostGIS database per test session, per-test rollback, HTTP helpers.

The database is the embedded cluster under instance/ (started here if needed) or the server in
TEST_DATABASE_URL. Each session creates a fresh database, migrates it with Alembic and loads the
two fictional municipalities; every test runs inside a transaction that is rolled back.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import jsonschema_rs
import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.cluster import EmbeddedCluster
from app.config import INSTANCE_DIR, TestConfig
from app.db import SYSTEM, Scope, set_scope
from app.extensions import db as database
from app.openapi_common import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA

DEMO_CODE = "046990"
SECOND_CODE = "033995"
PASSWORD = "bcl-demo-2026"


def _server_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    info = EmbeddedCluster(INSTANCE_DIR).start()
    return info.url("postgres")


def admin_dsn(url: str, database_name: str = "postgres") -> str:
    return make_url(url).set(drivername="postgresql", database=database_name).render_as_string(hide_password=False)


def create_empty_database(server_url: str, name: str) -> str:
    """(Re)create an empty UTF-8 database and return its SQLAlchemy URL."""
    with psycopg.connect(admin_dsn(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(admin_dsn(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def database_url(server_url):
    """A migrated database with the demo municipality and a second one, for this test session."""
    from alembic import command

    from app.cli import alembic_config

    name = f"bcl_test_{os.getpid()}"
    url = create_empty_database(server_url, name)
    command.upgrade(alembic_config(url), "head")
    yield url
    database.dispose()
    drop_database(server_url, name)


_PROBLEM_VALIDATOR = jsonschema_rs.validator_for(PROBLEM_SCHEMA)


def _hold_problem_documents_to_their_schema(response):
    """Every problem document a test receives (HTTP client, fuzzing) is the one the API documents
    publish (app.openapi_common): a document the schema does not describe fails the request."""
    if response.mimetype == PROBLEM_MEDIA_TYPE:
        body = response.get_json(silent=True)
        errors = [error.message for error in _PROBLEM_VALIDATOR.iter_errors(body)] if body is not None else [
            "not JSON"]
        assert not errors, f"problem document outside PROBLEM_SCHEMA: {body!r}: {errors}"
    return response


@pytest.fixture(scope="session")
def app(database_url):
    config = TestConfig()
    config.DATABASE_URL = database_url
    application = create_app(config)
    application.after_request(_hold_problem_documents_to_their_schema)
    from fixtures import demo

    with database.unit_of_work(SYSTEM) as session:
        demo.load_demo(session, residents=600, seed=1)
        demo.load_second_town(session, residents=300, seed=2)
    yield application
    database.dispose()


@pytest.fixture()
def db(app):
    """The app's session, inside a transaction that is rolled back after the test."""
    connection = database.engine.connect()
    transaction = connection.begin()
    database.bind_session_to(connection)
    try:
        yield database
    finally:
        database.session.remove()
        transaction.rollback()
        connection.close()
        database.bind_session_to(None)


@pytest.fixture()
def system_session(db):
    """A session in the system scope (bypasses tenancy): for arranging and checking data."""
    session = database.session_factory()
    set_scope(session, SYSTEM)
    yield session
    session.close()


def tenant_session(lg_code: str):
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    return session


@dataclass
class Browser:
    """A logged-in (or not) test client with CSRF-aware form posts."""

    client: object

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def csrf_token(self, path: str = "/login") -> str:
        html = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'id="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path, data=None, form_page: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(form_page or path))
        return self.client.post(path, data=data, **kw)

    def login(self, lg_code: str | None, login_id: str, password: str = PASSWORD):
        return self.post("/login", {"lg_code": lg_code or "", "login_id": login_id, "password": password})


@pytest.fixture()
def web(app, db):
    return Browser(app.test_client())


@pytest.fixture()
def as_admin(web):
    response = web.login(DEMO_CODE, "admin")
    assert response.status_code == 302, response.get_data(as_text=True)
    return web


def new_browser(app) -> Browser:
    return Browser(app.test_client())
