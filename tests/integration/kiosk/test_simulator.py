"""The kiosk simulator CLI against a real server process: the whole flow over HTTP with a virtual
card saves a signed PDF; a wrong PIN counts on the card and the third locks it; refusals exit
non-zero with the precise code."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.certificates.issuer import issuer_from_config
from app.db import SYSTEM, set_scope
from fixtures.demo_disaster import issue_household_certificate
from tests.factories import with_seal_and_tax
from tests.helpers.browser import LiveServer
from tests.helpers.database import create_empty_database, drop_database
from tests.helpers.paths import ROOT

LG = "046990"


@pytest.fixture(scope="module")
def kiosk_server(server_url, tmp_path_factory):
    from alembic import command

    from app.cli import alembic_config
    from fixtures import demo
    from fixtures.demo_cards import issue_demo_cards
    from fixtures.demo_kiosk import ensure_demo_store

    work = tmp_path_factory.mktemp("kiosk-sim")
    name = f"bcl_kiosksim_{os.getpid()}"
    url = create_empty_database(server_url, name)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with Session(engine) as session:
        set_scope(session, SYSTEM)
        demo.load_demo(session, residents=300, seed=1)
        jpki = issue_demo_cards(session, LG, work / "jpki", count=1)
        token = ensure_demo_store(session, work / "kiosk").read_text().strip()
        label, card = next((label, path) for label, path in jpki.cards.items() if label.startswith(f"{LG}-"))
        atena_no = label.split("-", 1)[1]
        issuer = issuer_from_config({}, "http://127.0.0.1/verify")
        issue_household_certificate(session, issuer, LG, atena_no, grade="大規模半壊")
        session.commit()
        with_seal_and_tax(session, LG, atena_no)
    engine.dispose()
    server = LiveServer(url, KIOSK_FIXED_NOW="2026-11-26T10:00:00+09:00", JPKI_CA_CERT=str(jpki.ca_cert_path),
                        JPKI_CRL=str(jpki.crl_path))
    server.url_db = url
    yield server, token, card, work
    server.stop()
    drop_database(server_url, name)


def _simulate(server, token, card, out, *extra, pin="1234"):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "kiosk", "simulate", "--card", str(card),
                           "--pin", pin, "--url", server.url, "--operator-token", token, "--out", str(out), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("document_type", "fee", "printed"), [
    ("住民票の写し", 200, "住民票の写し"), ("住民票記載事項証明書", 200, "住民票記載事項証明書"),
    ("印鑑登録証明書", 200, "印鑑登録証明書"), ("所得証明書", 200, "所得証明書"), ("課税証明書", 200, "課税証明書"),
    ("所得課税証明書", 200, "所得課税証明書"), ("納税証明書", 200, "納税証明書"), ("罹災証明書", 10, "大規模半壊")])
def test_kiosk_simulator_issues_each_document_type_over_http(kiosk_server, tmp_path, document_type, fee, printed):
    server, token, card, _ = kiosk_server
    done = _simulate(server, token, card, tmp_path, "--document", document_type)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "1/6 利用を開始しています" in done.stdout and "本人を確認しました（宮城県桜ヶ丘町）" in done.stdout
    assert f"手数料 {fee}円" in done.stdout and f"発行しました: {document_type} 証明番号 " in done.stdout
    pdfs = list(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 1
    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert document_type in "".join(text.split()) and printed in "".join(text.split())
    assert subprocess.run(["pdfsig", str(pdfs[0])], capture_output=True, text=True).stdout.count(
        "Signature Validation: Signature is Valid") == 1


def test_kiosk_simulator_refusals_exit_with_the_precise_code(kiosk_server, tmp_path):
    server, token, card, _ = kiosk_server
    refused = _simulate(server, token, card, tmp_path, "--document", "戸籍謄本")
    assert refused.returncode == 1 and "[document_unknown]" in refused.stderr
    bad_token = _simulate(server, token[:-3] + "abc", card, tmp_path)
    assert bad_token.returncode == 1 and "[unauthorized]" in bad_token.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_kiosk_simulator_card_locks_after_three_wrong_pins(kiosk_server, tmp_path):
    server, token, card, _ = kiosk_server
    own = tmp_path / "card.json"
    shutil.copy(card, own)
    first = _simulate(server, token, own, tmp_path, pin="9999")
    assert first.returncode == 1 and "[pin_wrong]" in first.stderr and "あと2回" in first.stderr
    assert _simulate(server, token, own, tmp_path, "--document", "印鑑登録証明書").returncode in (0, 1)
    assert json.loads(own.read_text())["pin_failures"] == 0  # a right PIN resets the count
    for expected in ("[pin_wrong]", "[pin_wrong]", "[card_locked]"):
        result = _simulate(server, token, own, tmp_path, pin="0000")
        assert result.returncode == 1 and expected in result.stderr, result.stderr
    locked = _simulate(server, token, own, tmp_path, pin="1234")
    assert locked.returncode == 1 and "[card_locked]" in locked.stderr


def _flask(server, *args):
    env = dict(os.environ, DATABASE_URL=server.url_db)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_kiosk_cli_manages_stores_maintenance_days_and_fees(kiosk_server, tmp_path):
    server, _, card, _ = kiosk_server
    created = _flask(server, "kiosk", "store-create", "--code", "lawson-test", "--name", "テストストア")
    assert created.returncode == 0 and created.stdout.startswith("kiosk.lawson-test.")
    token = created.stdout.strip()
    assert _flask(server, "kiosk", "store-create", "--code", "lawson-test", "--name", "x").returncode == 1
    listed = _flask(server, "kiosk", "store-list").stdout
    assert "lawson-test\tテストストア\t…" + token[-6:] in listed and "demo-mart" in listed
    rotated = _flask(server, "kiosk", "store-rotate", "--code", "lawson-test").stdout.strip()
    stale = _simulate(server, token, card, tmp_path)
    assert stale.returncode == 1 and "[unauthorized]" in stale.stderr
    fee = _flask(server, "certificates", "fees", "--lg-code", LG, "--document", "住民票の写し", "--channel", "コンビニ",
                 "--fee", "150")
    assert fee.returncode == 0 and "住民票の写し\tコンビニ\t150円" in fee.stdout
    uncontracted = _simulate(server, rotated, card, tmp_path)
    assert uncontracted.returncode == 1 and "[no_contract]" in uncontracted.stderr
    for wrong, message in ((["--operator", "nobody"], "事業者コード nobody の事業者は登録されていません"),
                           (["--operator", "lawson-test", "--from", "2026-04-01", "--until", "2026-03-31"],
                            "契約の終了日は開始日より後にしてください")):
        refused = _flask(server, "kiosk", "contract", "--lg-code", LG, *wrong)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
    assert _flask(server, "kiosk", "contract", "--lg-code", "046991", "--operator", "lawson-test").returncode == 2
    signed = _flask(server, "kiosk", "contract", "--lg-code", LG, "--operator", "lawson-test", "--from", "2026-04-01")
    assert signed.returncode == 0 and f"{LG}\tlawson-test\t2026-04-01\t（期限なし）" in signed.stdout
    assert f"{LG}\tdemo-mart\t" in _flask(server, "kiosk", "contracts").stdout
    done = _simulate(server, rotated, card, tmp_path)
    assert done.returncode == 0 and "手数料 150円" in done.stdout, done.stderr
    closed = _flask(server, "kiosk", "maintenance", "2026-11-26", "--note", "定期保守")
    assert closed.returncode == 0
    refused = _simulate(server, rotated, card, tmp_path)
    assert refused.returncode == 1 and "[closed_maintenance]" in refused.stderr
    assert _flask(server, "kiosk", "maintenance", "2026-11-26", "--remove").returncode == 0
    assert _simulate(server, rotated, card, tmp_path).returncode == 0
