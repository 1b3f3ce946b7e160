"""安否確認 per disaster: the state of each register person reported from tablets (append-only
history; the latest report is the state), the map coloured by state, progress per 町丁目 and the
list as CSV/XLSX. Every view, change and export is audited.

The map draws the register from the 要支援者 vector tiles (app/maps/tiles.py: only id and state per
person, never anyone under 支援措置), so a city of tens of thousands of people loads only the tiles
in view; a tap fetches that one person (``map_person``) and people under 支援措置 come as their own
small layer (``protected_geojson``) for staff with the register screen."""
from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date, format_datetime
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.disasters.rules import RESPONDING
from app.errors import NotFound, ValidationError
from app.evac_support import rules
from app.evac_support.areas import AreaIndex, in_areas_sql
from app.evac_support.models import EvacPerson, SafetyCheck
from app.evac_support.services import PROTECTED_NOTE
from app.shelters.rules import normalize_kana

NO_AREA = "（町丁目不明）"
EXPORT_HEADER = ("町丁目", "氏名", "氏名カナ", "生年月日", "住所", "電話番号", "避難支援等を必要とする事由", "安否",
                 "確認日時", "確認者", "備考", "支援措置")
_LATEST = """LEFT JOIN LATERAL (SELECT s.state, s.note, s.checked_at, s.checked_by FROM safety_checks s
             WHERE s.disaster_id = :d AND s.person_id = p.id ORDER BY s.id DESC LIMIT 1) latest ON true"""
# The state of a person nobody has reported on yet in the disaster.
_STATE = "coalesce(latest.state, :unconfirmed)"


def _params(disaster_id: int, **more) -> dict:
    """The bind values of a query joining ``_LATEST``: the disaster, the state of people not reported on."""
    return {"d": disaster_id, "unconfirmed": rules.UNCONFIRMED, **more}


def people(session: Session, actor: Actor, disaster_id: int, *, area_code: str = "", kana: str = "",
           state: str = "", limit: int = 50, offset: int = 0) -> tuple[int, list]:
    """Register people with their current state in the disaster, filtered by 町丁目, kana (as typed:
    hiragana or katakana, the start of the name) and state: how many match, and ``limit`` of them
    from ``offset`` in kana order; the viewing audited."""
    where, params = [], _params(disaster_id, limit=limit, offset=offset)
    if area_code:
        where.append(f"AND {in_areas_sql('r')}")
        params["areas"] = [area_code]
    if kana.strip():
        where.append("AND replace(replace(r.name_kana, ' ', ''), '　', '') LIKE :kana")
        params["kana"] = normalize_kana(kana).replace("%", "").replace("_", "") + "%"
    if state:
        where.append(f"AND {_STATE} = :state")
        params["state"] = rules.check_safety_state(state)
    matching = f"""FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
        WHERE p.removed_at IS NULL {" ".join(where)}"""
    total = session.scalar(text(f"SELECT count(*) {matching}"), params)
    found = session.execute(text(f"""
        SELECT p.id, r.name, r.name_kana, r.is_protected, {_STATE} AS state,
               latest.checked_at, latest.checked_by, latest.note, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
        {matching} ORDER BY r.name_kana, p.id LIMIT :limit OFFSET :offset"""), params).all()
    located = AreaIndex.load(session).locate([r.lon for r in found], [r.lat for r in found])
    rows = [SimpleNamespace(**r._asdict(), area_name=name) for r, (_, name) in zip(found, located, strict=True)]
    record(session, actor, "safety_view", "evac_person", [r.id for r in rows][:500], disaster=disaster_id,
           area=area_code, kana=kana, offset=offset)
    return total, rows


def set_state(session: Session, actor: Actor, disaster: Disaster, person_id: int, state: str,
              note: str = "") -> SafetyCheck:
    """Report a person's state now; the earlier reports stay as history. Only while the disaster
    is being handled (対応中)."""
    if disaster.status != RESPONDING:
        raise ValidationError(f"{disaster.name}は終了しているため、安否を記録できません。", code="disaster_closed")
    person = get_or_not_found(session, EvacPerson, person_id, "指定された要支援者は見つかりません。", "evac_person")
    if person.removed_at is not None:
        raise ValidationError("この方は名簿の基準に該当しなくなっています。", code="person_removed")
    check = SafetyCheck(lg_code=actor.lg_code, disaster_id=disaster.id, person_id=person.id,
                        state=rules.check_safety_state(state), note=(note or "").strip()[:200],
                        checked_by=actor.login_id[:60] or "system", user_id=actor.user_id)
    session.add(check)
    session.flush()
    record(session, actor, "safety_check_record", "evac_person", [person.id], disaster=disaster.id, state=state)
    return check


def history(session: Session, disaster_id: int, person_id: int) -> list[SafetyCheck]:
    """Every report of the person in the disaster, newest first."""
    return list(session.scalars(select(SafetyCheck).where(SafetyCheck.disaster_id == disaster_id,
                                                          SafetyCheck.person_id == person_id)
                                .order_by(SafetyCheck.id.desc())))


