"""空間分析 as a job: the stored results (the analysis and the ids it found), tenant tables

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-26 13:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spatial_analyses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('polygon', sa.Text(), nullable=False),
    sa.Column('layer_code', sa.String(length=40), nullable=False),
    sa.Column('min_class', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_spatial_analyses_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_spatial_analyses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spatial_analyses'))
    )
    op.create_index(op.f('ix_spatial_analyses_expires_at'), 'spatial_analyses', ['expires_at'], unique=False)
    op.create_index(op.f('ix_spatial_analyses_lg_code'), 'spatial_analyses', ['lg_code'], unique=False)
    op.create_index(op.f('ix_spatial_analyses_user_id'), 'spatial_analyses', ['user_id'], unique=False)
    op.create_table('spatial_analysis_items',
    sa.Column('analysis_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('class_code', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('residents','evac_people','buildings','shelters')", name=op.f('ck_spatial_analysis_items_kind_known')),
    sa.ForeignKeyConstraint(['analysis_id'], ['spatial_analyses.id'], name=op.f('fk_spatial_analysis_items_analysis_id_spatial_analyses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('analysis_id', 'kind', 'position', name=op.f('pk_spatial_analysis_items'))
    )
    tenant_table("spatial_analyses")
    tenant_table("spatial_analysis_items")


def downgrade() -> None:
    for table in ("spatial_analysis_items", "spatial_analyses"):
        drop_tenant_table_policies(table)
    op.drop_table('spatial_analysis_items')
    op.drop_index(op.f('ix_spatial_analyses_user_id'), table_name='spatial_analyses')
    op.drop_index(op.f('ix_spatial_analyses_lg_code'), table_name='spatial_analyses')
    op.drop_index(op.f('ix_spatial_analyses_expires_at'), table_name='spatial_analyses')
    op.drop_table('spatial_analyses')
