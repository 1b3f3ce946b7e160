"""罹災証明書 and 被災証明書 applications, and the certificates issued for them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:46:25.535910
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('disaster_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_address', sa.String(length=200), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('damaged_property', sa.String(length=200), server_default='', nullable=False),
    sa.Column('flood_level', sa.String(length=4), server_default='', nullable=False),
    sa.Column('resurvey_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certificate_no', sa.String(length=20), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_grade', sa.String(length=12), server_default='', nullable=False),
    sa.Column('issued_by', sa.String(length=60), server_default='', nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("channel IN ('窓口','オンライン')", name=op.f('ck_certificate_applications_channel_known')),
    sa.CheckConstraint("kind IN ('罹災証明書','被災証明書')", name=op.f('ck_certificate_applications_kind_known')),
    sa.CheckConstraint("status IN ('申請','調査','判定','交付','再調査依頼')", name=op.f('ck_certificate_applications_status_known')),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_certificate_applications_building_id_buildings')),
    sa.ForeignKeyConstraint(['disaster_id'], ['disasters.id'], name=op.f('fk_certificate_applications_disaster_id_disasters')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_certificate_applications_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_applications')),
    sa.UniqueConstraint('lg_code', 'certificate_no', name=op.f('uq_certificate_applications_lg_code_certificate_no'))
    )
    op.create_index(op.f('ix_certificate_applications_disaster_id'), 'certificate_applications', ['disaster_id'], unique=False)
    op.create_index(op.f('ix_certificate_applications_lg_code'), 'certificate_applications', ['lg_code'], unique=False)
    op.create_table('certificate_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('certificate_no', sa.String(length=20), nullable=False),
    sa.Column('grade', sa.String(length=12), server_default='', nullable=False),
    sa.Column('issued_by', sa.String(length=60), server_default='', nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['certificate_applications.id'], name=op.f('fk_certificate_issues_application_id_certificate_applications')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_certificate_issues_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_issues'))
    )
    op.create_index(op.f('ix_certificate_issues_application_id'), 'certificate_issues', ['application_id'], unique=False)
    tenant_table("certificate_applications")
    tenant_table("certificate_issues", "SELECT, INSERT")
    append_only("certificate_issues")


def downgrade() -> None:
    drop_append_only("certificate_issues")
    for table in ("certificate_issues", "certificate_applications"):
        drop_tenant_table_policies(table)
    op.drop_index(op.f('ix_certificate_issues_application_id'), table_name='certificate_issues')
    op.drop_table('certificate_issues')
    op.drop_index(op.f('ix_certificate_applications_lg_code'), table_name='certificate_applications')
    op.drop_index(op.f('ix_certificate_applications_disaster_id'), table_name='certificate_applications')
    op.drop_table('certificate_applications')
