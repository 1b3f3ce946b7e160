"""Issuance statistics rules: national holidays, office hours at their boundaries, the year-end
closure, months in Japan time, the outside-municipality rule and the settlement arithmetic."""
from datetime import UTC, date, datetime, time

import pytest

from app.certificates.statistics.holidays import holiday_name, holidays
from app.certificates.statistics.rules import (
    DEFAULT_OFFICE_HOURS,
    IssueGroup,
    Month,
    OfficeHours,
    by_municipality,
    by_operator,
    by_store,
    is_outside_municipality,
    net_yen,
    recent_months,
    settle,
    settlement_total,
    share_percent,
    summarise,
)
from certificate_engine.wareki import JST


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


def test_holidays_of_2026_match_the_cabinet_office_list():
    assert [d.strftime("%m-%d") for d in holidays(2026)] == [
        "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06", "07-20", "08-11",
        "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"]
    assert holiday_name(date(2026, 5, 6)) == "振替休日"
    assert holiday_name(date(2026, 9, 22)) == "国民の休日"


def test_holidays_move_from_sunday_and_follow_the_one_off_laws():
    assert holiday_name(date(2025, 2, 24)) == "振替休日" and holiday_name(date(2025, 11, 24)) == "振替休日"
    assert holiday_name(date(2019, 5, 1)) == "即位の日" and holiday_name(date(2019, 4, 30)) == "国民の休日"
    assert holiday_name(date(2019, 12, 23)) is None and holiday_name(date(2018, 12, 23)) == "天皇誕生日"
    assert holiday_name(date(2020, 7, 24)) == "スポーツの日" and holiday_name(date(2020, 10, 12)) is None
    assert holiday_name(date(2021, 8, 8)) == "山の日" and holiday_name(date(2021, 8, 9)) == "振替休日"
    assert holiday_name(date(2027, 3, 21)) == "春分の日" and holiday_name(date(2027, 3, 22)) == "振替休日"
    with pytest.raises(ValueError):
        holidays(2015)


@pytest.mark.parametrize(("moment", "inside"), [
    (jst(2026, 11, 26, 8, 29, 59), False), (jst(2026, 11, 26, 8, 30), True),
    (jst(2026, 11, 26, 17, 14, 59), True), (jst(2026, 11, 26, 17, 15), False),
    (datetime(2026, 11, 25, 23, 30, tzinfo=UTC), True),   # 08:30 JST on Thursday
    (datetime(2026, 11, 25, 23, 29, tzinfo=UTC), False),  # 08:29 JST
    (jst(2026, 11, 28, 10, 0), False),  # Saturday
    (jst(2026, 11, 29, 10, 0), False),  # Sunday
    (jst(2026, 11, 23, 10, 0), False),  # 勤労感謝の日 (Monday)
    (jst(2026, 9, 22, 10, 0), False),   # 国民の休日
    (jst(2026, 12, 28, 10, 0), True), (jst(2026, 12, 29, 10, 0), False), (jst(2026, 12, 30, 10, 0), False),
    (jst(2027, 1, 3, 10, 0), False), (jst(2027, 1, 4, 10, 0), True),
])
def test_office_hours_boundaries(moment, inside):
    assert DEFAULT_OFFICE_HOURS.within(moment) is inside


def test_closed_reasons_and_a_municipalitys_own_closed_day():
    hours = OfficeHours(extra_closed_days=frozenset({date(2026, 11, 27)}), closes=time(19, 0))
    assert hours.closed_reason(date(2026, 11, 27)) == "閉庁日"
    assert hours.within(jst(2026, 11, 26, 18, 30)) and not DEFAULT_OFFICE_HOURS.within(jst(2026, 11, 26, 18, 30))
    assert DEFAULT_OFFICE_HOURS.closed_reason(date(2026, 11, 28)) == "土曜日"
    assert DEFAULT_OFFICE_HOURS.closed_reason(date(2027, 1, 1)) == "年末年始"
    assert DEFAULT_OFFICE_HOURS.closed_reason(date(2026, 11, 3)) == "文化の日"
    december = DEFAULT_OFFICE_HOURS.open_intervals(Month(2026, 12))
    assert [start.day for start, _ in december] == [1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 21, 22, 23, 24,
                                                     25, 28]
    assert december[0] == (jst(2026, 12, 1, 8, 30), jst(2026, 12, 1, 17, 15))


def test_months_are_japan_time_calendar_months():
    month = Month.parse("2026-12")
    assert month.start == jst(2026, 12, 1) and month.end == jst(2027, 1, 1)
    assert month.start.astimezone(UTC) == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert Month(2027, 1).previous() == month and month.next() == Month(2027, 1)
    assert len(Month(2028, 2).days()) == 29
    assert Month.of(datetime(2026, 10, 31, 15, 0, tzinfo=UTC)) == Month(2026, 11)
    assert Month(2026, 11).label == "令和8年11月（2026年11月）"
    assert Month(2019, 5).wareki == "令和元年5月" and Month(2019, 4).wareki == "平成31年4月"
    assert [m.key for m in recent_months(Month(2026, 2), 3)] == ["2026-02", "2026-01", "2025-12"]
    for bad in ("2026-13", "2026/11", "26-11", "", "2026-00"):
        with pytest.raises(ValueError):
            Month.parse(bad)


