"""Fresh planner statistics after a full link load

The application role cannot ANALYZE tables it does not own; this SECURITY DEFINER function lets a
full load refresh the statistics of the link tables it has just rewritten, so that the next batch
(often a diff minutes later) is planned on the new row counts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 04:25:00
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LINK_TABLES = ("residents", "seal_registrations", "tax_records", "welfare_records")


def upgrade() -> None:
    allowed = ", ".join(f"'{t}'" for t in LINK_TABLES)
    op.execute(f"""
        CREATE FUNCTION bcl_analyze_link_table(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          IF name NOT IN ({allowed}) THEN
            RAISE EXCEPTION 'not a link table: %', name;
          END IF;
          EXECUTE format('ANALYZE public.%I', name);
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION bcl_analyze_link_table(text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION bcl_analyze_link_table(text) TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_analyze_link_table(text)")
