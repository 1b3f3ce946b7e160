"""被災者生活再建支援金 and the other payments, and deadlines, at every boundary (../shared/DOMAIN.md)."""
from datetime import date

import pytest

from app.damage.rules import CHUKIBO, DAIKIBO, HANKAI, ICHIBU, JUNHANKAI, ZENKAI
from app.disasters import rules
from app.disasters.rules import BUILD, RENT, REPAIR, ZENKAI_ETC
from app.errors import ValidationError

MAN = 10_000


@pytest.mark.parametrize(("grade", "demolished", "evacuation", "situation"), [
    (ZENKAI, False, False, ZENKAI_ETC), (DAIKIBO, False, False, DAIKIBO), (CHUKIBO, False, False, CHUKIBO),
    (HANKAI, False, False, None), (HANKAI, True, False, ZENKAI_ETC), (JUNHANKAI, False, False, None),
    (ICHIBU, False, True, ZENKAI_ETC), (None, False, False, None),
])
def test_situation_from_grade(grade, demolished, evacuation, situation):
    assert rules.support_situation(grade, demolished, evacuation) == situation


@pytest.mark.parametrize(("grade", "size", "plan", "base", "top_up"), [
    (ZENKAI, 2, BUILD, 100, 200), (ZENKAI, 2, REPAIR, 100, 100), (ZENKAI, 2, RENT, 100, 50),
    (DAIKIBO, 3, BUILD, 50, 200), (DAIKIBO, 3, REPAIR, 50, 100), (DAIKIBO, 3, RENT, 50, 50),
    (CHUKIBO, 4, BUILD, 0, 100), (CHUKIBO, 4, REPAIR, 0, 50), (CHUKIBO, 4, RENT, 0, 25),
    (ZENKAI, 1, BUILD, 75, 150), (DAIKIBO, 1, RENT, "37.5", "37.5"), (CHUKIBO, 1, RENT, 0, "18.75"),
    (HANKAI, 2, BUILD, 0, 0),
])
def test_grant_amounts_and_the_three_quarters_rule(grade, size, plan, base, top_up):
    grant = rules.support_grant(grade, size, plan)
    assert (grant.base, grant.top_up) == (int(float(base) * MAN), int(float(top_up) * MAN))
    assert grant.total == grant.base + grant.top_up


def test_rent_first_then_build_pays_the_difference_and_never_twice():
    assert rules.top_up_grant(ZENKAI_ETC, 2, BUILD, (RENT,)) == 150 * MAN
    assert rules.top_up_grant(ZENKAI_ETC, 2, REPAIR, (RENT,)) == 50 * MAN
    assert rules.top_up_grant(ZENKAI_ETC, 1, BUILD, (RENT,)) == 150 * MAN * 3 // 4
    assert rules.top_up_grant(ZENKAI_ETC, 2, RENT, (BUILD,)) == 0
    assert rules.top_up_grant(ZENKAI_ETC, 2, BUILD, (BUILD,)) == 0
    assert rules.top_up_grant(CHUKIBO, 2, BUILD, (RENT,)) == 75 * MAN


def test_bad_inputs_are_refused():
    with pytest.raises(ValidationError):
        rules.support_grant(ZENKAI, 0, BUILD)
    with pytest.raises(ValidationError):
        rules.support_grant(ZENKAI, 2, "寄付")
    with pytest.raises(ValidationError):
        rules.support_situation("大破")


def test_condolence_and_disability_money():
    assert rules.condolence_money(True) == 500 * MAN and rules.condolence_money(False) == 250 * MAN
    assert rules.disability_money(True) == 250 * MAN and rules.disability_money(False) == 125 * MAN


