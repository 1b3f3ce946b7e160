"""Use cases of the 避難行動要支援者名簿: criteria, extraction from the resident and welfare data
(additions and removals reported), consent, and the roster for supporters (49条の11, 提供抑止)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date, today_in_japan
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.disasters.rules import RESPONDING
from app.errors import InvalidInput, ValidationError, require_version
from app.evac_support import rules
from app.evac_support.areas import in_areas_sql
from app.evac_support.models import (
    EvacCriteria,
    EvacPerson,
    RegisterUpdate,
    RosterProvision,
    SupporterOrg,
)
from app.maps.models import AdminArea
from app.residents.rules import REGISTERED
from app.shelters.rules import normalize_kana

ROSTER_HEADER = ("氏名", "氏名カナ", "生年月日", "性別", "住所又は居所", "電話番号", "避難支援等を必要とする事由",
                 "同意", "世帯番号", "備考")
PROTECTED_NOTE = "支援措置対象（住所・連絡先は提供しません）"


def criteria(session: Session) -> dict:
    row = session.scalar(select(EvacCriteria))
    return rules.validate_criteria(dict(row.config)) if row else dict(rules.DEFAULT_CRITERIA)


def save_criteria(session: Session, actor: Actor, config: dict) -> dict:
    checked = rules.validate_criteria(config)
    row = session.scalar(select(EvacCriteria)) or EvacCriteria(lg_code=actor.lg_code)
    row.config = checked
    session.add(row)
    session.flush()
    record(session, actor, "evac_criteria_update", "municipality", [actor.lg_code])
    return checked


def refresh_register(session: Session, actor: Actor, today: date | None = None, *, batch_id: int | None = None,
                     generation: int | None = None) -> dict:
    """Apply the criteria to the current resident and welfare data: people who now meet them are
    added (or come back), people who no longer do are marked removed. The change is kept as a
    register update report (with the link batch and generation it followed, if any). Returns the
    counts and the report's id."""
    config, day = criteria(session), today or today_in_japan()
    conditions, params = _criteria_sql(config, day)
    if not conditions:
        raise ValidationError("抽出の基準が1つもありません。", code="no_criteria")
    session.execute(text("DROP TABLE IF EXISTS evac_selection"))
    session.execute(text(f"""CREATE TEMP TABLE evac_selection ON COMMIT DROP AS
        SELECT r.id AS resident_id, concat_ws('・', {', '.join(reason for _, reason in conditions)}) AS reasons
        FROM residents r LEFT JOIN welfare_records w ON w.atena_no = r.atena_no
        WHERE r.status = :registered AND ({' OR '.join(cond for cond, _ in conditions)})"""),
        params | {"registered": REGISTERED})
    changes = session.execute(text("""
        INSERT INTO evac_people AS p (lg_code, resident_id, reasons, consent, consent_how, version)
        SELECT :lg, resident_id, reasons, :unanswered, '', 1 FROM evac_selection
        ON CONFLICT (lg_code, resident_id) DO UPDATE SET reasons = EXCLUDED.reasons, removed_at = NULL,
            updated_at = now(), version = p.version + 1
        WHERE p.removed_at IS NOT NULL OR p.reasons IS DISTINCT FROM EXCLUDED.reasons
        RETURNING p.id, (xmax = 0) AS added"""), {"lg": actor.lg_code, "unanswered": rules.CONSENT_UNANSWERED}).all()
    removed = session.scalars(text("""
        UPDATE evac_people SET removed_at = now(), updated_at = now(), version = version + 1
        WHERE removed_at IS NULL AND resident_id NOT IN (SELECT resident_id FROM evac_selection)
        RETURNING id""")).all()
    session.execute(text("DROP TABLE evac_selection"))
    update = RegisterUpdate(lg_code=actor.lg_code, batch_id=batch_id, generation=generation,
                            source="連携" if batch_id else "手動", created_by=actor.login_id[:60],
                            added_ids=sorted(i for i, added in changes if added),
                            changed_ids=sorted(i for i, added in changes if not added), removed_ids=sorted(removed))
    session.add(update)
    session.flush()
    result = {"added": len(update.added_ids), "changed": len(update.changed_ids), "removed": len(removed)}
    record(session, actor, "evac_register_refresh", "municipality", [actor.lg_code], **result, update=update.id,
           batch=batch_id, generation=generation)
    return result | {"update_id": update.id}


