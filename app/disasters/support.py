"""Use cases of the support programmes (被災者生活再建支援金, 応急修理, 義援金, 弔慰金, 見舞金, 減免):
eligibility of a household from its certified grade and size, applications, decisions, payments,
deadline warnings and totals per programme. The amounts come from ``rules``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date
from app.damage.services import certified_grade
from app.db import get_or_not_found
from app.disasters import rules
from app.disasters.models import Disaster, SupportApplication, Victim, VictimHousehold
from app.errors import ValidationError, require_version


@dataclass(frozen=True)
class Eligibility:
    """What a household qualifies for now: grade, size, 支援金 situation and amounts."""

    grade: str | None
    household_size: int
    situation: str | None
    base: int
    top_up: dict[str, int]  # plan -> amount, after the top-ups already decided


@dataclass(frozen=True)
class ProgrammeTotal:
    code: str
    name: str
    applications: int
    decided: int
    decided_amount: int
    paid_amount: int


def get_household(session: Session, household_id: int) -> VictimHousehold:
    return get_or_not_found(session, VictimHousehold, household_id, "指定された世帯は見つかりません。", "victim")


def get_support_application(session: Session, application_id: int) -> SupportApplication:
    return get_or_not_found(session, SupportApplication, application_id, "指定された支援の申請は見つかりません。",
                            "victim")


def household_size(session: Session, household: VictimHousehold) -> int:
    return session.scalar(select(func.count()).select_from(Victim).where(Victim.household_id == household.id)) or 0


def household_grade(session: Session, household: VictimHousehold) -> str | None:
    """The certified grade of the household's house in the disaster (None: not final, or no house)."""
    if household.building_id is None:
        return None
    return certified_grade(session, household.disaster_id, household.building_id)


def eligibility(session: Session, household: VictimHousehold) -> Eligibility:
    grade, size = household_grade(session, household), household_size(session, household)
    situation = rules.support_situation(grade)
    earlier = _decided_plans(session, household.id)
    top_up = {plan: rules.top_up_grant(situation, max(size, 1), plan, earlier) for plan in rules.PLANS} \
        if situation else {}
    return Eligibility(grade, size, situation, rules.base_grant(situation, max(size, 1)), top_up)


def _decided_plans(session: Session, household_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(SupportApplication.plan).where(
        SupportApplication.household_id == household_id, SupportApplication.programme == "support_top_up",
        SupportApplication.status.in_(("支給決定", "支払済")))))


def household_applications(session: Session, household_id: int) -> list[SupportApplication]:
    return list(session.scalars(select(SupportApplication).where(SupportApplication.household_id == household_id)
                                .order_by(SupportApplication.id)))


def apply(session: Session, actor: Actor, household_id: int, *, programme: str, applied_on: date,
          plan: str = "", victim_id: int | None = None, demolished: bool = False,
          long_term_evacuation: bool = False, breadwinner: bool = False) -> SupportApplication:
    """Receive an application; its amount is computed now from the grade and household (for the
    rule-based programmes) and decided later by staff."""
    household = get_household(session, household_id)
    disaster = session.get(Disaster, household.disaster_id)
    if programme not in rules.PROGRAMME_NAMES:
        raise ValidationError(f"支援制度「{programme}」はありません。", code="programme_unknown")
    if programme in ("condolence", "disability") and victim_id is None:
        raise ValidationError("弔慰金・見舞金は対象の方を選んでください。", code="person_missing")
    if applied_on < disaster.started_on:
        raise ValidationError("申請日が災害の発生日より前です。", code="applied_before_disaster")
    deadline = rules.programme_deadline(programme, disaster.started_on)
    if deadline and applied_on > deadline:
        raise ValidationError(f"申請期限（{format_date(deadline)}）を過ぎています。", code="deadline_passed")
    grade, size = household_grade(session, household), household_size(session, household)
    amount = rules.programme_amount(programme, grade=grade, household_size=max(size, 1), plan=plan or None,
                                    earlier_plans=_decided_plans(session, household.id), demolished=demolished,
                                    long_term_evacuation=long_term_evacuation, breadwinner=breadwinner)
    application = SupportApplication(
        lg_code=actor.lg_code, disaster_id=household.disaster_id, household_id=household.id, victim_id=victim_id,
        programme=programme, plan=plan or "", is_demolished=demolished, is_long_term_evacuation=long_term_evacuation,
        is_breadwinner=breadwinner, status="申請", applied_on=applied_on, grade=grade or "", household_size=size,
        computed_amount=amount, note="")
    session.add(application)
    session.flush()
    record(session, actor, "support_apply", "victim", [household.id], programme=programme, amount=amount)
    return application


