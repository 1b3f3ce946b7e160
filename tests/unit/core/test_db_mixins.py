"""app.db's TenantOwned and Versioned: the lg_code column and the optimistic lock they give a model."""
from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateTable

import app.models  # noqa: F401  (every model, so that Base.metadata is complete)
from app.db import Base, TenantOwned, Versioned


class _Base(DeclarativeBase):
    pass


class _Municipality(_Base):
    __tablename__ = "municipalities"
    lg_code: Mapped[str] = mapped_column(String(6), primary_key=True)


class _Plain(TenantOwned, Versioned, _Base):
    __tablename__ = "plain"
    id: Mapped[int] = mapped_column(primary_key=True)


class _Unindexed(TenantOwned, _Base):
    __tablename__ = "unindexed"
    lg_code_indexed = False
    id: Mapped[int] = mapped_column(primary_key=True)


class _Keyed(TenantOwned, _Base):
    __tablename__ = "keyed"
    lg_code_is_key = True
    layer: Mapped[str] = mapped_column(String(40), primary_key=True)


class _ServerDefaultVersion(Versioned, _Base):
    __tablename__ = "server_default_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


def _ddl(model) -> str:
    return str(CreateTable(model.__table__).compile(dialect=postgresql.dialect()))


def test_tenant_owned_lg_code_is_six_characters_not_null_referencing_municipalities_and_indexed():
    column = _Plain.__table__.c.lg_code
    assert isinstance(column.type, String) and column.type.length == 6
    assert not column.nullable and not column.primary_key
    assert [fk.target_fullname for fk in column.foreign_keys] == ["municipalities.lg_code"]
    assert [fk.ondelete for fk in column.foreign_keys] == [None]
    assert [[c.name for c in i.columns] for i in _Plain.__table__.indexes] == [["lg_code"]]


def test_tenant_owned_without_its_own_index():
    assert _Unindexed.__table__.indexes == set()
    assert [fk.target_fullname for fk in _Unindexed.__table__.c.lg_code.foreign_keys] == ["municipalities.lg_code"]


def test_tenant_owned_as_key_leads_the_primary_key_and_has_no_second_index():
    assert [c.name for c in _Keyed.__table__.primary_key.columns] == ["lg_code", "layer"]
    assert _Keyed.__table__.indexes == set()
    assert "PRIMARY KEY (lg_code, layer)" in _ddl(_Keyed)


def test_versioned_locks_on_its_version_column_starting_at_one():
    mapper = _Plain.__mapper__
    assert mapper.version_id_col is _Plain.__table__.c.version
    assert _Plain.__table__.c.version.default.arg == 1
    assert _Plain.__table__.c.version.server_default is None


def test_a_model_that_declares_version_itself_keeps_the_lock_on_that_column():
    column = _ServerDefaultVersion.__table__.c.version
    assert _ServerDefaultVersion.__mapper__.version_id_col is column
    assert column.server_default.arg == "1"
    assert len([c for c in _ServerDefaultVersion.__table__.columns if c.name == "version"]) == 1


def test_every_app_model_with_a_version_column_is_locked_on_it_but_the_tile_layer_version():
    # map_layer_versions.version is the data version of a tile layer, written by triggers, not a lock.
    unlocked = sorted(m.class_.__name__ for m in Base.registry.mappers
                      if "version" in m.local_table.c and m.version_id_col is None)
    assert unlocked == ["MapLayerVersion", "MapTileCache"]


def test_every_municipality_reference_in_the_app_is_the_mixin_s_or_a_stated_exception():
    # Operators' accounts, kiosk sessions before the card and base maps shared by every municipality
    # have no municipality (NULL).
    explicit = sorted(m.class_.__name__ for m in Base.registry.mappers
                      if "lg_code" in m.local_table.c and m.local_table.c.lg_code.foreign_keys
                      and not issubclass(m.class_, TenantOwned))
    assert explicit == ["Basemap", "KioskSession", "User"]
