"""A municipality's own wording on its certificates: the printed title and the 証明文 of each
document type (empty: the engine's standard wording)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-26 11:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ('titles', 'statements'):
        op.add_column('certificate_layouts', sa.Column(column, postgresql.JSONB(astext_type=sa.Text()),
                                                       server_default='{}', nullable=False))


def downgrade() -> None:
    for column in ('statements', 'titles'):
        op.drop_column('certificate_layouts', column)
