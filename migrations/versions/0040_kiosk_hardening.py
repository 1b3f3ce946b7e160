"""Kiosk money states and throttles: kiosk requests may end refund_due → refunded, the refund ledger
(no personal data; the operator reads it for the settlement), and the throttle counts the terminal
APIs share across workers

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 21:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('quoted','paid','issued')"
NEW_STATUSES = "status IN ('quoted','paid','issued','refund_due','refunded')"


def upgrade() -> None:
    op.alter_column('kiosk_requests', 'status', type_=sa.String(length=12), existing_type=sa.String(length=8),
                    existing_nullable=False)
    op.drop_constraint(op.f('ck_kiosk_requests_status_known'), 'kiosk_requests', type_='check')
    op.create_check_constraint(op.f('ck_kiosk_requests_status_known'), 'kiosk_requests', NEW_STATUSES)
    op.create_table('kiosk_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('kiosk_request_id', sa.Uuid(), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('store_operator', sa.String(length=20), nullable=False),
    sa.Column('store_lg_code', sa.String(length=6), nullable=False),
    sa.Column('fee_yen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_kiosk_refunds_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_refunds')),
    sa.UniqueConstraint('kiosk_request_id', name=op.f('uq_kiosk_refunds_kiosk_request_id'))
    )
    op.create_index('ix_kiosk_refunds_due_at', 'kiosk_refunds', ['due_at'], unique=False)
    tenant_table("kiosk_refunds", "SELECT, INSERT, UPDATE")
    # No personal data in it: the operator reads every municipality's refunds for the settlement.
    op.execute("CREATE POLICY operator_read ON kiosk_refunds FOR SELECT TO bcl_operator USING (true)")
    op.execute("GRANT SELECT ON kiosk_refunds TO bcl_operator")
    op.create_table('api_throttle_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_throttle_events'))
    )
    op.create_index('ix_api_throttle_events_key_at', 'api_throttle_events', ['key', 'at'], unique=False)
    op.create_index(op.f('ix_api_throttle_events_at'), 'api_throttle_events', ['at'], unique=False)
    # Nobody's tenant data (keys name a store operator or a hash of a certificate): every
    # transaction of the app counts in it, whatever its tenant.
    op.execute("GRANT SELECT, INSERT, DELETE ON api_throttle_events TO bcl_app")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE api_throttle_events_id_seq TO bcl_app")


def downgrade() -> None:
    op.drop_index(op.f('ix_api_throttle_events_at'), table_name='api_throttle_events')
    op.drop_index('ix_api_throttle_events_key_at', table_name='api_throttle_events')
    op.drop_table('api_throttle_events')
    op.execute("DROP POLICY IF EXISTS operator_read ON kiosk_refunds")
    drop_tenant_table_policies("kiosk_refunds")
    op.drop_index('ix_kiosk_refunds_due_at', table_name='kiosk_refunds')
    op.drop_table('kiosk_refunds')
    op.execute("DELETE FROM kiosk_requests WHERE status IN ('refund_due', 'refunded')")
    op.drop_constraint(op.f('ck_kiosk_requests_status_known'), 'kiosk_requests', type_='check')
    op.create_check_constraint(op.f('ck_kiosk_requests_status_known'), 'kiosk_requests', OLD_STATUSES)
    op.alter_column('kiosk_requests', 'status', type_=sa.String(length=8), existing_type=sa.String(length=12),
                    existing_nullable=False)
