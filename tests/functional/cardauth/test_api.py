"""The card authentication API: challenge → card signature → resident, and each refusal precisely
(replay, expired/revoked/forged card, signature over something else, unregistered, other tenant)."""
import pytest
from sqlalchemy import select, text, update

from app.audit.models import AuditEntry
from app.audit.services import Actor
from app.cardauth import services
from app.cardauth.models import CardCertificate, CardChallenge
from app.cardauth.rules import CardAuthRefused, encode_b64
from app.cardauth.trust import configured_paths, load_trust_store
from app.db import NO_TENANT, set_scope
from app.residents.link.tokens import create_token
from app.residents.models import Resident
from tests.factories import register, terminal_token
from tests.helpers.cards import build_jpki, fresh_card, heads, trust_config
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

API = "/api/cardauth/v1"


@pytest.fixture(scope="module")
def jpki(app, tmp_path_factory):
    return build_jpki(tmp_path_factory.mktemp("jpki"))


@pytest.fixture()
def terminal(web, app, jpki, monkeypatch):
    """A card-reader terminal of 桜ヶ丘町 and every card registered."""
    trust_config(monkeypatch, app, jpki)
    register(jpki)
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}

    def call(path, body=None):
        return web.client.post(API + path, json=body if body is not None else {}, headers=headers)

    call.headers = headers
    return call


def _answer(terminal, card, pin="1234"):
    challenge = terminal("/challenges").get_json()
    return challenge, card.respond(challenge["challenge_id"], challenge["challenge"], pin)


def _refused(response, code, status=401):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and body["detail"], body
    assert response.mimetype == "application/problem+json"
    return body


def test_a_card_answer_finds_its_resident_and_is_audited(terminal, jpki, tmp_path, system_session):
    response = terminal("/challenges")
    assert response.status_code == 201
    challenge = response.get_json()
    answer = fresh_card(jpki, "demo-1", tmp_path).respond(challenge["challenge_id"], challenge["challenge"], "1234")
    found = terminal("/verify", answer)
    assert found.status_code == 200, found.get_data(as_text=True)
    body = found.get_json()
    assert body["lg_code"] == DEMO_CODE and body["atena_no"] == heads(DEMO_CODE, 1)[0][0]
    entry = system_session.scalars(select(AuditEntry).where(AuditEntry.action == "card_auth")
                                   .order_by(AuditEntry.id.desc())).first()
    assert entry.lg_code == DEMO_CODE and entry.target_ids == [body["atena_no"]]
    assert entry.detail["serial"] == body["certificate_serial"]


def test_a_replayed_answer_is_refused(terminal, jpki, tmp_path):
    _, answer = _answer(terminal, fresh_card(jpki, "demo-1", tmp_path))
    assert terminal("/verify", answer).status_code == 200
    _refused(terminal("/verify", answer), "challenge_replayed")


@pytest.mark.parametrize(("label", "code"), [("expired", "certificate_expired"), ("revoked", "certificate_revoked"),
                                             ("forged", "untrusted_issuer")])
def test_bad_cards_are_refused_and_the_refusal_is_audited(terminal, jpki, tmp_path, system_session, label, code):
    _, answer = _answer(terminal, fresh_card(jpki, label, tmp_path))
    _refused(terminal("/verify", answer), code)
    codes = system_session.scalars(select(AuditEntry.detail["code"].astext).where(
        AuditEntry.action == "card_auth_refused", AuditEntry.lg_code == DEMO_CODE)).all()
    assert code in codes


def test_a_signature_over_something_else_is_refused_and_uses_up_the_challenge(terminal, jpki, tmp_path):
    card = fresh_card(jpki, "demo-1", tmp_path)
    challenge = terminal("/challenges").get_json()
    forged = dict(card.respond(challenge["challenge_id"], encode_b64(b"another text to sign"), "1234"))
    _refused(terminal("/verify", forged), "bad_signature")
    honest = card.respond(challenge["challenge_id"], challenge["challenge"], "1234")
    _refused(terminal("/verify", honest), "challenge_replayed")