def _criteria_sql(config: dict, day: date) -> tuple[list[tuple[str, str]], dict]:
    """(condition, reason expression) pairs for the criteria in use, with their parameters."""
    def born_by(years: int) -> date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February
            return day.replace(year=day.year - years, day=28)

    pairs, params = [], {}
    if config["age_min"] is not None:
        params["old"] = born_by(config["age_min"])
        pairs.append(("r.birth_date <= :old", f"CASE WHEN r.birth_date <= :old THEN '{config['age_min']}歳以上' END"))
    if config["alone_age_min"] is not None:
        params["alone"] = born_by(config["alone_age_min"])
        pairs.append(("(w.lives_alone AND r.birth_date <= :alone)",
                      "CASE WHEN w.lives_alone AND r.birth_date <= :alone THEN '独居高齢者' END"))
    for key, column, label in (("care_levels", "w.care_level", "要介護度"),
                               ("physical_grades", "w.physical_disability_grade", "身体障害者手帳"),
                               ("mental_grades", "w.mental_disability_grade", "精神障害者保健福祉手帳"),
                               ("intellectual", "w.intellectual_disability", "療育手帳")):
        if config[key]:
            params[key] = list(config[key])
            pairs.append((f"{column} = ANY(:{key})", f"CASE WHEN {column} = ANY(:{key}) THEN '{label}' END"))
    if config["intractable"]:
        pairs.append(("w.has_intractable_disease", "CASE WHEN w.has_intractable_disease THEN '難病' END"))
    return pairs, params


def register_size(session: Session) -> int:
    """How many people are on the register now."""
    return session.scalar(select(func.count()).select_from(EvacPerson).where(EvacPerson.removed_at.is_(None)))


@dataclass(frozen=True)
class RegisterSearch:
    """What the register screen looks for: part of the name (漢字 or kana as typed, hiragana too),
    a consent state, a reason (one of ``rules.REASON_FILTERS``) and people under 支援措置 only."""

    name: str = ""
    consent: str = ""
    reason: str = ""
    protected_only: bool = False

    def conditions(self) -> tuple[list[str], dict]:
        """SQL conditions on ``evac_people p JOIN residents r`` and their parameters; an unknown
        consent state or reason is refused (400: the screen only offers known ones)."""
        where, params = ["p.removed_at IS NULL"], {}
        if self.name.strip():
            typed = self.name.strip().replace(" ", "").replace("　", "")
            where.append("(replace(replace(r.name, ' ', ''), '　', '') LIKE :name "
                         "OR replace(replace(r.name_kana, ' ', ''), '　', '') LIKE :kana)")
            params |= {"name": f"%{_escape_like(typed)}%", "kana": f"%{_escape_like(normalize_kana(typed))}%"}
        if self.consent:
            if self.consent not in rules.CONSENT_STATES:
                raise InvalidInput(f"同意の状況「{self.consent}」はありません。", code="consent_unknown")
            where.append("p.consent = :consent")
            params["consent"] = self.consent
        if self.reason:
            if self.reason not in rules.REASON_FILTERS:
                raise InvalidInput(f"事由「{self.reason}」では絞り込めません。", code="reason_unknown")
            where.append("p.reasons LIKE :reason")
            params["reason"] = f"%{rules.REASON_FILTERS[self.reason]}%"
        if self.protected_only:
            where.append("r.is_protected")
        return where, params


