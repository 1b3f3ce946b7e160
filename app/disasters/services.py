"""Use cases for disasters: registration, listing and selection on the main screen."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import today_in_japan
from app.db import get_or_not_found
from app.disasters.models import DISASTER_KINDS, Disaster
from app.disasters.rules import DISASTER_STATUSES
from app.errors import ValidationError, require_version
from app.maps.models import AdminArea


def list_disasters(session: Session) -> list[Disaster]:
    """The municipality's disasters, ongoing first, newest first."""
    return list(session.scalars(select(Disaster).order_by(Disaster.status, Disaster.started_on.desc(),
                                                         Disaster.id.desc())))


def get_disaster(session: Session, disaster_id: int) -> Disaster:
    return get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")


def create_disaster(session: Session, actor: Actor, *, name: str, kind: str, started_on: date,
                    is_relief_act_applied: bool = False, is_support_act_applied: bool = False,
                    description: str = "", today: date | None = None) -> Disaster:
    """Register a disaster for the actor's municipality; it may not start after ``today`` (default:
    today in Japan)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("災害名を入力してください。", code="name_missing")
    if kind not in DISASTER_KINDS:
        raise ValidationError(f"災害の種類「{kind}」は選択肢にありません。", code="kind_unknown")
    if started_on > (today or today_in_japan()):
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


def set_affected_areas(session: Session, actor: Actor, disaster_id: int, *, area_codes: list[str],
                       version: int) -> Disaster:
    """The disaster's affected area (被災地域) as the union of the chosen 町丁目."""
    disaster = get_disaster(session, disaster_id)
    _check_version(disaster, version)
    if not area_codes:
        raise ValidationError("被災地域の町丁目を1つ以上選んでください。", code="no_area")
    disaster.geom = session.scalar(
        select(func.ST_Multi(func.ST_Union(AdminArea.geom))).where(AdminArea.code.in_(area_codes)))
    if disaster.geom is None:
        raise ValidationError("選んだ町丁目が見つかりません。", code="area_unknown")
    session.flush()
    record(session, actor, "disaster_update", "disaster", [disaster.id], areas=sorted(area_codes))
    return disaster


def set_status(session: Session, actor: Actor, disaster_id: int, *, status: str, version: int) -> Disaster:
    """対応中 or 終了 (an ended disaster takes no new surveys)."""
    disaster = get_disaster(session, disaster_id)
    _check_version(disaster, version)
    if status not in DISASTER_STATUSES:
        raise ValidationError(f"状態「{status}」はありません。", code="status_unknown")
    disaster.status = status
    session.flush()
    record(session, actor, "disaster_update", "disaster", [disaster.id], status=status)
    return disaster


def _check_version(disaster: Disaster, version: int) -> None:
    require_version(disaster.version, version, "この災害は他の職員が先に更新しました。画面を開き直してください。",
                    {"状態": disaster.status})


def affected_area_codes(session: Session, disaster: Disaster) -> set[str]:
    """The 町丁目 that lie within the disaster's affected area (for the form's ticks)."""
    if disaster.geom is None:
        return set()
    return set(session.scalars(select(AdminArea.code).where(
        func.ST_Covers(select(Disaster.geom).where(Disaster.id == disaster.id).scalar_subquery(),
                       func.ST_PointOnSurface(AdminArea.geom)))))
