"""個別避難計画 (災対法 49条の14): per register person, made only with consent — supporters, the
destination shelter, the route drawn on the map and notes; optimistic locking, audited, A4 print."""
from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.errors import ValidationError, require_version
from app.evac_support import rules
from app.evac_support.areas import AreaIndex
from app.evac_support.models import EvacPerson, EvacPlan
from app.shelters.models import Shelter


@dataclass(frozen=True)
class PlanView:
    person: object  # the register row with the resident's items (see ``person_row``)
    plan: EvacPlan | None
    shelter: Shelter | None
    route_geojson: str | None


def person_row(session: Session, person_id: int):
    """A register person with the resident items the plan shows, the 町丁目 and the home position."""
    row = session.execute(text("""
        SELECT p.id, p.consent, p.consent_on, p.consent_how, p.reasons, p.removed_at, p.version, r.name, r.name_kana,
               r.birth_date, r.sex, trim(r.address || ' ' || r.address_katagaki) AS address, r.phone,
               r.is_protected, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
        FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.id = :id"""), {"id": person_id}).first()
    if row is None:
        get_or_not_found(session, EvacPerson, person_id, "指定された要支援者は見つかりません。", "evac_person")
    return SimpleNamespace(**row._asdict(), area_name=AreaIndex.load(session).name_of(row.lon, row.lat))


def view_plan(session: Session, actor: Actor, person_id: int, *, action: str = "evac_person_view") -> PlanView:
    """The person and their plan (if any); the viewing (or printing) audited."""
    person = person_row(session, person_id)
    plan = session.scalar(select(EvacPlan).where(EvacPlan.person_id == person_id))
    shelter = session.get(Shelter, plan.shelter_id) if plan and plan.shelter_id else None
    route = session.scalar(text("SELECT ST_AsGeoJSON(route, 7) FROM evac_plans WHERE id = :id"),
                           {"id": plan.id}) if plan else None
    record(session, actor, action, "evac_person", [person_id], plan=plan.id if plan else None)
    return PlanView(person, plan, shelter, route)


def save_plan(session: Session, actor: Actor, person_id: int, *, supporters: list[dict], shelter_id: int | None,
              route_geojson: str | None, notes: str, version: int, confirmed: bool = False) -> EvacPlan:
    """Create or update the person's plan. Refused without consent (同意), for a form made on an
    older version (the other person's saved plan is shown) and for an update whose changes were
    not confirmed (変更事項の確認)."""
    person = get_or_not_found(session, EvacPerson, person_id, "指定された要支援者は見つかりません。", "evac_person")
    rules.require_consent_for_plan(person.consent)
    if person.removed_at is not None:
        raise ValidationError("この方は名簿の基準に該当しなくなっています。", code="person_removed")
    plan = session.scalar(select(EvacPlan).where(EvacPlan.person_id == person_id))
    if plan is not None:
        require_version(plan.version, version, "この方の個別避難計画は他の職員が先に保存しました。",
                        conflict_values(session, plan))
        if not confirmed:
            raise ValidationError("変更内容を確認し、チェックを入れてから更新してください。",
                                  code="confirmation_required")
    elif version:
        raise ValidationError("計画が見つかりません。画面を開き直してください。", code="plan_missing")
    cleaned = rules.clean_supporters(supporters)
    points = rules.route_coordinates(route_geojson)
    if shelter_id is not None:
        get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
    if len((notes or "").strip()) > 2000:
        raise ValidationError("備考は2000文字までです。", code="notes_too_long")
    plan = plan or EvacPlan(lg_code=actor.lg_code, person_id=person_id)
    plan.supporters, plan.shelter_id, plan.notes = cleaned, shelter_id, (notes or "").strip()
    plan.route = ("SRID=4326;LINESTRING(" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in points) + ")") if points else None
    plan.updated_by = actor.login_id[:60]
    session.add(plan)
    session.flush()
    record(session, actor, "evac_plan_save", "evac_plan", [plan.id], person=person_id, supporters=len(cleaned),
           shelter=shelter_id, route=bool(points))
    return plan


def conflict_values(session: Session, plan: EvacPlan) -> dict:
    """The saved plan as the other person left it (shown next to this person's input)."""
    shelter = session.get(Shelter, plan.shelter_id) if plan.shelter_id else None
    return {"避難支援者": "、".join(f"{s['name']}（{s.get('relation', '')}）" for s in plan.supporters) or "なし",
            "避難先": shelter.name if shelter else "未定", "避難経路": "あり" if plan.route is not None else "なし",
            "備考": plan.notes, "保存した職員": plan.updated_by}


def supporters_from_form(form) -> list[dict]:
    """The supporter rows of the plan form (``supporter_name_1`` …)."""
    return [{key: form.get(f"supporter_{key}_{i}", "") for key in rules.SUPPORTER_FIELDS}
            for i in range(1, rules.MAX_SUPPORTERS + 1)]


def plan_list(session: Session, actor: Actor, has_plan: str = "", limit: int = 50,
              offset: int = 0) -> tuple[int, list]:
    """Register people who consented (those a plan can be made for), with whether they have one;
    ``has_plan`` "1" only with, "0" only without: how many there are, and ``limit`` of them from
    ``offset`` in kana order. The viewing audited."""
    condition = {"1": "AND plan.id IS NOT NULL", "0": "AND plan.id IS NULL"}.get(has_plan, "")
    matching = f"""FROM evac_people p JOIN residents r ON r.id = p.resident_id
        LEFT JOIN evac_plans plan ON plan.person_id = p.id LEFT JOIN shelters s ON s.id = plan.shelter_id
        WHERE p.removed_at IS NULL AND p.consent = :consented {condition}"""
    params = {"limit": limit, "offset": offset, "consented": rules.CONSENTED}
    total = session.scalar(text(f"SELECT count(*) {matching}"), params)
    found = session.execute(text(f"""
        SELECT p.id, r.name, r.name_kana, r.birth_date, p.reasons, r.is_protected, ST_X(r.geom) AS lon,
               ST_Y(r.geom) AS lat, plan.id AS plan_id, plan.updated_at, s.name AS shelter_name
        {matching} ORDER BY r.name_kana, p.id LIMIT :limit OFFSET :offset"""), params).all()
    located = AreaIndex.load(session).locate([r.lon for r in found], [r.lat for r in found])
    rows = [SimpleNamespace(**r._asdict(), area_name=name) for r, (_, name) in zip(found, located, strict=True)]
    record(session, actor, "evac_person_view", "evac_person", [r.id for r in rows], view="plans", has_plan=has_plan,
           offset=offset)
    return total, rows


def shelter_points(session: Session) -> list[dict]:
    """Shelters to choose as the destination, with their position for the map."""
    rows = session.execute(text("SELECT id, name, kind, ST_X(geom), ST_Y(geom) FROM shelters ORDER BY code"))
    return [{"id": i, "name": n, "kind": k, "lon": x, "lat": y} for i, n, k, x, y in rows]


def route_points(route_geojson: str | None) -> list[list[float]]:
    """[lat, lon] pairs of a stored route, as Leaflet wants them."""
    if not route_geojson:
        return []
    return [[y, x] for x, y in json.loads(route_geojson)["coordinates"]]
