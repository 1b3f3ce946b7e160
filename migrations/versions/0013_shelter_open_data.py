"""Shelters keep every column of the デジタル庁 推奨データセット they were imported with

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 05:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('shelters', sa.Column('open_data', postgresql.JSONB(astext_type=sa.Text()),
                                        server_default='{}', nullable=False))
    op.create_unique_constraint('uq_shelters_lg_code_code', 'shelters', ['lg_code', 'code'])


def downgrade() -> None:
    op.drop_constraint('uq_shelters_lg_code_code', 'shelters')
    op.drop_column('shelters', 'open_data')
