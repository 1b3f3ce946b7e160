"""事項の表示切替: the municipality's own items of a register, their labels, visibility and order."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import ValidationError
from app.tenants.models import RegisterItem

VICTIM_REGISTER = "被災者台帳"
# What a municipality starts with; the administrator renames, hides, reorders or adds.
DEFAULT_ITEMS = {VICTIM_REGISTER: (("shelter", "避難先"), ("home_state", "自宅の状況"),
                                   ("car_stay", "車中泊の有無"), ("pets", "ペットの有無"), ("needs", "必要な支援"),
                                   ("account_checked", "振込口座の確認"))}


def register_items(session: Session, register: str, visible_only: bool = False) -> list[RegisterItem]:
    """The items of ``register`` in order (the defaults until the administrator saves them)."""
    stored = list(session.scalars(select(RegisterItem).where(RegisterItem.register == register)
                                  .order_by(RegisterItem.sort_order, RegisterItem.id)))
    items = stored or [RegisterItem(register=register, key=key, label=label, is_visible=True, sort_order=index)
                       for index, (key, label) in enumerate(DEFAULT_ITEMS.get(register, ()))]
    return [i for i in items if i.is_visible] if visible_only else items


def save_items(session: Session, actor: Actor, register: str, rows: list[dict],
               new_label: str = "") -> list[RegisterItem]:
    """Store labels, visibility and order of the items (and one new item), all or nothing."""
    if register not in DEFAULT_ITEMS:
        raise ValidationError(f"台帳「{register}」はありません。", code="register_unknown")
    current = {i.key: i for i in session.scalars(select(RegisterItem).where(RegisterItem.register == register))}
    for row in rows:
        label = (row.get("label") or "").strip()
        if not label or len(label) > 40:
            raise ValidationError("事項の名称は1〜40文字で入力してください。", code="label_invalid")
        if not re.fullmatch(r"[a-z0-9_]{1,30}", row["key"]):
            raise ValidationError("事項のキーが正しくありません。", code="key_invalid")
        item = current.get(row["key"]) or RegisterItem(lg_code=actor.lg_code, register=register, key=row["key"])
        item.label, item.is_visible, item.sort_order = label, bool(row.get("visible")), row.get("order", 0)
        session.add(item)
    if new_label.strip():
        keys = {row["key"] for row in rows} | set(current)
        number = 1 + sum(1 for k in keys if k.startswith("item_"))
        session.add(RegisterItem(lg_code=actor.lg_code, register=register, key=f"item_{number}",
                                 label=new_label.strip()[:40], is_visible=True, sort_order=len(rows) + 1))
    if len({(row.get("label") or "").strip() for row in rows}) != len(rows):
        raise ValidationError("同じ名称の事項があります。", code="label_duplicate")
    session.flush()
    record(session, actor, "register_items_update", "municipality", [actor.lg_code], register=register)
    return register_items(session, register)
