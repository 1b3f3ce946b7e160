"""Test fixtures: a real PostGIS database per test session, per-test rollback, a browser on the app.

The database is the embedded cluster under instance/ (started here if needed) or the server in
TEST_DATABASE_URL. Each session creates a fresh database, migrates it with Alembic and loads the
two fictional municipalities; every test runs inside a transaction that is rolled back.
Fixtures of one concern shared across packages live in tests/fixtures_*.py, registered below.
"""
from __future__ import annotations

import os

import jsonschema_rs
import pytest

from app import create_app
from app.config import TestConfig
from app.db import SYSTEM, set_scope
from app.extensions import db as database
from app.openapi_common import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA
from tests.helpers.database import create_empty_database, database_server_url, drop_database
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import Browser

pytest_plugins = ["tests.fixtures_kiosk", "tests.fixtures_applications"]


@pytest.fixture(scope="session")
def server_url() -> str:
    return database_server_url()


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


@pytest.fixture()
def web(app, db):
    return Browser(app.test_client())


@pytest.fixture()
def as_admin(web):
    response = web.login(DEMO_CODE, "admin")
    assert response.status_code == 302, response.get_data(as_text=True)
    return web
