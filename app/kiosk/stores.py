"""Store operators (the convenience-store chains whose kiosks call the API) and their tokens.

Operator-level data, not a tenant's: created and rotated from the CLI in the system scope. Only the
SHA-256 of a token is stored; a kiosk's token is checked through ``bcl_store_operator`` (the
operator's code, name and state, nothing else), so staff sessions never read this table."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates.services import Store
from app.errors import AuthenticationError, ValidationError
from app.kiosk.models import StoreOperator
from app.tenants.rules import LG_CODE_PATTERN, lg_code_problem

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{1,19}")
STORE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
# The header's pattern as the OpenAPI document states it; the check digit is checked too.
STORE_LG_CODE_PATTERN = LG_CODE_PATTERN


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(code: str) -> str:
    return f"kiosk.{code}.{secrets.token_urlsafe(32)}"


def create_operator(session: Session, code: str, name: str) -> tuple[StoreOperator, str]:
    """Register a store operator; its token is returned once (only the hash is kept)."""
    if not CODE_PATTERN.fullmatch(code or ""):
        raise ValidationError("事業者コードは英小文字・数字・-・_ の2〜20文字にしてください。", code="code_invalid")
    if not (name or "").strip():
        raise ValidationError("事業者名を入力してください。", code="name_missing")
    if session.scalar(select(StoreOperator.id).where(StoreOperator.code == code)):
        raise ValidationError(f"事業者コード {code} は登録済みです。", code="code_taken")
    plain = _new_token(code)
    operator = StoreOperator(code=code, name=name.strip()[:60], token_hash=_digest(plain), token_hint=plain[-6:],
                             is_active=True)
    session.add(operator)
    session.flush()
    _audit(session, code, "create")
    return operator, plain


def rotate_token(session: Session, code: str) -> str:
    """A new token for the operator; the old one stops working at once."""
    operator = _operator(session, code)
    plain = _new_token(code)
    operator.token_hash, operator.token_hint, operator.rotated_at = _digest(plain), plain[-6:], func.now()
    session.flush()
    _audit(session, code, "rotate")
    return plain


def set_active(session: Session, code: str, active: bool) -> StoreOperator:
    operator = _operator(session, code)
    operator.is_active = active
    session.flush()
    _audit(session, code, "activate" if active else "deactivate")
    return operator


def _audit(session: Session, code: str, change: str) -> None:
    """Operator-level change: audited without a municipality (the operator's log)."""
    record(session, Actor.system(None, "cli"), "store_operator_update", "store_operator", [code], change=change)


def _operator(session: Session, code: str) -> StoreOperator:
    operator = session.scalar(select(StoreOperator).where(StoreOperator.code == code))
    if operator is None:
        raise ValidationError(f"事業者コード {code} は登録されていません。", code="operator_unknown")
    return operator


def list_operators(session: Session) -> list[StoreOperator]:
    return list(session.scalars(select(StoreOperator).order_by(StoreOperator.code)))


@dataclass(frozen=True)
class KioskStore(Store):
    """The authenticated store: the operator's code and name, the store id and its municipality."""

    operator_name: str = ""


def authenticate(session: Session, authorization: str | None, store_id: str | None,
                 store_lg_code: str | None) -> KioskStore:
    """The store operator of ``Authorization: Bearer kiosk.<code>.<secret>`` and the store it names."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError("Authorization: Bearer <事業者トークン> が必要です。", code="unauthorized")
    row = session.execute(text("SELECT code, name, is_active FROM bcl_store_operator(:hash)"),
                          {"hash": _digest(authorization[len("Bearer "):].strip())}).first()
    if row is None or not row.is_active:
        raise AuthenticationError("事業者トークンが無効です（失効したか、誤っています）。", code="unauthorized")
    if not STORE_ID_PATTERN.fullmatch(store_id or ""):
        raise ValidationError("店舗ID（X-Kiosk-Store-Id）が必要です（英数字・-・_ の40文字まで）。",
                              code="store_invalid")
    if lg_code_problem(store_lg_code) is not None:
        raise ValidationError("店舗の所在地の団体コード（X-Kiosk-Store-Lg-Code）が正しくありません"
                              "（半角数字6桁、6桁目は検査数字）。", code="store_invalid")
    return KioskStore(operator=row.code, store_id=store_id, lg_code=store_lg_code, operator_name=row.name)
