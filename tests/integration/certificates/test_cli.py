"""The certificates CLI against a database of its own (real commits): setting a municipality's
layout with a generated 公印, refusing a bad code, and checking codes as /verify does."""
import os
import subprocess
import sys

import psycopg
import pytest

from tests.helpers.database import admin_dsn, create_empty_database, drop_database
from tests.helpers.paths import ROOT

LG = "046990"


@pytest.fixture(scope="module")
def cli_db(server_url):
    name = f"bcl_certcli_{os.getpid()}"
    url = create_empty_database(server_url, name)
    assert _flask(url, "db", "upgrade").returncode == 0
    with psycopg.connect(admin_dsn(url, name), autocommit=True) as conn:
        conn.execute("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon, "
                     "version) VALUES (%s, '桜ヶ丘町', '', '町', 1000, 38.2, 140.9, 1)", (LG,))
    yield admin_dsn(url, name)
    drop_database(server_url, name)


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url.replace("postgresql://", "postgresql+psycopg://", 1))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_certpdf_cli_sets_the_layout_and_checks_codes(cli_db):
    refused = _flask(cli_db, "certificates", "layout", "--lg-code", "046991", "--mayor-title", "x", "--mayor-name", "y")
    assert refused.returncode != 0
    done = _flask(cli_db, "certificates", "layout", "--lg-code", LG, "--mayor-title", "桜ヶ丘町長",
                  "--mayor-name", "桜井 正道", "--generate-seal")
    assert done.returncode == 0, done.stderr
    with psycopg.connect(cli_db) as conn:
        title, name, seal = conn.execute("SELECT mayor_title, mayor_name, seal_png FROM certificate_layouts").fetchone()
        assert (title, name) == ("桜ヶ丘町長", "桜井 正道") and bytes(seal).startswith(b"\x89PNG")
        conn.execute("INSERT INTO issued_certificates (lg_code, document_type, serial, verification_code, issued_by, "
                     "channel, subject_type, subject_id, pdf_sha256, pdf, issued_at) VALUES (%s, '罹災証明書', "
                     "'罹2026-000001', 'ABCD-EFGH-JKMN', 'admin', '窓口', 'certificate_application', 1, '', '', "
                     "'2026-11-26 01:00+00')", (LG,))
    genuine = _flask(cli_db, "certificates", "verify", "abcd efgh jkmn")
    assert genuine.returncode == 0 and "真正: 罹災証明書 2026-11-26 有効" in genuine.stdout
    unknown = _flask(cli_db, "certificates", "verify", "ABCD-EFGH-JKMP")
    assert unknown.returncode == 1 and "該当する証明書はありません" in unknown.stdout
