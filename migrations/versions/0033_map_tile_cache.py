"""Vector tiles: a cache shared by every worker, an UNLOGGED table keyed by tenant, layer, variant,
data version and z/x/y

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-26 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('map_tile_cache',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('layer', sa.String(length=40), nullable=False),
    sa.Column('variant', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('z', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('x', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('y', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('lg_code', 'layer', 'variant', 'version', 'z', 'x', 'y', name=op.f('pk_map_tile_cache')),
    prefixes=['UNLOGGED']
    )
    # MVT is already compact; storing it uncompressed saves the compression on every miss.
    op.execute("ALTER TABLE map_tile_cache ALTER COLUMN data SET STORAGE EXTERNAL")
    tenant_table("map_tile_cache")  # pruning locks rows (FOR UPDATE), which needs UPDATE


def downgrade() -> None:
    drop_tenant_table_policies("map_tile_cache")
    op.drop_table('map_tile_cache')
