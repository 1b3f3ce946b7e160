"""Card authentication (公的個人認証・利用者証明): challenges and the certificate → resident mapping

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 06:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# A challenge is visible to the municipality of the terminal it was issued to; one issued to a
# terminal of no municipality (a kiosk) only to transactions without a tenant.
CHALLENGE_PREDICATE = "terminal_lg_code IS NOT DISTINCT FROM NULLIF(current_setting('app.lg_code', true), '')"


def upgrade() -> None:
    op.create_table('card_challenges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('terminal_lg_code', sa.String(length=6), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_challenges'))
    )
    op.create_index(op.f('ix_card_challenges_expires_at'), 'card_challenges', ['expires_at'], unique=False)
    op.create_table('card_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('issuer', sa.String(length=400), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('resident_code', sa.String(length=11), nullable=False),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'],
                            name=op.f('fk_card_certificates_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_certificates')),
    sa.UniqueConstraint('issuer', 'serial', name=op.f('uq_card_certificates_issuer_serial'))
    )
    op.create_index(op.f('ix_card_certificates_lg_code'), 'card_certificates', ['lg_code'], unique=False)
    op.create_index('ix_residents_lg_code_resident_code', 'residents', ['lg_code', 'resident_code'])
    tenant_table("card_certificates")
    op.execute("ALTER TABLE card_challenges ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE card_challenges FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY terminal_isolation ON card_challenges TO bcl_app "
               f"USING ({CHALLENGE_PREDICATE}) WITH CHECK ({CHALLENGE_PREDICATE})")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON card_challenges TO bcl_app")
    # Which municipality a certificate belongs to is needed before the tenant is known (a kiosk
    # serves everyone) and to refuse another municipality's card: the lg_code only, nothing else.
    op.execute("""
        CREATE FUNCTION bcl_card_certificate_tenant(p_issuer text, p_serial text) RETURNS varchar
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT lg_code FROM card_certificates WHERE issuer = p_issuer AND serial = p_serial
        $$""")
    op.execute("REVOKE ALL ON FUNCTION bcl_card_certificate_tenant(text, text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION bcl_card_certificate_tenant(text, text) TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_card_certificate_tenant(text, text)")
    op.execute("DROP POLICY IF EXISTS terminal_isolation ON card_challenges")
    op.execute("REVOKE ALL ON card_challenges FROM bcl_app")
    drop_tenant_table_policies("card_certificates")
    op.drop_index('ix_residents_lg_code_resident_code', table_name='residents')
    op.drop_index(op.f('ix_card_certificates_lg_code'), table_name='card_certificates')
    op.drop_table('card_certificates')
    op.drop_index(op.f('ix_card_challenges_expires_at'), table_name='card_challenges')
    op.drop_table('card_challenges')
