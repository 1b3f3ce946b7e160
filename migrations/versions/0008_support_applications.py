"""Support programme applications: decisions and payments

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:51:13.889211
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('support_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=True),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('plan', sa.String(length=8), server_default='', nullable=False),
    sa.Column('is_demolished', sa.Boolean(), nullable=False),
    sa.Column('is_long_term_evacuation', sa.Boolean(), nullable=False),
    sa.Column('is_breadwinner', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('grade', sa.String(length=12), server_default='', nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=False),
    sa.Column('computed_amount', sa.BigInteger(), nullable=True),
    sa.Column('decided_amount', sa.BigInteger(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('paid_amount', sa.BigInteger(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('申請','支給決定','不支給','支払済')", name=op.f('ck_support_applications_status_known')),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_support_applications_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['household_id'], ['victim_households.id'], name=op.f('fk_support_applications_household_id_victim_households')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_support_applications_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['victim_id'], ['victims.id'], name=op.f('fk_support_applications_victim_id_victims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_applications'))
    )
    op.create_index('ix_support_applications_disaster_programme', 'support_applications', ['disaster_id', 'programme'], unique=False)
    op.create_index(op.f('ix_support_applications_household_id'), 'support_applications', ['household_id'], unique=False)
    op.create_index(op.f('ix_support_applications_lg_code'), 'support_applications', ['lg_code'], unique=False)
    tenant_table("support_applications")


def downgrade() -> None:
    drop_tenant_table_policies("support_applications")
    op.drop_index(op.f('ix_support_applications_lg_code'), table_name='support_applications')
    op.drop_index(op.f('ix_support_applications_household_id'), table_name='support_applications')
    op.drop_index('ix_support_applications_disaster_programme', table_name='support_applications')
    op.drop_table('support_applications')
