"""Running an opened shelter day to day: evacuee cards and re-entry, moves between shelters, day/night
stays, needs seen only by the shelter's own staff, and the shelter's facilities."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.auth.models import User
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.errors import PermissionDenied, ValidationError, require_version
from app.shelters import rules
from app.shelters.evacuees import get_opening
from app.shelters.models import (
    ACCESSIBILITY_ITEMS,
    HAZARD_TYPES,
    NEEDS,
    SHELTER_KINDS,
    Evacuee,
    Shelter,
    ShelterOpening,
    ShelterStaff,
)

# The fields a stay carries over to the next shelter (a move) or back in (a re-entry).
_CARRIED = ("resident_id", "household_no", "name", "name_kana", "kind", "stay", "card_code", "needs", "needs_note")


def get_evacuee(session: Session, evacuee_id: int) -> Evacuee:
    return get_or_not_found(session, Evacuee, evacuee_id, "指定された避難者は見つかりません。", "shelter")


def household_present(session: Session, evacuee: Evacuee) -> list[Evacuee]:
    """The members of ``evacuee``'s household who are at the same shelter now."""
    return list(session.scalars(select(Evacuee).where(
        Evacuee.opening_id == evacuee.opening_id, Evacuee.household_no == evacuee.household_no,
        Evacuee.checked_out_at.is_(None)).order_by(Evacuee.id)))


def _arrive(session: Session, actor: Actor, previous: Evacuee, opening: ShelterOpening, moved: bool) -> Evacuee:
    arrived = Evacuee(lg_code=actor.lg_code, opening_id=opening.id, disaster_id=opening.disaster_id,
                      checked_in_by=actor.login_id, moved_from_id=previous.id if moved else None,
                      **{field: getattr(previous, field) for field in _CARRIED})
    session.add(arrived)
    return arrived


def _open_target(session: Session, opening_id: int, disaster_id: int) -> ShelterOpening:
    target = get_opening(session, opening_id)
    if target.disaster_id != disaster_id:
        raise ValidationError("別の災害の避難所へは移動できません。", code="other_disaster")
    if target.status == rules.CLOSED:
        raise ValidationError("閉鎖した避難所へは移動できません。", code="closed")
    return target


def move_household(session: Session, actor: Actor, evacuee_id: int, to_opening_id: int) -> list[Evacuee]:
    """Move ``evacuee``'s household (those present with them) to another opened shelter of the same
    disaster. The stay here ends with the reason 移動 and the new one points back to it."""
    evacuee = get_evacuee(session, evacuee_id)
    if evacuee.checked_out_at is not None:
        raise ValidationError("既に退所した方は移動できません。", code="already_out")
    if to_opening_id == evacuee.opening_id:
        raise ValidationError("同じ避難所への移動はできません。", code="same_shelter")
    target = _open_target(session, to_opening_id, evacuee.disaster_id)
    now, moved = datetime.now(UTC), []
    for member in household_present(session, evacuee):
        member.checked_out_at, member.left_reason = now, "移動"
        moved.append(_arrive(session, actor, member, target, moved=True))
    session.flush()
    record(session, actor, "evacuee_move", "shelter", [evacuee.opening_id, target.id],
           household=evacuee.household_no, people=len(moved))
    return moved


def latest_by_card(session: Session, code: str) -> Evacuee | None:
    """The latest stay of the person holding card ``code``."""
    return session.scalar(select(Evacuee).where(Evacuee.card_code == code).order_by(Evacuee.id.desc()).limit(1))


