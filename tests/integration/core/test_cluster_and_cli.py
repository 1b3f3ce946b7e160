"""The embedded PostGIS cluster and the `flask db` / `flask demo` commands, run as a user would."""
import os
import re
import subprocess
import sys

import psycopg
import pytest
from alembic.script import ScriptDirectory

from app.cli import alembic_config
from app.cluster import ClusterError, EmbeddedCluster, check_postgis_installed
from app.config import INSTANCE_DIR
from tests.helpers.paths import ROOT


def _flask(*args: str, **env) -> subprocess.CompletedProcess:
    environment = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_missing_postgis_gives_install_instructions(tmp_path, monkeypatch):
    monkeypatch.setenv("PG_SHAREDIR", str(tmp_path))
    with pytest.raises(ClusterError) as caught:
        check_postgis_installed()
    assert "apt-get install -y postgresql-15-postgis-3" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


def test_cli_db_start_reports_missing_postgis_clearly(tmp_path):
    result = _flask("db", "start", PG_SHAREDIR=str(tmp_path), BCL_INSTANCE_DIR=str(tmp_path / "instance"))
    assert result.returncode == 1
    assert "PostGIS is not installed" in result.stderr
    assert "apt-get install" in result.stderr


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="uses the embedded cluster")
def test_embedded_cluster_runs_as_non_root_with_utf8(server_url):
    cluster = EmbeddedCluster(INSTANCE_DIR)
    assert cluster.is_running()
    assert "running on 127.0.0.1:" in cluster.status()
    owner = (cluster.data_dir / "PG_VERSION").stat().st_uid
    if os.geteuid() == 0:
        assert owner != 0, "postgres must not run as root"
    assert oct((INSTANCE_DIR / "db.json").stat().st_mode)[-3:] == "600"
    status = _flask("db", "status")
    assert status.returncode == 0 and "running" in status.stdout


def test_cli_upgrade_and_demo_load_on_a_fresh_database(server_url):
    from tests.helpers.database import create_empty_database, drop_database

    name = f"bcl_cli_{os.getpid()}"
    url = create_empty_database(server_url, name)
    try:
        upgrade = _flask("db", "upgrade", DATABASE_URL=url)
        assert upgrade.returncode == 0, upgrade.stderr
        first = _flask("demo", "load", "--residents", "300", DATABASE_URL=url)
        assert first.returncode == 0, first.stderr
        assert "demo municipality loaded" in first.stdout
        assert "046990" in first.stdout and "bcl-demo-2026" in first.stdout
        on_register = re.search(r"避難行動要支援者名簿: (\d+)人", first.stdout)
        assert on_register and int(on_register.group(1)) > 0, first.stdout
        second = _flask("demo", "load", "--residents", "300", DATABASE_URL=url)
        assert "already present" in second.stdout
        assert f"避難行動要支援者名簿: {on_register.group(1)}人" in second.stdout  # extracted once
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            consents = dict(conn.execute("SELECT consent, count(*) FROM evac_people WHERE lg_code = '046990' "
                                         "GROUP BY consent").fetchall())
            orgs = conn.execute("SELECT count(*) FROM supporter_orgs WHERE lg_code = '046990'").fetchone()[0]
        assert sum(consents.values()) == int(on_register.group(1))
        assert consents.get("同意", 0) > consents.get("不同意", 0) > 0
        assert orgs == 2
        status = _flask("db", "status", DATABASE_URL=url)
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert f"database revision: {head}" in status.stdout
    finally:
        drop_database(server_url, name)
