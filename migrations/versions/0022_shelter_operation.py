"""Shelter facilities, evacuee cards, stays, moves and needs, and the staff assigned to a shelter

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 06:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_EVACUEE_COLUMNS = ("stay", "card_code", "moved_from_id", "left_reason", "needs", "needs_note", "version")


def upgrade() -> None:
    op.add_column('shelters', sa.Column('toilets', sa.Integer(), server_default='0', nullable=False))
    op.add_column('shelters', sa.Column('floor_area_m2', sa.Numeric(precision=8, scale=1), nullable=True))
    op.add_column('shelters', sa.Column('has_generator', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('shelters', sa.Column('accessibility', sa.ARRAY(sa.String(length=20)), server_default='{}',
                                        nullable=False))
    op.add_column('shelters', sa.Column('stockpile', sa.Text(), server_default='', nullable=False))
    op.add_column('shelters', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('evacuees', sa.Column('stay', sa.String(length=4), server_default='終日', nullable=False))
    op.add_column('evacuees', sa.Column('card_code', sa.String(length=12), nullable=True))
    # Evacuees already checked in get a card number of their own (one per person).
    # (The subquery refers to the row so that it is evaluated, with new random letters, per row.)
    op.execute("""UPDATE evacuees e SET card_code = (
                      SELECT string_agg(substr('ACDEFGHJKMNPQRTUVWXY34679', 1 + floor(random() * 25)::int, 1), '')
                      FROM generate_series(1, 8) WHERE e.id IS NOT NULL)""")
    op.alter_column('evacuees', 'card_code', nullable=False)
    op.add_column('evacuees', sa.Column('moved_from_id', sa.Integer(), nullable=True))
    op.add_column('evacuees', sa.Column('left_reason', sa.String(length=4), server_default='', nullable=False))
    op.add_column('evacuees', sa.Column('needs', sa.ARRAY(sa.String(length=12)), server_default='{}', nullable=False))
    op.add_column('evacuees', sa.Column('needs_note', sa.Text(), server_default='', nullable=False))
    op.add_column('evacuees', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_index(op.f('ix_evacuees_card_code'), 'evacuees', ['card_code'], unique=False)
    op.create_foreign_key(op.f('fk_evacuees_moved_from_id_evacuees'), 'evacuees', 'evacuees', ['moved_from_id'],
                          ['id'])
    op.create_table('shelter_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_shelter_staff_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_shelter_staff_shelter_id_shelters')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shelter_staff_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_staff')),
    sa.UniqueConstraint('shelter_id', 'user_id', name=op.f('uq_shelter_staff_shelter_id_user_id'))
    )
    op.create_index(op.f('ix_shelter_staff_lg_code'), 'shelter_staff', ['lg_code'], unique=False)
    op.create_index(op.f('ix_shelter_staff_user_id'), 'shelter_staff', ['user_id'], unique=False)
    tenant_table("shelter_staff")


def downgrade() -> None:
    drop_tenant_table_policies("shelter_staff")
    op.drop_table('shelter_staff')
    op.drop_constraint(op.f('fk_evacuees_moved_from_id_evacuees'), 'evacuees', type_='foreignkey')
    op.drop_index(op.f('ix_evacuees_card_code'), table_name='evacuees')
    for column in _EVACUEE_COLUMNS:
        op.drop_column('evacuees', column)
    for column in ("version", "stockpile", "accessibility", "has_generator", "floor_area_m2", "toilets"):
        op.drop_column('shelters', column)
