"""Alembic on an empty database: upgrade to head, no drift between models and migrations, downgrade."""
import os
import subprocess
import sys

import psycopg

from tests.helpers.database import admin_dsn, create_empty_database, drop_database
from tests.helpers.paths import ROOT


def _alembic(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_upgrade_check_and_downgrade_on_an_empty_database(server_url):
    name = f"bcl_migrate_{os.getpid()}"
    url = create_empty_database(server_url, name)
    try:
        upgrade = _alembic(url, "upgrade", "head")
        assert upgrade.returncode == 0, upgrade.stderr
        with psycopg.connect(admin_dsn(url, name)) as conn:
            extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
            encoding = conn.execute("SELECT pg_encoding_to_char(encoding), datctype FROM pg_database "
                                    "WHERE datname = current_database()").fetchone()
            similarity = conn.execute("SELECT similarity('ヤマダタロウ', 'ヤマダタロー')").fetchone()[0]
        assert {"postgis", "pg_trgm"} <= extensions
        assert encoding == ("UTF8", "C.UTF-8")
        assert similarity > 0.3  # pg_trgm works on Japanese text only with a UTF-8 ctype

        check = _alembic(url, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No new upgrade operations detected" in check.stdout + check.stderr

        downgrade = _alembic(url, "downgrade", "base")
        assert downgrade.returncode == 0, downgrade.stderr
        with psycopg.connect(admin_dsn(url, name)) as conn:
            tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                                  "AND table_name <> 'alembic_version'").fetchone()[0]
        assert tables == 0
        assert _alembic(url, "upgrade", "head").returncode == 0
    finally:
        drop_database(server_url, name)


def test_alembic_check_detects_drift(server_url):
    """The check would fail if a model changed without a migration: prove it can fail."""
    name = f"bcl_drift_{os.getpid()}"
    url = create_empty_database(server_url, name)
    try:
        assert _alembic(url, "upgrade", "head").returncode == 0
        with psycopg.connect(admin_dsn(url, name), autocommit=True) as conn:
            conn.execute("ALTER TABLE shelters DROP COLUMN phone")
        check = _alembic(url, "check")
        assert check.returncode != 0
        assert "phone" in check.stdout + check.stderr
    finally:
        drop_database(server_url, name)
