"""Resident data link: the 中間DB, batches, stored files, generations, address points, jobs

Extends residents with every item of docs/resident-link.md, adds seals, taxes and welfare,
the link's own records and the job queue, all isolated per tenant by row-level security.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:24:53.145363
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from migrations.tenancy import drop_tenant_table_policies, tenant_table

TENANT_TABLES = ("jobs", "address_points", "link_batches", "link_tokens", "seal_registrations", "tax_records",
                 "welfare_records", "generations", "link_errors", "link_files", "link_file_chunks")

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _add_text_column(table: str, name: str, length: int) -> None:
    """An optional text column (NOT NULL, '' when unknown) on a table that may already hold rows."""
    op.add_column(table, sa.Column(name, sa.String(length=length), nullable=False, server_default=""))


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    op.create_table('jobs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=True),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('progress_label', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worker', sa.String(length=80), nullable=False),
    sa.CheckConstraint("status IN ('queued','running','done','failed')", name=op.f('ck_jobs_status_known')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_jobs_progress_percent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index(op.f('ix_jobs_lg_code'), 'jobs', ['lg_code'], unique=False)
    op.create_index('ix_jobs_queued', 'jobs', ['run_after', 'id'], unique=False, postgresql_where=sa.text("status = 'queued'"))
    op.create_geospatial_table('address_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('match_key', sa.String(length=200), nullable=False),
    sa.Column('town_area', sa.String(length=100), nullable=False),
    sa.Column('block', sa.String(length=20), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_address_points_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_points'))
    )
    op.create_geospatial_index('idx_address_points_geom', 'address_points', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_address_points_lg_code_key', 'address_points', ['lg_code', 'match_key'], unique=False)
    op.create_table('link_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('sequence_no', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=4), nullable=False),
    sa.Column('reference_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('manifest', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('manifest_bytes', sa.LargeBinary(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('received_by', sa.String(length=60), nullable=False, server_default=sa.text("''")),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('report', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.CheckConstraint("mode IN ('full','diff')", name=op.f('ck_link_batches_mode_known')),
    sa.CheckConstraint("status IN ('queued','processing','applied','rejected')", name=op.f('ck_link_batches_status_known')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_link_batches_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_batches'))
    )
    op.create_index(op.f('ix_link_batches_lg_code'), 'link_batches', ['lg_code'], unique=False)
    op.create_index('uq_link_batches_lg_code_sequence_no', 'link_batches', ['lg_code', 'sequence_no'], unique=True, postgresql_where=sa.text("status <> 'rejected'"))
    op.create_table('link_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False, server_default=sa.text("''")),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_link_tokens_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_link_tokens_token_hash'))
    )
    op.create_index(op.f('ix_link_tokens_lg_code'), 'link_tokens', ['lg_code'], unique=False)
    op.create_table('seal_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('registration_no', sa.String(length=20), nullable=False),
    sa.Column('atena_no', sa.String(length=15), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('abolished_on', sa.Date(), nullable=True),
    sa.Column('impression_png', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_seal_registrations_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_registrations')),
    sa.UniqueConstraint('lg_code', 'registration_no', name=op.f('uq_seal_registrations_lg_code_registration_no'))
    )
    op.create_index('ix_seal_registrations_lg_code_atena_no', 'seal_registrations', ['lg_code', 'atena_no'], unique=False)
    op.create_table('tax_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('atena_no', sa.String(length=15), nullable=False),
    sa.Column('fiscal_year', sa.SmallInteger(), nullable=False),
    sa.Column('is_taxable', sa.Boolean(), nullable=False),
    sa.Column('salary_income', sa.BigInteger(), nullable=False),
    sa.Column('salary_earnings', sa.BigInteger(), nullable=False),
    sa.Column('business_earnings', sa.BigInteger(), nullable=False),
    sa.Column('farm_earnings', sa.BigInteger(), nullable=False),
    sa.Column('real_estate_earnings', sa.BigInteger(), nullable=False),
    sa.Column('interest_earnings', sa.BigInteger(), nullable=False),
    sa.Column('dividend_earnings', sa.BigInteger(), nullable=False),
    sa.Column('pension_income', sa.BigInteger(), nullable=False),
    sa.Column('misc_earnings', sa.BigInteger(), nullable=False),
    sa.Column('total_earnings', sa.BigInteger(), nullable=False),
    sa.Column('deductions', sa.BigInteger(), nullable=False),
    sa.Column('taxable_base', sa.BigInteger(), nullable=False),
    sa.Column('has_spouse_deduction', sa.Boolean(), nullable=False),
    sa.Column('dependants', sa.SmallInteger(), nullable=False),
    sa.Column('per_capita_levy', sa.BigInteger(), nullable=False),
    sa.Column('income_levy', sa.BigInteger(), nullable=False),
    sa.Column('annual_tax', sa.BigInteger(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_status', sa.String(length=1), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_tax_records_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_records')),
    sa.UniqueConstraint('lg_code', 'atena_no', 'fiscal_year', name=op.f('uq_tax_records_lg_code_atena_no_fiscal_year'))
    )
    op.create_table('welfare_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('atena_no', sa.String(length=15), nullable=False),
    sa.Column('care_level', sa.String(length=2), nullable=False, server_default=sa.text("''")),
    sa.Column('physical_disability_grade', sa.String(length=1), nullable=False, server_default=sa.text("''")),
    sa.Column('physical_disability_type', sa.String(length=1), nullable=False, server_default=sa.text("''")),
    sa.Column('mental_disability_grade', sa.String(length=1), nullable=False, server_default=sa.text("''")),
    sa.Column('intellectual_disability', sa.String(length=1), nullable=False, server_default=sa.text("''")),
    sa.Column('has_intractable_disease', sa.Boolean(), nullable=False),
    sa.Column('lives_alone', sa.Boolean(), nullable=False),
    sa.Column('elderly_only_household', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_welfare_records_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_records')),
    sa.UniqueConstraint('lg_code', 'atena_no', name=op.f('uq_welfare_records_lg_code_atena_no'))
    )
    op.create_table('generations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=4), nullable=False),
    sa.Column('base_number', sa.Integer(), nullable=False),
    sa.Column('reference_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('checksums', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('is_purged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['link_batches.id'], name=op.f('fk_generations_batch_id_link_batches')),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_generations_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generations')),
    sa.UniqueConstraint('lg_code', 'number', name=op.f('uq_generations_lg_code_number'))
    )
    op.create_table('link_errors',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=100), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('column', sa.String(length=40), nullable=False, server_default=sa.text("''")),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['link_batches.id'], name=op.f('fk_link_errors_batch_id_link_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_errors'))
    )
    op.create_index('ix_link_errors_batch_id_line', 'link_errors', ['batch_id', 'line'], unique=False)
    op.create_table('link_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('encoding', sa.String(length=8), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('is_purged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['link_batches.id'], name=op.f('fk_link_files_batch_id_link_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lg_code'], ['municipalities.lg_code'], name=op.f('fk_link_files_lg_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_files')),
    sa.UniqueConstraint('batch_id', 'kind', name=op.f('uq_link_files_batch_id_kind'))
    )
    op.create_index(op.f('ix_link_files_lg_code'), 'link_files', ['lg_code'], unique=False)
    op.create_table('link_file_chunks',
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['link_files.id'], name=op.f('fk_link_file_chunks_file_id_link_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_link_file_chunks'))
    )
    _add_text_column('buildings', 'location_source', 16)
    op.alter_column('buildings', 'geom',
               existing_type=Geometry(geometry_type='POLYGON', srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', nullable=False, _spatial_index_reflected=True),
               type_=Geometry(srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry'),
               nullable=True)
    _add_text_column('residents', 'resident_code', 11)
    op.add_column('residents', sa.Column('resident_kind', sa.String(length=1), nullable=False, server_default='1'))
    _add_text_column('residents', 'former_surname', 50)
    _add_text_column('residents', 'former_surname_kana', 100)
    _add_text_column('residents', 'alias_name', 100)
    _add_text_column('residents', 'alias_kana', 200)
    op.add_column('residents', sa.Column('address_since', sa.Date(), nullable=True))
    _add_text_column('residents', 'previous_address', 200)
    op.add_column('residents', sa.Column('resident_since', sa.Date(), nullable=True))
    _add_text_column('residents', 'honseki', 200)
    _add_text_column('residents', 'hittousha', 100)
    _add_text_column('residents', 'nationality', 60)
    _add_text_column('residents', 'residence_status', 60)
    _add_text_column('residents', 'residence_period', 20)
    op.add_column('residents', sa.Column('residence_expiry', sa.Date(), nullable=True))
    _add_text_column('residents', 'residence_card_no', 12)
    op.add_column('residents', sa.Column('mynumber_enc', sa.LargeBinary(), nullable=True))
    op.add_column('residents', sa.Column('removed_on', sa.Date(), nullable=True))
    _add_text_column('residents', 'location_source', 16)
    for column in ('relationship', 'address_katagaki', 'phone'):
        op.alter_column('residents', column, server_default='')
    _secure()


# Parsing of link dates (西暦 YYYY-MM-DD or 和暦 GYY.MM.DD within the era); NULL when invalid.
# app/residents/link/spec.py:parse_link_date is the same rule in Python.
LINK_DATE_FUNCTION = r"""
CREATE FUNCTION bcl_link_date(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE y int; mo int; d int; era_start date; era_end date; result date;
BEGIN
  IF t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    y := substr(t, 1, 4)::int; mo := substr(t, 6, 2)::int; d := substr(t, 9, 2)::int;
  ELSIF t ~ '^[MTSHR][0-9]{2}[.][0-9]{2}[.][0-9]{2}$' THEN
    mo := substr(t, 5, 2)::int; d := substr(t, 8, 2)::int;
    CASE substr(t, 1, 1)
      WHEN 'M' THEN y := 1867; era_start := DATE '1868-01-25'; era_end := DATE '1912-07-29';
      WHEN 'T' THEN y := 1911; era_start := DATE '1912-07-30'; era_end := DATE '1926-12-24';
      WHEN 'S' THEN y := 1925; era_start := DATE '1926-12-25'; era_end := DATE '1989-01-07';
      WHEN 'H' THEN y := 1988; era_start := DATE '1989-01-08'; era_end := DATE '2019-04-30';
      ELSE y := 2018; era_start := DATE '2019-05-01'; era_end := DATE '9999-12-31';
    END CASE;
    IF substr(t, 2, 2)::int < 1 THEN RETURN NULL; END IF;
    y := y + substr(t, 2, 2)::int;
  ELSE
    RETURN NULL;
  END IF;
  IF y < 1 OR mo < 1 OR mo > 12 OR d < 1
     OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN
    RETURN NULL;
  END IF;
  result := make_date(y, mo, d);
  IF era_start IS NOT NULL AND (result < era_start OR result > era_end) THEN RETURN NULL; END IF;
  RETURN result;
END $$"""

def _secure() -> None:
    op.execute(LINK_DATE_FUNCTION)
    for table in TENANT_TABLES:
        tenant_table(table)
    # Stored batch files are already dense CSV: lz4 keeps their compression cheap.
    op.execute("ALTER TABLE link_file_chunks ALTER COLUMN data SET COMPRESSION lz4")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS bcl_link_date(text)")
    for table in TENANT_TABLES:
        drop_tenant_table_policies(table)
    op.drop_column('residents', 'location_source')
    op.drop_column('residents', 'removed_on')
    op.drop_column('residents', 'mynumber_enc')
    op.drop_column('residents', 'residence_card_no')
    op.drop_column('residents', 'residence_expiry')
    op.drop_column('residents', 'residence_period')
    op.drop_column('residents', 'residence_status')
    op.drop_column('residents', 'nationality')
    op.drop_column('residents', 'hittousha')
    op.drop_column('residents', 'honseki')
    op.drop_column('residents', 'resident_since')
    op.drop_column('residents', 'previous_address')
    op.drop_column('residents', 'address_since')
    op.drop_column('residents', 'alias_kana')
    op.drop_column('residents', 'alias_name')
    op.drop_column('residents', 'former_surname_kana')
    op.drop_column('residents', 'former_surname')
    op.drop_column('residents', 'resident_kind')
    op.drop_column('residents', 'resident_code')
    op.alter_column('buildings', 'geom',
               existing_type=Geometry(srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry'),
               type_=Geometry(geometry_type='POLYGON', srid=4326, dimension=2, from_text='ST_GeomFromEWKT', name='geometry', nullable=False, _spatial_index_reflected=True),
               nullable=False)
    op.drop_column('buildings', 'location_source')
    op.drop_table('link_file_chunks')
    op.drop_index(op.f('ix_link_files_lg_code'), table_name='link_files')
    op.drop_table('link_files')
    op.drop_index('ix_link_errors_batch_id_line', table_name='link_errors')
    op.drop_table('link_errors')
    op.drop_table('generations')
    op.drop_table('welfare_records')
    op.drop_table('tax_records')
    op.drop_index('ix_seal_registrations_lg_code_atena_no', table_name='seal_registrations')
    op.drop_table('seal_registrations')
    op.drop_index(op.f('ix_link_tokens_lg_code'), table_name='link_tokens')
    op.drop_table('link_tokens')
    op.drop_index('uq_link_batches_lg_code_sequence_no', table_name='link_batches', postgresql_where=sa.text("status <> 'rejected'"))
    op.drop_index(op.f('ix_link_batches_lg_code'), table_name='link_batches')
    op.drop_table('link_batches')
    op.drop_index('ix_address_points_lg_code_key', table_name='address_points')
    op.drop_geospatial_index('idx_address_points_geom', table_name='address_points', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('address_points')
    op.drop_index('ix_jobs_queued', table_name='jobs', postgresql_where=sa.text("status = 'queued'"))
    op.drop_index(op.f('ix_jobs_lg_code'), table_name='jobs')
    op.drop_table('jobs')
