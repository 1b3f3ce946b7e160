"""証明書交付の統計・精算 over HTTP: staff see their own municipality, the operator sees every
municipality's aggregates and nothing personal, months are cut in Japan time, office hours are
classified as the pure rule says, and the CSV (both encodings) and XLSX read back right."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from app.certificates.models import IssuanceLog
from app.certificates.statistics import services as statistics
from app.certificates.statistics.rules import DEFAULT_OFFICE_HOURS, Month, is_outside_municipality
from certificate_engine.wareki import JST
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser

MONTH = "2026-10"


def issue(session, lg_code, when, document_type="住民票の写し", channel="コンビニ", store_operator="セブン-イレブン",
          store_lg_code=None, fee=200, commission=117, bcl=180, voided=False, count=1):
    """Factory: ``count`` issuance log rows at ``when`` (a JST datetime)."""
    for _ in range(count):
        session.add(IssuanceLog(
            lg_code=lg_code, document_type=document_type, channel=channel,
            store_operator=store_operator if channel == "コンビニ" else "",
            store_lg_code=(lg_code if store_lg_code is None else store_lg_code) if channel == "コンビニ" else "",
            issued_at=when, fee_yen=fee, commission_yen=commission, bcl_fee_yen=bcl,
            voided_at=when if voided else None))


def jst(*args):
    return datetime(*args, tzinfo=JST)


@pytest.fixture()
def october(system_session):
    """A hand-computed October 2026 (Thursday 10/15 is a weekday, 10/12 スポーツの日).

    桜ヶ丘町: 住民票 kiosk 7-Eleven ×3 at 19:00 (outside hours) 200/117/180 each;
    罹災証明書 kiosk Lawson ×2 at a store in 北山村 at 10:00, 10/117/0 each (net −107);
    住民票 counter ×4 at 10:00, 300 each; one voided kiosk issue; one issue on 11/1 00:00 JST.
    Totals: 9 issues, fees 1,820, commissions 585, BCL 540, net 695.
    北山村: 印鑑登録証明書 kiosk 7-Eleven ×5 on スポーツの日 at 10:00, 200/117/180 each.
    """
    s = system_session
    issue(s, DEMO_CODE, jst(2026, 10, 15, 19, 0), count=3)
    issue(s, DEMO_CODE, jst(2026, 10, 15, 10, 0), "罹災証明書", store_operator="ローソン", store_lg_code=SECOND_CODE,
          fee=10, bcl=0, count=2)
    issue(s, DEMO_CODE, jst(2026, 10, 15, 10, 0), channel="窓口", fee=300, commission=0, bcl=0, count=4)
    issue(s, DEMO_CODE, jst(2026, 10, 16, 11, 0), voided=True)
    issue(s, DEMO_CODE, jst(2026, 11, 1, 0, 0))
    issue(s, SECOND_CODE, jst(2026, 10, 12, 10, 0), "印鑑登録証明書", count=5)
    s.commit()


def _csv(response, encoding):
    return list(csv.reader(io.StringIO(response.data.decode(encoding))))


def test_staff_page_shows_own_municipality_counts_shares_and_charts(as_admin, october):
    page = as_admin.get(f"/certificates/statistics?month={MONTH}").get_data(as_text=True)
    assert "令和8年10月（2026年10月）" in page
    total = page.split('id="total"')[1].split("</strong>")[0]
    assert total.endswith(">9")  # not 北山村's five, not the voided one, not November's
    outside_hours = page.split('id="outside-hours"')[1].split("</small>")[0]
    assert "60.0%" in outside_hours and "3 / 5通" in outside_hours
    assert "40.0%" in page.split('id="outside-municipality"')[1].split("</small>")[0]
    assert '<g class="bar" data-label="住民票の写し" data-value="7">' in page
    assert 'data-label="印鑑登録証明書"' not in page
    assert page.count('class="day closed"') == 10  # 9 weekend days and 10/12 スポーツの日
    settlement = page.split('id="settlement-table"')[1].split("</table>")[0]
    assert '<td class="num negative">-214</td>' in settlement
    assert "<td class=\"num\">1,820</td>" in settlement and "<td class=\"num\">695</td>" in settlement


def test_month_boundaries_are_cut_in_japan_time(db, system_session):
    issue(system_session, DEMO_CODE, jst(2026, 10, 31, 23, 59, 59))
    issue(system_session, DEMO_CODE, jst(2026, 11, 1, 0, 0, 0))
    issue(system_session, DEMO_CODE, jst(2026, 10, 1, 0, 0, 0))
    issue(system_session, DEMO_CODE, jst(2026, 9, 30, 23, 59, 59))
    system_session.commit()
    session = tenant_session(DEMO_CODE)
    try:
        assert statistics.monthly_statistics(session, Month(2026, 10)).total == 2
        assert statistics.monthly_statistics(session, Month(2026, 11)).total == 1
        days = statistics.monthly_statistics(session, Month(2026, 10)).daily
        assert (days[0][1], days[-1][1]) == (1, 1)
    finally:
        session.close()


def test_database_classification_agrees_with_the_pure_rules(db, system_session):
    moments = [jst(2026, 12, 3, 8, 29, 59), jst(2026, 12, 3, 8, 30), jst(2026, 12, 3, 17, 14, 59),
               jst(2026, 12, 3, 17, 15), jst(2026, 12, 5, 12, 0), jst(2026, 12, 28, 9, 0), jst(2026, 12, 29, 9, 0),
               jst(2026, 12, 31, 16, 0), jst(2026, 12, 1, 0, 0)]
    for n, moment in enumerate(moments):
        issue(system_session, DEMO_CODE, moment, store_lg_code=(SECOND_CODE if n % 2 else ""))
    system_session.commit()
    session = tenant_session(DEMO_CODE)
    try:
        stats = statistics.monthly_statistics(session, Month(2026, 12))
    finally:
        session.close()
    expected_outside = sum(not DEFAULT_OFFICE_HOURS.within(m) for m in moments)
    assert expected_outside == 6
    assert stats.kiosk_outside_hours == expected_outside
    rows = system_session.scalars(select(IssuanceLog).where(IssuanceLog.lg_code == DEMO_CODE)).all()
    assert stats.kiosk_outside_municipality == sum(is_outside_municipality(r.channel, r.lg_code, r.store_lg_code)
                                                   for r in rows) == 4


def test_staff_downloads_read_back_in_both_encodings_and_xlsx_and_are_audited(as_admin, october, system_session):
    base = f"/certificates/statistics/settlement.csv?month={MONTH}"
    utf8 = as_admin.get(base)
    assert utf8.data.startswith(b"\xef\xbb\xbf")
    rows = _csv(utf8, "utf-8-sig")
    assert rows[0] == ["年月", "交付方法", "事業者", "交付通数", "交付手数料（円）", "委託手数料（円）",
                       "BCL利用料（円）", "差引（円）"]
    assert rows[2] == ["2026-10", "コンビニ", "ローソン", "2", "20", "234", "0", "-214"]
    assert rows[-1] == ["2026-10", "合計", "", "9", "1820", "585", "540", "695"]
    sjis = as_admin.get(base + "&encoding=cp932")
    assert "shift_jis" in sjis.headers["Content-Type"]
    assert _csv(sjis, "cp932") == rows
    book = load_workbook(io.BytesIO(as_admin.get(f"/certificates/statistics/counts.xlsx?month={MONTH}").data))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet[0][:5] == ["年月", "証明書の種類", "交付方法", "事業者", "交付通数"]
    assert ["2026-10", "罹災証明書", "コンビニ", "ローソン", 2, 0, 2] in sheet
    assert sheet[-1] == ["2026-10", "合計", None, None, 9, 3, 2]
    audited = system_session.execute(text(
        "SELECT detail->>'table', detail->>'format' FROM audit_log WHERE action = 'certificate_statistics_export' "
        "AND lg_code = :c ORDER BY id"), {"c": DEMO_CODE}).all()
    assert audited == [("settlement", "csv"), ("settlement", "csv"), ("counts", "xlsx")]


def test_bad_month_and_unknown_table_are_refused(as_admin):
    assert as_admin.get("/certificates/statistics?month=2026-13").status_code == 422
    assert as_admin.get("/certificates/statistics/people.csv").status_code == 404
    assert as_admin.get("/certificates/statistics/counts.pdf").status_code == 404


def test_operator_sees_every_municipality_and_what_each_store_operator_is_owed(app, db, october, system_session):
    operator = new_browser(app)
    assert operator.login(None, "jlis").status_code == 302
    page = operator.get(f"/operator/settlement?month={MONTH}").get_data(as_text=True)
    table = page.split('id="municipality-settlement"')[1].split("</table>")[0]
    assert f'data-lg-code="{DEMO_CODE}"' in table and f'data-lg-code="{SECOND_CODE}"' in table
    rows = _csv(operator.get(f"/operator/statistics/municipalities.csv?month={MONTH}"), "utf-8-sig")
    assert rows[0][3:] == ["交付通数", "うち住民票記載事項証明書（コンビニ）", "交付手数料（円）", "委託手数料（円）",
                           "BCL利用料（円）", "差引（円）"]
    assert rows[1][1] == SECOND_CODE and rows[1][3:] == ["5", "0", "1000", "585", "900", "-485"]
    assert rows[2][1] == DEMO_CODE and rows[2][3:] == ["9", "0", "1820", "585", "540", "695"]
    assert rows[-1] == ["2026-10", "合計", "2団体", "14", "0", "2820", "1170", "1440", "210"]
    stores = _csv(operator.get(f"/operator/statistics/store-operators.csv?month={MONTH}&encoding=cp932"), "cp932")
    assert stores[1:] == [["2026-10", "セブン-イレブン", "2", "8", "936"], ["2026-10", "ローソン", "1", "2", "234"],
                          ["2026-10", "合計", "", "10", "1170"]]
    stats = operator.get(f"/operator/statistics?month={MONTH}").get_data(as_text=True)
    assert stats.split('id="total"')[1].split("</strong>")[0].endswith(">14")
    assert "北山村" in stats and "桜ヶ丘町" in stats
    assert system_session.execute(text(
        "SELECT count(*) FROM audit_log WHERE action = 'certificate_statistics_export' AND lg_code IS NULL")
    ).scalar() == 2


def test_operator_outputs_hold_nothing_personal(app, db, october, system_session):
    names = system_session.execute(text("SELECT name FROM residents LIMIT 20")).scalars().all()
    operator = new_browser(app)
    operator.login(None, "jlis")
    outputs = [operator.get(f"/operator/{p}?month={MONTH}").get_data(as_text=True)
               for p in ("statistics", "settlement")]
    outputs += [operator.get(f"/operator/statistics/{t}.csv?month={MONTH}").data.decode("utf-8-sig")
                for t in ("counts", "municipalities", "store-operators")]
    assert names and not any(name in output for name in names for output in outputs)
    header = outputs[2].splitlines()[0]
    assert header == "年月,団体コード,団体名,証明書の種類,交付方法,事業者,交付通数,うち窓口時間外,うち住所地以外"


def test_staff_and_operator_cannot_open_each_others_statistics(app, as_admin):
    assert as_admin.get("/operator/statistics").status_code == 403
    operator = new_browser(app)
    operator.login(None, "jlis")
    assert operator.get("/certificates/statistics").status_code == 403


def test_certificates_home_links_to_the_statistics(as_admin):
    page = as_admin.get("/certificates").get_data(as_text=True)
    assert 'href="/certificates/statistics"' in page


def test_each_municipalitys_own_office_hours_decide_what_is_outside_hours(app, as_admin, october, system_session):
    """桜ヶ丘町 opens until 19:30 on weekdays: its three 19:00 issues are inside hours for its staff and
    for the operator; 北山村 keeps the standard hours (its five on スポーツの日 stay outside)."""
    page = as_admin.get("/admin/office-hours").get_data(as_text=True)
    assert 'value="08:30"' in page and 'value="17:15"' in page
    form = {"version": "0", "opens": "08:30", "closes": "19:30", "closed_weekdays": ["5", "6"], "closed_days": ""}
    reversed_hours = as_admin.post("/admin/office-hours", {**form, "closes": "08:00"}, form_page="/admin/office-hours")
    assert "閉庁時刻は開庁時刻より後にしてください" in reversed_hours.get_data(as_text=True)
    bad_day = as_admin.post("/admin/office-hours", {**form, "closed_days": "2026-10-15\n令和8年"},
                            form_page="/admin/office-hours")
    assert "閉庁日の 2 行目「令和8年」" in bad_day.get_data(as_text=True)
    saved = as_admin.post("/admin/office-hours", form, form_page="/admin/office-hours", follow_redirects=True)
    assert "窓口の開庁時間を更新しました" in saved.get_data(as_text=True)
    stale = as_admin.post("/admin/office-hours", form, form_page="/admin/office-hours").get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale
    staff = as_admin.get(f"/certificates/statistics?month={MONTH}").get_data(as_text=True)
    assert "0 / 5通" in staff.split('id="outside-hours"')[1].split("</small>")[0]
    counts = _csv(as_admin.get(f"/certificates/statistics/counts.csv?month={MONTH}"), "utf-8-sig")
    assert counts[-1][:6] == ["2026-10", "合計", "", "", "9", "0"]
    operator = new_browser(app)
    assert operator.login(None, "jlis").status_code == 302
    rows = _csv(operator.get(f"/operator/statistics/counts.csv?month={MONTH}"), "utf-8-sig")
    outside = {(r[1], r[3]): r[7] for r in rows[1:-1]}
    assert outside[(DEMO_CODE, "住民票の写し")] == "0" and outside[(SECOND_CODE, "印鑑登録証明書")] == "5"
    # A 閉庁日 of its own: 10/15 is now closed all day, so every issue of that day is outside hours.
    version = system_session.execute(text("SELECT version FROM office_hours WHERE lg_code = :c"),
                                     {"c": DEMO_CODE}).scalar()
    as_admin.post("/admin/office-hours", {**form, "version": str(version), "closed_days": "2026-10-15"},
                  form_page="/admin/office-hours")
    staff = as_admin.get(f"/certificates/statistics?month={MONTH}").get_data(as_text=True)
    assert "5 / 5通" in staff.split('id="outside-hours"')[1].split("</small>")[0]
    assert system_session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'office_hours_update'")
                                  ).scalar() == 2
