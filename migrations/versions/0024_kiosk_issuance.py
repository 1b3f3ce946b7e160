"""Kiosk issuance (コンビニ交付): fees per municipality, store operators, maintenance days, kiosk
sessions and requests

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-26 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# Before the card is verified a kiosk session has no municipality and is seen only by transactions
# without a tenant; the verification moves it to the card holder's municipality.
SESSION_USING = "lg_code IS NULL OR lg_code = current_setting('app.lg_code', true)"
SESSION_CHECK = "lg_code IS NOT DISTINCT FROM NULLIF(current_setting('app.lg_code', true), '')"


def upgrade() -> None:
    op.create_table('certificate_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('fee_yen', sa.Integer(), nullable=False),
    sa.Column('is_offered', sa.Boolean(), nullable=False),
    sa.Column('is_weekday_only', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name=op.f('ck_certificate_fees_channel_known')),
    sa.CheckConstraint('fee_yen >= 0', name=op.f('ck_certificate_fees_fee_not_negative')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_certificate_fees_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_fees')),
    sa.UniqueConstraint('lg_code', 'document_type', 'channel', name=op.f('uq_certificate_fees_lg_code_document_type_channel'))
    )
    op.create_table('store_operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=12), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_operators')),
    sa.UniqueConstraint('code', name=op.f('uq_store_operators_code')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_store_operators_token_hash'))
    )
    op.create_table('kiosk_maintenance_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=100), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_kiosk_maintenance_days'))
    )
    op.create_table('kiosk_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('store_operator', sa.String(length=20), nullable=False),
    sa.Column('store_id', sa.String(length=40), nullable=False),
    sa.Column('store_lg_code', sa.String(length=6), nullable=False),
    sa.Column('challenge_id', sa.Uuid(), nullable=False),
    sa.Column('atena_no', sa.String(length=15), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_kiosk_sessions_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_sessions'))
    )
    op.create_index(op.f('ix_kiosk_sessions_expires_at'), 'kiosk_sessions', ['expires_at'], unique=False)
    op.create_table('kiosk_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('options', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('fee_yen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('issued_certificate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('quoted','paid','issued')", name=op.f('ck_kiosk_requests_status_known')),
    sa.ForeignKeyConstraint(['issued_certificate_id'], ['issued_certificates.id'], name=op.f('fk_kiosk_requests_issued_certificate_id_issued_certificates')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_kiosk_requests_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['session_id'], ['kiosk_sessions.id'], name=op.f('fk_kiosk_requests_session_id_kiosk_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_requests'))
    )
    op.create_index(op.f('ix_kiosk_requests_session_id'), 'kiosk_requests', ['session_id'], unique=False)
    tenant_table("certificate_fees")
    tenant_table("kiosk_requests")
    op.execute("ALTER TABLE kiosk_sessions ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE kiosk_sessions FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY kiosk_isolation ON kiosk_sessions TO bcl_app "
               f"USING ({SESSION_USING}) WITH CHECK ({SESSION_CHECK})")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_sessions TO bcl_app")
    op.execute("GRANT SELECT ON kiosk_maintenance_days TO bcl_app, bcl_operator")
    # Store operators are nobody's tenant data: staff never read them; a kiosk's token is looked up
    # by its hash only, and only the operator's code, name and state come back.
    op.execute("""
        CREATE FUNCTION bcl_store_operator(p_token_hash text) RETURNS TABLE(code varchar, name varchar, is_active boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT code, name, is_active FROM store_operators WHERE token_hash = p_token_hash
        $$""")
    # Which municipality a kiosk session or request belongs to, before the transaction acts for it.
    op.execute("""
        CREATE FUNCTION bcl_kiosk_tenant(p_session uuid, p_request uuid) RETURNS varchar
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT COALESCE((SELECT lg_code FROM kiosk_sessions WHERE id = p_session),
                          (SELECT lg_code FROM kiosk_requests WHERE id = p_request))
        $$""")
    for function in ("bcl_store_operator(text)", "bcl_kiosk_tenant(uuid, uuid)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_kiosk_tenant(uuid, uuid)")
    op.execute("DROP FUNCTION IF EXISTS bcl_store_operator(text)")
    op.execute("DROP POLICY IF EXISTS kiosk_isolation ON kiosk_sessions")
    op.execute("REVOKE ALL ON kiosk_sessions FROM bcl_app")
    op.execute("REVOKE ALL ON kiosk_maintenance_days FROM bcl_app, bcl_operator")
    drop_tenant_table_policies("kiosk_requests")
    drop_tenant_table_policies("certificate_fees")
    op.drop_index(op.f('ix_kiosk_requests_session_id'), table_name='kiosk_requests')
    op.drop_table('kiosk_requests')
    op.drop_index(op.f('ix_kiosk_sessions_expires_at'), table_name='kiosk_sessions')
    op.drop_table('kiosk_sessions')
    op.drop_table('kiosk_maintenance_days')
    op.drop_table('store_operators')
    op.drop_table('certificate_fees')
