"""What a municipality's API token may do: the resident data link or online applications

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 05:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('link_tokens', sa.Column('purpose', sa.String(length=12), server_default='link', nullable=False))


def downgrade() -> None:
    op.drop_column('link_tokens', 'purpose')
