"""Helpers for the OGC API tests: personal GIS tokens and a filled 避難行動要支援者名簿."""
from __future__ import annotations

from sqlalchemy import select

from app.audit.services import Actor
from app.auth.models import User
from app.db import Scope, set_scope
from app.evac_support.services import refresh_register
from app.ogc import tokens


def issue_token(database, lg_code: str, login_id: str, days: int = 90) -> str:
    """A personal token of ``login_id`` in ``lg_code``, committed (inside the test's transaction)."""
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    user = session.scalars(select(User).where(User.login_id == login_id)).one()
    _, plain = tokens.create_token(session, Actor(lg_code, user.id, login_id), "テスト用 QGIS", days)
    session.commit()
    session.close()
    return plain


def fill_register(database, lg_code: str) -> None:
    """Extract the 避難行動要支援者名簿 with the default criteria."""
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    refresh_register(session, Actor(lg_code, None, "test"))
    session.commit()
    session.close()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
