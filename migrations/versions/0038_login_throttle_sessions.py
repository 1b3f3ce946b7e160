"""Login throttling: failed logins per client address and per account, shared by every worker

Revision ID: 0038
Revises: 0034
Create Date: 2026-11-27 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    prefixes=['UNLOGGED']
    )
    op.create_index('ix_login_failures_account_key_failed_at', 'login_failures', ['account_key', 'failed_at'],
                    unique=False)
    op.create_index('ix_login_failures_address_failed_at', 'login_failures', ['address', 'failed_at'], unique=False)
    op.create_index('ix_login_failures_failed_at', 'login_failures', ['failed_at'], unique=False)
    # No row-level security: a client address is counted across every 団体コード, so switching
    # the code does not reset it. Staff logins run as bcl_app, operator logins as bcl_operator;
    # the purge locks rows (FOR UPDATE SKIP LOCKED), which needs UPDATE.
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures TO bcl_app, bcl_operator")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE login_failures_id_seq TO bcl_app, bcl_operator")


def downgrade() -> None:
    op.drop_index('ix_login_failures_failed_at', table_name='login_failures')
    op.drop_index('ix_login_failures_address_failed_at', table_name='login_failures')
    op.drop_index('ix_login_failures_account_key_failed_at', table_name='login_failures')
    op.drop_table('login_failures')