def progress(session: Session, disaster_id: int) -> list[dict]:
    """Per 町丁目 (and a 合計 row last): people, counts by state, and the share confirmed."""
    homes = session.execute(text(f"""
        SELECT ST_X(r.geom), ST_Y(r.geom), {_STATE}
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
        WHERE p.removed_at IS NULL"""), _params(disaster_id)).all()
    located = AreaIndex.load(session).locate([x for x, _, _ in homes], [y for _, y, _ in homes])
    areas: dict[str, dict] = {}
    total = {"code": "", "name": "合計", "counts": dict.fromkeys(rules.SAFETY_STATES, 0)}
    for (_, _, state), (code, name) in zip(homes, located, strict=True):
        area = areas.setdefault(code or "", {"code": code or "", "name": name or NO_AREA,
                                             "counts": dict.fromkeys(rules.SAFETY_STATES, 0)})
        area["counts"][state] += 1
        total["counts"][state] += 1
    result = [*sorted(areas.values(), key=lambda a: (a["code"] == "", a["code"])), total]
    for area in result:
        area["total"] = sum(area["counts"].values())
        area["percent"] = rules.confirmed_percent(area["counts"])
    return result


def protected_geojson(session: Session, actor: Actor, disaster_id: int) -> str:
    """The register people under 支援措置 with a position, as GeoJSON points (``state`` for the
    colour, the popup's fields as properties). The vector tiles of the 要支援者 layer never carry
    them; this small layer is for the 安否 map of staff with the register screen only."""
    rows = session.execute(text(f"""
        SELECT p.id, r.name, {_STATE}, latest.checked_at,
               round(ST_X(r.geom)::numeric, 6)::float, round(ST_Y(r.geom)::numeric, 6)::float
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
        WHERE p.removed_at IS NULL AND r.is_protected AND r.geom IS NOT NULL ORDER BY p.id"""),
        _params(disaster_id)).all()
    located = AreaIndex.load(session).locate([r[4] for r in rows], [r[5] for r in rows])
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                 "properties": {"id": person_id, "name": name, "state": state, "area": area,
                                "checked_at": format_datetime(at) if at else "", "protected": "支援措置"}}
                for (person_id, name, state, at, x, y), (_, area) in zip(rows, located, strict=True)]
    record(session, actor, "safety_view", "disaster", [disaster_id], view="map_protected", count=len(features))
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))


def map_person(session: Session, actor: Actor, disaster_id: int, person_id: int) -> dict:
    """What a tap on a person of the 安否 map shows: name, state, time, 町丁目 (the tiles carry only
    the id and the state). The viewing is audited."""
    row = session.execute(text(f"""
        SELECT p.id, r.name, {_STATE}, latest.checked_at, latest.checked_by, r.is_protected,
               ST_X(r.geom), ST_Y(r.geom)
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
        WHERE p.id = :p AND p.removed_at IS NULL"""), _params(disaster_id, p=person_id)).one_or_none()
    if row is None:
        raise NotFound("指定された要支援者は見つかりません。")
    (_, area), = AreaIndex.load(session).locate([row[6]], [row[7]])
    record(session, actor, "safety_view", "evac_person", [row[0]], disaster=disaster_id, view="map")
    return {"id": row[0], "name": row[1], "state": row[2], "area": area or NO_AREA,
            "checked_at": format_datetime(row[3]) if row[3] else "", "checked_by": row[4] or "",
            "protected": "支援措置" if row[5] else ""}


def extent(session: Session) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the register people's homes, for the map's first view."""
    box = session.execute(text("""
        SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(r.geom) AS e
        FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE p.removed_at IS NULL) x""")).one()
    return None if box[0] is None else tuple(box)


def export(session: Session, actor: Actor, disaster_id: int, file_format: str) -> None:
    """Audit an export of the states (the caller streams ``export_rows``)."""
    record(session, actor, "safety_export", "disaster", [disaster_id], format=file_format)


def export_rows(session: Session, disaster_id: int, chunk: int = 5000) -> Iterator[tuple]:
    """The states as spreadsheet rows (by kana, with the 町丁目); people under 支援措置 without
    address and phone."""
    index = AreaIndex.load(session)
    rows = session.execute(text(f"""
        SELECT r.name, r.name_kana, r.birth_date, trim(r.address || ' ' || r.address_katagaki), r.phone, p.reasons,
               {_STATE}, latest.checked_at, latest.checked_by, latest.note, r.is_protected,
               ST_X(r.geom), ST_Y(r.geom)
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
        WHERE p.removed_at IS NULL ORDER BY r.name_kana, p.id""").execution_options(yield_per=chunk),
        _params(disaster_id))
    for part in rows.partitions(chunk):
        located = index.locate([r[11] for r in part], [r[12] for r in part])
        for row, (_, area) in zip(part, located, strict=True):
            name, kana, born, address, phone, reasons, state, at, by, note, protected = row[:11]
            yield (area or NO_AREA, name, kana, format_date(born), "" if protected else address,
                   "" if protected else phone, reasons, state, format_datetime(at) if at else "", by or "",
                   note or "", PROTECTED_NOTE if protected else "")
