"""Extensions and database roles

Creates PostGIS and pg_trgm, and the two roles every tenant policy names:
``bcl_app`` (municipal staff, bound by row-level security to one lg_code) and
``bcl_operator`` (J-LIS: aggregates across tenants, never personal data). Roles are cluster-wide,
so they are created only when missing and never dropped.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for role in ("bcl_app", "bcl_operator"):
        op.execute(f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS;
              END IF;
            END $$""")
        # The login role switches to these per transaction (SET LOCAL ROLE), so it must be a member.
        op.execute(f"""
            DO $$ BEGIN
              IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE 'GRANT {role} TO ' || quote_ident(current_user);
              END IF;
            END $$""")
        op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute("GRANT SELECT ON spatial_ref_sys TO bcl_app, bcl_operator")


def downgrade() -> None:
    op.execute("REVOKE ALL ON spatial_ref_sys FROM bcl_app, bcl_operator")
    op.execute("REVOKE USAGE ON SCHEMA public FROM bcl_app, bcl_operator")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    op.execute("DROP EXTENSION IF EXISTS postgis")
