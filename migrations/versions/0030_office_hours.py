"""Each municipality's counter office hours (開庁時間, the weekdays it is closed, its own 閉庁日),
against which the statistics count the issues made outside office hours

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-26 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_hours',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('closed_weekdays', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('closed_days', postgresql.ARRAY(sa.Date()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('opens < closes', name=op.f('ck_office_hours_opens_before_closes')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_office_hours_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('lg_code', name=op.f('pk_office_hours'))
    )
    tenant_table("office_hours", "SELECT, INSERT, UPDATE")
    # Not personal data: the operator's statistics count each municipality's issues against its hours.
    op.execute("CREATE POLICY operator_read ON office_hours FOR SELECT TO bcl_operator USING (true)")
    op.execute("GRANT SELECT ON office_hours TO bcl_operator")


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS operator_read ON office_hours")
    drop_tenant_table_policies("office_hours")
    op.drop_table('office_hours')
