"""Use cases of the 被災者台帳 (災対法 90条の3): build it from the resident records, add people by
hand, keep the statutory items and 援護 current, export it, and log every provision outside.

Building is set-based SQL: the residents of the affected 町丁目 (or of the disaster's area, or of
one building, or one person) are selected once into a scratch table, their households and then
the people are inserted, and people already in the register are left as they are, so building
again after a new data link only adds who is missing.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, any_, bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date, today_in_japan
from app.damage import rules as damage_rules
from app.db import get_or_not_found
from app.disasters import recipients
from app.disasters.models import Disaster, Victim, VictimHousehold, VictimProvision
from app.errors import ValidationError, require_version
from app.residents.rules import REGISTERED
from app.tenants.items import VICTIM_REGISTER, register_items

# Why a person needs care (要配慮者の事由), from the welfare records of the resident data link.
CARE_REASON_SQL = """concat_ws('・',
    CASE w.care_level WHEN '11' THEN '要支援1' WHEN '12' THEN '要支援2' WHEN '' THEN NULL
                      ELSE '要介護' || right(w.care_level, 1) END,
    CASE WHEN w.physical_disability_grade <> '' THEN '身体障害者手帳' || w.physical_disability_grade || '級' END,
    CASE WHEN w.mental_disability_grade <> '' THEN '精神障害者保健福祉手帳' || w.mental_disability_grade || '級' END,
    CASE WHEN w.intellectual_disability <> '' THEN '療育手帳' || w.intellectual_disability END,
    CASE WHEN w.has_intractable_disease THEN '難病' END,
    CASE WHEN w.lives_alone AND r.birth_date <= :elderly_born THEN '独居高齢者' END)"""

EDITABLE = ("damage_status", "care_reason", "relief_status", "phone", "address")
LABELS = {"damage_status": "被害の状況", "care_reason": "要配慮者の事由", "relief_status": "援護の実施状況",
          "phone": "連絡先", "address": "住所又は居所", "consented_recipient_ids": "同意した提供先"}


@dataclass(frozen=True)
class BuildResult:
    households: int
    persons: int


def get_victim(session: Session, victim_id: int) -> Victim:
    return get_or_not_found(session, Victim, victim_id, "指定された被災者は見つかりません。", "victim")


def build_register(session: Session, actor: Actor, disaster_id: int, *, area_codes: list[str] | None = None,
                   whole_disaster_area: bool = False, building_id: int | None = None, atena_no: str | None = None,
                   today: date | None = None) -> BuildResult:
    """Add to the disaster's register the residents (住登内) of the chosen 町丁目, of the disaster's
    area, of a building (same address) or one person, with their households."""
    disaster = get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")
    where, params = _selection(disaster, area_codes, whole_disaster_area, building_id, atena_no)
    reference = today or today_in_japan()
    params |= {"d": disaster.id, "lg": actor.lg_code, "registered": REGISTERED,
               "elderly_born": reference.replace(year=reference.year - 65)}
    session.execute(text("DROP TABLE IF EXISTS victim_selection"))
    session.execute(text(f"""CREATE TEMP TABLE victim_selection ON COMMIT DROP AS
                             SELECT r.id, r.household_no FROM residents r
                             WHERE r.status = :registered AND ({where})"""), params)
    households = session.execute(text("""
        INSERT INTO victim_households (lg_code, disaster_id, household_no, head_name, address, building_id, source)
        SELECT :lg, :d, r.household_no,
               -- the head may not be among the selected people (one person added by 宛名番号)
               coalesce(max(r.name) FILTER (WHERE r.is_household_head),
                        (SELECT min(h.name) FROM residents h WHERE h.household_no = r.household_no
                           AND h.is_household_head AND h.status = :registered), ''),
               min(r.address), min(b.id), '住民記録'
        FROM victim_selection s JOIN residents r ON r.id = s.id
        LEFT JOIN buildings b ON b.address = r.address
        GROUP BY r.household_no
        ON CONFLICT (disaster_id, household_no) DO NOTHING"""), params).rowcount
    persons = session.execute(text(f"""
        INSERT INTO victims (lg_code, disaster_id, household_id, resident_id, atena_no, name, name_kana, birth_date,
                             sex, relationship, address, phone, is_protected, damage_status, care_reason,
                             relief_status, optional_items, source, version)
        SELECT :lg, :d, h.id, r.id, r.atena_no, r.name, r.name_kana, r.birth_date, r.sex, r.relationship,
               trim(r.address || ' ' || r.address_katagaki), r.phone, r.is_protected, '',
               {CARE_REASON_SQL}, '', '{{}}'::jsonb, '住民記録', 1
        FROM victim_selection s JOIN residents r ON r.id = s.id
        JOIN victim_households h ON h.disaster_id = :d AND h.household_no = r.household_no
        LEFT JOIN welfare_records w ON w.atena_no = r.atena_no
        ON CONFLICT (disaster_id, resident_id) DO NOTHING"""), params).rowcount
    session.execute(text("DROP TABLE victim_selection"))
    record(session, actor, "victim_register_build", "disaster", [disaster.id], households=households,
           persons=persons, areas=area_codes or [], building=building_id, atena_no=atena_no or "")
    return BuildResult(households, persons)


def _selection(disaster: Disaster, area_codes, whole_disaster_area, building_id, atena_no) -> tuple[str, dict]:
    if area_codes:
        return ("EXISTS (SELECT 1 FROM admin_areas a WHERE a.code = ANY(:codes) "
                "AND ST_Intersects(a.geom, r.geom))"), {"codes": list(area_codes)}
    if whole_disaster_area:
        if disaster.geom is None:
            raise ValidationError("この災害には被災地域が登録されていません。町丁目を選んでください。", code="no_area")
        return "ST_Intersects((SELECT geom FROM disasters WHERE id = :d), r.geom)", {}
    if building_id:
        return "r.address = (SELECT address FROM buildings WHERE id = :b)", {"b": building_id}
    if atena_no:
        return "r.atena_no = :atena", {"atena": atena_no.strip()}
    raise ValidationError("台帳に載せる範囲（町丁目・建物・宛名番号）を選んでください。", code="nothing_selected")


def add_by_hand(session: Session, actor: Actor, disaster_id: int, *, name: str, name_kana: str = "",
                birth_date: date | None = None, sex: str = "", address: str = "", phone: str = "",
                damage_status: str = "") -> Victim:
    """A person not in the resident records (visitor, worker, 住民票のない人) in a household of their own."""
    disaster = get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")
    if not (name or "").strip():
        raise ValidationError("氏名を入力してください。", code="name_missing")
    if not (address or "").strip():
        raise ValidationError("住所又は居所を入力してください。", code="address_missing")
    if sex not in ("", "1", "2"):
        raise ValidationError("性別は 男・女 から選んでください。", code="sex_unknown")
    count = session.scalar(select(func.count()).select_from(VictimHousehold)
                           .where(VictimHousehold.disaster_id == disaster.id, VictimHousehold.source == "手入力"))
    household = VictimHousehold(lg_code=actor.lg_code, disaster_id=disaster.id, household_no=f"手入力-{count + 1}",
                                head_name=name.strip(), address=address.strip(), source="手入力")
    session.add(household)
    session.flush()
    victim = Victim(lg_code=actor.lg_code, disaster_id=disaster.id, household_id=household.id, name=name.strip(),
                    name_kana=(name_kana or "").strip(), birth_date=birth_date, sex=sex, address=address.strip(),
                    phone=(phone or "").strip(), damage_status=(damage_status or "").strip(), relationship="世帯主",
                    source="手入力", optional_items={})
    session.add(victim)
    session.flush()
    record(session, actor, "victim_create", "victim", [victim.id])
    return victim


def list_victims(session: Session, disaster_id: int, *, query: str = "", care_only: bool = False,
                 limit: int = 200, offset: int = 0) -> tuple[int, list[tuple[Victim, VictimHousehold]]]:
    """(total, one page) of the register, by household and person; ``query`` matches 氏名, カナ or 住所."""
    stmt = (select(Victim, VictimHousehold).join(VictimHousehold, VictimHousehold.id == Victim.household_id)
            .where(Victim.disaster_id == disaster_id))
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Victim.name.like(like), Victim.name_kana.like(like), Victim.address.like(like)))
    if care_only:
        stmt = stmt.where(Victim.care_reason != "")
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(VictimHousehold.household_no, Victim.id).limit(limit).offset(offset))
    return total, [(v, h) for v, h in rows]


def household_members(session: Session, victim: Victim) -> list[Victim]:
    return household_victims(session, victim.household_id)


def update_victim(session: Session, actor: Actor, victim_id: int, *, version: int, confirmed: bool,
                  values: dict[str, str], optional: dict[str, str] | None = None,
                  consents: list[str] | None = None) -> Victim:
    """Change the register items of a person (the municipality's own items in ``optional``; the
    registered recipients the person consented to in ``consents``, ids as ticked, None: unchanged):
    refused without the confirmation of the changes (変更事項の確認) and when someone else saved
    first (optimistic lock)."""
    victim = get_victim(session, victim_id)
    names = recipients.recipient_names(session)
    require_version(victim.version, version, "この被災者の記録は他の職員が先に更新しました。最新の内容を確認してから、"
                    "もう一度更新してください。", {LABELS[k]: getattr(victim, k) for k in EDITABLE}
                    | {LABELS["consented_recipient_ids"]: consent_names(victim, names)})
    changed = {k: (v or "").strip() for k, v in values.items()
               if k in EDITABLE and (v or "").strip() != getattr(victim, k)}
    if consents is not None:
        wanted = recipients.consented_ids(session, consents, list(victim.consented_recipient_ids or []))
        if wanted != sorted(victim.consented_recipient_ids or []):
            changed["consented_recipient_ids"] = wanted
    known = {item.key for item in register_items(session, VICTIM_REGISTER)}
    current_optional = dict(victim.optional_items or {})
    changed_optional = {k: (v or "").strip() for k, v in (optional or {}).items()
                        if k in known and (v or "").strip() != current_optional.get(k, "")}
    if not changed and not changed_optional:
        raise ValidationError("変更された項目がありません。", code="nothing_changed")
    if not confirmed:
        raise ValidationError("変更内容を確認し、「変更内容を確認しました」にチェックしてから更新してください。",
                              code="confirmation_required")
    for key, value in changed.items():
        setattr(victim, key, value)
    if changed_optional:
        victim.optional_items = current_optional | changed_optional
    session.flush()
    record(session, actor, "victim_update", "victim", [victim.id], fields=sorted(changed) + sorted(changed_optional))
    return victim


def consent_names(victim: Victim, names: dict[int, str]) -> str:
    """The recipients the person consented to, by name (本人が同意した提供先)."""
    return "、".join(names.get(i, "") for i in victim.consented_recipient_ids or [])


EXPORT_HEADER = ("世帯番号", "氏名", "氏名カナ", "生年月日", "性別", "続柄", "住所又は居所", "連絡先", "被害の状況",
                 "住家の被害の程度", "要配慮者の事由", "援護の実施状況", "本人が同意した提供先", "区分", "備考")
# A recipient's file says only whether the person consented to that recipient: the names of the
# other recipients someone consented to are none of its business.
CONSENT_COLUMN = EXPORT_HEADER.index("本人が同意した提供先")
RECIPIENT_CONSENT_LABEL = "この提供先への本人同意"
PROTECTED_NOTE = "支援措置対象（住所・連絡先・独自の事項は提供しません）"


def export_header(session: Session, *, for_recipient: bool = False) -> tuple[str, ...]:
    """The export columns: the statutory ones, then the municipality's visible own items."""
    header = list(EXPORT_HEADER)
    if for_recipient:
        header[CONSENT_COLUMN] = RECIPIENT_CONSENT_LABEL
    return (*header, *(item.label for item in register_items(session, VICTIM_REGISTER, visible_only=True)))


