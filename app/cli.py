"""The application's own commands: ``flask --app wsgi db ...`` and ``flask --app wsgi demo ...``.

The domain packages' commands are their ``cli.py`` modules, found by ``app.discovery``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from app.cluster import ClusterError, EmbeddedCluster, database_exists, ensure_database
from app.config import INSTANCE_DIR, PROJECT_ROOT
from app.console import fail, progress_bar, require_database_url
from app.db import SYSTEM, Scope
from app.extensions import db


def register_cli(app: Flask) -> None:
    """Add this module's commands; each domain package's commands come from its own ``*cli.py``
    modules (``app.discovery``)."""
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)


def _cluster() -> EmbeddedCluster:
    return EmbeddedCluster(INSTANCE_DIR)


def _uses_embedded() -> bool:
    return not current_app.config["DATABASE_URL"]


def alembic_config(url: str):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@click.group("db")
def db_group() -> None:
    """The database: embedded PostGIS cluster and migrations."""


@db_group.command("start")
def db_start() -> None:
    """Create (first time) and start the embedded PostGIS cluster under instance/."""
    if not _uses_embedded():
        click.echo("DATABASE_URL is set: the embedded cluster is not used.")
        return
    try:
        info = _cluster().start()
        url = info.url(current_app.config["DATABASE_NAME"])
        if ensure_database(url):
            click.echo(f"created database {current_app.config['DATABASE_NAME']}")
    except ClusterError as exc:
        fail(str(exc))
    click.echo(f"PostGIS cluster: {_cluster().status()}")


@db_group.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster."""
    try:
        stopped = _cluster().stop()
    except ClusterError as exc:
        fail(str(exc))
    click.echo("stopped" if stopped else "not running")


@db_group.command("status")
def db_status() -> None:
    """Show whether the embedded cluster runs, and the migration revision of the database."""
    if _uses_embedded():
        try:
            click.echo(f"PostGIS cluster: {_cluster().status()}")
        except ClusterError as exc:
            fail(str(exc))
    url = current_app.config["DATABASE_URL_RESOLVED"]
    if not url:
        return
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    if not database_exists(url):
        click.echo(f"database {make_url(url).database}: not created yet (run `flask --app wsgi db upgrade`)")
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
        click.echo(f"database revision: {revision or 'none (run db upgrade)'}")
    except Exception as exc:  # noqa: BLE001 - report any connection problem plainly
        fail(f"database unreachable: {exc}")
    finally:
        engine.dispose()


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION."""
    from alembic import command

    url = require_database_url()
    ensure_database(url)
    command.upgrade(alembic_config(url), revision)
    click.echo(f"database migrated to {revision}")


@click.group("demo")
def demo_group() -> None:
    """The fictional demo municipality."""


@demo_group.command("load")
@click.option("--residents", default=5000, show_default=True, help="number of residents to generate")
@click.option("--seed", default=1, show_default=True)
@click.option("--url", "base_url", default="http://127.0.0.1:5000", show_default=True,
              help="the address printed with the logins")
def demo_load(residents: int, seed: int, base_url: str) -> None:
    """Load the demo municipality once (a second run does nothing) and print the logins."""
    from fixtures import demo

    require_database_url()
    from app.certificates.issuer import issuer_from_config
    from fixtures.demo_cards import cards_text, issue_demo_cards
    from fixtures.demo_disaster import ensure_household_certificate
    from fixtures.demo_kiosk import ensure_demo_store, kiosk_text
    from fixtures.demo_register import ensure_register

    card_dir = INSTANCE_DIR / "jpki"
    with db.unit_of_work(SYSTEM) as session:
        created = demo.load_demo(session, residents=residents, seed=seed, progress=progress_bar)
        # Every run re-issues the demo cards (same keys, PIN counters reset) and re-signs the CRL,
        # which the test CA keeps valid for two days only.
        jpki = issue_demo_cards(session, demo.DEMO_TOWN.lg_code, card_dir)
        token_path = ensure_demo_store(session, INSTANCE_DIR / "kiosk")
        first_card = next(label for label in jpki.cards if label.startswith(f"{demo.DEMO_TOWN.lg_code}-"))
        ensure_household_certificate(session, issuer_from_config(current_app.config, f"{base_url}/verify"),
                                     demo.DEMO_TOWN.lg_code, first_card.split("-", 1)[1])
    with db.unit_of_work(Scope.tenant(demo.DEMO_TOWN.lg_code)) as session:
        register = ensure_register(session, demo.DEMO_TOWN.lg_code)
    click.echo("demo municipality loaded" if created else "demo municipality already present")
    click.echo(f"避難行動要支援者名簿: {register}人")
    click.echo(demo.logins_text(base_url))
    click.echo(cards_text(card_dir))
    click.echo(kiosk_text(token_path, card_dir, base_url, first_card))
