"""Support programmes through HTTP: amounts from the certified grade and the household, rent then
build paying the difference, decisions (computed or entered), payments, deadlines, totals."""
import re

import pytest
from sqlalchemy import select, text

from app.disasters.models import SupportApplication, VictimHousehold
from tests.functional.test_damage_surveys import _record, _reviewer, _start, _survey_id, _version

MAN = 10_000


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（支援）", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def household(app, quake, system_session):
    """A household of two or more in the register whose house was surveyed and certified 全壊."""
    row = system_session.execute(text("""
        SELECT a.code, b.id FROM buildings b JOIN residents r ON r.address = b.address AND r.status = '住登内'
        JOIN admin_areas a ON ST_Intersects(a.geom, r.geom)
        WHERE b.is_dwelling AND b.structure = '木造' GROUP BY a.code, b.id, r.household_no
        HAVING count(*) >= 2 ORDER BY b.id LIMIT 1""")).one()
    quake.post("/victims/register/build", {"area": row[0]}, form_page="/victims/register")
    building = type("B", (), {"id": row[1]})
    survey_id = _survey_id(_start(quake, building))
    _record(quake, survey_id, {"collapsed": "y"})
    reviewer = _reviewer(app)
    reviewer.post(f"/damage/surveys/{survey_id}/finalise", {"version": _version(reviewer, survey_id)},
                  form_page=f"/damage/surveys/{survey_id}")
    return system_session.scalars(select(VictimHousehold).where(VictimHousehold.building_id == row[1])).first()


def _apply(browser, household, **form):
    data = {"applied_on": "2026-12-01", "plan": "", "victim_id": ""} | form
    return browser.post(f"/victims/support/households/{household.id}/applications", data,
                        form_page=f"/victims/support/households/{household.id}", follow_redirects=True
                        ).get_data(as_text=True)


def _step(browser, household, application, step, **form):
    page = browser.get(f"/victims/support/households/{household.id}").get_data(as_text=True)
    version = re.search(rf'/victims/support/applications/{application.id}/{step}".*?name="version" value="(\d+)"',
                        page, re.S).group(1)
    return browser.post(f"/victims/support/applications/{application.id}/{step}",
                        {"version": version, "on": "2026-12-10"} | form,
                        form_page=f"/victims/support/households/{household.id}", follow_redirects=True
                        ).get_data(as_text=True)


def _applications(system_session, household):
    system_session.expire_all()
    return system_session.scalars(select(SupportApplication).where(SupportApplication.household_id == household.id)
                                  .order_by(SupportApplication.id)).all()


def test_grants_follow_the_grade_and_rent_then_build_pays_the_difference(quake, household, system_session):
    page = quake.get(f"/victims/support/households/{household.id}").get_data(as_text=True)
    assert 'id="household-grade">全壊<' in page and "1,000,000円" in page
    _apply(quake, household, programme="support_base")
    _apply(quake, household, programme="support_top_up", plan="賃借")
    base, rent = _applications(system_session, household)
    assert (base.computed_amount, rent.computed_amount) == (100 * MAN, 50 * MAN)
    _step(quake, household, base, "decide", grant="y")
    _step(quake, household, rent, "decide", grant="y")
    _step(quake, household, base, "pay")
    _apply(quake, household, programme="support_top_up", plan="建設・購入")
    build = _applications(system_session, household)[-1]
    assert build.computed_amount == 150 * MAN  # 200 − the 50 already decided for renting
    assert _applications(system_session, household)[0].status == "支払済"
    totals = quake.get("/victims/support").get_data(as_text=True)
    base_row = re.search(r'data-programme="support_base"><td>[^<]+</td><td>(\d+)</td><td>(\d+)</td>\s*'
                         r'<td class="num">([\d,]+)</td><td class="num">([\d,]+)</td>', totals)
    assert base_row.groups() == ("1", "1", "1,000,000", "1,000,000")
    paid_before_decision = _step(quake, household, rent, "pay", on="2026-12-01")
    assert "支払日が決定日より前です" in paid_before_decision


def test_entered_amounts_refusals_and_deadlines(quake, household, system_session):
    _apply(quake, household, programme="donations")
    donation = _applications(system_session, household)[-1]
    assert donation.computed_amount is None
    assert "支給額（円）を入力してください" in _step(quake, household, donation, "decide", grant="y")
    _step(quake, household, donation, "decide", grant="y", amount="300,000")
    assert _applications(system_session, household)[-1].decided_amount == 300_000
    late = _apply(quake, household, programme="support_base", applied_on="2027-12-21")
    assert "申請期限（令和9年12月20日）を過ぎています" in late
    early = _apply(quake, household, programme="support_base", applied_on="2026-11-01")
    assert "申請日が災害の発生日より前です" in early
    person = _apply(quake, household, programme="condolence")
    assert "対象の方を選んでください" in person
    _apply(quake, household, programme="tax_reduction")
    reduction = _applications(system_session, household)[-1]
    _step(quake, household, reduction, "decide", grant="n")
    assert _applications(system_session, household)[-1].status == "不支給"
    audit = system_session.scalars(text("SELECT action FROM audit_log WHERE action LIKE 'support_%'")).all()
    assert audit.count("support_apply") == 2 and audit.count("support_decide") == 2
