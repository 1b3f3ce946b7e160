"""Personal access tokens for GIS clients of the OGC API

Revision ID: 0020
Revises: 0015
Create Date: 2026-11-26 06:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0020'
down_revision = '0015'
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


def downgrade() -> None:
    drop_tenant_table_policies("gis_tokens")
    op.drop_index(op.f('ix_gis_tokens_user_id'), table_name='gis_tokens')
    op.drop_index(op.f('ix_gis_tokens_lg_code'), table_name='gis_tokens')
    op.drop_table('gis_tokens')
