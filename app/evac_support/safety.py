"""安否確認 per disaster: the state of each register person reported from tablets (append-only
history; the latest report is the state), the map coloured by state, progress per 町丁目 and the
list as CSV/XLSX. Every view, change and export is audited."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.errors import ValidationError
from app.evac_support import rules
from app.evac_support.models import EvacPerson, SafetyCheck
from app.evac_support.services import PROTECTED_NOTE, area_join
from app.shelters.rules import normalize_kana
from certificate_engine.wareki import format_date, format_datetime

NO_AREA = "（町丁目不明）"
EXPORT_HEADER = ("町丁目", "氏名", "氏名カナ", "生年月日", "住所", "電話番号", "避難支援等を必要とする事由", "安否",
                 "確認日時", "確認者", "備考", "支援措置")
_LATEST = """LEFT JOIN LATERAL (SELECT s.state, s.note, s.checked_at, s.checked_by FROM safety_checks s
             WHERE s.disaster_id = :d AND s.person_id = p.id ORDER BY s.id DESC LIMIT 1) latest ON true"""


def _people_sql(columns: str, order: str) -> str:
    return f"""SELECT {columns} FROM evac_people p JOIN residents r ON r.id = p.resident_id {area_join("r")}
               {_LATEST} WHERE p.removed_at IS NULL ORDER BY {order}"""


def people(session: Session, actor: Actor, disaster_id: int, *, area_code: str = "", kana: str = "",
           state: str = "", limit: int = 200) -> list:
    """Register people with their current state in the disaster, filtered by 町丁目, kana (as typed:
    hiragana or katakana, the start of the name) and state; the viewing audited."""
    where, params = [], {"d": disaster_id, "limit": limit}
    if area_code:
        where.append("AND EXISTS (SELECT 1 FROM admin_areas a WHERE a.code = :area AND ST_Covers(a.geom, r.geom))")
        params["area"] = area_code
    if kana.strip():
        where.append("AND replace(replace(r.name_kana, ' ', ''), '　', '') LIKE :kana")
        params["kana"] = normalize_kana(kana).replace("%", "").replace("_", "") + "%"
    if state:
        where.append("AND coalesce(latest.state, '未確認') = :state")
        params["state"] = rules.check_safety_state(state)
    # The page of people first, their 町丁目 only for that page.
    rows = session.execute(text(f"""
        SELECT q.id, q.name, q.name_kana, q.is_protected, area.name AS area_name, q.state, q.checked_at,
               q.checked_by, q.note
        FROM (SELECT p.id, r.name, r.name_kana, r.is_protected, r.geom, coalesce(latest.state, '未確認') AS state,
                     latest.checked_at, latest.checked_by, latest.note
              FROM evac_people p JOIN residents r ON r.id = p.resident_id {_LATEST}
              WHERE p.removed_at IS NULL {" ".join(where)} ORDER BY r.name_kana, p.id LIMIT :limit) q
        {area_join("q")} ORDER BY q.name_kana, q.id"""), params).all()
    record(session, actor, "safety_view", "evac_person", [r.id for r in rows][:500], disaster=disaster_id,
           area=area_code, kana=kana)
    return rows


def set_state(session: Session, actor: Actor, disaster: Disaster, person_id: int, state: str,
              note: str = "") -> SafetyCheck:
    """Report a person's state now; the earlier reports stay as history. Only while the disaster
    is being handled (対応中)."""
    if disaster.status != "対応中":
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
    rows = session.execute(text(f"""
        SELECT coalesce(area.code, '') AS code, coalesce(area.name, :none) AS name,
               coalesce(latest.state, '未確認') AS state, count(*) AS n
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {area_join("r")} {_LATEST}
        WHERE p.removed_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1"""), {"d": disaster_id, "none": NO_AREA}).all()
    areas: dict[str, dict] = {}
    for code, name, state, count in rows:
        area = areas.setdefault(code, {"code": code, "name": name, "counts": dict.fromkeys(rules.SAFETY_STATES, 0)})
        area["counts"][state] += count
    total = {"code": "", "name": "合計", "counts": dict.fromkeys(rules.SAFETY_STATES, 0)}
    for area in areas.values():
        for state, count in area["counts"].items():
            total["counts"][state] += count
    result = [*sorted(areas.values(), key=lambda a: (a["code"] == "", a["code"])), total]
    for area in result:
        area["total"] = sum(area["counts"].values())
        area["percent"] = rules.confirmed_percent(area["counts"])
    return result


def map_geojson(session: Session, actor: Actor, disaster_id: int) -> str:
    """The register people with a position as GeoJSON points, ``state`` for the colour. For staff
    with the register screen only (people under 支援措置 are flagged; never in third-party outputs)."""
    geojson = session.scalar(text(f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
            'type', 'Feature', 'geometry', ST_AsGeoJSON(r.geom, 6)::json,
            'properties', json_build_object('id', p.id, 'name', r.name, 'state', coalesce(latest.state, '未確認'),
                'area', area.name, 'checked_at', to_char(latest.checked_at AT TIME ZONE 'Asia/Tokyo',
                'YYYY-MM-DD HH24:MI'), 'protected', CASE WHEN r.is_protected THEN '支援措置' ELSE '' END))
            ORDER BY p.id), '[]'::json))::text
        FROM evac_people p JOIN residents r ON r.id = p.resident_id {area_join("r")} {_LATEST}
        WHERE p.removed_at IS NULL AND r.geom IS NOT NULL"""), {"d": disaster_id})
    record(session, actor, "safety_view", "disaster", [disaster_id], view="map")
    return geojson


def extent(session: Session) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the register people's homes, for the map's first view."""
    box = session.execute(text("""
        SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(r.geom) AS e
        FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE p.removed_at IS NULL) x""")).one()
    return None if box[0] is None else tuple(box)


def export(session: Session, actor: Actor, disaster_id: int, file_format: str) -> None:
    """Audit an export of the states (the caller streams ``export_rows``)."""
    record(session, actor, "safety_export", "disaster", [disaster_id], format=file_format)


def export_rows(session: Session, disaster_id: int) -> Iterator[tuple]:
    """The states as spreadsheet rows by 町丁目; people under 支援措置 without address and phone."""
    rows = session.execute(text(_people_sql(
        "area.name, r.name, r.name_kana, r.birth_date, trim(r.address || ' ' || r.address_katagaki), r.phone, "
        "p.reasons, coalesce(latest.state, '未確認'), latest.checked_at, latest.checked_by, latest.note, "
        "r.is_protected", order="area.code NULLS LAST, r.name_kana, p.id")).execution_options(yield_per=2000),
        {"d": disaster_id})
    for area, name, kana, born, address, phone, reasons, state, at, by, note, protected in rows:
        yield (area or NO_AREA, name, kana, format_date(born), "" if protected else address,
               "" if protected else phone, reasons, state, format_datetime(at) if at else "", by or "", note or "",
               PROTECTED_NOTE if protected else "")
