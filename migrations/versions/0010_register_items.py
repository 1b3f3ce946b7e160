"""Register items of each municipality (事項の表示切替)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 04:55:09.703383
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('register', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('is_visible', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_register_items_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_items')),
    sa.UniqueConstraint('lg_code', 'register', 'key', name=op.f('uq_register_items_lg_code_register_key'))
    )
    op.create_index(op.f('ix_register_items_lg_code'), 'register_items', ['lg_code'], unique=False)
    tenant_table("register_items")


def downgrade() -> None:
    drop_tenant_table_policies("register_items")
    op.drop_index(op.f('ix_register_items_lg_code'), table_name='register_items')
    op.drop_table('register_items')
