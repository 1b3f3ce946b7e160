"""Card authentication rules and the virtual card: every refusal, the PIN counter and lock."""
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from app.cardauth import rules
from app.cardauth.rules import CardAuthRefused, TrustStore
from fixtures.jpki import CardHolder, build_test_jpki, sign_crl
from fixtures.virtual_card import CardError, VirtualCard

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def jpki(tmp_path_factory):
    return build_test_jpki(tmp_path_factory.mktemp("jpki"), [CardHolder("046990", "12345678901", "good")], now=NOW)


@pytest.fixture(scope="module")
def trust(jpki):
    return TrustStore(tuple(x509.load_pem_x509_certificates(jpki.ca_cert_path.read_bytes())),
                      (x509.load_pem_x509_crl(jpki.crl_path.read_bytes()),))


@pytest.fixture()
def card(jpki, tmp_path):
    """A copy of the good card, so PIN failures do not leak into other tests."""
    path = tmp_path / "card.json"
    shutil.copy(jpki.cards["good"], path)
    return VirtualCard.load(path)


def _refusal(call, *args) -> str:
    with pytest.raises(CardAuthRefused) as caught:
        call(*args)
    return caught.value.code


def test_a_good_card_passes_every_check(jpki, trust):
    cert = jpki.card("good").certificate
    assert rules.check_certificate(cert, trust, NOW).subject == trust.cas[0].subject
    assert not any(a.oid == x509.NameOID.ORGANIZATION_NAME for a in cert.subject)  # no personal data in the subject


@pytest.mark.parametrize(("label", "code"), [("expired", "certificate_expired"), ("revoked", "certificate_revoked"),
                                             ("forged", "untrusted_issuer")])
def test_bad_cards_are_refused_with_their_reason(jpki, trust, label, code):
    assert _refusal(rules.check_certificate, jpki.card(label).certificate, trust, NOW) == code


def test_a_certificate_not_yet_valid_is_refused(jpki, trust):
    cert = jpki.card("good").certificate
    assert _refusal(rules.check_certificate, cert, trust, cert.not_valid_before_utc - timedelta(seconds=1)) \
        == "certificate_not_yet_valid"


def test_the_forged_card_copies_the_subject_and_serial_of_a_real_one(jpki):
    good, forged = jpki.card("good").certificate, jpki.card("forged").certificate
    assert (forged.subject, forged.issuer, forged.serial_number) == (good.subject, good.issuer, good.serial_number)


def test_a_ca_certificate_is_not_a_user_certificate(trust):
    assert _refusal(rules.check_usage, trust.cas[0]) == "certificate_unsuitable"


def test_without_a_current_crl_from_the_ca_revocation_is_unknown(jpki, trust):
    cert = jpki.card("good").certificate
    assert _refusal(rules.check_certificate, cert, replace(trust, crls=()), NOW) == "revocation_unknown"
    stale = NOW + timedelta(days=3)  # the test CRL's next update is two days ahead
    assert _refusal(rules.check_certificate, cert, trust, stale) == "revocation_unknown"


def test_a_crl_signed_by_another_key_is_ignored(jpki, trust):
    from cryptography.hazmat.primitives.asymmetric import rsa

    rogue_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rogue_crl = sign_crl(trust.cas[0], rogue_key, [], NOW, NOW + timedelta(days=1))
    cert = jpki.card("revoked").certificate
    assert _refusal(rules.check_certificate, cert, replace(trust, crls=(rogue_crl,)), NOW) == "revocation_unknown"


def test_the_signature_must_be_over_exactly_the_challenge(card, jpki):
    challenge = b"c" * 32
    signature = card.sign(challenge, "1234")
    rules.check_signature(card.certificate, challenge, signature)
    assert _refusal(rules.check_signature, card.certificate, b"d" * 32, signature) == "bad_signature"
    other = jpki.card("revoked").sign(challenge, "1234")  # another card's key, this card's certificate
    assert _refusal(rules.check_signature, card.certificate, challenge, other) == "bad_signature"


def test_a_challenge_is_good_once_and_until_it_expires():
    expires = NOW + timedelta(minutes=5)
    rules.check_challenge(expires, None, NOW)
    assert _refusal(rules.check_challenge, expires, NOW, NOW) == "challenge_replayed"
    assert _refusal(rules.check_challenge, expires, None, expires) == "challenge_expired"


def test_unreadable_input_is_refused_precisely():
    assert _refusal(rules.parse_certificate, "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----") \
        == "certificate_malformed"
    assert _refusal(rules.parse_certificate, "") == "request_invalid"
    assert _refusal(rules.decode_b64, "not base64!") == "request_invalid"
    assert _refusal(rules.decode_b64, None) == "request_invalid"


def test_every_refusal_has_a_japanese_message():
    assert all(message.endswith("。") for message in rules.MESSAGES.values())
    assert CardAuthRefused("revocation_unknown").status == 503 and CardAuthRefused("bad_signature").status == 401


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "１２３４", ""])
def test_the_pin_is_exactly_four_digits_and_a_malformed_one_does_not_count(card, pin):
    with pytest.raises(CardError) as caught:
        card.sign(b"x", pin)
    assert caught.value.code == "pin_format"
    assert VirtualCard.load(card.path).failures == 0


def test_a_right_pin_resets_the_count_of_wrong_ones(card):
    for _ in range(2):
        with pytest.raises(CardError) as caught:
            card.sign(b"x", "9999")
        assert caught.value.code == "pin_wrong"
    assert VirtualCard.load(card.path).failures == 2
    card.sign(b"x", "1234")
    assert VirtualCard.load(card.path).failures == 0


def test_three_wrong_pins_in_a_row_lock_the_card_even_for_the_right_pin(card):
    codes = []
    for _ in range(3):
        with pytest.raises(CardError) as caught:
            card.sign(b"x", "0000")
        codes.append(caught.value.code)
    assert codes == ["pin_wrong", "pin_wrong", "card_locked"]
    reloaded = VirtualCard.load(card.path)  # the lock is kept on the card
    assert reloaded.is_locked
    with pytest.raises(CardError) as caught:
        reloaded.sign(b"x", "1234")
    assert caught.value.code == "card_locked"
