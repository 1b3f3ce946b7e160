"""Residents' GIST index holds located residents only (a link load inserts residents without coordinates)

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-26 11:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A full link load inserts every resident with geom NULL; geocoding sets it afterwards. Every
    # spatial predicate (&&, ST_Intersects, ST_DWithin …) is strict, so the planner proves
    # "geom IS NOT NULL" from it and still uses the partial index.
    op.execute("DROP INDEX IF EXISTS idx_residents_geom")
    op.execute("CREATE INDEX idx_residents_geom ON residents USING gist (geom) WHERE geom IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS idx_residents_geom")
    op.execute("CREATE INDEX idx_residents_geom ON residents USING gist (geom)")