def decide(session: Session, actor: Actor, application_id: int, *, version: int, grant: bool,
           decided_on: date, amount: int | None = None) -> SupportApplication:
    """支給決定 (with the computed amount, or the amount staff enter where the programme needs it)
    or 不支給."""
    application = _for_update(session, application_id, version)
    if application.status != "申請":
        raise ValidationError("申請中のものだけを決定できます。", code="not_pending")
    if grant:
        how = rules.PROGRAMME_AMOUNTS[application.programme]
        decided = application.computed_amount if how == "rule" else amount
        if how == "entered" and (decided is None or decided <= 0):
            raise ValidationError("支給額（円）を入力してください。", code="amount_missing")
        if how == "rule" and not decided:
            raise ValidationError("この世帯は被害の程度と世帯の状況から支給の対象になりません。", code="not_eligible")
        application.decided_amount = decided
    application.status = "支給決定" if grant else "不支給"
    application.decided_on = decided_on
    session.flush()
    record(session, actor, "support_decide", "victim", [application.household_id], programme=application.programme,
           status=application.status, amount=application.decided_amount)
    return application


def pay(session: Session, actor: Actor, application_id: int, *, version: int, paid_on: date) -> SupportApplication:
    """Record the payment of a decided amount."""
    application = _for_update(session, application_id, version)
    if application.status != "支給決定" or not application.decided_amount:
        raise ValidationError("支給決定されたものだけを支払済にできます。", code="not_decided")
    if application.decided_on and paid_on < application.decided_on:
        raise ValidationError("支払日が決定日より前です。", code="paid_before_decision")
    application.status, application.paid_on, application.paid_amount = "支払済", paid_on, application.decided_amount
    session.flush()
    record(session, actor, "support_pay", "victim", [application.household_id], programme=application.programme,
           amount=application.paid_amount)
    return application


def _for_update(session: Session, application_id: int, version: int) -> SupportApplication:
    application = get_support_application(session, application_id)
    require_version(application.version, version, "この申請は他の職員が先に更新しました。画面を開き直してください。",
                    {"状態": application.status})
    return application


def totals(session: Session, disaster_id: int) -> list[ProgrammeTotal]:
    """Applications, decisions and amounts per programme of a disaster."""
    decided = SupportApplication.status.in_(("支給決定", "支払済"))
    rows = {row.programme: row for row in session.execute(
        select(SupportApplication.programme, func.count().label("applications"),
               func.count().filter(decided).label("decided"),
               func.coalesce(func.sum(case((decided, SupportApplication.decided_amount), else_=0)), 0).label("amount"),
               func.coalesce(func.sum(SupportApplication.paid_amount), 0).label("paid"))
        .where(SupportApplication.disaster_id == disaster_id).group_by(SupportApplication.programme))}
    return [ProgrammeTotal(code, name, rows[code].applications if code in rows else 0,
                           rows[code].decided if code in rows else 0, int(rows[code].amount) if code in rows else 0,
                           int(rows[code].paid) if code in rows else 0) for code, name, _ in rules.PROGRAMMES]


def deadline_warnings(disaster: Disaster, today: date) -> list[str]:
    """Warnings for the programmes whose application deadline is near or past."""
    warnings = []
    for code, name, _ in rules.PROGRAMMES:
        deadline = rules.programme_deadline(code, disaster.started_on)
        message = rules.deadline_warning(deadline, today) if deadline else None
        if message:
            warnings.append(f"{name}: {message}")
    return warnings
