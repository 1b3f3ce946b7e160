"""Each municipality's コンビニ交付 contracts with store operators: a resident is served only at the
kiosks of an operator their municipality has a contract with

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-26 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosk_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('store_operator', sa.String(length=20), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_kiosk_contracts_period_ordered')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_kiosk_contracts_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['store_operator'], ['store_operators.code'], name=op.f('fk_kiosk_contracts_store_operator_store_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_contracts')),
    sa.UniqueConstraint('lg_code', 'store_operator', name=op.f('uq_kiosk_contracts_lg_code_store_operator'))
    )
    # The operator (J-LIS) records contracts from the CLI; a municipality's staff and its kiosk
    # sessions only read their own.
    tenant_table("kiosk_contracts", "SELECT")


def downgrade() -> None:
    drop_tenant_table_policies("kiosk_contracts")
    op.drop_table('kiosk_contracts')
