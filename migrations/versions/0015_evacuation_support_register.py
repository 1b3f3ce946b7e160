"""避難行動要支援者名簿: the municipality's criteria and the register with consent

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 05:49:19.706887
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evac_criteria',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('config', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evac_criteria_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('lg_code', name=op.f('pk_evac_criteria'))
    )
    op.create_table('evac_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('consent', sa.String(length=4), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('consent_how', sa.String(length=40), server_default='', nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("consent IN ('未回答','同意','不同意')", name=op.f('ck_evac_people_consent_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evac_people_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_evac_people_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evac_people')),
    sa.UniqueConstraint('lg_code', 'resident_id', name=op.f('uq_evac_people_lg_code_resident_id'))
    )
    op.create_index(op.f('ix_evac_people_lg_code'), 'evac_people', ['lg_code'], unique=False)
    tenant_table("evac_criteria")
    tenant_table("evac_people")


def downgrade() -> None:
    for table in ("evac_people", "evac_criteria"):
        drop_tenant_table_policies(table)
    op.drop_index(op.f('ix_evac_people_lg_code'), table_name='evac_people')
    op.drop_table('evac_people')
    op.drop_table('evac_criteria')
