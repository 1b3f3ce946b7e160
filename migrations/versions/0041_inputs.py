"""The operator (J-LIS) may run the public certificate verification like anyone else

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 21:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /verify and /api/verify/v1 need no login; an operator who is logged in runs them as
    # bcl_operator. The function answers type, issue date and validity only (migration 0016).
    op.execute("GRANT EXECUTE ON FUNCTION verify_issued_certificate(text) TO bcl_operator")


def downgrade() -> None:
    op.execute("REVOKE EXECUTE ON FUNCTION verify_issued_certificate(text) FROM bcl_operator")
