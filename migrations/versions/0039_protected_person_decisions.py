"""支援措置 and consent that cannot be bypassed: the counter's decision about protected household
members on a 住民票の写し (append-only, kept with the issued certificate), the registered 提供先 of
the 被災者台帳, consents as ids of those recipients (no longer free text), and the recipient of
each provision

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 20:52:08.557723
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('victim_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.String(length=200), server_default='', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('地方公共団体','社会福祉協議会','専門職団体','事業者','NPO・ボランティア団体','その他')", name=op.f('ck_victim_recipients_kind_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_victim_recipients_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_recipients')),
    sa.UniqueConstraint('lg_code', 'name', name=op.f('uq_victim_recipients_lg_code_name'))
    )
    op.create_index(op.f('ix_victim_recipients_lg_code'), 'victim_recipients', ['lg_code'], unique=False)
    op.create_table('protected_person_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('issued_certificate_id', sa.Integer(), nullable=False),
    sa.Column('atena_no', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.String(length=200), server_default='', nullable=False),
    sa.Column('decided_by', sa.String(length=60), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("decision = '省略' OR reason <> ''", name=op.f('ck_protected_person_decisions_inclusion_has_reason')),
    sa.CheckConstraint("decision IN ('省略','記載')", name=op.f('ck_protected_person_decisions_decision_known')),
    sa.ForeignKeyConstraint(['issued_certificate_id'], ['issued_certificates.id'], name=op.f('fk_protected_person_decisions_issued_certificate_id_issued_certificates')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_protected_person_decisions_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_person_decisions'))
    )
    op.create_index(op.f('ix_protected_person_decisions_issued_certificate_id'), 'protected_person_decisions', ['issued_certificate_id'], unique=False)
    op.add_column('victim_provisions', sa.Column('recipient_id', sa.Integer(), nullable=True))
    op.create_foreign_key(op.f('fk_victim_provisions_recipient_id_victim_recipients'), 'victim_provisions', 'victim_recipients', ['recipient_id'], ['id'])
    op.add_column('victims', sa.Column('consented_recipient_ids', postgresql.ARRAY(sa.Integer()), server_default='{}', nullable=False))
    tenant_table("victim_recipients")
    tenant_table("protected_person_decisions", "SELECT, INSERT")
    append_only("protected_person_decisions")
    _consents_to_recipients()
    op.drop_column('victims', 'consented_recipients')


# How the free-text 同意した提供先 separated several recipients.
_SEPARATORS = r"'[、,，;；\n]'"


def _consents_to_recipients() -> None:
    """Each name typed as a consent becomes a registered recipient (kind その他, to be checked by
    the municipality) and the consent its id. Past provisions keep only the name they recorded:
    what was typed then cannot be tied to a recipient for certain."""
    op.execute(f"""
        INSERT INTO victim_recipients (lg_code, name, kind, contact, is_active, version)
        SELECT DISTINCT v.lg_code, left(btrim(n), 100), 'その他', '', true, 1
        FROM victims v CROSS JOIN LATERAL regexp_split_to_table(v.consented_recipients, {_SEPARATORS}) AS n
        WHERE btrim(n) <> ''
        ON CONFLICT (lg_code, name) DO NOTHING""")
    op.execute(f"""
        UPDATE victims v SET consented_recipient_ids = ARRAY(
            SELECT DISTINCT r.id FROM victim_recipients r
            CROSS JOIN LATERAL regexp_split_to_table(v.consented_recipients, {_SEPARATORS}) AS n
            WHERE r.lg_code = v.lg_code AND r.name = left(btrim(n), 100) ORDER BY r.id)
        WHERE v.consented_recipients <> ''""")


def downgrade() -> None:
    op.add_column('victims', sa.Column('consented_recipients', sa.TEXT(), server_default='', nullable=False))
    op.execute("""
        UPDATE victims v SET consented_recipients = coalesce((
            SELECT string_agg(r.name, '、' ORDER BY r.id) FROM victim_recipients r
            WHERE r.id = ANY(v.consented_recipient_ids)), '')
        WHERE cardinality(v.consented_recipient_ids) > 0""")
    op.alter_column('victims', 'consented_recipients', server_default=None)
    op.drop_column('victims', 'consented_recipient_ids')
    op.drop_constraint(op.f('fk_victim_provisions_recipient_id_victim_recipients'), 'victim_provisions', type_='foreignkey')
    op.drop_column('victim_provisions', 'recipient_id')
    drop_append_only("protected_person_decisions")
    for table in ("protected_person_decisions", "victim_recipients"):
        drop_tenant_table_policies(table)
    op.drop_index(op.f('ix_protected_person_decisions_issued_certificate_id'), table_name='protected_person_decisions')
    op.drop_table('protected_person_decisions')
    op.drop_index(op.f('ix_victim_recipients_lg_code'), table_name='victim_recipients')
    op.drop_table('victim_recipients')
