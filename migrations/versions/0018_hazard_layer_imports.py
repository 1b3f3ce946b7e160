"""Hazard layer imports: uploaded files waiting for their job, residents' hazard classes, and the
tenant-bound point-in-polygon functions

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 06:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.tenancy import drop_tenant_table_policies, tenant_table

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hazard_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('layer_code', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('declared_epsg', sa.Integer(), nullable=True),
    sa.Column('class_field', sa.String(length=60), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_hazard_uploads_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_uploads'))
    )
    op.create_index(op.f('ix_hazard_uploads_lg_code'), 'hazard_uploads', ['lg_code'], unique=False)
    # A derived snapshot rebuilt by every import (no foreign keys: checking them row by row would
    # cost more than the spatial join itself for a town of a million; readers join residents).
    op.create_table('resident_hazards',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('layer_code', sa.String(length=40), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('class_code', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('lg_code', 'layer_code', 'resident_id', name=op.f('pk_resident_hazards'))
    )
    tenant_table("hazard_uploads")
    tenant_table("resident_hazards")
    # Under row-level security the spatial operators (not leakproof) cannot use the GiST indexes, so
    # a point-in-polygon join over a whole town degenerates to comparing every pair. These functions
    # run the join for the transaction's own tenant only and return resident ids (and a class).
    # Driving the join from the polygons (LATERAL … OFFSET 0) lets PostGIS reuse each prepared polygon.
    op.execute("""
        CREATE FUNCTION bcl_resident_zones(layer text, codes text[], severity text[])
        RETURNS TABLE (resident_id integer, class_code text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT r.id, severity[max(array_position(severity, h.class_code::text))]
          FROM hazard_areas h
          CROSS JOIN LATERAL (SELECT id FROM residents
                              WHERE residents.lg_code = h.lg_code AND ST_Intersects(h.geom, residents.geom)
                              OFFSET 0) r
          WHERE h.lg_code = current_setting('app.lg_code', true) AND h.layer_code = layer
            AND h.class_code = ANY(codes)
          GROUP BY r.id
        $$""")
    op.execute("""
        CREATE FUNCTION bcl_residents_within(area geometry) RETURNS SETOF integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT id FROM residents
          WHERE lg_code = current_setting('app.lg_code', true) AND ST_Intersects(area, geom)
        $$""")
    for signature in ("bcl_resident_zones(text, text[], text[])", "bcl_residents_within(geometry)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO bcl_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_residents_within(geometry)")
    op.execute("DROP FUNCTION IF EXISTS bcl_resident_zones(text, text[], text[])")
    for table in ("resident_hazards", "hazard_uploads"):
        drop_tenant_table_policies(table)
    op.drop_table('resident_hazards')
    op.drop_index(op.f('ix_hazard_uploads_lg_code'), table_name='hazard_uploads')
    op.drop_table('hazard_uploads')
