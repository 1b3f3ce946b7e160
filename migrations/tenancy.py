"""Row-level security building blocks used by the migrations.

Keep these functions stable: old revisions call them. A change of behaviour gets a new function.

- ``tenant_table``: staff (bcl_app) see and write only rows whose lg_code equals the
  transaction's ``app.lg_code``; with no tenant set they see nothing. The operator sees nothing.
- ``append_only``: a table that nobody, not even its owner, can UPDATE, DELETE or TRUNCATE.
"""
from __future__ import annotations

from alembic import op

TENANT_PREDICATE = "lg_code = current_setting('app.lg_code', true)"


def tenant_table(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    """Enable and force RLS on ``table`` with the tenant-isolation policy for bcl_app."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} TO bcl_app "
               f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})")
    op.execute(f"GRANT {privileges} ON {table} TO bcl_app")
    op.execute(f"""
        DO $$ DECLARE seq text; BEGIN
          FOR seq IN SELECT pg_get_serial_sequence('{table}', a.attname) FROM pg_attribute a
                     WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                       AND pg_get_serial_sequence('{table}', a.attname) IS NOT NULL LOOP
            EXECUTE 'GRANT USAGE, SELECT ON SEQUENCE ' || seq || ' TO bcl_app';
          END LOOP;
        END $$""")


def drop_tenant_table_policies(table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"REVOKE ALL ON {table} FROM bcl_app, bcl_operator")


def append_only(table: str) -> None:
    """Refuse UPDATE, DELETE and TRUNCATE on ``table`` for everyone, owner included."""
    op.execute(f"""
        CREATE FUNCTION {table}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '{table} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute(f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()")
    op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_change()")


def drop_append_only(table: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_change()")
