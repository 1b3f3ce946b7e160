"""Shelters opened for a disaster, and the evacuees checked in

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 05:38:30.276062
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shelter_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('opened_by', sa.String(length=60), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('開設','満員','閉鎖')", name=op.f('ck_shelter_openings_status_known')),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_shelter_openings_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_shelter_openings_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_shelter_openings_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_openings')),
    sa.UniqueConstraint('shelter_id', 'disaster_id', name=op.f('uq_shelter_openings_shelter_id_disaster_id'))
    )
    op.create_index(op.f('ix_shelter_openings_disaster_id'), 'shelter_openings', ['disaster_id'], unique=False)
    op.create_index(op.f('ix_shelter_openings_lg_code'), 'shelter_openings', ['lg_code'], unique=False)
    op.create_table('evacuees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('household_no', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_kana', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_evacuees_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evacuees_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['opening_id'], ['shelter_openings.id'], name=op.f('fk_evacuees_opening_id_shelter_openings')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_evacuees_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evacuees'))
    )
    op.create_index('ix_evacuees_disaster_resident', 'evacuees', ['disaster_id', 'resident_id'], unique=False)
    op.create_index(op.f('ix_evacuees_lg_code'), 'evacuees', ['lg_code'], unique=False)
    op.create_index('ix_evacuees_opening_present', 'evacuees', ['opening_id', 'checked_out_at'], unique=False)
    tenant_table("shelter_openings")
    tenant_table("evacuees")


def downgrade() -> None:
    for table in ("evacuees", "shelter_openings"):
        drop_tenant_table_policies(table)
    op.drop_index('ix_evacuees_opening_present', table_name='evacuees')
    op.drop_index(op.f('ix_evacuees_lg_code'), table_name='evacuees')
    op.drop_index('ix_evacuees_disaster_resident', table_name='evacuees')
    op.drop_table('evacuees')
    op.drop_index(op.f('ix_shelter_openings_lg_code'), table_name='shelter_openings')
    op.drop_index(op.f('ix_shelter_openings_disaster_id'), table_name='shelter_openings')
    op.drop_table('shelter_openings')
