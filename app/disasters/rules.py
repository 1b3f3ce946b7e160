"""Support programmes for disaster victims, as pure functions (amounts in yen).

被災者生活再建支援金 (被災者生活再建支援法): a base grant by the house's situation and a top-up by how
the household rebuilds, ×3/4 for a single-person household; 災害弔慰金 and 災害障害見舞金 (災害弔慰金
の支給等に関する法律); application deadlines counted 「災害が発生した日から起算して」, the disaster day
being day 1. See ../shared/DOMAIN.md. Also the states of a disaster and of its certificate applications.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from app.certificates import rules as certificates
from app.clock import format_date
from app.damage import rules as damage
from app.errors import ValidationError

MAN = 10_000  # 1 万円

# A disaster is handled (対応中) until the municipality ends it (終了); surveys, shelter check-ins,
# certificate applications and 安否 reports are taken only while it is handled.
RESPONDING, ENDED = "対応中", "終了"
DISASTER_STATUSES = (RESPONDING, ENDED)

# Situations that qualify for the 支援金 (解体: demolished as unavoidable; 長期避難: long-term evacuation).
ZENKAI_ETC = "全壊等"
SITUATIONS = (ZENKAI_ETC, damage.DAIKIBO, damage.CHUKIBO)
BASE_GRANT = {ZENKAI_ETC: 100 * MAN, damage.DAIKIBO: 50 * MAN, damage.CHUKIBO: 0}

BUILD, REPAIR, RENT = "建設・購入", "補修", "賃借"
PLANS = (BUILD, REPAIR, RENT)
TOP_UP = {
    ZENKAI_ETC: {BUILD: 200 * MAN, REPAIR: 100 * MAN, RENT: 50 * MAN},
    damage.DAIKIBO: {BUILD: 200 * MAN, REPAIR: 100 * MAN, RENT: 50 * MAN},
    damage.CHUKIBO: {BUILD: 100 * MAN, REPAIR: 50 * MAN, RENT: 25 * MAN},
}

BASE_DEADLINE_MONTHS = 13
TOP_UP_DEADLINE_MONTHS = 37

CONDOLENCE = {True: 500 * MAN, False: 250 * MAN}  # 災害弔慰金: the household's breadwinner or not
DISABILITY = {True: 250 * MAN, False: 125 * MAN}  # 災害障害見舞金


@dataclass(frozen=True)
class Grant:
    """Amounts of one household's 支援金 (yen)."""

    situation: str | None
    base: int
    top_up: int

    @property
    def total(self) -> int:
        return self.base + self.top_up


def support_situation(grade: str | None, demolished: bool = False, long_term_evacuation: bool = False) -> str | None:
    """The 支援金 situation of a household: 全壊, 解体 and 長期避難 are 全壊等; 大規模半壊 and
    中規模半壊 are their own; 半壊 and below qualify only when the house was demolished."""
    if demolished or long_term_evacuation or grade == damage.ZENKAI:
        return ZENKAI_ETC
    if grade in (damage.DAIKIBO, damage.CHUKIBO):
        return grade
    if grade is not None and grade not in damage.GRADES:
        raise ValidationError(f"被害の程度「{grade}」はありません。", code="unknown_grade")
    return None


def _scaled(amount: int, household_size: int) -> int:
    if household_size < 1:
        raise ValidationError(f"世帯の人数は1人以上です（値: {household_size}）。", code="out_of_range")
    return amount * 3 // 4 if household_size == 1 else amount


def base_grant(situation: str | None, household_size: int) -> int:
    """基礎支援金: 100万円 (全壊等), 50万円 (大規模半壊), none for 中規模半壊; ×3/4 for one person."""
    if situation is None:
        return 0
    _known(situation)
    return _scaled(BASE_GRANT[situation], household_size)


def top_up_grant(situation: str | None, household_size: int, plan: str, earlier_plans: tuple[str, ...] = ()) -> int:
    """加算支援金 for ``plan`` (建設・購入, 補修, 賃借), after the top-ups already paid for
    ``earlier_plans``: the household receives in total at most the amount of its largest plan, so
    rent first and build later pays the difference, and nothing twice."""
    if situation is None:
        return 0
    _known(situation)
    for p in (plan, *earlier_plans):
        if p not in PLANS:
            raise ValidationError(f"住宅の再建方法「{p}」はありません（建設・購入、補修、賃借）。", code="unknown_plan")
    table = TOP_UP[situation]
    paid = max((table[p] for p in earlier_plans), default=0)
    return _scaled(max(table[plan] - paid, 0), household_size)


def support_grant(grade: str | None, household_size: int, plan: str | None = None, *,
                  demolished: bool = False, long_term_evacuation: bool = False) -> Grant:
    """基礎 and (when the household has chosen how to rebuild) 加算 支援金 of one household."""
    situation = support_situation(grade, demolished, long_term_evacuation)
    top_up = top_up_grant(situation, household_size, plan) if plan else 0
    return Grant(situation, base_grant(situation, household_size), top_up)


def _known(situation: str) -> None:
    if situation not in SITUATIONS:
        raise ValidationError(f"支援金の区分「{situation}」はありません。", code="unknown_situation")


def condolence_money(breadwinner: bool) -> int:
    """災害弔慰金: 500万円 for the household's breadwinner, 250万円 for another member."""
    return CONDOLENCE[bool(breadwinner)]


def disability_money(breadwinner: bool) -> int:
    """災害障害見舞金: 250万円 for the household's breadwinner, 125万円 for another member."""
    return DISABILITY[bool(breadwinner)]


