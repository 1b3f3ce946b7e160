"""Use cases of the resident screens and the link API: status, batches, person lookup, locations."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.errors import ValidationError
from app.jobs.models import Job
from app.residents.link import geocode, spec
from app.residents.link.receive import expected_sequence
from app.residents.models import AddressPoint, Generation, LinkBatch, LinkError, Resident
from app.residents.rules import REGISTERED
from app.tenants.models import Municipality


@dataclass
class LinkStatus:
    expected_sequence: int
    last_batch: LinkBatch | None
    last_generation: Generation | None
    generations: int
    counts: dict[str, int]
    address_points: int
    unlocated: int


def link_status(session: Session) -> LinkStatus:
    """Where the municipality's link stands (the caller's tenant)."""
    last_batch = session.scalar(select(LinkBatch).order_by(LinkBatch.id.desc()).limit(1))
    last_generation = session.scalar(select(Generation).order_by(Generation.number.desc()).limit(1))
    counts = {kind: session.scalar(select(func.count()).select_from(_table(kind))) for kind in spec.KINDS}
    return LinkStatus(
        expected_sequence=expected_sequence(session), last_batch=last_batch, last_generation=last_generation,
        generations=session.scalar(select(func.count(Generation.id))), counts=counts,
        address_points=session.scalar(select(func.count(AddressPoint.id))),
        unlocated=session.scalar(select(func.count(Resident.id)).where(Resident.geom.is_(None),
                                                                       Resident.status == REGISTERED)))


def _table(kind: str):
    from app.residents import models

    return {"residents": models.Resident, "seals": models.SealRegistration, "taxes": models.TaxRecord,
            "welfare": models.WelfareRecord}[kind].__table__


def list_batches(session: Session, limit: int = 50) -> list[LinkBatch]:
    return list(session.scalars(select(LinkBatch).order_by(LinkBatch.id.desc()).limit(limit)))


def get_batch(session: Session, batch_id: int) -> LinkBatch:
    return get_or_not_found(session, LinkBatch, batch_id, "指定された連携バッチはありません。", "link_batch")


def batch_job(session: Session, batch: LinkBatch) -> Job | None:
    return session.get(Job, batch.job_id) if batch.job_id else None


def batch_errors(session: Session, batch_id: int, offset: int = 0, limit: int = 100) -> list[LinkError]:
    return list(session.scalars(select(LinkError).where(LinkError.batch_id == batch_id)
                                .order_by(LinkError.line.nulls_first(), LinkError.id).offset(offset).limit(limit)))


def find_residents(session: Session, actor: Actor, query: str, limit: int = 50,
                   offset: int = 0) -> tuple[int, list[Resident]]:
    """Search by 宛名番号, name or kana (partial): how many match, and ``limit`` of them from ``offset``
    in kana order; audited as a view of the listed people."""
    query = (query or "").strip()
    if len(query) < 2:
        raise ValidationError("2文字以上で検索してください（宛名番号・氏名・カナ）。", code="query_short")
    pattern = f"%{query}%"
    matching = or_(Resident.atena_no == query, Resident.name.like(pattern), Resident.name_kana.like(pattern))
    total = session.scalar(select(func.count()).select_from(Resident).where(matching))
    rows = list(session.scalars(select(Resident).where(matching).order_by(Resident.name_kana, Resident.id)
                                .offset(offset).limit(limit)))
    record(session, actor, "record_view", "resident", [r.atena_no for r in rows], query=query, screen="lookup",
           offset=offset)
    return total, rows


def get_resident(session: Session, actor: Actor, atena_no: str) -> Resident:
    resident = session.scalar(select(Resident).where(Resident.atena_no == atena_no))
    if resident is None:
        from app.errors import NotFound

        raise NotFound("指定された住民はいません。", target_type="resident", target_id=atena_no)
    record(session, actor, "record_view", "resident", [atena_no], screen="person")
    return resident


@dataclass
class PersonRecords:
    """What the 中間DB holds about one person besides the resident record."""

    seals: list
    taxes: list
    welfare: object | None
    household: list[Resident]


def person_records(session: Session, resident: Resident) -> PersonRecords:
    from app.residents.models import SealRegistration, TaxRecord, WelfareRecord

    atena = resident.atena_no
    return PersonRecords(
        seals=list(session.scalars(select(SealRegistration).where(SealRegistration.atena_no == atena)
                                   .order_by(SealRegistration.registered_on))),
        taxes=list(session.scalars(select(TaxRecord).where(TaxRecord.atena_no == atena)
                                   .order_by(TaxRecord.fiscal_year.desc()))),
        welfare=session.scalar(select(WelfareRecord).where(WelfareRecord.atena_no == atena)),
        household=list(session.scalars(select(Resident).where(Resident.household_no == resident.household_no)
                                       .order_by(Resident.is_household_head.desc(), Resident.birth_date))))


def unlocated_residents(session: Session, limit: int = 50, offset: int = 0) -> tuple[int, list[Resident]]:
    """Residents (住登内) whose address found no place: how many, and ``limit`` of them from ``offset``."""
    unlocated = (Resident.geom.is_(None), Resident.status == REGISTERED)
    total = session.scalar(select(func.count()).select_from(Resident).where(*unlocated))
    return total, list(session.scalars(select(Resident).where(*unlocated).order_by(Resident.address, Resident.atena_no)
                                       .offset(offset).limit(limit)))


def set_resident_location(session: Session, actor: Actor, atena_no: str, lat: float, lon: float) -> Resident:
    """Staff place a resident on the map by hand."""
    if not (20 <= lat <= 46 and 122 <= lon <= 154):
        raise ValidationError("日本国内の位置を指定してください。", code="out_of_range")
    resident = get_resident(session, actor, atena_no)
    from geoalchemy2.elements import WKTElement

    resident.geom = WKTElement(f"POINT({lon} {lat})", srid=4326)
    resident.location_source = "manual"
    record(session, actor, "location_set", "resident", [atena_no], lat=round(lat, 6), lon=round(lon, 6))
    session.flush()
    return resident


def load_address_points(session: Session, actor: Actor, data: bytes) -> dict:
    """Replace the municipality's 位置参照情報 and place residents and buildings that lack coordinates."""
    municipality = session.get(Municipality, actor.lg_code)
    points, problems = geocode.parse_address_points(data, municipality.prefecture, municipality.name)
    conn = session.connection().connection.driver_connection
    loaded = geocode.replace_address_points(conn, actor.lg_code, points)
    located = geocode.locate_residents(conn, actor.lg_code)
    buildings = geocode.locate_buildings(conn, actor.lg_code)
    record(session, actor, "address_points_load", "address_point", [], points=loaded, located=located,
           buildings=buildings)
    return {"points": loaded, "problems": problems[:100], "problem_count": len(problems), "located": located,
            "buildings_located": buildings}
