"""避難支援等関係者: the organisations that receive the roster for the 町丁目 they cover, and the
record of every provision made to them (49条の11)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_datetime
from app.db import get_or_not_found
from app.evac_support import rules
from app.evac_support.areas import AreaIndex
from app.evac_support.models import RosterProvision, SupporterOrg
from app.maps.models import AdminArea
from app.named_entries import NamedList, get_entry, save_entry


def area_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the municipality's 町丁目."""
    return [(a.code, a.name) for a in session.scalars(select(AdminArea).order_by(AdminArea.code))]


def list_orgs(session: Session) -> list[SupporterOrg]:
    return list(session.scalars(select(SupporterOrg).order_by(SupporterOrg.kind, SupporterOrg.name)))


ORGANISATIONS = NamedList(SupporterOrg, noun="関係者", target_type="supporter_org",
                          not_found="指定された避難支援等関係者は見つかりません。", name_taken_code="org_name_taken",
                          audit_action="evac_org_save",
                          saved_values=lambda o: {"団体名": o.name, "種別": o.kind, "連絡先": o.contact,
                                                  "担当する町丁目": "、".join(o.area_codes),
                                                  "提供先": "有効" if o.is_active else "停止"})


def get_org(session: Session, org_id: int) -> SupporterOrg:
    return get_entry(session, ORGANISATIONS, org_id)


def save_org(session: Session, actor: Actor, org_id: int | None, *, name: str, kind: str, contact: str,
             area_codes: list[str], is_active: bool = True, version: int | None = None,
             confirmed: bool = False) -> SupporterOrg:
    """Register a new organisation (``org_id`` None) or update one: optimistic lock on ``version``,
    and the changes confirmed (変更事項の確認). Names are unique in the municipality."""
    values = rules.validate_org(name, kind, contact, area_codes, {code for code, _ in area_choices(session)})
    return save_entry(session, actor, ORGANISATIONS, org_id, values | {"is_active": is_active}, version=version,
                      confirmed=confirmed,
                      audit_detail={"name": values["name"], "areas": values["area_codes"], "active": is_active})


def area_counts(session: Session) -> dict[str, int]:
    """People on the register per 町丁目 code (to show how many each organisation covers)."""
    homes = session.execute(text("""SELECT ST_X(r.geom), ST_Y(r.geom) FROM evac_people p
        JOIN residents r ON r.id = p.resident_id WHERE p.removed_at IS NULL AND r.geom IS NOT NULL""")).all()
    located = AreaIndex.load(session).locate([x for x, _ in homes], [y for _, y in homes])
    return dict(Counter(code for code, _ in located if code))


def provisions(session: Session, org_id: int | None = None, limit: int = 200, offset: int = 0) -> list[RosterProvision]:
    """Provisions of the roster, newest first (one organisation's, or all), ``limit`` from ``offset``."""
    query = select(RosterProvision).order_by(RosterProvision.id.desc()).offset(offset).limit(limit)
    if org_id is not None:
        query = query.where(RosterProvision.org_id == org_id)
    return list(session.scalars(query))


def provision_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RosterProvision))


def view_provision(session: Session, actor: Actor, provision_id: int) -> tuple[RosterProvision, list]:
    """One provision and the people it listed (names only, as they are now); the viewing audited."""
    provision = get_or_not_found(session, RosterProvision, provision_id, "指定された提供記録は見つかりません。",
                                 "roster_provision")
    people = session.execute(text("""
        SELECT p.id, r.name, r.name_kana, r.is_protected, p.removed_at FROM evac_people p
        JOIN residents r ON r.id = p.resident_id WHERE p.id = ANY(:ids) ORDER BY r.name_kana"""),
        {"ids": list(provision.person_ids)}).all()
    record(session, actor, "evac_provision_view", "roster_provision", [provision.id])
    return provision, people


def provision_label(provision: RosterProvision) -> str:
    return f"{format_datetime(provision.provided_at)} {provision.recipient}（{provision.mode}）"
