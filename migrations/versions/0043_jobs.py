"""Job locks and periodic jobs: jobs sharing a lock (one municipality's link batches) run one at a
time, and the worker finds the last job of a periodic kind by an index

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-10 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('jobs', sa.Column('lock', sa.String(length=80), nullable=True))
    op.create_index('uq_jobs_running_lock', 'jobs', ['lock'], unique=True,
                    postgresql_where=sa.text("status = 'running' AND lock IS NOT NULL"))
    op.create_index('ix_jobs_kind_created_at', 'jobs', ['kind', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_jobs_kind_created_at', table_name='jobs')
    op.drop_index('uq_jobs_running_lock', table_name='jobs',
                  postgresql_where=sa.text("status = 'running' AND lock IS NOT NULL"))
    op.drop_column('jobs', 'lock')
