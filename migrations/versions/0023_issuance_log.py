"""The issuance log: every certificate issued through any channel, with its fee, store commission
and BCL fee, without personal data (statistics and settlement; the operator reads all of it)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-26 07:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuance_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('issued_certificate_id', sa.Integer(), nullable=True),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('store_operator', sa.String(length=40), server_default='', nullable=False),
    sa.Column('store_lg_code', sa.String(length=6), server_default='', nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('fee_yen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('commission_yen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('bcl_fee_yen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name=op.f('ck_issuance_log_channel_known')),
    sa.ForeignKeyConstraint(['issued_certificate_id'], ['issued_certificates.id'], name=op.f('fk_issuance_log_issued_certificate_id_issued_certificates')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_issuance_log_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuance_log'))
    )
    op.create_index('ix_issuance_log_issued_at', 'issuance_log', ['issued_at'], unique=False)
    op.create_index('ix_issuance_log_lg_code_issued_at', 'issuance_log', ['lg_code', 'issued_at'], unique=False)
    tenant_table("issuance_log", privileges="SELECT, INSERT, UPDATE")
    # No personal data in it: the operator reads every municipality's issues for statistics and settlement.
    op.execute("CREATE POLICY operator_read ON issuance_log FOR SELECT TO bcl_operator USING (true)")
    op.execute("GRANT SELECT ON issuance_log TO bcl_operator")


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS operator_read ON issuance_log")
    drop_tenant_table_policies("issuance_log")
    op.drop_index('ix_issuance_log_lg_code_issued_at', table_name='issuance_log')
    op.drop_index('ix_issuance_log_issued_at', table_name='issuance_log')
    op.drop_table('issuance_log')