def period_end(first_day: date, months: int) -> date:
    """The last day of a period of ``months`` months counted from ``first_day`` as day 1 (被災者生活
    再建支援法施行令 「災害が発生した日から起算して」: 初日算入, unlike 民法 140条). As 民法 143条 says,
    the period ends the day before the day of the last month that corresponds to ``first_day``, or
    at that month's end when it has no such day (31 Jan + 1 month → 29 Feb)."""
    month_index = first_day.month - 1 + months
    year, month = first_day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if first_day.day > last_day:
        return date(year, month, last_day)
    return date(year, month, first_day.day) - timedelta(days=1)


def application_deadlines(disaster_on: date) -> dict[str, date]:
    """Last days to apply: 基礎支援金 13 months, 加算支援金 37 months, the disaster day being day 1
    (2019-09-08 → 2020-10-07 and 2022-10-07)."""
    return {"基礎支援金": period_end(disaster_on, BASE_DEADLINE_MONTHS),
            "加算支援金": period_end(disaster_on, TOP_UP_DEADLINE_MONTHS)}


def deadline_warning(deadline: date, today: date, warn_days: int = 30) -> str | None:
    """A warning text when a deadline is near or past, for the support screens."""
    remaining = (deadline - today).days
    if remaining < 0:
        return f"申請期限（{format_date(deadline)}）を過ぎています。"
    if remaining <= warn_days:
        return f"申請期限（{format_date(deadline)}）まであと{remaining}日です。"
    return None


# 罹災証明書 / 被災証明書 applications: 申請 → 調査 → 判定 → 交付, and 再調査依頼 after 交付.
RISAI, HISAI = certificates.DISASTER, certificates.DAMAGE_REPORT
CERTIFICATE_KINDS = (RISAI, HISAI)
RESURVEY_REQUESTED = "再調査依頼"
APPLICATION_STATUSES = ("申請", "調査", "判定", "交付", RESURVEY_REQUESTED)
# Taken at the counter or online; the certificate is issued through the same channel.
APPLICATION_CHANNELS = (certificates.COUNTER, certificates.ONLINE)


@dataclass(frozen=True)
class SurveyState:
    """What the building's surveys in the disaster show, for the application's next step."""

    has_survey: bool = False  # a survey (any state) exists
    has_judgement: bool = False  # a survey has been judged (判定待ち or 確定)
    final_grade: str | None = None  # the certified grade, once a reviewer confirmed one
    resurvey_after_request: bool = False  # a 再調査 was started after the resident asked for it


def next_status(kind: str, status: str, survey: SurveyState) -> tuple[str | None, str]:
    """(the status the application may move to now, or None; why not, in Japanese)."""
    if kind == HISAI:  # only records that damage was reported: no survey, no grade
        return ("交付", "") if status == "申請" else (None, "被災証明書は交付済みです。")
    if status == "申請":
        return ("調査", "") if survey.has_survey else (None, "建物の被害認定調査を開始してください。")
    if status == "調査":
        return ("判定", "") if survey.has_judgement else (None, "調査結果を記録して判定してください。")
    if status == "判定":
        return ("交付", "") if survey.final_grade else (None, "判定が確定していません（確定は調査者以外の職員）。")
    if status == "交付":
        return "再調査依頼", ""
    if status == "再調査依頼":
        return ("調査", "") if survey.resurvey_after_request else (None, "再調査を開始してください。")
    return None, f"申請の状態「{status}」はありません。"


# The support programmes every municipality starts with: (code, name, how the amount is decided).
# "rule": computed here from the grade and the household; "entered": staff enter the amount
# (応急修理 up to the year's ceiling, 義援金 by the distribution committee); "none": a reduction.
PROGRAMMES = (
    ("support_base", "被災者生活再建支援金（基礎支援金）", "rule"),
    ("support_top_up", "被災者生活再建支援金（加算支援金）", "rule"),
    ("emergency_repair", "住宅の応急修理", "entered"),
    ("donations", "義援金", "entered"),
    ("condolence", "災害弔慰金", "rule"),
    ("disability", "災害障害見舞金", "rule"),
    ("tax_reduction", "税・保険料等の減免", "none"),
)
PROGRAMME_NAMES = {code: name for code, name, _ in PROGRAMMES}
PROGRAMME_AMOUNTS = {code: how for code, _, how in PROGRAMMES}


def programme_amount(code: str, *, grade: str | None, household_size: int, plan: str | None = None,
                     earlier_plans: tuple[str, ...] = (), demolished: bool = False,
                     long_term_evacuation: bool = False, breadwinner: bool = False) -> int | None:
    """The amount (yen) a rule-based programme gives; None where staff enter it or none applies."""
    if code not in PROGRAMME_NAMES:
        raise ValidationError(f"支援制度「{code}」はありません。", code="programme_unknown")
    situation = support_situation(grade, demolished, long_term_evacuation)
    if code == "support_base":
        return base_grant(situation, household_size)
    if code == "support_top_up":
        if not plan:
            raise ValidationError("加算支援金は住宅の再建方法（建設・購入、補修、賃借）を選んでください。",
                                  code="plan_missing")
        return top_up_grant(situation, household_size, plan, earlier_plans)
    if code == "condolence":
        return condolence_money(breadwinner)
    if code == "disability":
        return disability_money(breadwinner)
    return None


def programme_deadline(code: str, disaster_on: date) -> date | None:
    """The last day to apply for a programme with a statutory deadline (支援金: 13 / 37 months)."""
    if code == "support_base":
        return period_end(disaster_on, BASE_DEADLINE_MONTHS)
    if code == "support_top_up":
        return period_end(disaster_on, TOP_UP_DEADLINE_MONTHS)
    return None
