"""Issued certificates (signed PDFs, serials, verification codes) and certificate layouts

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 06:19:04.459211
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_layouts',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('mayor_title', sa.String(length=40), nullable=False),
    sa.Column('mayor_name', sa.String(length=60), nullable=False),
    sa.Column('seal_png', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_certificate_layouts_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('lg_code', name=op.f('pk_certificate_layouts'))
    )
    op.create_table('issued_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('serial', sa.String(length=30), nullable=False),
    sa.Column('verification_code', sa.String(length=14), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('issued_by', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('subject_type', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=200), server_default='', nullable=False),
    sa.CheckConstraint("(voided_at IS NULL) = (void_reason = '')", name=op.f('ck_issued_certificates_void_has_reason')),
    sa.CheckConstraint("channel IN ('窓口','オンライン','コンビニ','らくらく窓口')", name=op.f('ck_issued_certificates_channel_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_issued_certificates_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_certificates')),
    sa.UniqueConstraint('lg_code', 'document_type', 'serial', name=op.f('uq_issued_certificates_lg_code_document_type_serial')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_issued_certificates_verification_code'))
    )
    op.create_index(op.f('ix_issued_certificates_lg_code'), 'issued_certificates', ['lg_code'], unique=False)
    op.create_index('ix_issued_certificates_subject', 'issued_certificates', ['subject_type', 'subject_id'], unique=False)
    tenant_table("certificate_layouts")
    tenant_table("issued_certificates", privileges="SELECT, INSERT, UPDATE")
    # The public /verify page has no tenant. This function runs with its owner's rights (like the
    # operator's summary view) and answers only type, issue time and void time for one code:
    # nothing personal, no serial, no municipality.
    op.execute("""
        CREATE FUNCTION verify_issued_certificate(code text)
        RETURNS TABLE (document_type varchar, issued_at timestamptz, voided_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT c.document_type, c.issued_at, c.voided_at FROM issued_certificates c
          WHERE c.verification_code = code
        $$""")
    op.execute("REVOKE ALL ON FUNCTION verify_issued_certificate(text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION verify_issued_certificate(text) TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS verify_issued_certificate(text)")
    for table in ("issued_certificates", "certificate_layouts"):
        drop_tenant_table_policies(table)
    op.drop_index('ix_issued_certificates_subject', table_name='issued_certificates')
    op.drop_index(op.f('ix_issued_certificates_lg_code'), table_name='issued_certificates')
    op.drop_table('issued_certificates')
    op.drop_table('certificate_layouts')
