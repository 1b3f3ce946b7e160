"""The statistics screens in chromium: the month picker, the inline SVG charts and the totals,
with nothing fetched from outside the server; screenshots go to test-artifacts/."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.certificates.models import IssuanceLog
from app.db import SYSTEM, set_scope
from certificate_engine.wareki import JST
from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS

KINDS = (("住民票の写し", 200, 180), ("印鑑登録証明書", 200, 180), ("所得証明書", 200, 180), ("罹災証明書", 10, 0))
STORES = ("セブン-イレブン", "ローソン", "ファミリーマート")


@pytest.fixture(scope="module")
def october_issues(browser_database):
    """A month of issues for 桜ヶ丘町 (and a few for 北山村), generated from a fixed seed."""
    rng = random.Random(7)
    engine = create_engine(browser_database)
    with Session(engine) as session:
        set_scope(session, SYSTEM)
        for n in range(400):
            kind, fee, bcl = KINDS[n % len(KINDS)]
            channel = "コンビニ" if n % 3 else "窓口"
            when = datetime(2026, 10, 1, 6, 30, tzinfo=JST) + timedelta(days=rng.randrange(31),
                                                                          minutes=rng.randrange(16 * 60))
            lg_code = "046990" if n % 10 else "033995"
            session.add(IssuanceLog(
                lg_code=lg_code, document_type=kind, channel=channel, issued_at=when,
                store_operator=STORES[(n // 3) % 3] if channel == "コンビニ" else "",
                store_lg_code=("033995" if n % 5 == 0 else lg_code) if channel == "コンビニ" else "",
                fee_yen=fee if channel == "コンビニ" else fee + 100, commission_yen=117 if channel == "コンビニ" else 0,
                bcl_fee_yen=bcl if channel == "コンビニ" else 0))
        session.commit()
    engine.dispose()


def test_staff_statistics_page_draws_charts_and_switches_month(live_server, page, october_issues):
    base = live_server.url
    login(page, base, "046990", "admin")
    page.goto(base + "/certificates")
    page.click("#tile-statistics")
    page.select_option("#month", "2026-10")
    page.click(".month-picker button[type=submit]")
    page.wait_for_url("**/certificates/statistics?month=2026-10")
    expect(page.locator("#month-label")).to_have_text("令和8年10月（2026年10月）")
    expect(page.locator("#chart-document-types g.bar")).to_have_count(4)
    expect(page.locator("#chart-channels g.bar")).to_have_count(2)
    expect(page.locator("#chart-daily g.day")).to_have_count(31)
    expect(page.locator("#chart-daily g.day.closed")).to_have_count(10)
    bars = page.locator("#chart-document-types g.bar")
    shown = sum(int(bars.nth(i).get_attribute("data-value")) for i in range(4))
    expect(page.locator("#total strong")).to_have_text(f"{shown:,}")
    assert page.locator("#chart-document-types rect").first.bounding_box()["width"] > 50
    expect(page.locator("#settlement-table tfoot")).to_contain_text("合計")
    page.screenshot(path=str(ARTIFACTS / "certificate-statistics.png"), full_page=True)
    page.click("text=前月")
    page.wait_for_url("**/certificates/statistics?month=2026-09")
    expect(page.locator("#counts-table")).to_contain_text("この月の交付はありません")
    assert all(url.startswith(base) or url.startswith("data:") for url in page.requests_seen)
    assert page.console_errors == []


def test_operator_settlement_page_lists_both_municipalities(live_server, page, october_issues):
    base = live_server.url
    login(page, base, None, "jlis")
    page.click("text=証明書交付の月次精算")
    page.select_option("#month", "2026-10")
    page.click(".month-picker button[type=submit]")
    expect(page.locator("#municipality-settlement tbody tr")).to_have_count(2)
    expect(page.locator("#chart-commissions g.bar")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "operator-settlement.png"), full_page=True)
    page.click("text=交付統計")
    expect(page.locator("#municipality-table tbody tr")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "operator-statistics.png"), full_page=True)
    assert all(url.startswith(base) or url.startswith("data:") for url in page.requests_seen)
