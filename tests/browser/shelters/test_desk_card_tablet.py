"""マイナンバーカードで受付 on a tablet: the desk asks for a challenge, the reader bridge (the card CLI
with a virtual card) signs it, the desk shows the household and checks it in with one touch. The
kiosk simulator CLI authenticates the same card against the terminal API of the running server."""
import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.audit.services import Actor
from app.db import Scope, set_scope
from app.residents.link.tokens import create_token
from app.residents.models import Resident
from fixtures.demo_cards import register_all
from fixtures.jpki import CardHolder, build_test_jpki
from tests.helpers.browser import LiveServer, login, register_disaster
from tests.helpers.paths import ARTIFACTS, ROOT

DEMO_CODE = "046990"


@pytest.fixture(scope="module")
def card_setup(browser_database, tmp_path_factory):
    """A test JPKI with a card for the town's first household head, registered, and a terminal token."""
    engine = create_engine(browser_database)
    with Session(engine) as session:
        set_scope(session, Scope.tenant(DEMO_CODE))
        atena, code, household = session.execute(select(
            Resident.atena_no, Resident.resident_code, Resident.household_no).where(
            Resident.status == "住登内", Resident.is_household_head, Resident.is_protected.is_(False))
            .order_by(Resident.id).limit(1)).one()
        jpki = build_test_jpki(tmp_path_factory.mktemp("jpki-browser"), [CardHolder(DEMO_CODE, code, "holder")])
        register_all(session, jpki, DEMO_CODE)
        _, token = create_token(session, Actor.system(DEMO_CODE, "test"), "ブラウザテスト端末", purpose="card_reader")
        session.commit()
    engine.dispose()
    return jpki, token, atena, household


@pytest.fixture(scope="module")
def card_server(browser_database, card_setup):
    jpki = card_setup[0]
    server = LiveServer(browser_database, JPKI_CA_CERT=str(jpki.ca_cert_path), JPKI_CRL=str(jpki.crl_path))
    yield server
    server.stop()


def _card_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "card", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_card_check_in_puts_the_household_in_the_shelter(card_server, card_setup, browser_database, page):
    jpki, _, _, household = card_setup
    base = card_server.url
    login(page, base, DEMO_CODE, "bosai")
    register_disaster(page, base, "令和8年桜ヶ丘地震（カード受付）")
    page.goto(base + "/shelters/openings")
    page.click("#open-shelter")
    page.wait_for_url("**/shelters/openings/*")
    page.get_by_role("button", name="マイナンバーカードで受付").click()
    expect(page.locator("#card-challenge")).to_contain_text("--challenge-id")
    box = page.locator("#card-checkin")
    signed = _card_cli(browser_database, "sign", "--card", str(jpki.cards["holder"]), "--pin", "1234",
                       "--challenge-id", box.get_attribute("data-challenge-id"),
                       "--challenge", box.get_attribute("data-challenge"))
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["challenge_id"] == box.get_attribute("data-challenge-id")
    page.fill("#card-answer", signed.stdout)
    page.get_by_role("button", name="カードを確認").click()
    expect(page.locator("#card-status")).to_contain_text("カードで本人を確認しました")
    rows = page.locator("#desk-results tbody tr")
    expect(rows.first).to_contain_text(household)
    members = rows.count()
    page.screenshot(path=str(ARTIFACTS / "shelter-card-checkin.png"), full_page=True)
    rows.first.get_by_role("button", name="世帯で受付").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#occupancy")).to_have_text(str(members))
    expect(page.locator("#present-table")).to_contain_text(household)
    assert page.console_errors == []
    assert all(url.startswith(base) or url.startswith("data:") for url in page.requests_seen)


def test_the_kiosk_simulator_authenticates_the_card_and_the_card_checks_the_pin(card_server, card_setup,
                                                                               browser_database):
    jpki, token, atena, _ = card_setup
    card = str(jpki.cards["holder"])
    found = _card_cli(browser_database, "simulate", "--card", card, "--pin", "1234", "--url", card_server.url,
                      "--token", token)
    assert found.returncode == 0, found.stderr
    assert "本人を確認しました" in found.stdout and f"宛名番号 {atena}" in found.stdout
    wrong = _card_cli(browser_database, "simulate", "--card", card, "--pin", "0000", "--url", card_server.url,
                      "--token", token)
    assert wrong.returncode == 1 and "pin_wrong" in wrong.stderr
    revoked = _card_cli(browser_database, "simulate", "--card", str(jpki.cards["revoked"]), "--pin", "1234",
                        "--url", card_server.url, "--token", token)
    assert revoked.returncode == 1 and "certificate_revoked" in revoked.stderr