def register_rows(session: Session, disaster_id: int, *,
                  provision: VictimProvision | None = None) -> Iterator[tuple]:
    """Rows of the register for export: the staff's own file (everything), or the file of a
    ``provision`` (90条の4): exactly the people it recorded, people under 支援措置 without address,
    contact and the municipality's own items (the row says so; an own item such as 避難先 may say
    where they are), and the consent column saying only whether the person consented to that
    recipient."""
    grades = _building_grades(session, disaster_id)
    names = recipients.recipient_names(session) if provision is None else {}
    keys = [item.key for item in register_items(session, VICTIM_REGISTER, visible_only=True)]
    stmt = (select(Victim, VictimHousehold).join(VictimHousehold, VictimHousehold.id == Victim.household_id)
            .where(Victim.disaster_id == disaster_id).order_by(VictimHousehold.household_no, Victim.id)
            .execution_options(yield_per=2000))
    if provision is not None:  # one array parameter, however many people a provision lists
        stmt = stmt.where(Victim.id == any_(bindparam("victim_ids", list(provision.victim_ids), type_=ARRAY(Integer))))
    for victim, household in session.execute(stmt):
        hidden = provision is not None and victim.is_protected
        consent = consent_names(victim, names) if provision is None else _consent_to(victim, provision)
        own_items = {} if hidden else victim.optional_items or {}
        yield (household.household_no, victim.name, victim.name_kana, format_date(victim.birth_date),
               SEX_LABELS.get(victim.sex, ""), victim.relationship, "" if hidden else victim.address,
               "" if hidden else victim.phone, victim.damage_status, grades.get(household.building_id, ""),
               victim.care_reason, victim.relief_status, consent, victim.source,
               PROTECTED_NOTE if hidden else "", *(own_items.get(k, "") for k in keys))