@pytest.mark.parametrize(("disaster_day", "months", "end"), [
    # 台風第15号 (令和元年房総半島台風), as published: the disaster day is day 1 (初日算入).
    (date(2019, 9, 8), 13, date(2020, 10, 7)),
    (date(2019, 9, 8), 37, date(2022, 10, 7)),
    (date(2024, 1, 1), 13, date(2025, 1, 31)),
    (date(2024, 1, 1), 37, date(2027, 1, 31)),
    (date(2024, 1, 29), 1, date(2024, 2, 28)),   # 2/29 exists: the day before it
    (date(2024, 1, 30), 1, date(2024, 2, 29)),   # no 2/30: the month's end
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # no 2/31: the month's end (leap year)
    (date(2023, 1, 29), 1, date(2023, 2, 28)),   # no 2/29 in 2023: the month's end
    (date(2024, 1, 31), 13, date(2025, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day: no 2/29 in 2025
    (date(2024, 2, 29), 13, date(2025, 3, 28)),
    (date(2024, 2, 29), 37, date(2027, 3, 28)),
    (date(2024, 3, 31), 13, date(2025, 4, 30)),  # no 4/31
    (date(2024, 5, 31), 13, date(2025, 6, 30)),  # no 6/31
    (date(2024, 12, 31), 13, date(2026, 1, 30)),  # 1/31 exists: the day before it
    (date(2023, 12, 31), 2, date(2024, 2, 29)),
])
def test_period_end_counts_the_disaster_day_as_day_one(disaster_day, months, end):
    assert rules.period_end(disaster_day, months) == end


def test_deadlines_and_warnings():
    deadlines = rules.application_deadlines(date(2019, 9, 8))
    assert deadlines == {"基礎支援金": date(2020, 10, 7), "加算支援金": date(2022, 10, 7)}
    assert rules.deadline_warning(date(2020, 10, 7), date(2020, 8, 7)) is None
    assert rules.deadline_warning(date(2020, 10, 7), date(2020, 9, 6)) is None  # 31 days left
    assert rules.deadline_warning(date(2020, 10, 7), date(2020, 9, 7)) == "申請期限（令和2年10月7日）まであと30日です。"
    assert rules.deadline_warning(date(2020, 10, 7), date(2020, 10, 7)) == "申請期限（令和2年10月7日）まであと0日です。"
    assert rules.deadline_warning(date(2020, 10, 7), date(2020, 10, 8)) == "申請期限（令和2年10月7日）を過ぎています。"


@pytest.mark.parametrize(("status", "survey", "expected"), [
    ("申請", rules.SurveyState(), None), ("申請", rules.SurveyState(has_survey=True), "調査"),
    ("調査", rules.SurveyState(has_survey=True), None),
    ("調査", rules.SurveyState(has_survey=True, has_judgement=True), "判定"),
    ("判定", rules.SurveyState(has_survey=True, has_judgement=True), None),
    ("判定", rules.SurveyState(has_survey=True, has_judgement=True, final_grade="半壊"), "交付"),
    ("交付", rules.SurveyState(final_grade="半壊"), "再調査依頼"),
    ("再調査依頼", rules.SurveyState(final_grade="半壊"), None),
    ("再調査依頼", rules.SurveyState(final_grade="半壊", resurvey_after_request=True), "調査"),
])
def test_disaster_certificate_application_steps(status, survey, expected):
    moved, why = rules.next_status(rules.RISAI, status, survey)
    assert moved == expected and (why == "") == (expected is not None)


def test_a_hisai_certificate_needs_no_survey():
    assert rules.next_status(rules.HISAI, "申請", rules.SurveyState()) == ("交付", "")
    assert rules.next_status(rules.HISAI, "交付", rules.SurveyState())[0] is None


def test_programme_amounts_follow_the_rules_or_are_entered():
    assert rules.programme_amount("support_base", grade=ZENKAI, household_size=1) == 75 * MAN
    assert rules.programme_amount("support_top_up", grade=DAIKIBO, household_size=2, plan=BUILD,
                                  earlier_plans=(RENT,)) == 150 * MAN
    assert rules.programme_amount("condolence", grade=None, household_size=3, breadwinner=True) == 500 * MAN
    assert rules.programme_amount("disability", grade=None, household_size=3) == 125 * MAN
    assert rules.programme_amount("donations", grade=ZENKAI, household_size=2) is None
    assert rules.programme_amount("support_base", grade=HANKAI, household_size=2) == 0
    with pytest.raises(ValidationError, match="再建方法"):
        rules.programme_amount("support_top_up", grade=ZENKAI, household_size=2)
    with pytest.raises(ValidationError):
        rules.programme_amount("lottery", grade=ZENKAI, household_size=2)


def test_programme_deadlines():
    assert rules.programme_deadline("support_base", date(2019, 9, 8)) == date(2020, 10, 7)
    assert rules.programme_deadline("support_top_up", date(2019, 9, 8)) == date(2022, 10, 7)
    assert rules.programme_deadline("donations", date(2019, 9, 8)) is None
