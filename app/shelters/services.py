"""Use cases of the shelter desk. The resident search finds people by kana (typed loosely: part of
the name, hiragana, half-width, without the space), birth date (西暦 or 和暦) and address."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.errors import ValidationError
from app.shelters import opendata, rules
from app.shelters.models import Shelter

SEARCH_LIMIT = 20
COLUMNS = ("r.atena_no, r.name, r.name_kana, r.birth_date, r.sex, trim(r.address || ' ' || r.address_katagaki), "
           "r.household_no, r.is_household_head, r.is_protected")


@dataclass(frozen=True)
class Match:
    atena_no: str
    name: str
    name_kana: str
    birth_date: date
    sex: str
    address: str
    household_no: str
    is_household_head: bool
    is_protected: bool


def search_residents(session: Session, actor: Actor, *, kana: str = "", birth: str = "", address: str = "",
                     limit: int = SEARCH_LIMIT) -> list[Match]:
    """Residents (住登内) matching everything given, best kana matches first; the search is audited
    with its terms. Kana matches a prefix of the name or, loosely, the whole name (trigrams)."""
    kana_query = rules.normalize_kana(kana)
    birth_date = rules.parse_birth_date(birth) if birth.strip() else None
    if birth.strip() and birth_date is None:
        raise ValidationError("生年月日を読めません（例: 1997-05-01、H9.5.1、平成9年5月1日）。", code="birth_invalid")
    address = (address or "").strip()
    if not (kana_query or birth_date or address):
        raise ValidationError("カナ、生年月日、住所のどれかを入力してください。", code="nothing_to_search")
    conditions, params = ["r.status = '住登内'"], {"limit": limit}
    if birth_date:
        conditions.append("r.birth_date = :birth")
        params["birth"] = birth_date
    if address:
        conditions.append("r.address LIKE :address")
        params["address"] = f"%{_escape_like(address)}%"
    if kana_query:
        rows = _by_kana_prefix(session, conditions, params, kana_query)
        if not rows:  # nothing starts so: look loosely, as for a typo
            rows += _by_kana_similarity(session, conditions, params, kana_query, {r[0] for r in rows})
    else:
        rows = session.execute(text(f"SELECT {COLUMNS} FROM residents r WHERE {' AND '.join(conditions)} "
                                    "ORDER BY r.name_kana, r.birth_date LIMIT :limit"), params).all()
    found = [Match(*row) for row in rows[:limit]]
    record(session, actor, "resident_search", "resident", [m.atena_no for m in found],
           kana=kana_query, birth=birth_date.isoformat() if birth_date else "", address=address)
    return found


def household_members(session: Session, actor: Actor, household_no: str) -> list[Match]:
    """The household (住登内, head first) of a resident identified at the desk, e.g. by card; the view
    is audited."""
    rows = session.execute(text(f"SELECT {COLUMNS} FROM residents r WHERE r.status = '住登内' "
                                "AND r.household_no = :household ORDER BY r.is_household_head DESC, r.id"),
                           {"household": household_no}).all()
    found = [Match(*row) for row in rows]
    record(session, actor, "record_view", "resident", [m.atena_no for m in found], via="card")
    return found


def _by_kana_prefix(session: Session, conditions: list[str], params: dict, kana: str) -> list:
    """Names that start with what was typed, in kana order. Each prefix (also with the stored space
    placed after each typed letter) is an ordered range scan of the (lg_code, name_kana) index.
    The range is written with the pattern operators ~>=~ ~<~, not LIKE: under row-level security
    only leakproof operators may drive an index, and LIKE is not one. The prefixes exclude each
    other, so their union needs no de-duplication."""
    prefixes = name_prefixes(kana)
    where = " AND ".join(conditions)
    branches = " UNION ALL ".join(
        f"(SELECT {COLUMNS} FROM residents r WHERE {where} AND r.name_kana ~>=~ :lo{i} AND r.name_kana ~<~ :hi{i} "
        f"ORDER BY r.name_kana USING ~<~ LIMIT :limit)" for i in range(len(prefixes)))
    bounds = {}
    for i, prefix in enumerate(prefixes):
        bounds |= {f"lo{i}": prefix, f"hi{i}": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    return session.execute(text(f"SELECT * FROM ({branches}) AS found ORDER BY 3, 4 LIMIT :limit"),
                           params | bounds).all()


def _by_kana_similarity(session: Session, conditions: list[str], params: dict, kana: str, seen: set[str]) -> list:
    """Names like what was typed (pg_trgm similarity through the trigram index, migration 0012),
    most alike first."""
    rows = session.execute(text(f"""
        SELECT {COLUMNS} FROM residents r
        JOIN bcl_similar_kana(:kana, 200) WITH ORDINALITY AS alike(id, rank) ON alike.id = r.id
        WHERE {' AND '.join(conditions)} ORDER BY alike.rank LIMIT :limit"""), params | {"kana": kana}).all()
    return [row for row in rows if row[0] not in seen]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_prefixes(kana: str) -> list[str]:
    """What a stored 氏名カナ may start with: the typed kana, and with the full-width space between
    family and given name after each typed letter."""
    return [kana, *[kana[:i] + "　" + kana[i:] for i in range(1, len(kana))][:11]]


def import_dataset(session: Session, actor: Actor, data: bytes) -> dict:
    """Import the 推奨データセット: every row checked first, then shelters added or updated by ID
    (all or nothing). Shelters missing from the file are kept and reported."""
    records = opendata.read_dataset(data, actor.lg_code)
    existing = {s.code: s for s in session.scalars(select(Shelter))}
    added = updated = 0
    for row in records:
        shelter = existing.get(row.code)
        if shelter is None:
            shelter = Shelter(lg_code=actor.lg_code, code=row.code, kind="指定緊急避難場所")
            session.add(shelter)
            added += 1
        else:
            updated += 1
        shelter.name, shelter.name_kana, shelter.address = row.name, row.name_kana, row.address
        shelter.phone, shelter.hazards, shelter.capacity = row.phone, row.hazards, row.capacity
        shelter.geom = f"SRID=4326;POINT({row.lon} {row.lat})"
        shelter.open_data = row.other
    session.flush()
    missing = sorted(set(existing) - {r.code for r in records})
    record(session, actor, "shelter_import", "shelter", [], added=added, updated=updated, missing=len(missing))
    return {"added": added, "updated": updated, "missing": missing}


def dataset_rows(session: Session, lg_code: str) -> Iterator[list[str]]:
    """The municipality's shelters as rows of the 推奨データセット, in ID order."""
    stmt = select(Shelter, func.ST_Y(Shelter.geom), func.ST_X(Shelter.geom)).order_by(Shelter.code)
    for shelter, lat, lon in session.execute(stmt):
        yield opendata.dataset_row(lg_code, shelter.code, shelter.name, shelter.name_kana, shelter.address, lat, lon,
                                   shelter.phone, list(shelter.hazards or []), shelter.capacity,
                                   dict(shelter.open_data or {}))


