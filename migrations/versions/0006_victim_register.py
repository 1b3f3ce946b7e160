"""被災者台帳: households, persons, and the log of provisions to outside recipients

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 04:40:28.776689
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('victim_households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('household_no', sa.String(length=20), nullable=False),
    sa.Column('head_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_victim_households_building_id_buildings')),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_victim_households_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_victim_households_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_households')),
    sa.UniqueConstraint('disaster_id', 'household_no', name=op.f('uq_victim_households_disaster_id_household_no'))
    )
    op.create_index(op.f('ix_victim_households_lg_code'), 'victim_households', ['lg_code'], unique=False)
    op.create_table('victim_provisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('victim_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('provided_by', sa.String(length=60), server_default='', nullable=False),
    sa.Column('provided_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_victim_provisions_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_victim_provisions_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_provisions'))
    )
    op.create_index(op.f('ix_victim_provisions_disaster_id'), 'victim_provisions', ['disaster_id'], unique=False)
    op.create_table('victims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('atena_no', sa.String(length=15), server_default='', nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_kana', sa.String(length=200), server_default='', nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), server_default='', nullable=False),
    sa.Column('relationship', sa.String(length=20), server_default='', nullable=False),
    sa.Column('address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('is_protected', sa.Boolean(), nullable=False),
    sa.Column('damage_status', sa.Text(), nullable=False),
    sa.Column('care_reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('relief_status', sa.Text(), nullable=False),
    sa.Column('consented_recipients', sa.Text(), nullable=False),
    sa.Column('optional_items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_victims_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['household_id'], ['victim_households.id'], name=op.f('fk_victims_household_id_victim_households')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_victims_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_victims_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victims')),
    sa.UniqueConstraint('disaster_id', 'resident_id', name=op.f('uq_victims_disaster_id_resident_id'))
    )
    op.create_index('ix_victims_disaster_household', 'victims', ['disaster_id', 'household_id'], unique=False)
    op.create_index(op.f('ix_victims_lg_code'), 'victims', ['lg_code'], unique=False)
    op.create_index('ix_victims_disaster_name_kana', 'victims', ['disaster_id', 'name_kana'])
    for table in ("victim_households", "victims"):
        tenant_table(table)
    tenant_table("victim_provisions", "SELECT, INSERT")
    append_only("victim_provisions")


def downgrade() -> None:
    drop_append_only("victim_provisions")
    for table in ("victim_provisions", "victims", "victim_households"):
        drop_tenant_table_policies(table)
    op.drop_index(op.f('ix_victims_lg_code'), table_name='victims')
    op.drop_index('ix_victims_disaster_household', table_name='victims')
    op.drop_table('victims')
    op.drop_index(op.f('ix_victim_provisions_disaster_id'), table_name='victim_provisions')
    op.drop_table('victim_provisions')
    op.drop_index(op.f('ix_victim_households_lg_code'), table_name='victim_households')
    op.drop_table('victim_households')
