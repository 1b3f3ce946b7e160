"""避難支援等関係者 and each roster provision, register update reports, 個別避難計画, 安否確認

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 06:14:16.620122
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supporter_orgs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.String(length=200), server_default='', nullable=False),
    sa.Column('area_codes', sa.ARRAY(sa.String(length=20)), server_default='{}', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('消防','警察','民生委員','社会福祉協議会','自主防災組織・自治会','その他')", name=op.f('ck_supporter_orgs_kind_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_supporter_orgs_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporter_orgs')),
    sa.UniqueConstraint('lg_code', 'name', name=op.f('uq_supporter_orgs_lg_code_name'))
    )
    op.create_index(op.f('ix_supporter_orgs_lg_code'), 'supporter_orgs', ['lg_code'], unique=False)
    op.create_table('evac_register_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('added_ids', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('changed_ids', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('removed_ids', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['link_batches.id'], name=op.f('fk_evac_register_updates_batch_id_link_batches')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evac_register_updates_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evac_register_updates'))
    )
    op.create_index(op.f('ix_evac_register_updates_lg_code'), 'evac_register_updates', ['lg_code'], unique=False)
    op.create_table('evac_roster_provisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('mode', sa.String(length=4), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=True),
    sa.Column('file_format', sa.String(length=8), nullable=False),
    sa.Column('person_count', sa.Integer(), nullable=False),
    sa.Column('person_ids', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('provided_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('provided_by', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_evac_roster_provisions_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evac_roster_provisions_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['org_id'], ['supporter_orgs.id'], name=op.f('fk_evac_roster_provisions_org_id_supporter_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evac_roster_provisions'))
    )
    op.create_index(op.f('ix_evac_roster_provisions_lg_code'), 'evac_roster_provisions', ['lg_code'], unique=False)
    op.create_index(op.f('ix_evac_roster_provisions_org_id'), 'evac_roster_provisions', ['org_id'], unique=False)
    op.create_geospatial_table('evac_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('supporters', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('route', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=60), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_evac_plans_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['person_id'], ['evac_people.id'], name=op.f('fk_evac_plans_person_id_evac_people')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_evac_plans_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evac_plans')),
    sa.UniqueConstraint('person_id', name=op.f('uq_evac_plans_person_id'))
    )
    op.create_index(op.f('ix_evac_plans_lg_code'), 'evac_plans', ['lg_code'], unique=False)
    op.create_table('safety_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=4), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('checked_by', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('未確認','無事','避難済','要救助','不在','死亡','その他')", name=op.f('ck_safety_checks_state_known')),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_safety_checks_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_safety_checks_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['person_id'], ['evac_people.id'], name=op.f('fk_safety_checks_person_id_evac_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_checks'))
    )
    op.create_index('ix_safety_checks_disaster_person', 'safety_checks', ['disaster_id', 'person_id', 'id'], unique=False)
    op.create_index(op.f('ix_safety_checks_lg_code'), 'safety_checks', ['lg_code'], unique=False)
    for table in ("supporter_orgs", "evac_register_updates", "evac_plans"):
        tenant_table(table)
    for table in ("evac_roster_provisions", "safety_checks"):
        tenant_table(table, "SELECT, INSERT")
        append_only(table)


def downgrade() -> None:
    for table in ("evac_roster_provisions", "safety_checks"):
        drop_append_only(table)
    for table in ("safety_checks", "evac_plans", "evac_roster_provisions", "evac_register_updates", "supporter_orgs"):
        drop_tenant_table_policies(table)
    op.drop_index(op.f('ix_safety_checks_lg_code'), table_name='safety_checks')
    op.drop_index('ix_safety_checks_disaster_person', table_name='safety_checks')
    op.drop_table('safety_checks')
    op.drop_index(op.f('ix_evac_plans_lg_code'), table_name='evac_plans')
    op.drop_geospatial_table('evac_plans')
    op.drop_index(op.f('ix_evac_roster_provisions_org_id'), table_name='evac_roster_provisions')
    op.drop_index(op.f('ix_evac_roster_provisions_lg_code'), table_name='evac_roster_provisions')
    op.drop_table('evac_roster_provisions')
    op.drop_index(op.f('ix_evac_register_updates_lg_code'), table_name='evac_register_updates')
    op.drop_table('evac_register_updates')
    op.drop_index(op.f('ix_supporter_orgs_lg_code'), table_name='supporter_orgs')
    op.drop_table('supporter_orgs')
