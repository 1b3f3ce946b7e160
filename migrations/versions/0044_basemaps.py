"""Base maps served by BCL itself: imported tile packages (MBTiles/PMTiles) of a municipality or of
the installation, their tiles, and each municipality's choice of 地理院タイル from the internet

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-12 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None

# A municipality reads its own packages and the installation's (lg_code NULL); it writes only its own.
SHARED_PREDICATE = "lg_code IS NULL"


def upgrade() -> None:
    op.create_table('basemaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('tile_format', sa.String(length=8), nullable=False),
    sa.Column('min_zoom', sa.SmallInteger(), nullable=False),
    sa.Column('max_zoom', sa.SmallInteger(), nullable=False),
    sa.Column('west', sa.Float(), nullable=False),
    sa.Column('south', sa.Float(), nullable=False),
    sa.Column('east', sa.Float(), nullable=False),
    sa.Column('north', sa.Float(), nullable=False),
    sa.Column('attribution', sa.String(length=300), nullable=False),
    sa.Column('vector_layers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('tile_count', sa.Integer(), nullable=False),
    sa.Column('total_bytes', sa.BigInteger(), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('imported_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('raster','vector')", name=op.f('ck_basemaps_kind_known')),
    sa.CheckConstraint("tile_format IN ('png','jpg','webp','pbf')", name=op.f('ck_basemaps_tile_format_known')),
    sa.CheckConstraint('min_zoom BETWEEN 0 AND 22 AND max_zoom BETWEEN min_zoom AND 22',
                       name=op.f('ck_basemaps_zooms_valid')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_basemaps_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basemaps')),
    sa.UniqueConstraint('lg_code', 'name', name=op.f('uq_basemaps_lg_code_name'))
    )
    op.create_index(op.f('ix_basemaps_lg_code'), 'basemaps', ['lg_code'], unique=False)
    op.create_index('uq_basemaps_shared_name', 'basemaps', ['name'], unique=True,
                    postgresql_where=sa.text('lg_code IS NULL'))
    op.create_table('basemap_tiles',
    sa.Column('basemap_id', sa.Integer(), nullable=False),
    sa.Column('z', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('x', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('y', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['basemap_id'], ['basemaps.id'], name=op.f('fk_basemap_tiles_basemap_id_basemaps'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('basemap_id', 'z', 'x', 'y', name=op.f('pk_basemap_tiles'))
    )
    # PNG, JPEG, WebP and gzip'd MVT are compressed already: PostgreSQL need not try again.
    op.execute("ALTER TABLE basemap_tiles ALTER COLUMN data SET STORAGE EXTERNAL")
    op.create_table('basemap_settings',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('gsi_online', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'],
                            name=op.f('fk_basemap_settings_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('lg_code', name=op.f('pk_basemap_settings'))
    )
    for table in ('basemaps', 'basemap_tiles'):
        tenant_table(table)
        op.execute(f"CREATE POLICY shared_read ON {table} FOR SELECT TO bcl_app USING ({SHARED_PREDICATE})")
    tenant_table('basemap_settings', "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    for table in ('basemaps', 'basemap_tiles'):
        op.execute(f"DROP POLICY IF EXISTS shared_read ON {table}")
    for table in ('basemap_settings', 'basemap_tiles', 'basemaps'):
        drop_tenant_table_policies(table)
    op.drop_table('basemap_settings')
    op.drop_table('basemap_tiles')
    op.drop_index('uq_basemaps_shared_name', table_name='basemaps', postgresql_where=sa.text('lg_code IS NULL'))
    op.drop_index(op.f('ix_basemaps_lg_code'), table_name='basemaps')
    op.drop_table('basemaps')
