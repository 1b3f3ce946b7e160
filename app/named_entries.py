"""Saving an entry of a municipality's list of named parties — the 提供先 of the 被災者台帳
(``app/disasters/recipients.py``) and the 避難支援等関係者 (``app/evac_support/organisations.py``):
a new entry or a change, with the optimistic lock, the confirmation of the changes and the audit.

Two members of staff may save at the same moment, and only the database sees both: its unique
key (lg_code, name) refuses a second entry of one name, and the version column a second change
made from the same version. Each refusal becomes the answer a later save would get — the name is
taken (422), or the entry was changed meanwhile (409, with the other person's values) — and the
losing save writes nothing, so the request's transaction stays usable for the page that says so.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg.errors import UniqueViolation
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.errors import Conflict, ValidationError


@dataclass(frozen=True)
class NamedList:
    """One list: its model (``id``, ``lg_code``, ``name`` unique per municipality, ``version`` as
    SQLAlchemy's version column) and how the screens and the audit log speak of its entries."""

    model: type
    noun: str  # in 「この{noun}の登録は他の職員が先に更新しました。」
    target_type: str  # of the audit entries and of a NotFound
    not_found: str
    name_taken_code: str
    audit_action: str
    saved_values: Callable[[Any], dict[str, str]]  # an entry as a conflict shows it, by label


def get_entry(session: Session, kind: NamedList, entry_id: int):
    """The municipality's entry (another municipality's is not found, by row-level security)."""
    return get_or_not_found(session, kind.model, entry_id, kind.not_found, kind.target_type)


def save_entry(session: Session, actor: Actor, kind: NamedList, entry_id: int | None, values: dict[str, Any], *,
               version: int | None, confirmed: bool, audit_detail: dict[str, Any]):
    """Register a new entry (``entry_id`` None) with ``values`` (checked by the caller) or change
    one: a Conflict when it was saved since ``version``, refused without the confirmation of the
    changes (変更事項の確認), and refused when another entry has the name. Audited, with
    ``audit_detail`` as the entry's detail."""
    if entry_id is None:
        entry = kind.model(lg_code=actor.lg_code)
    else:
        entry = get_entry(session, kind, entry_id)
        if entry.version != (version or 0):
            raise _changed_meanwhile(kind, entry)
        if not confirmed:
            raise ValidationError("変更内容を確認し、チェックを入れてから更新してください。",
                                  code="confirmation_required")
    # Opened before the values are set: opening it flushes, and the write must happen inside it.
    savepoint = session.begin_nested()
    try:
        for key, value in values.items():
            setattr(entry, key, value)
        session.add(entry)
        session.flush()
    except IntegrityError as exc:
        savepoint.rollback()
        if isinstance(exc.orig, UniqueViolation):
            raise ValidationError(f"「{values['name']}」は既に登録されています。", code=kind.name_taken_code) from None
        raise
    except StaleDataError:
        savepoint.rollback()  # expires the entry: reading it again gives the other person's values
        raise _changed_meanwhile(kind, entry) from None
    savepoint.commit()
    record(session, actor, kind.audit_action, kind.target_type, [entry.id], **audit_detail)
    return entry


def _changed_meanwhile(kind: NamedList, entry) -> Conflict:
    return Conflict(f"この{kind.noun}の登録は他の職員が先に更新しました。", current=kind.saved_values(entry))
