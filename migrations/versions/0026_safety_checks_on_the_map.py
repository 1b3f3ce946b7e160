"""A 安否確認 recorded changes the 要支援者 map layer: its tile cache version is bumped

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-26 08:20:00
"""
from __future__ import annotations

from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # bump_map_layer_versions() comes from 0019; safety_checks is append-only, so inserts suffice.
    op.execute("CREATE TRIGGER safety_checks_map_layer_version AFTER INSERT ON safety_checks "
               "FOR EACH STATEMENT EXECUTE FUNCTION bump_map_layer_versions('evac_people')")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS safety_checks_map_layer_version ON safety_checks")