def test_an_expired_or_unknown_challenge_is_refused(terminal, jpki, tmp_path, system_session):
    challenge, answer = _answer(terminal, fresh_card(jpki, "demo-1", tmp_path))
    system_session.execute(update(CardChallenge).where(CardChallenge.id == challenge["challenge_id"])
                           .values(expires_at=text("now() - interval '1 second'")))
    system_session.commit()
    _refused(terminal("/verify", answer), "challenge_expired")
    _refused(terminal("/verify", dict(answer, challenge_id="00000000-0000-0000-0000-000000000000")),
             "challenge_unknown")
    _refused(terminal("/verify", dict(answer, challenge_id="not-a-uuid")), "challenge_unknown")
    _refused(terminal("/verify", {"challenge_id": challenge["challenge_id"]}), "body_invalid", 400)
    _, fresh = _answer(terminal, fresh_card(jpki, "demo-1", tmp_path))
    _refused(terminal("/verify", dict(fresh, signature="A")), "request_invalid")  # not base64


def test_an_unregistered_certificate_is_refused(web, app, jpki, tmp_path, monkeypatch):
    trust_config(monkeypatch, app, jpki)
    register(jpki, only={"demo-1"})
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}
    challenge = web.client.post(API + "/challenges", headers=headers).get_json()
    answer = fresh_card(jpki, "demo-2", tmp_path).respond(challenge["challenge_id"], challenge["challenge"], "1234")
    _refused(web.client.post(API + "/verify", json=answer, headers=headers), "certificate_unregistered")


def test_a_withdrawn_registration_is_refused_as_revoked(terminal, jpki, tmp_path, system_session):
    card = fresh_card(jpki, "demo-1", tmp_path)
    system_session.execute(update(CardCertificate).where(CardCertificate.serial == format(
        card.certificate.serial_number, "X")).values(revoked_on=text("current_date")))
    system_session.commit()
    _, answer = _answer(terminal, card)
    _refused(terminal("/verify", answer), "certificate_revoked")


def _share_code_with_someone_else(system_session, status: str = "住登内") -> None:
    """Give the first card's 住民票コード to a second resident too, as data linked before the link
    refused such batches may hold it."""
    atena, code = heads(DEMO_CODE, 1)[0]
    other = system_session.scalar(select(Resident.id).where(Resident.lg_code == DEMO_CODE, Resident.atena_no != atena)
                                  .order_by(Resident.id.desc()).limit(1))
    system_session.execute(update(Resident).where(Resident.id == other).values(resident_code=code, status=status))
    system_session.commit()


@pytest.mark.parametrize("status", ["住登内", "転出"])
def test_a_resident_code_held_by_two_residents_is_refused_not_guessed(terminal, jpki, tmp_path, system_session,
                                                                      status):
    _share_code_with_someone_else(system_session, status)
    card = fresh_card(jpki, "demo-1", tmp_path)
    _, answer = _answer(terminal, card)
    body = _refused(terminal("/verify", answer), "resident_ambiguous")
    assert "本人を特定できません" in body["detail"] and "atena_no" not in body
    entry = system_session.scalars(select(AuditEntry).where(AuditEntry.action == "card_auth_refused",
                                                            AuditEntry.lg_code == DEMO_CODE)
                                   .order_by(AuditEntry.id.desc())).first()
    assert entry.detail["code"] == "resident_ambiguous"
    assert entry.target_ids == [format(card.certificate.serial_number, "X")]
    assert system_session.scalars(select(AuditEntry).where(AuditEntry.action == "card_auth",
                                                           AuditEntry.lg_code == DEMO_CODE)).first() is None


