"""Row-level security: the database itself isolates municipalities."""
import psycopg
import pytest
from sqlalchemy import text

from app.db import Scope, set_scope
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

TENANT_TABLES = ["roles", "users", "audit_log", "disasters", "residents", "buildings", "shelters", "hazard_areas",
                 "admin_areas"]


def _count(session, table):
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_a_connection_without_tenant_sees_no_rows(db, table):
    session = db.session_factory()  # default scope: bcl_app with no tenant
    assert _count(session, table) == 0
    session.close()


@pytest.mark.parametrize("table", ["users", "residents", "buildings", "shelters", "hazard_areas", "admin_areas"])
def test_each_tenant_sees_only_its_own_rows(db, system_session, table):
    total = _count(system_session, table)
    per_tenant = {}
    for code in (DEMO_CODE, SECOND_CODE):
        session = db.session_factory()
        set_scope(session, Scope.tenant(code))
        per_tenant[code] = _count(session, table)
        codes = session.execute(text(f"SELECT DISTINCT lg_code FROM {table}")).scalars().all()
        assert codes == [code]
        session.close()
    assert per_tenant[DEMO_CODE] > 0 and per_tenant[SECOND_CODE] > 0
    operators = system_session.execute(text(f"SELECT count(*) FROM {table} WHERE lg_code IS NULL")).scalar() \
        if table == "users" else 0
    assert per_tenant[DEMO_CODE] + per_tenant[SECOND_CODE] + operators == total


def test_writing_a_row_for_another_tenant_is_refused(db):
    session = db.session_factory()
    set_scope(session, Scope.tenant(DEMO_CODE))
    with pytest.raises(Exception, match="row-level security"):
        session.execute(text("INSERT INTO disasters (lg_code, name, kind, started_on, status, is_relief_act_applied, "
                             "is_support_act_applied, description, version) VALUES "
                             f"('{SECOND_CODE}', 'x', '地震', '2026-01-01', '対応中', false, false, '', 1)"))
    session.rollback()
    session.close()


def test_moving_a_row_to_another_tenant_is_refused(db):
    session = db.session_factory()
    set_scope(session, Scope.tenant(DEMO_CODE))
    with pytest.raises(Exception, match="row-level security"):
        session.execute(text(f"UPDATE shelters SET lg_code = '{SECOND_CODE}'"))
    session.rollback()
    session.close()


def test_operator_reads_counts_but_no_personal_data(db, system_session):
    expected = system_session.execute(text(
        "SELECT count(*) FROM residents WHERE lg_code = :c AND status = '住登内'"), {"c": DEMO_CODE}).scalar()
    system_session.close()  # sessions share the test connection: finish one before the next begins
    session = db.session_factory()
    set_scope(session, Scope.operator())
    summary = {r.lg_code: r for r in session.execute(text("SELECT * FROM operator_tenant_summary"))}
    assert summary[DEMO_CODE].resident_count == expected > 0
    with pytest.raises(Exception, match="permission denied"):
        session.execute(text("SELECT name FROM residents LIMIT 1"))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM users WHERE lg_code IS NOT NULL")).scalar() == 0
    session.close()


def test_every_table_with_lg_code_is_protected_by_row_level_security(db, system_session):
    rows = system_session.execute(text("""
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'lg_code')
          AND c.relname <> 'municipalities'""")).all()
    assert {r.relname for r in rows} >= set(TENANT_TABLES)
    unprotected = [r.relname for r in rows if not (r.relrowsecurity and r.relforcerowsecurity and r.policies)]
    assert unprotected == []


def test_the_app_role_cannot_bypass_row_level_security(system_session):
    row = system_session.execute(text(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'bcl_app'")).one()
    assert row == (False, False)


def test_raw_connection_as_app_role_without_tenant_sees_nothing(app):
    """Outside SQLAlchemy too: the policy, not the ORM, does the isolation."""
    url = app.config["DATABASE_URL_RESOLVED"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("SET ROLE bcl_app")
        assert conn.execute("SELECT count(*) FROM residents").fetchone()[0] == 0
        conn.execute("SELECT set_config('app.lg_code', %s, false)", (SECOND_CODE,))
        assert conn.execute("SELECT count(DISTINCT lg_code) FROM residents").fetchone()[0] == 1
