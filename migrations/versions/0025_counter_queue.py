"""The らくらく窓口 queue (counter_queue): requests made at the self-service screen, waiting to be
paid for and handed over at the counter

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-26 08:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counter_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ticket_no', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('options', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('fee_yen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), server_default='受付', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('handed_over_by', sa.String(length=40), server_default='', nullable=False),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_certificate_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('受付','交付済','取消')", name=op.f('ck_counter_queue_status_known')),
    sa.CheckConstraint('fee_yen >= 0', name=op.f('ck_counter_queue_fee_not_negative')),
    sa.ForeignKeyConstraint(['issued_certificate_id'], ['issued_certificates.id'], name=op.f('fk_counter_queue_issued_certificate_id_issued_certificates')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_counter_queue_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_counter_queue_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_queue')),
    sa.UniqueConstraint('lg_code', 'day', 'ticket_no', name=op.f('uq_counter_queue_lg_code_day_ticket_no'))
    )
    tenant_table("counter_queue")


def downgrade() -> None:
    drop_tenant_table_policies("counter_queue")
    op.drop_table('counter_queue')