def test_registering_a_card_for_a_resident_code_held_twice_is_refused(app, jpki, tmp_path, system_session):
    _share_code_with_someone_else(system_session)
    cert = tmp_path / "card.pem"
    cert.write_bytes(fresh_card(jpki, "demo-1", tmp_path).certificate_pem)
    result = app.test_cli_runner().invoke(args=["card", "register", "--lg-code", DEMO_CODE, "--cert", str(cert),
                                                "--resident-code", heads(DEMO_CODE, 1)[0][1]])
    assert result.exit_code == 1 and "resident_ambiguous" in result.output


def test_another_municipalitys_card_is_refused_at_this_terminal(terminal, jpki, tmp_path):
    _, answer = _answer(terminal, fresh_card(jpki, "second-1", tmp_path))
    _refused(terminal("/verify", answer), "other_municipality")


def test_a_challenge_of_another_municipalitys_terminal_is_unknown_here(terminal, web, jpki, tmp_path):
    other = {"Authorization": f"Bearer {terminal_token(SECOND_CODE)}"}
    challenge = web.client.post(API + "/challenges", headers=other).get_json()
    answer = fresh_card(jpki, "demo-1", tmp_path).respond(challenge["challenge_id"], challenge["challenge"], "1234")
    _refused(terminal("/verify", answer), "challenge_unknown")


def test_without_the_crl_no_card_is_accepted(terminal, jpki, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "JPKI_CRL", str(tmp_path / "missing-crl.pem"))
    _, answer = _answer(terminal, fresh_card(jpki, "demo-1", tmp_path))
    _refused(terminal("/verify", answer), "revocation_unknown", status=503)


def test_the_api_needs_a_card_reader_token_and_publishes_its_openapi(web, app):
    assert web.client.post(API + "/challenges").status_code == 401
    session = tenant_session(DEMO_CODE)
    _, link_token = create_token(session, Actor.system(DEMO_CODE, "test"), "連携サーバ", purpose="link")
    session.commit()
    session.close()
    refused = web.client.post(API + "/challenges", headers={"Authorization": f"Bearer {link_token}"})
    assert refused.status_code == 401 and refused.get_json()["code"] == "unauthorized"
    document = web.client.get(API + "/openapi.json").get_json()
    assert set(document["paths"]) == {"/challenges", "/verify"}


def test_a_terminal_of_no_municipality_learns_the_holders_municipality(db, jpki, tmp_path, system_session):
    """The kiosk case: the tenant is unknown until the certificate names it."""
    register(jpki)
    trust = load_trust_store(*configured_paths(str(jpki.ca_cert_path), str(jpki.crl_path), None))
    session = db.session_factory()
    set_scope(session, NO_TENANT)
    challenge = services.issue_challenge(session, "terminal", None)
    answer = services.CardAnswer(**fresh_card(jpki, "second-1", tmp_path).respond(
        str(challenge.id), encode_b64(challenge.nonce), "1234"))
    holder = services.verify(session, Actor(None, login_id="kiosk"), trust, answer, "terminal")
    assert holder.lg_code == SECOND_CODE and holder.resident.atena_no == heads(SECOND_CODE, 1)[0][0]
    session.commit()
    set_scope(session, NO_TENANT)
    with pytest.raises(CardAuthRefused) as caught:
        services.verify(session, Actor(None, login_id="kiosk"), trust, answer, "terminal")
    session.rollback()
    services.refuse(session, Actor(None, login_id="kiosk"), caught.value, answer, "terminal")
    session.commit()
    session.close()
    assert caught.value.code == "challenge_replayed"
    refused = system_session.scalars(select(AuditEntry).where(AuditEntry.action == "card_auth_refused")
                                     .order_by(AuditEntry.id.desc())).first()
    assert refused.lg_code is None and refused.detail["code"] == "challenge_replayed"


