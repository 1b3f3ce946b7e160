"""らくらく窓口 on a tablet: start, the card answer (delivered by the reader bridge as the
`bcl:card-answer` event), the menu with fees, confirm, the 受付票; then staff confirm the payment in
受付・お渡し and the request is issued and marked handed over."""
import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.db import Scope, set_scope
from app.residents.models import Resident
from fixtures.demo_cards import register_all
from fixtures.jpki import CardHolder, build_test_jpki
from tests.helpers.browser import LiveServer, login
from tests.helpers.paths import ARTIFACTS, ROOT

DEMO_CODE = "046990"


@pytest.fixture(scope="module")
def counter_card(browser_database, tmp_path_factory):
    """A test JPKI with a card for one of the town's household heads (not under 支援措置), registered."""
    engine = create_engine(browser_database)
    with Session(engine) as session:
        set_scope(session, Scope.tenant(DEMO_CODE))
        code = session.scalar(select(Resident.resident_code).where(
            Resident.status == "住登内", Resident.removed_on.is_(None), Resident.is_household_head,
            Resident.is_protected.is_(False)).order_by(Resident.id).offset(2).limit(1))
        jpki = build_test_jpki(tmp_path_factory.mktemp("jpki-counter"), [CardHolder(DEMO_CODE, code, "holder")])
        register_all(session, jpki, DEMO_CODE)
        session.commit()
    engine.dispose()
    return jpki


@pytest.fixture(scope="module")
def counter_server(browser_database, counter_card):
    server = LiveServer(browser_database, JPKI_CA_CERT=str(counter_card.ca_cert_path),
                        JPKI_CRL=str(counter_card.crl_path))
    yield server
    server.stop()


def _sign(database_url: str, card: str, challenge_id: str, challenge: str) -> dict:
    environment = dict(os.environ, DATABASE_URL=database_url)
    signed = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "card", "sign", "--card", card,
                             "--pin", "1234", "--challenge-id", challenge_id, "--challenge", challenge],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert signed.returncode == 0, signed.stderr
    return json.loads(signed.stdout)


def test_self_service_to_ticket_then_staff_hand_over(counter_server, counter_card, browser_database, page):
    base = counter_server.url
    login(page, base, DEMO_CODE, "admin")
    page.goto(base + "/certificates")
    page.click("#tile-self-service")
    page.get_by_role("button", name="はじめる").click()
    expect(page.locator("#card-challenge")).to_contain_text("--challenge-id")
    box = page.locator("#self-service")
    answer = _sign(browser_database, str(counter_card.cards["holder"]), box.get_attribute("data-challenge-id"),
                   box.get_attribute("data-challenge"))
    page.evaluate("a => document.dispatchEvent(new CustomEvent('bcl:card-answer', {detail: a}))", answer)
    page.wait_for_url("**/certificates/self-service/menu")
    choice = page.locator('a[data-document="住民票の写し"]')
    expect(choice).to_contain_text("300円")
    choice.click()
    page.get_by_label("世帯主・続柄を記載する").check()
    page.screenshot(path=str(ARTIFACTS / "counter-self-service-options.png"), full_page=True)
    page.get_by_role("button", name="受け付ける").click()
    page.wait_for_url("**/certificates/self-service/ticket/*")
    expect(page.locator("#ticket")).to_contain_text("窓口でお支払いください")
    expect(page.locator("#ticket-document")).to_have_text("住民票の写し 1通（世帯主・続柄）")
    expect(page.locator("#ticket-fee")).to_have_text("手数料 300円")
    ticket_no = page.locator("#ticket-no").inner_text()
    page.screenshot(path=str(ARTIFACTS / "counter-self-service-ticket.png"), full_page=True)

    page.goto(base + "/certificates/queue")
    row = page.locator(f'#queue tr[data-ticket="{ticket_no}"]')
    expect(row).to_have_attribute("data-status", "受付")
    row.get_by_role("button", name="支払い確認・交付").click()
    expect(page.locator(".flash.success")).to_contain_text("カウンターのプリンタ（印刷端末）で印刷されます")
    expect(row).to_have_attribute("data-status", "交付済")
    expect(row.locator(".print-state")).to_have_text("印刷待ち")
    expect(row.get_by_role("link", name="証明書（PDF）")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "counter-queue-handed-over.png"), full_page=True)

    # The print station (another browser window at the counter) prints it and reports it printed.
    station = page.context.new_page()
    # Count the print calls instead of opening headless Chromium's print preview over the PDF viewer,
    # which can crash the page (the printer of a real station prints with --kiosk-printing).
    station.add_init_script("window.print = () => { window.top.postMessage('bcl-test:printed', '*'); };")
    station.add_init_script("""window.addEventListener('message', (event) => {
        if (event.data === 'bcl-test:printed') window.__printed = (window.__printed || 0) + 1; });""")
    station.goto(base + "/certificates/queue/printer")
    printed = station.locator(f'#print-log tr[data-ticket="{ticket_no}"]')
    expect(printed).to_contain_text("住民票の写し")
    expect(printed).to_contain_text("印刷済")
    pdf_url = re.compile(r"/certificates/queue/\d+/certificate\.pdf$")
    expect(station.locator("#print-frame")).to_have_attribute("src", pdf_url)
    expect(station.locator("#print-state")).to_contain_text("印刷待ちはありません")
    assert station.evaluate("window.__printed") == 1
    station.screenshot(path=str(ARTIFACTS / "counter-print-station.png"), full_page=True)
    station.close()
    page.reload()
    expect(row.locator(".print-state")).to_contain_text("印刷済")
    assert page.console_errors == []
    assert all(url.startswith(base) or url.startswith("data:") or url == "about:blank" for url in page.requests_seen)
