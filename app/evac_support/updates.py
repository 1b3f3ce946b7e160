"""Register updates after each resident data link: the extraction re-run as a follow-up job of an
applied batch, and the reports (追加・変更・削除 with the people) kept for the staff."""
from __future__ import annotations

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.evac_support import services
from app.evac_support.models import EvacCriteria, EvacPerson, RegisterUpdate


def register_in_use(session: Session, lg_code: str) -> bool:
    """Whether the municipality keeps a register (criteria saved or anyone extracted)."""
    return bool(session.scalar(select(exists().where(EvacCriteria.lg_code == lg_code))) or session.scalar(
        select(exists().where(EvacPerson.lg_code == lg_code))))


def refresh_after_link(session: Session, lg_code: str, batch_id: int, generation: int | None) -> dict:
    """Re-run the extraction after link batch ``batch_id`` was applied, if the municipality keeps a
    register; the report names the batch and generation."""
    if not register_in_use(session, lg_code):
        return {"skipped": "名簿を使っていません"}
    return services.refresh_register(session, Actor.system(lg_code, "link"), batch_id=batch_id,
                                     generation=generation)


def latest_updates(session: Session, limit: int = 30) -> list[RegisterUpdate]:
    """The newest register update reports first."""
    return list(session.scalars(select(RegisterUpdate).order_by(RegisterUpdate.id.desc()).limit(limit)))


def view_update(session: Session, actor: Actor, update_id: int) -> tuple[RegisterUpdate, dict[str, list]]:
    """One report with the people added, changed and removed (id, name, kana, reasons); audited."""
    update = get_or_not_found(session, RegisterUpdate, update_id, "指定された更新結果は見つかりません。",
                              "register_update")
    people = {}
    for label, ids in (("追加", update.added_ids), ("変更", update.changed_ids), ("削除", update.removed_ids)):
        people[label] = session.execute(text("""
            SELECT p.id, r.name, r.name_kana, p.reasons FROM evac_people p JOIN residents r ON r.id = p.resident_id
            WHERE p.id = ANY(:ids) ORDER BY r.name_kana"""), {"ids": list(ids)}).all()
    record(session, actor, "evac_updates_view", "register_update", [update.id])
    return update, people
