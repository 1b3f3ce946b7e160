"""Residents by birth date and by kana prefix (the shelter desk's search)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 05:15:00
"""
from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_residents_lg_code_birth_date', 'residents', ['lg_code', 'birth_date'])
    op.create_index('ix_residents_lg_code_name_kana', 'residents', ['lg_code', 'name_kana'],
                    postgresql_ops={'name_kana': 'varchar_pattern_ops'})
    # Under row-level security the similarity operator (not leakproof) cannot use the trigram
    # index; this function looks up the transaction's own tenant with it and returns ids only.
    op.execute("""
        CREATE FUNCTION bcl_similar_kana(query text, max_rows int) RETURNS SETOF integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT id FROM residents
          WHERE lg_code = current_setting('app.lg_code', true) AND status = '住登内' AND name_kana % query
          ORDER BY similarity(name_kana, query) DESC, id LIMIT max_rows
        $$""")
    op.execute("REVOKE ALL ON FUNCTION bcl_similar_kana(text, int) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION bcl_similar_kana(text, int) TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_similar_kana(text, int)")
    op.drop_index('ix_residents_lg_code_name_kana', table_name='residents')
    op.drop_index('ix_residents_lg_code_birth_date', table_name='residents')
