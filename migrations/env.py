"""Alembic environment: models from app.models, spatial types through geoalchemy2's helpers."""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

from app.config import INSTANCE_DIR
from app.db import resolve_url
from app.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or resolve_url(
        os.environ.get("DATABASE_URL"), os.environ.get("BCL_DATABASE_NAME", "bcl"), INSTANCE_DIR)
    if not url:
        raise SystemExit("No database: set DATABASE_URL or run `flask --app wsgi db start` first.")
    return url


def _include_object(obj, name, type_, reflected, compare_to):
    # Views and PostGIS/trigger objects created by hand in migrations are not models.
    if type_ == "table" and reflected and compare_to is None and name.startswith("operator_"):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


COMMON = dict(
    target_metadata=target_metadata,
    include_object=_include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    compare_type=True,
    compare_server_default=True,
)


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"}, **COMMON)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, **COMMON)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **COMMON)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
