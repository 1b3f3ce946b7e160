"""Personal access tokens for GIS clients of the OGC API, and bbox lookups through the GIST indexes

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 06:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gis_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_gis_tokens_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_gis_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gis_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_gis_tokens_token_hash'))
    )
    op.create_index(op.f('ix_gis_tokens_lg_code'), 'gis_tokens', ['lg_code'], unique=False)
    op.create_index(op.f('ix_gis_tokens_user_id'), 'gis_tokens', ['user_id'], unique=False)
    tenant_table("gis_tokens", "SELECT, INSERT, UPDATE")
    # Under row-level security the bbox operator && (not leakproof) cannot use the GIST index; this
    # function searches the index for the transaction's own tenant and returns ids only.
    op.execute("""
        CREATE FUNCTION bcl_ids_in_box(layer text, min_lon float8, min_lat float8, max_lon float8, max_lat float8)
        RETURNS SETOF integer LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
        BEGIN
          IF layer NOT IN ('shelters', 'hazard_areas', 'admin_areas', 'disasters', 'buildings', 'residents') THEN
            RAISE EXCEPTION 'bcl_ids_in_box: unknown layer %', layer;
          END IF;
          RETURN QUERY EXECUTE format(
            'SELECT id FROM %I WHERE lg_code = current_setting(''app.lg_code'', true) '
            'AND geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)', layer)
            USING min_lon, min_lat, max_lon, max_lat;
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION bcl_ids_in_box(text, float8, float8, float8, float8) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION bcl_ids_in_box(text, float8, float8, float8, float8) TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_ids_in_box(text, float8, float8, float8, float8)")
    drop_tenant_table_policies("gis_tokens")
    op.drop_index(op.f('ix_gis_tokens_user_id'), table_name='gis_tokens')
    op.drop_index(op.f('ix_gis_tokens_lg_code'), table_name='gis_tokens')
    op.drop_table('gis_tokens')