def _escape_like(value: str) -> str:
    """``value`` matched literally by LIKE (whose escape character is the backslash)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def register(session: Session, search: RegisterSearch = RegisterSearch(), *, limit: int = 50,
             offset: int = 0) -> tuple[int, list[tuple]]:
    """(how many people match ``search``, the ``limit`` of them from ``offset`` in kana order)."""
    where, params = search.conditions()
    base = f"FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE {' AND '.join(where)}"
    total = session.scalar(text(f"SELECT count(*) {base}"), params)
    rows = session.execute(text(f"""
        SELECT p.id, p.consent, p.consent_on, p.consent_how, p.reasons, p.removed_at, p.version, r.name, r.name_kana,
               r.birth_date, r.address, r.is_protected
        {base} ORDER BY r.name_kana, p.id LIMIT :limit OFFSET :offset"""),
        params | {"limit": limit, "offset": offset})
    return total, rows.all()


def set_consent(session: Session, actor: Actor, person_id: int, *, consent: str, consent_on: date | None,
                how: str, version: int) -> EvacPerson:
    """Record the person's answer (同意 / 不同意 / 未回答), when and how it was obtained."""
    person = get_or_not_found(session, EvacPerson, person_id, "指定された要支援者は見つかりません。", "resident")
    require_version(person.version, version, "この方の記録は他の職員が先に更新しました。", {"同意": person.consent})
    if consent not in rules.CONSENT_STATES:
        raise ValidationError(f"同意の状態「{consent}」はありません。", code="consent_unknown")
    if consent != rules.CONSENT_UNANSWERED and consent_on is None:
        raise ValidationError("同意・不同意の日付を入力してください。", code="consent_date_missing")
    person.consent, person.consent_on, person.consent_how = consent, consent_on, (how or "").strip()[:40]
    session.flush()
    record(session, actor, "evac_consent", "resident", [person.resident_id], consent=consent)
    return person


def roster_mode_allowed(session: Session, mode: str, disaster_id: int | None) -> bool:
    """Whether the roster may be given in ``mode`` now (災害時 needs a disaster being handled)."""
    if mode not in (rules.NORMAL, rules.DISASTER):
        raise ValidationError(f"提供の区分「{mode}」はありません。", code="mode_unknown")
    declared = False
    if disaster_id:
        disaster = session.get(Disaster, disaster_id)
        declared = disaster is not None and disaster.status == RESPONDING
    if mode == rules.DISASTER and not declared:
        raise ValidationError("災害時の提供は、対応中の災害を選んでいるときだけできます（49条の11）。",
                              code="no_disaster")
    return declared


def roster_selection(session: Session, mode: str, declared: bool, area_codes: list[str] | None = None,
                     consents: list[str] | None = None) -> list[int]:
    """The register people (ids) who may go to a supporter now (49条の11: consenting people in
    normal times, everyone in a disaster), limited to homes inside the 町丁目 ``area_codes`` and to
    the consent states ``consents`` when given."""
    in_areas = f"AND {in_areas_sql('r')}" if area_codes else ""
    rows = session.execute(text(f"""
        SELECT p.id, p.consent FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.removed_at IS NULL {in_areas}
        ORDER BY r.household_no, r.name_kana, p.id"""), {"areas": list(area_codes or [])})
    return [person_id for person_id, consent in rows
            if rules.may_receive(mode, consent, declared) and (not consents or consent in consents)]


def roster_filters(session: Session, mode: str, area_codes: list[str], consents: list[str],
                   org: SupporterOrg | None = None) -> tuple[list[str] | None, list[str]]:
    """The checked 町丁目 and consent filters of a roster: known codes only, within an organisation's
    own 町丁目; in normal times only 同意 can be asked for (49条の11)."""
    known = set(session.scalars(select(AdminArea.code)))
    unknown = [code for code in area_codes if code not in known]
    if unknown or any(c not in rules.CONSENT_STATES for c in consents):
        raise ValidationError("町丁目または同意の状況の指定が正しくありません。", code="roster_filter_invalid")
    if mode != rules.DISASTER and consents and rules.CONSENTED not in consents:
        raise ValidationError("平常時は同意した方だけを提供できます。同意の状況で「同意」を含めてください。",
                              code="roster_consent_normal")
    if org is None:
        return (list(area_codes) or None), list(consents)
    outside = [code for code in area_codes if code not in org.area_codes]
    if outside:
        raise ValidationError(f"{org.name}の担当ではない町丁目が含まれています。", code="roster_area_outside")
    return (list(area_codes) or list(org.area_codes)), list(consents)


