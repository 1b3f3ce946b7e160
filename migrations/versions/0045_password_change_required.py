"""Passwords chosen by someone else must be changed: users.must_change_password (set on
registration and on an administrator's reset, cleared by the user's own change); the withdrawn
screen code csv_platform leaves the stored permissions

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-12 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Accounts that exist already keep working as they are; only passwords set from now on by
    # someone else are to be changed.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.text('false'),
                                     nullable=False))
    # 地域情報プラットフォーム（CSV） was a placeholder screen, withdrawn until it is built.
    op.execute("UPDATE roles SET screens = array_remove(screens, 'csv_platform') WHERE 'csv_platform' = ANY(screens)")
    op.execute("""UPDATE users SET granted_screens = array_remove(granted_screens, 'csv_platform'),
                                   revoked_screens = array_remove(revoked_screens, 'csv_platform')
                  WHERE 'csv_platform' = ANY(granted_screens) OR 'csv_platform' = ANY(revoked_screens)""")


def downgrade() -> None:
    # The removed screen code is not put back: it named no screen.
    op.drop_column('users', 'must_change_password')
