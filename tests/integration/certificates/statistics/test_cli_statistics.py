"""``flask certificates statistics`` against a database of its own (real commits): a municipality's
settlement and the operator's per-store-operator table as files, both audited; bad input refused."""
import csv
import io
import os
import subprocess
import sys

import psycopg
import pytest
from openpyxl import load_workbook

from tests.helpers.database import admin_dsn, create_empty_database, drop_database
from tests.helpers.paths import ROOT

TOWNS = (("046990", "桜ヶ丘町"), ("033995", "北山村"))


@pytest.fixture(scope="module")
def cli_db(server_url):
    name = f"bcl_certstats_cli_{os.getpid()}"
    url = create_empty_database(server_url, name)
    assert _flask(url, "db", "upgrade").returncode == 0
    with psycopg.connect(admin_dsn(url, name), autocommit=True) as conn:
        for code, town in TOWNS:
            conn.execute("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, "
                         "center_lon, version) VALUES (%s, %s, '', '町', 1000, 38.2, 140.9, 1)", (code, town))
        # 2 kiosk 罹災証明書 in 桜ヶ丘町 (10 − 117 each), 1 kiosk 住民票 in 北山村 (200 − 117 − 180) and
        # 1 kiosk 住民票記載事項証明書 there (200 − 117, no BCL fee).
        conn.execute("INSERT INTO issuance_log (lg_code, document_type, channel, store_operator, store_lg_code, "
                     "issued_at, fee_yen, commission_yen, bcl_fee_yen) VALUES "
                     "('046990', '罹災証明書', 'コンビニ', 'ローソン', '046990', '2026-10-05 12:00+09', 10, 117, 0), "
                     "('046990', '罹災証明書', 'コンビニ', 'ローソン', '033995', '2026-10-31 23:59+09', 10, 117, 0), "
                     "('046990', '罹災証明書', 'コンビニ', 'ローソン', '046990', '2026-11-01 00:00+09', 10, 117, 0), "
                     "('033995', '住民票の写し', 'コンビニ', 'ローソン', '033995', '2026-10-05 12:00+09', "
                     "200, 117, 180), "
                     "('033995', '住民票記載事項証明書', 'コンビニ', 'ローソン', '033995', "
                     "'2026-10-06 12:00+09', 200, 117, 0)")
    yield admin_dsn(url, name)
    drop_database(server_url, name)


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url.replace("postgresql://", "postgresql+psycopg://", 1))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_certstats_cli_writes_settlement_files_and_audits(cli_db, tmp_path):
    town = tmp_path / "settlement.csv"
    done = _flask(cli_db, "certificates", "statistics", "--month", "2026-10", "--table", "settlement",
                  "--lg-code", "046990", "--encoding", "cp932", "--output", str(town))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(town.read_bytes().decode("cp932"))))
    assert rows[1:] == [["2026-10", "コンビニ", "ローソン", "2", "20", "234", "0", "-214"],
                        ["2026-10", "合計", "", "2", "20", "234", "0", "-214"]]
    stores = tmp_path / "stores.xlsx"
    done = _flask(cli_db, "certificates", "statistics", "--month", "2026-10", "--table", "store-operators",
                  "--output", str(stores))
    assert done.returncode == 0, done.stderr
    sheet = list(load_workbook(stores).active.iter_rows(values_only=True))
    assert sheet[1] == ("2026-10", "ローソン", 2, 4, 468)
    with psycopg.connect(cli_db) as conn:
        audited = conn.execute("SELECT lg_code, detail->>'table' FROM audit_log WHERE action = "
                               "'certificate_statistics_export' ORDER BY id").fetchall()
    assert audited == [("046990", "settlement"), (None, "store-operators")]


def test_certstats_cli_operator_settlement_shows_the_resident_items_certificates_apart(cli_db, tmp_path):
    output = tmp_path / "municipalities.csv"
    done = _flask(cli_db, "certificates", "statistics", "--month", "2026-10", "--table", "municipalities",
                  "--output", str(output))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    assert rows[0][3:5] == ["交付通数", "うち住民票記載事項証明書（コンビニ）"]
    assert [row[:2] + row[3:] for row in rows[1:]] == [
        ["2026-10", "033995", "2", "1", "400", "234", "180", "-14"],
        ["2026-10", "046990", "2", "0", "20", "234", "0", "-214"],
        ["2026-10", "合計", "4", "1", "420", "468", "180", "-228"]]


def test_certstats_cli_refuses_bad_month_and_a_staff_table_without_municipality(cli_db, tmp_path):
    bad = _flask(cli_db, "certificates", "statistics", "--month", "2026/10", "--table", "counts",
                 "--output", str(tmp_path / "x.csv"))
    assert bad.returncode == 1 and "2026-11" in bad.stderr
    staff_only = _flask(cli_db, "certificates", "statistics", "--month", "2026-10", "--table", "settlement",
                        "--output", str(tmp_path / "y.csv"))
    assert staff_only.returncode == 1 and not (tmp_path / "y.csv").exists()
