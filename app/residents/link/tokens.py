"""API tokens of a municipality's link server. Only the SHA-256 is stored; the token names its
municipality (``bcl.<lg_code>.<secret>``) so the lookup itself runs under that tenant's policy."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import Scope, get_or_not_found, set_scope
from app.errors import AuthenticationError, ValidationError
from app.residents.models import LinkToken
from app.tenants.rules import normalize_lg_code


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PURPOSES = {"link": "住民情報連携", "applications": "オンライン申請の受付", "card_reader": "カードリーダー端末"}


def create_token(session: Session, actor: Actor, name: str, purpose: str = "link") -> tuple[LinkToken, str]:
    """Issue a token for the actor's municipality; the plain token is returned once, never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("トークンの名前（用途）を入力してください。", code="name_missing")
    if purpose not in PURPOSES:
        raise ValidationError(f"トークンの種類「{purpose}」はありません。", code="purpose_unknown")
    plain = f"bcl.{actor.lg_code}.{secrets.token_urlsafe(32)}"
    token = LinkToken(lg_code=actor.lg_code, name=name[:60], token_hash=_digest(plain), token_hint=plain[-6:],
                      created_by=actor.login_id, purpose=purpose)
    session.add(token)
    session.flush()
    record(session, actor, "link_token_create", "link_token", [token.id], name=token.name)
    return token, plain


def revoke_token(session: Session, actor: Actor, token_id: int) -> LinkToken:
    token = get_or_not_found(session, LinkToken, token_id, "指定されたトークンはありません。", "link_token")
    if token.revoked_at is None:
        token.revoked_at = session.scalar(select(func.now()))
        record(session, actor, "link_token_revoke", "link_token", [token.id], name=token.name)
    return token


def list_tokens(session: Session) -> list[LinkToken]:
    return list(session.scalars(select(LinkToken).order_by(LinkToken.created_at.desc())))


def authenticate(session: Session, authorization: str | None, purpose: str = "link") -> LinkToken:
    """The token of an ``Authorization: Bearer …`` header, issued for ``purpose``; sets the session
    to its municipality."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError("Authorization: Bearer <連携トークン> が必要です。", code="unauthorized")
    plain = authorization[len("Bearer "):].strip()
    parts = plain.split(".")
    if len(parts) != 3 or parts[0] != "bcl":
        raise AuthenticationError("連携トークンの形式が正しくありません。", code="unauthorized")
    try:
        lg_code = normalize_lg_code(parts[1])
    except ValidationError as exc:
        raise AuthenticationError("連携トークンの形式が正しくありません。", code="unauthorized") from exc
    set_scope(session, Scope.tenant(lg_code))
    token = session.scalar(select(LinkToken).where(LinkToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or token.purpose != purpose:
        raise AuthenticationError("連携トークンが無効です（失効したか、誤っているか、この用途のものではありません）。",
                                  code="unauthorized")
    token.last_used_at = session.scalar(select(func.now()))
    return token