def reenter(session: Session, actor: Actor, opening_id: int, scanned: str) -> tuple[Evacuee, str]:
    """The desk reads an evacuee card (QR or typed number). Someone who had left is checked in
    again here; someone staying at another shelter of the disaster is moved here. Returns the stay
    and what happened: 再入所, 移動 or 在所中."""
    code = rules.read_card_code(scanned)
    if code is None:
        raise ValidationError("避難者カードの番号を読めません（例: ACDE-FGHJ）。", code="card_unreadable")
    opening = get_opening(session, opening_id)
    if opening.status == rules.CLOSED:
        raise ValidationError("閉鎖した避難所には受け付けできません。", code="closed")
    last = latest_by_card(session, code)
    if last is None or last.disaster_id != opening.disaster_id:
        raise ValidationError("この番号の避難者カードはこの災害で発行されていません。", code="card_unknown")
    if last.checked_out_at is None and last.opening_id == opening.id:
        return last, "在所中"
    outcome = "再入所" if last.checked_out_at is not None else "移動"
    if outcome == "移動":
        last.checked_out_at, last.left_reason = datetime.now(UTC), "移動"
    arrived = _arrive(session, actor, last, opening, moved=outcome == "移動")
    session.flush()
    record(session, actor, "evacuee_reentry", "shelter", [opening.id], evacuee=arrived.id, outcome=outcome)
    return arrived, outcome


def set_stay(session: Session, actor: Actor, evacuee_id: int, stay: str, version: int) -> Evacuee:
    """終日 / 昼のみ / 夜のみ: who is counted by day and by night."""
    evacuee = get_evacuee(session, evacuee_id)
    require_version(evacuee.version, version, "この避難者の記録は他の職員が先に更新しました。", {"滞在": evacuee.stay})
    if stay not in rules.STAYS:
        raise ValidationError(f"滞在の区分「{stay}」はありません。", code="stay_unknown")
    evacuee.stay = stay
    session.flush()
    record(session, actor, "evacuee_update", "shelter", [evacuee.opening_id], evacuee=evacuee.id, stay=stay)
    return evacuee


def is_shelter_staff(session: Session, actor: Actor, shelter_id: int) -> bool:
    """Whether ``actor`` is assigned to the shelter (and so may see its evacuees' needs)."""
    return session.scalar(select(ShelterStaff.id).where(ShelterStaff.shelter_id == shelter_id,
                                                        ShelterStaff.user_id == actor.user_id)) is not None


def _require_staff(session: Session, actor: Actor, opening: ShelterOpening) -> None:
    if not is_shelter_staff(session, actor, opening.shelter_id):
        raise PermissionDenied("配慮事項は、この避難所の担当職員だけが見ることができます。")


def needs_of_present(session: Session, actor: Actor, opening_id: int) -> dict[int, tuple[list[str], str]]:
    """Needs of the people present (evacuee id → (categories, note)), for the shelter's own staff
    only; the view is audited."""
    opening = get_opening(session, opening_id)
    _require_staff(session, actor, opening)
    rows = session.execute(select(Evacuee.id, Evacuee.needs, Evacuee.needs_note).where(
        Evacuee.opening_id == opening.id, Evacuee.checked_out_at.is_(None))).all()
    found = {i: (list(needs or []), note) for i, needs, note in rows if needs or note}
    record(session, actor, "evacuee_needs_view", "shelter", [opening.shelter_id], people=len(found))
    return found


def set_needs(session: Session, actor: Actor, evacuee_id: int, needs: list[str], note: str,
              version: int) -> Evacuee:
    """Record an evacuee's needs (allergies, medication, care…); only the shelter's staff may."""
    evacuee = get_evacuee(session, evacuee_id)
    _require_staff(session, actor, get_opening(session, evacuee.opening_id))
    require_version(evacuee.version, version, "この避難者の記録は他の職員が先に更新しました。",
                    {"配慮事項": "・".join(evacuee.needs or []), "メモ": evacuee.needs_note})
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise ValidationError(f"配慮事項「{'、'.join(unknown)}」はありません。", code="needs_unknown")
    if len(note) > 500:
        raise ValidationError("メモは500文字以内で入力してください。", code="note_too_long")
    evacuee.needs, evacuee.needs_note = needs, note.strip()
    session.flush()
    record(session, actor, "evacuee_needs_update", "shelter", [evacuee.opening_id], evacuee=evacuee.id)
    return evacuee


def assigned_staff(session: Session, shelter_id: int) -> list[User]:
    return list(session.scalars(select(User).join(ShelterStaff, ShelterStaff.user_id == User.id)
                                .where(ShelterStaff.shelter_id == shelter_id).order_by(User.login_id)))


