"""The test databases: the server they live on, creating and dropping one, and a session bound to a
municipality (row-level security) on the test's connection."""
from __future__ import annotations

import os

import psycopg
from sqlalchemy.engine import make_url

from app.cluster import EmbeddedCluster
from app.config import INSTANCE_DIR
from app.db import Scope, set_scope
from app.extensions import db as database


def database_server_url() -> str:
    """The PostgreSQL server of TEST_DATABASE_URL, else the embedded cluster under instance/ (started if needed)."""
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


def tenant_session(lg_code: str):
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    return session