@pytest.mark.parametrize(("channel", "store_lg_code", "outside"), [
    ("コンビニ", "033995", True), ("コンビニ", "046990", False), ("コンビニ", "", False),
    ("窓口", "033995", False), ("らくらく窓口", "", False), ("オンライン", "", False),
])
def test_outside_municipality_counts_kiosk_issues_at_other_towns_stores(channel, store_lg_code, outside):
    assert is_outside_municipality(channel, "046990", store_lg_code) is outside


def test_net_of_a_free_disaster_certificate_at_a_kiosk_is_negative():
    assert net_yen(10, 117, 0) == -107
    assert net_yen(200, 117, 180) == -97
    assert net_yen(300, 0, 0) == 300
    assert share_percent(1, 3) == 33.3 and share_percent(0, 0) is None


def _fixture_groups():
    g = IssueGroup  # (count, outside hours, outside municipality, voided, fee, commission, BCL fee)
    return [
        g("046990", "住民票の写し", "コンビニ", "セブン-イレブン", 3, 3, 0, 1, 600, 351, 540),
        g("046990", "罹災証明書", "コンビニ", "ローソン", 2, 0, 2, 0, 20, 234, 0),
        g("046990", "住民票の写し", "窓口", "", 4, 0, 0, 0, 1200, 0, 0),
        g("046990", "印鑑登録証明書", "コンビニ", "ローソン", 0, 0, 0, 2, 0, 0, 0),
        g("033995", "印鑑登録証明書", "コンビニ", "セブン-イレブン", 5, 0, 5, 0, 1000, 585, 900),
    ]


def test_settlement_per_store_sums_by_hand():
    lines = settle([g for g in _fixture_groups() if g.lg_code == "046990"], by_store)
    assert [(x.key, x.count, x.fee_yen, x.commission_yen, x.bcl_fee_yen, x.net_yen) for x in lines] == [
        (("コンビニ", "セブン-イレブン"), 3, 600, 351, 540, -291),
        (("コンビニ", "ローソン"), 2, 20, 234, 0, -214),
        (("窓口", "（店舗以外）"), 4, 1200, 0, 0, 1200),
    ]
    total = settlement_total(lines)
    assert (total.count, total.fee_yen, total.commission_yen, total.bcl_fee_yen, total.net_yen) == (9, 1820, 585, 540,
                                                                                                    695)


def test_settlement_shows_kiosk_resident_items_certificates_apart():
    g = IssueGroup
    groups = [*_fixture_groups(),
              g("046990", "住民票記載事項証明書", "コンビニ", "ローソン", 2, 0, 0, 1, 400, 234, 0),
              g("046990", "住民票記載事項証明書", "コンビニ", "セブン-イレブン", 1, 0, 0, 0, 200, 117, 180),  # before
              g("046990", "住民票記載事項証明書", "窓口", "", 3, 0, 0, 0, 900, 0, 0)]
    lines = settle(groups, by_municipality)
    assert [(x.key, x.count, x.resident_items, x.bcl_fee_yen) for x in lines] == [
        (("033995",), 5, 0, 900), (("046990",), 15, 3, 720)]
    assert settlement_total(lines).resident_items == 3
    by_store_lines = settle([x for x in groups if x.lg_code == "046990"], by_store)
    assert [(x.key, x.resident_items) for x in by_store_lines] == [
        (("コンビニ", "セブン-イレブン"), 1), (("コンビニ", "ローソン"), 2), (("窓口", "（店舗以外）"), 0)]


def test_settlement_per_store_operator_across_municipalities():
    lines = settle([g for g in _fixture_groups() if g.store_operator], by_operator)
    assert [(x.key[0], x.municipalities, x.count, x.commission_yen) for x in lines] == [
        ("セブン-イレブン", 2, 8, 936), ("ローソン", 1, 2, 234)]


def test_summary_leaves_voided_issues_out_and_takes_shares_over_kiosk_issues():
    stats = summarise(g for g in _fixture_groups() if g.lg_code == "046990")
    assert stats.total == 9 and stats.voided == 3 and stats.kiosk == 5
    assert stats.kiosk_outside_hours == 3 and stats.outside_hours_share == 60.0
    assert stats.kiosk_outside_municipality == 2 and stats.outside_municipality_share == 40.0
    assert stats.by_channel == [("窓口", 4), ("コンビニ", 5)]
    assert stats.by_document_type == [("住民票の写し", 7), ("罹災証明書", 2)]
    assert stats.by_store_operator == [("セブン-イレブン", 3), ("ローソン", 2)]
    assert stats.channel_outside_hours() == [("窓口", 4, 0, 0.0), ("コンビニ", 5, 3, 60.0)]
