"""The card CLI: demo cards issued and registered, a certificate registered by hand, a terminal token."""
from sqlalchemy import select

from app.cardauth.models import CardCertificate
from app.residents.models import LinkToken
from tests.helpers.cards import heads
from tests.helpers.demo import DEMO_CODE, SECOND_CODE


def test_card_demo_issues_and_registers_cards(app, db, tmp_path, system_session):
    result = app.test_cli_runner().invoke(args=["card", "demo", "--lg-code", DEMO_CODE, "--count", "2",
                                                "--dir", str(tmp_path / "jpki")])
    assert result.exit_code == 0, result.output
    assert "暗証番号 1234" in result.output and (tmp_path / "jpki" / "ca.pem").exists()
    codes = {code for _, code in heads(DEMO_CODE, 2)}
    registered = system_session.scalars(select(CardCertificate).where(CardCertificate.lg_code == DEMO_CODE)).all()
    assert {r.resident_code for r in registered} == codes  # the expired and revoked cards are the first head's
    assert len(registered) == 4


def test_card_register_links_a_certificate_and_refuses_an_unknown_person(app, db, tmp_path, system_session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["card", "demo", "--lg-code", SECOND_CODE, "--count", "1",
                               "--dir", str(tmp_path / "jpki")]).exit_code == 0
    cert = tmp_path / "card.pem"
    from fixtures.virtual_card import VirtualCard

    cert.write_bytes(VirtualCard.load(tmp_path / "jpki" / "cards" / "expired.json").certificate_pem)
    code = heads(DEMO_CODE, 1)[0][1]
    moved = runner.invoke(args=["card", "register", "--lg-code", DEMO_CODE, "--cert", str(cert),
                                "--resident-code", code])
    assert moved.exit_code == 1 and "registered_elsewhere" in moved.output
    unknown = runner.invoke(args=["card", "register", "--lg-code", SECOND_CODE, "--cert", str(cert),
                                  "--resident-code", "00000000000"])
    assert unknown.exit_code == 1 and "resident_unknown" in unknown.output


def test_card_token_issues_a_card_reader_token(app, db, system_session):
    result = app.test_cli_runner().invoke(args=["card", "token", "--lg-code", DEMO_CODE, "--name", "受付1"])
    assert result.exit_code == 0 and result.output.startswith(f"bcl.{DEMO_CODE}.")
    token = system_session.scalars(select(LinkToken).where(LinkToken.name == "受付1")).one()
    assert token.purpose == "card_reader"
