"""Damage surveys (被害認定調査): surveys, photos and their history

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'damage_surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lg_code', sa.String(length=6), nullable=False),
        sa.Column('disaster_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.String(length=4), nullable=False),
        sa.Column('hazard', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('findings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('loss_ratio', sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column('computed_grade', sa.String(length=12), server_default='', nullable=False),
        sa.Column('final_grade', sa.String(length=12), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('surveyed_by', sa.String(length=60), server_default='', nullable=False),
        sa.Column('surveyed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, spatial_index=False), nullable=True),
        sa.Column('position_accuracy_m', sa.Float(), nullable=True),
        sa.Column('reviewed_by', sa.String(length=60), server_default='', nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("round IN ('第1次','第2次','再調査')", name=op.f('ck_damage_surveys_round_known')),
        sa.CheckConstraint("status IN ('調査中','判定待ち','確定')", name=op.f('ck_damage_surveys_status_known')),
        sa.CheckConstraint("status <> '確定' OR final_grade IS NOT NULL",
                           name=op.f('ck_damage_surveys_final_has_grade')),
        sa.ForeignKeyConstraint(['building_id'], ['buildings.id'],
                                name=op.f('fk_damage_surveys_building_id_buildings')),
        sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'],
                                name=op.f('fk_damage_surveys_disaster_id_disasters')),
        sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'],
                                name=op.f('fk_damage_surveys_lg_code_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_damage_surveys')),
    )
    op.create_index('ix_damage_surveys_disaster_building', 'damage_surveys', ['disaster_id', 'building_id'])
    op.create_index(op.f('ix_damage_surveys_lg_code'), 'damage_surveys', ['lg_code'])
    op.create_index('idx_damage_surveys_geom', 'damage_surveys', ['geom'], postgresql_using='gist')
    op.create_table(
        'damage_survey_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lg_code', sa.String(length=6), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=20), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('thumbnail', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('caption', sa.String(length=100), server_default='', nullable=False),
        sa.Column('uploaded_by', sa.String(length=60), server_default='', nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'],
                                name=op.f('fk_damage_survey_photos_lg_code_municipalities')),
        sa.ForeignKeyConstraint(['survey_id'], ['damage_surveys.id'],
                                name=op.f('fk_damage_survey_photos_survey_id_damage_surveys')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_damage_survey_photos')),
    )
    op.create_index(op.f('ix_damage_survey_photos_survey_id'), 'damage_survey_photos', ['survey_id'])
    op.create_table(
        'damage_survey_events',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('lg_code', sa.String(length=6), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('actor', sa.String(length=60), server_default='', nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'],
                                name=op.f('fk_damage_survey_events_lg_code_municipalities')),
        sa.ForeignKeyConstraint(['survey_id'], ['damage_surveys.id'],
                                name=op.f('fk_damage_survey_events_survey_id_damage_surveys')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_damage_survey_events')),
    )
    op.create_index(op.f('ix_damage_survey_events_survey_id'), 'damage_survey_events', ['survey_id'])
    op.execute("ALTER TABLE damage_survey_photos ALTER COLUMN content SET STORAGE EXTERNAL")  # JPEG: no TOAST compression
    tenant_table("damage_surveys")
    tenant_table("damage_survey_photos")
    tenant_table("damage_survey_events", "SELECT, INSERT")
    append_only("damage_survey_events")


def downgrade() -> None:
    drop_append_only("damage_survey_events")
    for table in ("damage_survey_events", "damage_survey_photos", "damage_surveys"):
        drop_tenant_table_policies(table)
        op.drop_table(table)