def assign_staff(session: Session, actor: Actor, shelter_id: int, user_ids: list[int]) -> list[User]:
    """Set who is assigned to the shelter (the municipality's active users only)."""
    shelter = get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
    users = list(session.scalars(select(User).where(User.id.in_(user_ids), User.lg_code == actor.lg_code,
                                                    User.is_active)))
    if len(users) != len(set(user_ids)):
        raise ValidationError("指定された職員が見つかりません。", code="user_unknown")
    for link in session.scalars(select(ShelterStaff).where(ShelterStaff.shelter_id == shelter.id)):
        session.delete(link)
    session.flush()
    session.add_all(ShelterStaff(lg_code=actor.lg_code, shelter_id=shelter.id, user_id=u.id) for u in users)
    session.flush()
    record(session, actor, "shelter_staff_update", "shelter", [shelter.id], users=[u.login_id for u in users])
    return users


def update_facilities(session: Session, actor: Actor, shelter_id: int, *, version: int, toilets: int,
                      floor_area_m2: float | None, has_generator: bool, accessibility: list[str],
                      stockpile: str, kind: str | None = None, capacity: int | None = None,
                      hazards: list[str] | None = None) -> Shelter:
    """Kind (指定緊急避難場所/指定避難所/福祉避難所), 想定収容人数, the hazards it serves (対象とする
    異常な現象), toilets, floor area, generator, accessibility and stockpile of a shelter. Kind,
    capacity and hazards stay as they are when None (the open-data import sets them too)."""
    shelter = get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
    require_version(shelter.version, version, "この避難所の設備は他の職員が先に更新しました。",
                    {"種別": shelter.kind, "想定収容人数": shelter.capacity,
                     "対象とする災害": "、".join(shelter.hazards), "トイレ": shelter.toilets,
                     "床面積": shelter.floor_area_m2,
                     "備蓄": shelter.stockpile})
    if kind is not None and kind not in SHELTER_KINDS:
        raise ValidationError(f"避難所の種別「{kind}」はありません。", code="shelter_kind_unknown")
    if toilets < 0 or (floor_area_m2 is not None and floor_area_m2 <= 0) or (capacity is not None and capacity < 0):
        raise ValidationError("想定収容人数・トイレの数・床面積は0以上で入力してください。", code="facility_negative")
    unknown_hazards = [h for h in hazards or [] if h not in HAZARD_TYPES]
    if unknown_hazards:
        raise ValidationError(f"災害の種別「{'、'.join(unknown_hazards)}」はありません。", code="hazard_unknown")
    unknown = [a for a in accessibility if a not in ACCESSIBILITY_ITEMS]
    if unknown:
        raise ValidationError(f"バリアフリー設備「{'、'.join(unknown)}」はありません。", code="accessibility_unknown")
    shelter.toilets, shelter.floor_area_m2, shelter.has_generator = toilets, floor_area_m2, has_generator
    shelter.accessibility, shelter.stockpile = accessibility, stockpile.strip()
    shelter.kind = kind or shelter.kind
    if capacity is not None:
        shelter.capacity = capacity
    if hazards is not None:
        shelter.hazards = [h for h in HAZARD_TYPES if h in hazards]  # the dataset's column order
    session.flush()
    record(session, actor, "shelter_update", "shelter", [shelter.id], kind=shelter.kind)
    return shelter


def disaster_of(session: Session, opening: ShelterOpening) -> Disaster:
    return session.get(Disaster, opening.disaster_id)


def record_card_print(session: Session, actor: Actor, opening: ShelterOpening, members: list[Evacuee]) -> None:
    """Audit the printing of evacuee cards (they carry names)."""
    record(session, actor, "evacuee_card_print", "shelter", [opening.shelter_id], evacuees=[m.id for m in members])


def municipality_users(session: Session, lg_code: str) -> list[User]:
    """The municipality's active staff, for the assignment list."""
    return list(session.scalars(select(User).where(User.lg_code == lg_code, User.is_active).order_by(User.login_id)))
