"""Staff accounts and roles (権限). Operator (J-LIS) accounts have no lg_code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth import rules
from app.db import Base, TenantOwned, TimestampMixin, Versioned


class Role(TenantOwned, Versioned, TimestampMixin, Base):
    """A municipality's role (権限 01, 02, …) with the screens it may use."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("lg_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(40))
    screens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)


class User(Versioned, TimestampMixin, Base):
    """A staff account. Login is by 団体コード + ユーザID + password (operators: no 団体コード)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("lg_code", "login_id"),
        # lg_code is NULL for operators, and NULLs never collide in the constraint above.
        Index("uq_users_operator_login_id", "login_id", unique=True, postgresql_where=text("lg_code IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    login_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(60), default="")
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))
    granted_screens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    revoked_screens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when someone else chose the password (registration, a reset by an administrator): the
    # user must choose their own before any other screen opens.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Bumped on logout, password change, lock and deactivation: sessions carrying an older value end.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)

    role: Mapped[Role | None] = relationship(lazy="joined")

    @property
    def is_operator(self) -> bool:
        return self.lg_code is None

    @property
    def screens(self) -> frozenset[str]:
        if self.is_operator:
            return frozenset(s.code for s in rules.OPERATOR_SCREENS)
        role_screens = self.role.screens if self.role else ()
        return rules.effective_screens(role_screens, self.granted_screens, self.revoked_screens)

    def can_use(self, screen: str) -> bool:
        return screen == rules.LOGIN_ONLY or screen in self.screens

    # flask-login protocol -----------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        # The tenant travels with the id so the loader can set the scope before querying.
        return f"{self.lg_code or '-'}:{self.id}:{self.session_generation}"