def list_shelters(session: Session) -> list[Shelter]:
    return list(session.scalars(select(Shelter).order_by(Shelter.code)))


def export_dataset(session: Session, actor: Actor) -> None:
    """Audit an export of the 推奨データセット (the caller streams ``dataset_rows``)."""
    record(session, actor, "shelter_export", "shelter", [])


def import_gsi(session: Session, actor: Actor, data: bytes, municipality_name: str) -> dict:
    """Import a 国土地理院 CSV (指定緊急避難場所 or 指定避難所) all or nothing, matched by 共通ID. A
    facility on both lists keeps one record; being a 指定避難所 is the stronger designation."""
    records = opendata.read_gsi(data, municipality_name)
    existing = {s.code: s for s in session.scalars(select(Shelter))}
    added = 0
    for row in records:
        shelter = existing.get(row.code)
        if shelter is None:
            shelter = Shelter(lg_code=actor.lg_code, code=row.code, kind=row.kind, capacity=0, phone="",
                              name_kana="", hazards=[], open_data={})
            session.add(shelter)
            added += 1
        elif row.kind == "指定避難所" and shelter.kind == "指定緊急避難場所":
            shelter.kind = row.kind
        shelter.name, shelter.address = row.name, row.address
        if row.kind == "指定緊急避難場所":
            shelter.hazards = row.hazards
        shelter.geom = f"SRID=4326;POINT({row.lon} {row.lat})"
    session.flush()
    record(session, actor, "shelter_import", "shelter", [], source="国土地理院", added=added,
           updated=len(records) - added)
    return {"added": added, "updated": len(records) - added, "missing": []}


def get_shelter(session: Session, shelter_id: int) -> Shelter:
    return get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
