"""Use cases of an opened shelter: open and close it for a disaster, check households in and out,
count who is there. Every evacuee from the resident records is also put in the disaster's
被災者台帳."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.disasters.rules import RESPONDING
from app.disasters.victims import add_by_hand, build_register
from app.errors import ValidationError, require_version
from app.residents.models import Resident
from app.residents.rules import REGISTERED
from app.shelters.models import Evacuee, Shelter, ShelterOpening
from app.shelters.rules import CLOSED, EVACUEE_KINDS, IN_SHELTER, OPEN, OPENING_STATUSES, STAYS, WHOLE_DAY


@dataclass(frozen=True)
class Occupancy:
    present: int  # everyone registered here now, incl. 在宅避難 and 車中泊
    capacity: int
    inside: int = 0  # those staying in the shelter itself: what fills it

    @property
    def percent(self) -> int:
        return round(100 * self.inside / self.capacity) if self.capacity else 0


def get_opening(session: Session, opening_id: int) -> ShelterOpening:
    return get_or_not_found(session, ShelterOpening, opening_id, "指定された開設中の避難所は見つかりません。",
                            "shelter")


def openings(session: Session, disaster_id: int) -> list[tuple[ShelterOpening, Shelter, int]]:
    """The disaster's opened shelters with how many people are there now."""
    present = (select(Evacuee.opening_id, func.count().label("n")).where(Evacuee.checked_out_at.is_(None))
               .group_by(Evacuee.opening_id).subquery())
    rows = session.execute(select(ShelterOpening, Shelter, func.coalesce(present.c.n, 0))
                           .join(Shelter, Shelter.id == ShelterOpening.shelter_id)
                           .outerjoin(present, present.c.opening_id == ShelterOpening.id)
                           .where(ShelterOpening.disaster_id == disaster_id).order_by(Shelter.code))
    return [(o, s, n) for o, s, n in rows]


def open_shelter(session: Session, actor: Actor, shelter_id: int, disaster_id: int) -> ShelterOpening:
    """Open a shelter for a disaster (once; a closed one is reopened)."""
    shelter = get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
    disaster = get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")
    if disaster.status != RESPONDING:
        raise ValidationError(f"災害「{disaster.name}」は終了しています。", code="disaster_closed")
    opening = session.scalar(select(ShelterOpening).where(ShelterOpening.shelter_id == shelter.id,
                                                          ShelterOpening.disaster_id == disaster.id))
    if opening is not None and opening.status != CLOSED:
        raise ValidationError(f"「{shelter.name}」は既に開設しています。", code="already_open")
    if opening is None:
        opening = ShelterOpening(lg_code=actor.lg_code, shelter_id=shelter.id, disaster_id=disaster.id)
        session.add(opening)
    opening.status, opening.closed_at, opening.opened_by = OPEN, None, actor.login_id
    session.flush()
    record(session, actor, "shelter_open", "shelter", [shelter.id], disaster=disaster.id)
    return opening


def set_status(session: Session, actor: Actor, opening_id: int, *, status: str, version: int) -> ShelterOpening:
    """開設 / 満員 / 閉鎖. A shelter closes only when everyone has left (their stay stays recorded)."""
    opening = get_opening(session, opening_id)
    require_version(opening.version, version, "この避難所の状態は他の職員が先に更新しました。",
                    {"状態": opening.status})
    if status not in OPENING_STATUSES:
        raise ValidationError(f"状態「{status}」はありません。", code="status_unknown")
    if status == CLOSED and occupancy(session, opening).present:
        raise ValidationError("避難者が残っているため閉鎖できません。退所または移動の手続きをしてください。",
                              code="people_present")
    opening.status = status
    opening.closed_at = datetime.now(UTC) if status == CLOSED else None
    session.flush()
    record(session, actor, "shelter_status", "shelter", [opening.shelter_id], status=status)
    return opening


def occupancy(session: Session, opening: ShelterOpening) -> Occupancy:
    present, inside = session.execute(select(func.count(), func.count().filter(Evacuee.kind == IN_SHELTER)).where(
        Evacuee.opening_id == opening.id, Evacuee.checked_out_at.is_(None))).one()
    capacity = session.scalar(select(Shelter.capacity).where(Shelter.id == opening.shelter_id))
    return Occupancy(present or 0, capacity or 0, inside or 0)


def present_evacuees(session: Session, opening_id: int) -> list[Evacuee]:
    return list(session.scalars(select(Evacuee).where(Evacuee.opening_id == opening_id,
                                                      Evacuee.checked_out_at.is_(None))
                                .order_by(Evacuee.household_no, Evacuee.id)))


def protected_evacuees(session: Session, evacuees: list[Evacuee]) -> set[int]:
    """Ids of the ``evacuees`` who are under 支援措置: the desk marks them 提供抑止 and confirms to
    nobody asking that they are here."""
    resident_ids = [e.resident_id for e in evacuees if e.resident_id is not None]
    if not resident_ids:
        return set()
    protected = set(session.scalars(select(Resident.id).where(Resident.id.in_(resident_ids), Resident.is_protected)))
    return {e.id for e in evacuees if e.resident_id in protected}