def _consent_to(victim: Victim, provision: VictimProvision) -> str:
    return "あり" if provision.recipient_id in (victim.consented_recipient_ids or []) else "なし"


SEX_LABELS = {"1": "男", "2": "女"}


def _building_grades(session: Session, disaster_id: int) -> dict[int, str]:
    """Building id -> the certified grade of its latest final survey in this disaster."""
    rows = session.execute(text("""
        SELECT DISTINCT ON (building_id) building_id, final_grade FROM damage_surveys
        WHERE disaster_id = :d AND status = :final ORDER BY building_id, id DESC"""),
        {"d": disaster_id, "final": damage_rules.FINAL})
    return dict(rows.all())


def export_register(session: Session, actor: Actor, disaster_id: int, *, file_format: str) -> None:
    """Audit the staff's own export of the register, for the municipality's relief (90条の4第1項;
    the caller streams ``register_rows``). A file for anyone outside is a provision
    (``recipients.provide_register``)."""
    record(session, actor, "victim_export", "disaster", [disaster_id], format=file_format)


def area_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the municipality's 町丁目, for choosing the affected area."""
    from app.maps.models import AdminArea

    return [(a.code, a.name) for a in session.scalars(select(AdminArea).order_by(AdminArea.code))]


def view_victim(session: Session, actor: Actor, victim_id: int) -> Victim:
    """A person's register entry, the viewing audited."""
    victim = get_victim(session, victim_id)
    record(session, actor, "victim_view", "victim", [victim.id])
    return victim


def household_victims(session: Session, household_id: int) -> list[Victim]:
    return list(session.scalars(select(Victim).where(Victim.household_id == household_id).order_by(Victim.id)))
