"""A municipality may print the fee paid on its certificates (手数料 in the footer)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-26 12:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('certificate_layouts', sa.Column('print_fee', sa.Boolean(), server_default=sa.false(),
                                                   nullable=False))


def downgrade() -> None:
    op.drop_column('certificate_layouts', 'print_fee')
