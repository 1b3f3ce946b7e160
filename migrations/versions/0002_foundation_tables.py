"""Foundation tables with row-level security

Municipalities (the tenant registry), staff accounts and roles, the append-only audit log,
disasters, residents, buildings, shelters, hazard and administrative areas. Every table with an
lg_code is isolated per tenant by row-level security (migrations/tenancy.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:51:10.804352
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from migrations.tenancy import append_only, drop_append_only, drop_tenant_table_policies, tenant_table

TENANT_TABLES = ("roles", "disasters", "residents", "buildings", "shelters", "hazard_areas", "admin_areas")

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('login_id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_ids', sa.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ip_address', postgresql.INET(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_lg_code_occurred_at', 'audit_log', ['lg_code', 'occurred_at'], unique=False)
    op.create_table('municipalities',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('name_kana', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('center_lat', sa.Double(), nullable=False),
    sa.Column('center_lon', sa.Double(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('政令市','市','特別区','町','村')", name=op.f('ck_municipalities_kind_known')),
    sa.CheckConstraint("lg_code ~ '^[0-9]{6}$'", name=op.f('ck_municipalities_lg_code_digits')),
    sa.CheckConstraint('population >= 0', name=op.f('ck_municipalities_population_non_negative')),
    sa.PrimaryKeyConstraint('lg_code', name=op.f('pk_municipalities'))
    )
    op.create_geospatial_table('admin_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_admin_areas_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_areas'))
    )
    op.create_geospatial_index('idx_admin_areas_geom', 'admin_areas', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_admin_areas_lg_code'), 'admin_areas', ['lg_code'], unique=False)
    op.create_geospatial_table('buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('is_dwelling', sa.Boolean(), nullable=False),
    sa.Column('structure', sa.String(length=8), nullable=False),
    sa.Column('floors', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_buildings_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buildings'))
    )
    op.create_geospatial_index('idx_buildings_geom', 'buildings', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_buildings_lg_code'), 'buildings', ['lg_code'], unique=False)
    op.create_geospatial_table('disasters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('is_relief_act_applied', sa.Boolean(), nullable=False),
    sa.Column('is_support_act_applied', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('対応中','終了')", name=op.f('ck_disasters_status_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_disasters_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disasters'))
    )
    op.create_geospatial_index('idx_disasters_geom', 'disasters', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_disasters_lg_code'), 'disasters', ['lg_code'], unique=False)
    op.create_geospatial_table('hazard_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('layer_code', sa.String(length=40), nullable=False),
    sa.Column('class_code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_hazard_areas_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_areas'))
    )
    op.create_geospatial_index('idx_hazard_areas_geom', 'hazard_areas', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_hazard_areas_lg_code_layer_code', 'hazard_areas', ['lg_code', 'layer_code'], unique=False)
    op.create_geospatial_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('atena_no', sa.String(length=15), nullable=False),
    sa.Column('household_no', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_kana', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('is_household_head', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('address_katagaki', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('is_protected', sa.Boolean(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("sex IN ('1','2','9')", name=op.f('ck_residents_sex_code')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_residents_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
    sa.UniqueConstraint('lg_code', 'atena_no', name=op.f('uq_residents_lg_code_atena_no'))
    )
    op.create_geospatial_index('idx_residents_geom', 'residents', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_residents_lg_code_household_no', 'residents', ['lg_code', 'household_no'], unique=False)
    op.create_index('ix_residents_name_kana_trgm', 'residents', ['name_kana'], unique=False, postgresql_using='gin', postgresql_ops={'name_kana': 'gin_trgm_ops'})
    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('screens', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_roles_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('lg_code', 'code', name=op.f('uq_roles_lg_code_code'))
    )
    op.create_index(op.f('ix_roles_lg_code'), 'roles', ['lg_code'], unique=False)
    op.create_geospatial_table('shelters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_kana', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('hazards', sa.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_shelters_capacity_non_negative')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_shelters_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelters'))
    )
    op.create_geospatial_index('idx_shelters_geom', 'shelters', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_shelters_lg_code'), 'shelters', ['lg_code'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('login_id', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('department', sa.String(length=60), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('granted_screens', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('revoked_screens', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_generation', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_users_lg_code_municipalities')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_users_role_id_roles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('lg_code', 'login_id', name=op.f('uq_users_lg_code_login_id'))
    )
    op.create_index(op.f('ix_users_lg_code'), 'users', ['lg_code'], unique=False)
    op.create_index('uq_users_operator_login_id', 'users', ['login_id'], unique=True, postgresql_where=sa.text('lg_code IS NULL'))
    _secure()


def _secure() -> None:
    for table in TENANT_TABLES:
        tenant_table(table)
    # Municipalities are public facts (code, name, population): staff read them, the operator
    # registers them.
    op.execute("GRANT SELECT ON municipalities TO bcl_app")
    op.execute("GRANT SELECT, INSERT, UPDATE ON municipalities TO bcl_operator")
    # Staff accounts: a tenant's staff see their own municipality's; operator accounts (lg_code
    # NULL) are visible only to the operator role.
    tenant_table("users")
    op.execute("CREATE POLICY operator_accounts ON users TO bcl_operator "
               "USING (lg_code IS NULL) WITH CHECK (lg_code IS NULL)")
    op.execute("GRANT SELECT, INSERT, UPDATE ON users TO bcl_operator")
    # Operator accounts have no role; the join still needs the grant. With no policy for the
    # operator on roles, row-level security shows it none of them.
    op.execute("GRANT SELECT ON roles TO bcl_operator")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE users_id_seq TO bcl_operator")
    # The audit log: insert and read own entries, never change them.
    tenant_table("audit_log", privileges="SELECT, INSERT")
    op.execute("CREATE POLICY operator_entries ON audit_log TO bcl_operator "
               "USING (lg_code IS NULL) WITH CHECK (lg_code IS NULL)")
    op.execute("GRANT SELECT, INSERT ON audit_log TO bcl_operator")
    op.execute("GRANT USAGE, SELECT ON SEQUENCE audit_log_id_seq TO bcl_operator")
    append_only("audit_log")
    # Cross-tenant aggregates for the operator: counts only, no personal data. The view runs
    # with its owner's rights, so the operator needs no access to the tables themselves.
    op.execute("""
        CREATE VIEW operator_tenant_summary AS
        SELECT m.lg_code,
               (SELECT count(*) FROM users u WHERE u.lg_code = m.lg_code AND u.is_active) AS staff_count,
               (SELECT count(*) FROM residents r WHERE r.lg_code = m.lg_code AND r.status = '住登内')
                   AS resident_count,
               (SELECT count(*) FROM shelters s WHERE s.lg_code = m.lg_code) AS shelter_count,
               (SELECT count(*) FROM disasters d WHERE d.lg_code = m.lg_code AND d.status = '対応中')
                   AS active_disaster_count
        FROM municipalities m""")
    op.execute("GRANT SELECT ON operator_tenant_summary TO bcl_operator")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS operator_tenant_summary")
    drop_append_only("audit_log")
    for table in (*TENANT_TABLES, "users", "audit_log"):
        drop_tenant_table_policies(table)
    op.execute("DROP POLICY IF EXISTS operator_accounts ON users")
    op.execute("DROP POLICY IF EXISTS operator_entries ON audit_log")
    op.execute("REVOKE ALL ON municipalities FROM bcl_app, bcl_operator")
    op.drop_index('uq_users_operator_login_id', table_name='users', postgresql_where=sa.text('lg_code IS NULL'))
    op.drop_index(op.f('ix_users_lg_code'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_shelters_lg_code'), table_name='shelters')
    op.drop_geospatial_index('idx_shelters_geom', table_name='shelters', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('shelters')
    op.drop_index(op.f('ix_roles_lg_code'), table_name='roles')
    op.drop_table('roles')
    op.drop_index('ix_residents_name_kana_trgm', table_name='residents', postgresql_using='gin', postgresql_ops={'name_kana': 'gin_trgm_ops'})
    op.drop_index('ix_residents_lg_code_household_no', table_name='residents')
    op.drop_geospatial_index('idx_residents_geom', table_name='residents', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('residents')
    op.drop_index('ix_hazard_areas_lg_code_layer_code', table_name='hazard_areas')
    op.drop_geospatial_index('idx_hazard_areas_geom', table_name='hazard_areas', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('hazard_areas')
    op.drop_index(op.f('ix_disasters_lg_code'), table_name='disasters')
    op.drop_geospatial_index('idx_disasters_geom', table_name='disasters', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('disasters')
    op.drop_index(op.f('ix_buildings_lg_code'), table_name='buildings')
    op.drop_geospatial_index('idx_buildings_geom', table_name='buildings', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('buildings')
    op.drop_index(op.f('ix_admin_areas_lg_code'), table_name='admin_areas')
    op.drop_geospatial_index('idx_admin_areas_geom', table_name='admin_areas', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('admin_areas')
    op.drop_table('municipalities')
    op.drop_index('ix_audit_log_lg_code_occurred_at', table_name='audit_log')
    op.drop_table('audit_log')
