"""Database access: the declarative base, the session factory and the tenant scope.

Tenancy is enforced by PostgreSQL row-level security. Every transaction starts by setting two
transaction-local settings from the session's scope:

- ``role``: ``bcl_app`` for municipal staff, ``bcl_operator`` for the operator (J-LIS), or the
  login role itself for system work (migrations, demo loading, CLI administration);
- ``app.lg_code``: the municipality whose rows the transaction may see. Unset means no rows.

The policies live in the migrations; this module only decides which scope a session runs in.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, create_engine, event, func
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    scoped_session,
    sessionmaker,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

APP_ROLE = "bcl_app"
OPERATOR_ROLE = "bcl_operator"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class TenantOwned:
    """A row of one municipality: ``lg_code`` (NOT NULL) references ``municipalities``, and the
    table's row-level-security policy (``migrations/tenancy.py``) compares it with the tenant of
    the transaction on every read and write.

    Tables whose ``lg_code`` differs say so in two class attributes: ``lg_code_indexed = False``
    where ``lg_code`` has no index of its own (a key or index that starts with it serves the
    tenant's queries, or the table is only read by its other keys), and ``lg_code_is_key = True``
    where it is the primary key, or its first column (one row per municipality).
    """

    lg_code_indexed: ClassVar[bool] = True
    lg_code_is_key: ClassVar[bool] = False

    @declared_attr
    def lg_code(cls) -> Mapped[str]:
        if cls.lg_code_is_key:
            # First among the columns, so that a composite primary key starts with it.
            return mapped_column(String(6), ForeignKey("municipalities.lg_code"), primary_key=True, sort_order=-1)
        return mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=cls.lg_code_indexed)


class Versioned:
    """An editable record under optimistic locking (docs/architecture.md): ``version`` counts the
    saves, and SQLAlchemy's ``version_id_col`` puts ``WHERE version = <the one read>`` on every
    UPDATE, so the later of two concurrent saves matches no row and fails. A table whose column
    has a server default too declares ``version`` itself; the locking follows it."""

    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def text_column(length: int):
    """An optional text column: NOT NULL, empty when unknown (also for rows loaded by COPY)."""
    from sqlalchemy import String

    return mapped_column(String(length), default="", server_default="")


@dataclass(frozen=True)
class Scope:
    """Who a transaction acts for. ``role=None`` is the system scope (no SET ROLE)."""

    role: str | None
    lg_code: str | None = None

    @classmethod
    def tenant(cls, lg_code: str) -> Scope:
        return cls(APP_ROLE, lg_code)

    @classmethod
    def operator(cls) -> Scope:
        return cls(OPERATOR_ROLE, None)

    @property
    def is_system(self) -> bool:
        return self.role is None


NO_TENANT = Scope(APP_ROLE, None)
SYSTEM = Scope(None, None)


def _apply_scope(connection: Connection, scope: Scope) -> None:
    connection.exec_driver_sql(
        "SELECT set_config('role', %s, true), set_config('app.lg_code', %s, true)",
        (scope.role or "none", scope.lg_code or ""),
    )


def get_or_not_found(session: Session, model, key, message: str, target_type: str | None = None):
    """``session.get(model, key)`` or a NotFound with ``message``; row-level security makes another
    municipality's record look exactly like a missing one. ``target_type`` marks the miss for the audit log."""
    from app.errors import NotFound

    found = session.get(model, key)
    if found is None:
        raise NotFound(message, target_type=target_type, target_id=key)
    return found


def _unwrap(session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def set_scope(session: Session, scope: Scope) -> None:
    """Make ``session`` act for ``scope`` from now on, including the transaction in progress."""
    session = _unwrap(session)
    session.info["scope"] = scope
    if session.in_transaction():
        _apply_scope(session.connection(), scope)


def get_scope(session: Session) -> Scope:
    return _unwrap(session).info.get("scope", NO_TENANT)


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(session: Session, transaction, connection: Connection) -> None:
    # A session without an explicit scope sees no tenant rows: forgetting to set it fails closed.
    _apply_scope(connection, get_scope(session))


class Database:
    """Engine plus a request-scoped session; one commit per request or CLI command."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self.session_factory)

    def configure(self, url: str, echo: bool = False) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.session_factory.configure(bind=self.engine)

    def bind_session_to(self, connection: Connection | None) -> None:
        """Tests: run every session inside ``connection``'s transaction, as savepoints."""
        if connection is None:
            self.session_factory.configure(bind=self.engine, join_transaction_mode="conditional_savepoint")
        else:
            self.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")

    def dispose(self) -> None:
        self.session.remove()
        if self.engine is not None:
            self.engine.dispose()

    def new_session(self, scope: Scope) -> Session:
        """A session of its own (the caller closes it), e.g. for a response streamed after the request."""
        session = self.session_factory()
        set_scope(session, scope)
        return session

    @contextmanager
    def unit_of_work(self, scope: Scope) -> Iterator[Session]:
        """A session for one CLI command or job: commits on success, rolls back on any error."""
        session = self.new_session(scope)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def resolve_url(database_url: str | None, database_name: str, instance_dir) -> str | None:
    """The SQLAlchemy URL: DATABASE_URL when set, else the embedded cluster's (None if not created)."""
    if database_url:
        for prefix in ("postgres://", "postgresql://"):
            if database_url.startswith(prefix):
                return "postgresql+psycopg://" + database_url[len(prefix):]
        return database_url
    from app.cluster import EmbeddedCluster

    cluster = EmbeddedCluster(instance_dir)
    if not cluster.info_file.exists():
        return None
    return cluster.info().url(database_name)
