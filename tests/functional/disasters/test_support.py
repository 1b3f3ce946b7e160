"""Support programmes through HTTP: amounts from the certified grade and the household, rent then
build paying the difference, decisions (computed or entered), payments, deadlines, totals."""
import re
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from app.disasters import support
from app.disasters.models import Disaster, SupportApplication, VictimHousehold
from certificate_engine.wareki import JST, format_date
from tests.helpers.damage import record_survey, reviewer_browser, start_survey, survey_id_of, survey_version

MAN = 10_000


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（支援）", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def server_date_off_japan(monkeypatch):
    """The server's local time zone set so that its date is not Japan's: UTC−12 (a day behind) until
    21:00 JST, UTC+14 (a day ahead) after. Yields the server's local date."""
    monkeypatch.setenv("TZ", "Etc/GMT+12" if datetime.now(JST).hour < 21 else "Etc/GMT-14")
    time.tzset()
    assert date.today() != datetime.now(JST).date()
    yield date.today()
    monkeypatch.undo()
    time.tzset()


@pytest.fixture()
def household(app, quake, system_session):
    """A household of two or more in the register whose house was surveyed and certified 全壊."""
    return _certified_household(app, quake, system_session)


def _certified_household(app, browser, system_session):
    """A household of the chosen disaster, in the register, whose house was certified 全壊."""
    row = system_session.execute(text("""
        SELECT a.code, b.id FROM buildings b JOIN residents r ON r.address = b.address AND r.status = '住登内'
        JOIN admin_areas a ON ST_Intersects(a.geom, r.geom)
        WHERE b.is_dwelling AND b.structure = '木造' GROUP BY a.code, b.id, r.household_no
        HAVING count(*) >= 2 ORDER BY b.id LIMIT 1""")).one()
    browser.post("/victims/register/build", {"area": row[0]}, form_page="/victims/register")
    building = type("B", (), {"id": row[1]})
    survey_id = survey_id_of(start_survey(browser, building))
    record_survey(browser, survey_id, {"collapsed": "y"})
    reviewer = reviewer_browser(app)
    reviewer.post(f"/damage/surveys/{survey_id}/finalise", {"version": survey_version(reviewer, survey_id)},
                  form_page=f"/damage/surveys/{survey_id}")
    return system_session.scalars(select(VictimHousehold).where(VictimHousehold.building_id == row[1])
                                  .order_by(VictimHousehold.id.desc())).first()


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
    late = _apply(quake, household, programme="support_base", applied_on="2027-12-20")
    assert "申請期限（令和9年12月19日）を過ぎています" in late
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


@pytest.fixture()
def typhoon(as_admin):
    """台風第15号 of 2019-09-08, whose deadlines were published: 基礎 2020-10-07, 加算 2022-10-07."""
    response = as_admin.post("/disasters/new", {"name": "令和元年台風第15号（支援期限）",
                                                "kind": "風水害（大雨・洪水）", "started_on": "2019-09-08"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return as_admin


def test_deadlines_count_the_disaster_day_as_published(app, typhoon, system_session):
    household = _certified_household(app, typhoon, system_session)
    for programme, last_day, after, deadline in (
            ("support_base", "2020-10-07", "2020-10-08", "令和2年10月7日"),
            ("support_top_up", "2022-10-07", "2022-10-08", "令和4年10月7日")):
        plan = "建設・購入" if programme == "support_top_up" else ""
        refused = _apply(typhoon, household, programme=programme, plan=plan, applied_on=after)
        assert f"申請期限（{deadline}）を過ぎています" in refused
        accepted = _apply(typhoon, household, programme=programme, plan=plan, applied_on=last_day)
        assert "支援制度の申請を受け付けました" in accepted
    received = [(a.programme, a.applied_on) for a in _applications(system_session, household)]
    assert received == [("support_base", date(2020, 10, 7)), ("support_top_up", date(2022, 10, 7))]
    disaster = system_session.get(Disaster, household.disaster_id)
    # The 30-day warning starts 30 days before the last day, and the last day says 0 days left.
    assert support.deadline_warnings(disaster, date(2020, 9, 6)) == []
    assert support.deadline_warnings(disaster, date(2020, 9, 7)) == [
        "被災者生活再建支援金（基礎支援金）: 申請期限（令和2年10月7日）まであと30日です。"]
    assert support.deadline_warnings(disaster, date(2022, 10, 7))[-1] == \
        "被災者生活再建支援金（加算支援金）: 申請期限（令和4年10月7日）まであと0日です。"
    assert "を過ぎています" in support.deadline_warnings(disaster, date(2022, 10, 8))[-1]


def _last_day_of_13_months(first_day: date) -> date:
    """13 months counted from ``first_day`` (day ≤ 28): the day before the same day a year and a month on."""
    year, month = first_day.year + 1 + (first_day.month == 12), first_day.month % 12 + 1
    return date(year, month, first_day.day) - timedelta(days=1)


def test_support_screens_warn_from_the_deadline_counted_from_the_disaster_day(as_admin, server_date_off_japan):
    """The screens warn with Japan's date: a disaster whose 基礎支援金 deadline is 0–30 days away."""
    today = datetime.now(JST).date()
    started = next(day for day in (today - timedelta(days=380 + n) for n in range(40))
                   if day.day <= 28 and 0 <= (_last_day_of_13_months(day) - today).days <= 30)
    left = (_last_day_of_13_months(started) - today).days
    as_admin.post("/disasters/new", {"name": "令和の地震（期限の警告）", "kind": "地震",
                                     "started_on": started.isoformat()})
    page = as_admin.get("/victims/support").get_data(as_text=True)
    warnings = re.findall(r'class="flash error deadline-warning"[^>]*>([^<]*)<', page)
    last_day = format_date(_last_day_of_13_months(started))
    assert warnings == [f"被災者生活再建支援金（基礎支援金）: 申請期限（{last_day}）まであと{left}日です。"]


def test_a_disaster_may_start_today_in_japan_but_not_tomorrow(as_admin, server_date_off_japan):
    japan = datetime.now(JST).date()
    for day, accepted in ((japan, True), (japan + timedelta(days=1), False)):
        response = as_admin.post("/disasters/new", {"name": f"令和の地震（{day}発生）", "kind": "地震",
                                                    "started_on": day.isoformat()})
        body = response.get_data(as_text=True)
        assert (response.status_code == 302) is accepted, (day, server_date_off_japan, body[-1500:])
        assert ("未来の日付は指定できません" in body) is not accepted