def stay_history(session: Session, actor: Actor, opening_id: int) -> list[dict]:
    """Every stay at the opened shelter, present or ended (a closed shelter keeps them all): who,
    in and out (with who received them), why the stay ended and from/to which shelter a move
    went; the viewing audited."""
    moved_to = aliased(Evacuee)
    came_from, from_opening, to_opening = aliased(Evacuee), aliased(ShelterOpening), aliased(ShelterOpening)
    from_shelter, to_shelter = aliased(Shelter), aliased(Shelter)
    rows = session.execute(
        select(Evacuee, from_shelter.name, to_shelter.name)
        .outerjoin(came_from, came_from.id == Evacuee.moved_from_id)
        .outerjoin(from_opening, from_opening.id == came_from.opening_id)
        .outerjoin(from_shelter, from_shelter.id == from_opening.shelter_id)
        .outerjoin(moved_to, moved_to.moved_from_id == Evacuee.id)
        .outerjoin(to_opening, to_opening.id == moved_to.opening_id)
        .outerjoin(to_shelter, to_shelter.id == to_opening.shelter_id)
        .where(Evacuee.opening_id == opening_id).order_by(Evacuee.checked_in_at, Evacuee.id)).all()
    history = [{"evacuee": e, "from": came, "to": went} for e, came, went in rows]
    record(session, actor, "evacuee_history_view", "shelter", [opening_id], evacuees=[e.id for e, _, _ in rows][:500])
    return history


def check_in_household(session: Session, actor: Actor, opening_id: int, atena_no: str,
                       kind: str = IN_SHELTER, stay: str = WHOLE_DAY) -> list[Evacuee]:
    """Check in the whole household (住登内) of the resident ``atena_no``; members already checked
    in somewhere in this disaster are left where they are."""
    opening = get_opening(session, opening_id)
    if opening.status == CLOSED:
        raise ValidationError("閉鎖した避難所には受け付けできません。", code="closed")
    _check_kind_and_stay(kind, stay)
    person = session.scalar(select(Resident).where(Resident.atena_no == atena_no, Resident.status == REGISTERED))
    if person is None:
        raise ValidationError("この宛名番号の住民（住登内）はいません。", code="resident_unknown")
    members = session.scalars(select(Resident).where(Resident.household_no == person.household_no,
                                                     Resident.status == REGISTERED).order_by(Resident.id)).all()
    inside = set(session.scalars(select(Evacuee.resident_id).where(
        Evacuee.disaster_id == opening.disaster_id, Evacuee.checked_out_at.is_(None),
        Evacuee.resident_id.in_([m.id for m in members]))))
    arriving = [m for m in members if m.id not in inside]
    if not arriving:
        raise ValidationError("この世帯の全員が既に受付済みです。", code="already_checked_in")
    evacuees = [Evacuee(lg_code=actor.lg_code, opening_id=opening.id, disaster_id=opening.disaster_id,
                        resident_id=m.id, household_no=m.household_no, name=m.name, name_kana=m.name_kana,
                        kind=kind, stay=stay, checked_in_by=actor.login_id) for m in arriving]
    session.add_all(evacuees)
    session.flush()
    for member in arriving:  # the evacuees are in the disaster's register too
        build_register(session, actor, opening.disaster_id, atena_no=member.atena_no)
    record(session, actor, "evacuee_check_in", "shelter", [opening.shelter_id], household=person.household_no,
           people=len(evacuees))
    return evacuees


def check_out(session: Session, actor: Actor, evacuee_id: int) -> Evacuee:
    evacuee = get_or_not_found(session, Evacuee, evacuee_id, "指定された避難者は見つかりません。", "shelter")
    if evacuee.checked_out_at is not None:
        raise ValidationError("既に退所しています。", code="already_out")
    evacuee.checked_out_at = datetime.now(UTC)
    session.flush()
    record(session, actor, "evacuee_check_out", "shelter", [evacuee.opening_id], evacuee=evacuee.id)
    return evacuee


def register_walk_in(session: Session, actor: Actor, opening_id: int, *, name: str, name_kana: str = "",
                     address: str = "", kind: str = IN_SHELTER, stay: str = WHOLE_DAY) -> Evacuee:
    """Someone not in the resident records (visitor, commuter) checked in on the spot, and entered in
    the 被災者台帳 by hand."""
    opening = get_opening(session, opening_id)
    if opening.status == CLOSED:
        raise ValidationError("閉鎖した避難所には受け付けできません。", code="closed")
    _check_kind_and_stay(kind, stay)
    victim = add_by_hand(session, actor, opening.disaster_id, name=name, name_kana=name_kana,
                         address=address or "不明")
    evacuee = Evacuee(lg_code=actor.lg_code, opening_id=opening.id, disaster_id=opening.disaster_id,
                      household_no=f"台帳{victim.household_id}", name=victim.name, name_kana=victim.name_kana,
                      kind=kind, stay=stay, checked_in_by=actor.login_id)
    session.add(evacuee)
    session.flush()
    record(session, actor, "evacuee_check_in", "shelter", [opening.shelter_id], people=1, walk_in=True)
    return evacuee


def _check_kind_and_stay(kind: str, stay: str) -> None:
    if kind not in EVACUEE_KINDS:
        raise ValidationError(f"避難の区分「{kind}」はありません。", code="kind_unknown")
    if stay not in STAYS:
        raise ValidationError(f"滞在の区分「{stay}」はありません。", code="stay_unknown")
