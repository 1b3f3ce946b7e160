"""Personal access tokens for GIS clients. The plain token (``bclgis.<lg_code>.<secret>``) is shown
once; only its SHA-256 is stored. The municipality in the token sets the tenant before the lookup,
so the lookup itself runs under that municipality's row-level policy."""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.auth.models import User
from app.db import Scope, get_or_not_found, set_scope
from app.errors import AuthenticationError, NotFound, ValidationError
from app.ogc import rules
from app.ogc.models import GisToken

_HELP = "地図（GIS連携）画面で発行した個人用トークンを Authorization: Bearer <トークン> で送ってください。"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor, name: str, days: int | None = None) -> tuple[GisToken, str]:
    """Issue a token for the acting user, valid ``days`` days; the plain token is returned once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("トークンの名前（用途）を入力してください。", code="name_missing")
    lifetime = rules.token_days(days)
    plain = f"{rules.TOKEN_PREFIX}.{actor.lg_code}.{secrets.token_urlsafe(32)}"
    now = session.scalar(select(func.now()))
    token = GisToken(lg_code=actor.lg_code, user_id=actor.user_id, name=name[:60], token_hash=_digest(plain),
                     token_hint=plain[-6:], expires_at=now + timedelta(days=lifetime))
    session.add(token)
    session.flush()
    record(session, actor, "gis_token_create", "gis_token", [token.id], name=token.name, days=lifetime)
    return token, plain


def list_tokens(session: Session, user_id: int) -> list[GisToken]:
    """The user's own tokens, newest first."""
    return list(session.scalars(select(GisToken).where(GisToken.user_id == user_id)
                                .order_by(GisToken.created_at.desc(), GisToken.id.desc())))


def revoke_token(session: Session, actor: Actor, token_id: int) -> GisToken:
    """Revoke one of the acting user's tokens (another user's token looks like a missing one)."""
    token = get_or_not_found(session, GisToken, token_id, "指定されたトークンはありません。", "gis_token")
    if token.user_id != actor.user_id:
        raise NotFound("指定されたトークンはありません。", target_type="gis_token", target_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = session.scalar(select(func.now()))
        record(session, actor, "gis_token_revoke", "gis_token", [token.id], name=token.name)
    return token


@dataclass(frozen=True)
class Client:
    """An authenticated GIS client: the token and the staff member it acts for."""

    token: GisToken
    user: User


def authenticate(session: Session, authorization: str | None) -> Client:
    """The client of an ``Authorization: Bearer <token>`` header (or Basic with the token as the
    password, for clients that only offer user/password); sets the session to its municipality."""
    plain = _presented_token(authorization)
    lg_code = rules.token_municipality(plain)
    if lg_code is None:
        raise AuthenticationError("トークンの形式が正しくありません（bclgis. で始まる個人用トークンではありません）。"
                                  + _HELP, code="unauthorized", details={"reason": "malformed"})
    set_scope(session, Scope.tenant(lg_code))
    token = session.scalar(select(GisToken).where(GisToken.token_hash == _digest(plain)))
    if token is None:
        raise AuthenticationError("トークンが見つかりません（誤っているか、削除されました）。", code="unauthorized",
                                  details={"reason": "unknown"})
    now = session.scalar(select(func.now()))
    if token.revoked_at is not None:
        raise AuthenticationError("このトークンは失効しています。新しいトークンを発行してください。",
                                  code="unauthorized", details={"reason": "revoked"})
    if token.expires_at <= now:
        raise AuthenticationError("このトークンは有効期限が切れています。新しいトークンを発行してください。",
                                  code="unauthorized", details={"reason": "expired"})
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("このトークンの利用者は無効になっています。", code="unauthorized",
                                  details={"reason": "user_inactive"})
    token.last_used_at = now
    return Client(token, user)


def _presented_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError("認証情報がありません。" + _HELP, code="unauthorized", details={"reason": "missing"})
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        password = decoded.partition(":")[2]
        if password:
            return password
    raise AuthenticationError("Authorization ヘッダの形式が正しくありません。" + _HELP, code="unauthorized",
                              details={"reason": "malformed"})