def test_every_refusal_of_a_readable_certificate_records_its_serial(terminal, jpki, tmp_path, system_session):
    def serial_of(label):
        return format(fresh_card(jpki, label, tmp_path).certificate.serial_number, "X")

    card = fresh_card(jpki, "demo-1", tmp_path)
    _, answer = _answer(terminal, card)
    assert terminal("/verify", answer).status_code == 200
    _refused(terminal("/verify", answer), "challenge_replayed")
    other = terminal("/challenges").get_json()
    _refused(terminal("/verify", card.respond(other["challenge_id"], encode_b64(b"something else"), "1234")),
             "bad_signature")
    for label in ("expired", "revoked", "forged", "second-1"):
        _refused(terminal("/verify", _answer(terminal, fresh_card(jpki, label, tmp_path))[1]),
                 {"expired": "certificate_expired", "revoked": "certificate_revoked", "forged": "untrusted_issuer",
                  "second-1": "other_municipality"}[label])
    unreadable = dict(_answer(terminal, card)[1], certificate="-----BEGIN CERTIFICATE-----\nAAAA")
    _refused(terminal("/verify", unreadable), "certificate_malformed")
    refusals = [(e.detail["code"], e.target_ids) for e in system_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "card_auth_refused").order_by(AuditEntry.id))]
    assert refusals == [("challenge_replayed", [serial_of("demo-1")]), ("bad_signature", [serial_of("demo-1")]),
                        ("certificate_expired", [serial_of("expired")]),
                        ("certificate_revoked", [serial_of("revoked")]),
                        ("untrusted_issuer", [serial_of("forged")]), ("other_municipality", [serial_of("second-1")]),
                        ("certificate_malformed", [""])]


@pytest.mark.parametrize(("body", "code", "status"), [
    ("[1]", "body_invalid", 400), ('"answer"', "body_invalid", 400), ("{", "body_invalid", 400),
    ("[" * 5000 + "]" * 5000, "body_too_deep", 400), ("[" * 100_000 + "]" * 100_000, "body_too_large", 413),
    ('{"challenge_id": "x\\u0000", "certificate": "y", "signature": "z"}', "body_invalid", 400),
    ('{"challenge_id": "x", "certificate": "y", "signature": "z", "pin": "1234"}', "body_invalid", 400),
])
def test_the_card_auth_api_refuses_malformed_bodies_before_verifying(terminal, web, body, code, status):
    headers = {"Authorization": terminal.headers["Authorization"], "Content-Type": "application/json"}
    response = web.client.post(API + "/verify", data=body, headers=headers)
    _refused(response, code, status)
    assert response.get_json()["code"] in _documented_codes(web, "/verify", status)
    _refused(web.client.post(API + "/challenges", data=" " * 100_000, headers=headers), "body_too_large", 413)


def _documented_codes(web, path, status):
    document = web.client.get(API + "/openapi.json").get_json()
    content = document["paths"][path]["post"]["responses"][str(status)]["content"]["application/problem+json"]
    return content["schema"]["properties"]["code"]["enum"]


def test_a_registration_withdrawn_today_is_refused_in_the_first_hours_of_the_japanese_day(
        app, terminal, jpki, tmp_path, system_session):
    """00:30 JST is still yesterday in UTC: the withdrawal date is compared with Japan's date."""
    from datetime import UTC, datetime, time

    from app.cardauth.adapter import current_trust
    from app.clock import today_in_japan
    from certificate_engine.wareki import JST

    card = fresh_card(jpki, "demo-1", tmp_path)
    system_session.execute(update(CardCertificate).where(CardCertificate.serial == format(
        card.certificate.serial_number, "X")).values(revoked_on=today_in_japan()))
    system_session.commit()
    _, answer = _answer(terminal, card)
    just_after_midnight = datetime.combine(today_in_japan(), time(0, 30), JST).astimezone(UTC)
    session = tenant_session(DEMO_CODE)
    with app.test_request_context(), pytest.raises(CardAuthRefused) as refused:
        services.verify(session, Actor(lg_code=DEMO_CODE, user_id=None, login_id="terminal"), current_trust(),
                        services.CardAnswer(**answer), "terminal", now=just_after_midnight)
    session.close()
    assert refused.value.code == "certificate_revoked"
