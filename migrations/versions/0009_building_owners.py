"""Building owners (often not the household living there)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = (("owner_name", 100), ("owner_address", 200), ("owner_atena_no", 15))


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column('buildings', sa.Column(name, sa.String(length=length), server_default='', nullable=False))


def downgrade() -> None:
    for name, _ in COLUMNS:
        op.drop_column('buildings', name)
