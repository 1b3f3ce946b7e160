"""One throttle table: login failures and the terminal APIs' counts become events of keyed sliding
windows in the UNLOGGED throttle_events (their counts live 1–15 minutes, so none are carried over)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-08 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('login_failures')
    op.drop_table('api_throttle_events')
    op.create_table('throttle_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_events')),
    prefixes=['UNLOGGED']
    )
    op.create_index('ix_throttle_events_key_at', 'throttle_events', ['key', 'at'], unique=False)
    op.create_index('ix_throttle_events_at', 'throttle_events', ['at'], unique=False)
    # No row-level security: a client address is counted across every 団体コード, and keys name no
    # tenant's data. Staff logins and the terminal APIs run as bcl_app, operator logins as
    # bcl_operator; the purge locks rows (FOR UPDATE SKIP LOCKED), which needs UPDATE.
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON throttle_events TO bcl_app, bcl_operator")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE throttle_events_id_seq TO bcl_app, bcl_operator")


def downgrade() -> None:
    op.drop_table('throttle_events')
    op.create_table('api_throttle_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_throttle_events'))
    )
    op.create_index('ix_api_throttle_events_key_at', 'api_throttle_events', ['key', 'at'], unique=False)
    op.create_index(op.f('ix_api_throttle_events_at'), 'api_throttle_events', ['at'], unique=False)
    op.execute("GRANT SELECT, INSERT, DELETE ON api_throttle_events TO bcl_app")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE api_throttle_events_id_seq TO bcl_app")
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
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures TO bcl_app, bcl_operator")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE login_failures_id_seq TO bcl_app, bcl_operator")
