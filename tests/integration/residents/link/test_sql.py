"""The SQL rules agree with their Python twins (the same inputs, the same answers)."""
import pytest
from sqlalchemy import text

from app.residents.link import spec
from app.residents.link.geocode import KEY_SQL, address_key

DATES = ["2026-11-25", "2024-02-29", "2023-02-29", "H05.02.20", "H31.04.30", "H31.05.01", "R01.05.01", "R01.04.30",
         "S64.01.07", "S64.01.08", "T15.12.24", "M45.07.29", "M01.01.25", "M01.01.24", "R00.01.01", "2026/11/25",
         "", "H5.2.20", "0000-01-01", "2026-13-01", "2026-04-31"]
ADDRESSES = ["宮城県桜ヶ丘町桜ヶ丘三丁目12番4号", "宮城県桜ヶ丘町桜ヶ丘三丁目１２番４号",
             "宮城県桜ヶ丘町桜ヶ丘三丁目12-4", "宮城県桜ヶ丘町大字北1234", "宮城県桜ヶ丘町コーポ"]


@pytest.mark.parametrize("value", DATES)
def test_link_date_sql_equals_python(system_session, value):
    in_sql = system_session.execute(text("SELECT bcl_link_date(:v)"), {"v": value}).scalar()
    assert in_sql == spec.parse_link_date(value)


@pytest.mark.parametrize("value", ADDRESSES)
def test_address_key_sql_equals_python(system_session, value):
    sql = f"SELECT {KEY_SQL.format(col='%(v)s')}"  # driver-level: the pattern's ":" is not a bind parameter
    assert system_session.connection().exec_driver_sql(sql, {"v": value}).scalar() == address_key(value)


def test_residents_gist_index_holds_located_residents_and_serves_bbox_queries(system_session):
    definition = system_session.execute(text(
        "SELECT pg_get_indexdef('idx_residents_geom'::regclass)")).scalar()
    assert "USING gist (geom) WHERE (geom IS NOT NULL)" in definition
    system_session.execute(text("SET LOCAL enable_seqscan = off"))  # the demo towns are small
    plan = "\n".join(system_session.execute(text(
        "EXPLAIN SELECT id FROM residents WHERE geom && ST_MakeEnvelope(140.8, 38.2, 140.9, 38.3, 4326)")).scalars())
    assert "idx_residents_geom" in plan
