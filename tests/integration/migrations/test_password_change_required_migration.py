"""Migration 0045 on a database that has accounts and permissions: existing accounts are not asked
to change their password, and the withdrawn screen code csv_platform leaves roles and users."""
import os
import subprocess
import sys

import psycopg

from tests.helpers.database import admin_dsn, create_empty_database, drop_database
from tests.helpers.paths import ROOT


def _alembic(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def _arrange_accounts(conn) -> None:
    conn.execute("""INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon,
                                                version)
                    VALUES ('046990', '桜ヶ丘', '', '町', 12800, 38.4, 140.9, 1)""")
    conn.execute("""INSERT INTO roles (lg_code, code, name, screens, version)
                    VALUES ('046990', '02', '防災担当', '{victims,csv_platform,map}', 1)""")
    conn.execute("""INSERT INTO users (lg_code, login_id, display_name, department, role_id, granted_screens,
                                       revoked_screens, password_hash, failed_logins, is_active, session_generation,
                                       version)
                    SELECT '046990', 'bosai', '鈴木', '', id, '{csv_platform,audit}', '{csv_platform}', 'x', 0, true,
                           1, 1 FROM roles""")


def test_existing_accounts_keep_their_passwords_and_lose_the_withdrawn_screen(server_url):
    name = f"bcl_migrate45_{os.getpid()}"
    url = create_empty_database(server_url, name)
    try:
        assert _alembic(url, "upgrade", "0044").returncode == 0
        with psycopg.connect(admin_dsn(url, name), autocommit=True) as conn:
            _arrange_accounts(conn)
        upgrade = _alembic(url, "upgrade", "0045")
        assert upgrade.returncode == 0, upgrade.stderr
        with psycopg.connect(admin_dsn(url, name)) as conn:
            assert conn.execute("SELECT screens FROM roles").fetchone()[0] == ["victims", "map"]
            assert conn.execute("SELECT granted_screens, revoked_screens, must_change_password FROM users"
                                ).fetchone() == (["audit"], [], False)
        assert _alembic(url, "downgrade", "0044").returncode == 0
    finally:
        drop_database(server_url, name)
