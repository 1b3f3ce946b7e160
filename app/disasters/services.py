"""Use cases for disasters: registration, listing and selection on the main screen."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.disasters.models import DISASTER_KINDS, Disaster
from app.errors import ValidationError


def list_disasters(session: Session) -> list[Disaster]:
    """The municipality's disasters, ongoing first, newest first."""
    return list(session.scalars(select(Disaster).order_by(Disaster.status, Disaster.started_on.desc(),
                                                         Disaster.id.desc())))


def get_disaster(session: Session, disaster_id: int) -> Disaster:
    return get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")


def create_disaster(session: Session, actor: Actor, *, name: str, kind: str, started_on: date,
                    is_relief_act_applied: bool = False, is_support_act_applied: bool = False,
                    description: str = "", today: date | None = None) -> Disaster:
    """Register a disaster for the actor's municipality."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("災害名を入力してください。", code="name_missing")
    if kind not in DISASTER_KINDS:
        raise ValidationError(f"災害の種類「{kind}」は選択肢にありません。", code="kind_unknown")
    if started_on > (today or date.today()):
        raise ValidationError("発生日に未来の日付は指定できません。", code="started_on_future")
    if session.scalars(select(Disaster.id).where(Disaster.name == name)).first():
        raise ValidationError(f"災害名「{name}」は既に登録されています。", code="name_taken")
    disaster = Disaster(lg_code=actor.lg_code, name=name, kind=kind, started_on=started_on,
                        is_relief_act_applied=is_relief_act_applied, is_support_act_applied=is_support_act_applied,
                        description=(description or "").strip())
    session.add(disaster)
    session.flush()
    record(session, actor, "disaster_create", "disaster", [disaster.id], name=name)
    return disaster
