"""The counter printer: a らくらく窓口 certificate handed over is printed by the counter's print
station, which records when and by whom

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-26 11:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('counter_queue', sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('counter_queue', sa.Column('printed_by', sa.String(length=40), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('counter_queue', 'printed_by')
    op.drop_column('counter_queue', 'printed_at')