def roster_rows(session: Session, person_ids: list[int]) -> Iterator[tuple]:
    """The roster lines of ``person_ids`` (chosen by ``roster_selection``); people under 支援措置
    without address and contact, marked in 備考."""
    rows = session.execute(text("""
        SELECT r.name, r.name_kana, r.birth_date, r.sex, trim(r.address || ' ' || r.address_katagaki), r.phone,
               p.reasons, p.consent, r.household_no, r.is_protected
        FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.id = ANY(:ids) ORDER BY r.household_no, r.name_kana, p.id""").execution_options(yield_per=2000),
        {"ids": list(person_ids)})
    for name, kana, born, sex, address, phone, reasons, consent, household, protected in rows:
        yield (name, kana, format_date(born), {"1": "男", "2": "女"}.get(sex, ""), "" if protected else address,
               "" if protected else phone, reasons, consent, household, PROTECTED_NOTE if protected else "")


@dataclass(frozen=True)
class RosterPlan:
    """Who a roster would list now and for whom: what the confirmation page shows, and what a
    provision records when the page's form is sent."""

    recipient: str
    org: SupporterOrg | None
    mode: str
    disaster_id: int | None  # set only while a disaster is being handled (災害時 is allowed then)
    file_format: str
    area_codes: list[str]  # the 町丁目 checked on the form (an organisation's roster: within its own)
    consents: list[str]
    person_ids: list[int]
    protected_count: int  # listed without address and contact


def plan_roster(session: Session, *, mode: str, file_format: str, disaster_id: int | None = None,
                org: SupporterOrg | None = None, recipient: str = "", area_codes: list[str] | None = None,
                consents: list[str] | None = None) -> RosterPlan:
    """Check a roster request (recipient, 49条の11 mode, filters, format) and choose its people
    (an organisation: only its 町丁目), writing nothing: a GET shows this for confirmation."""
    declared = roster_mode_allowed(session, mode, disaster_id)
    name = org.name if org else (recipient or "").strip()[:100]
    if not name:
        raise ValidationError("提供先（避難支援等関係者）を入力してください。", code="recipient_missing")
    if org is not None and not org.is_active:
        raise ValidationError(f"{org.name}は現在提供先になっていません。", code="org_inactive")
    if file_format not in rules.ROSTER_FORMATS:
        raise ValidationError("形式は CSV か Excel（XLSX）を選んでください。", code="format_unknown")
    areas, checked_consents = roster_filters(session, mode, list(area_codes or []), list(consents or []), org)
    ids = roster_selection(session, mode, declared, areas, checked_consents)
    protected = session.scalar(text("""SELECT count(*) FROM evac_people p JOIN residents r ON r.id = p.resident_id
                                       WHERE p.id = ANY(:ids) AND r.is_protected"""), {"ids": ids})
    return RosterPlan(name, org, mode, disaster_id if declared else None, file_format, list(area_codes or []),
                      checked_consents, ids, protected)


def provide_roster(session: Session, actor: Actor, plan: RosterPlan) -> RosterProvision:
    """Record the provision of ``plan`` with the people listed (49条の11: every provision is
    recorded), audited with the filters. Only ever reached by a POST from the confirmation page."""
    provision = RosterProvision(lg_code=actor.lg_code, org_id=plan.org.id if plan.org else None,
                                recipient=plan.recipient, mode=plan.mode, disaster_id=plan.disaster_id,
                                file_format=plan.file_format, person_count=len(plan.person_ids),
                                person_ids=plan.person_ids, provided_by=actor.login_id[:60] or "system",
                                user_id=actor.user_id)
    session.add(provision)
    session.flush()
    record(session, actor, "evac_roster_export", "roster_provision", [provision.id], mode=plan.mode,
           recipient=plan.recipient, org=provision.org_id, count=len(plan.person_ids), areas=plan.area_codes,
           consents=plan.consents)
    return provision
