"""Pure rules of card authentication (公的個人認証・利用者証明): what makes a certificate, a challenge
and a signature acceptable. No database, no Flask; every refusal is a ``CardAuthRefused`` with a
stable code (APIs) and a Japanese message (screens)."""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from app.certificates.rules import SELF_SERVICE
from app.clock import require_aware
from app.errors import AuthenticationError

CHALLENGE_BYTES = 32
CHALLENGE_LIFETIME = timedelta(minutes=5)
PURPOSES = {"shelter_desk": "避難所の受付", "terminal": "窓口・端末での本人確認", "kiosk": "コンビニ交付",
            "self_service": SELF_SERVICE}

MESSAGES = {
    "not_configured": "カード認証の設定（信頼する認証局の証明書）がありません。システム管理者に連絡してください。",
    "request_invalid": "カードからの応答の形式が正しくありません。",
    "certificate_malformed": "カードの証明書を読み取れません。",
    "untrusted_issuer": "カードの証明書が信頼できる認証局（地方公共団体情報システム機構）の発行したものではありません。"
                        "偽造の疑いがあります。",
    "certificate_not_yet_valid": "カードの利用者証明用電子証明書はまだ有効期間が始まっていません。",
    "certificate_expired": "カードの利用者証明用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。",
    "certificate_revoked": "カードの利用者証明用電子証明書は失効しています。",
    "certificate_unsuitable": "この証明書は利用者証明（本人確認）には使えません。",
    "revocation_unknown": "証明書の失効情報（CRL）を確認できないため、カードで認証できません。職員に連絡してください。",
    "challenge_unknown": "認証の要求が見つかりません。最初からやり直してください。",
    "challenge_replayed": "この認証の要求は既に使われています（再送は受け付けません）。最初からやり直してください。",
    "challenge_expired": "認証の要求の有効時間（5分）が過ぎました。最初からやり直してください。",
    "bad_signature": "カードの署名を確認できません（要求と異なる内容への署名か、証明書とカードの鍵が一致しません）。",
    "certificate_unregistered": "このカードの証明書は住民と結び付けられていません。",
    "other_municipality": "このカードは当団体の住民のものではありません。",
    "resident_not_found": "カードの持ち主が住民記録（住登内）に見つかりません。",
    "resident_ambiguous": "カードの住民票コードを持つ住民が住民記録に複数あるため、本人を特定できません。"
                          "職員に連絡してください（住民記録の確認が必要です）。",
    "too_many_attempts": "このカードでの認証に続けて失敗したため、しばらくの間このカードでは認証できません。"
                         "時間をおいてもう一度お試しください。",
}
# Refusals that say nothing about the presented card (the server's own state, or the throttle
# itself): they do not count towards the card's failed answers.
NOT_THE_CARDS_FAILURE = frozenset({"not_configured", "revocation_unknown", "too_many_attempts"})


class CardAuthRefused(AuthenticationError):
    """Card authentication refused for the reason named by ``code`` (a key of ``MESSAGES``; a card held
    back by its failed answers is a ``TooManyRequests`` with the code ``too_many_attempts``)."""

    def __init__(self, code: str, **details):
        super().__init__(MESSAGES[code], code=code, details=details)
        if code in ("revocation_unknown", "not_configured"):
            self.status = 503


CARD_THROTTLE_PREFIX = "card:"


def certificate_throttle_key(issuer: str, serial: str) -> str:
    """The throttle key of a card certificate's failed answers (app/throttle.py): a hash, so the
    counts hold nothing that names a card."""
    return CARD_THROTTLE_PREFIX + hashlib.sha256(f"{issuer}\n{serial}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class TrustStore:
    """The JPKI CA certificates BCL trusts and their current CRLs."""

    cas: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...]


def decode_b64(value: object) -> bytes:
    """base64url (padding optional) or plain base64, as readers send; anything else is refused."""
    if not isinstance(value, str) or not value:
        raise CardAuthRefused("request_invalid")
    text = value.strip().replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CardAuthRefused("request_invalid") from exc


def encode_b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parse_certificate(pem_or_der: object) -> x509.Certificate:
    """The card's certificate, PEM text or base64 DER."""
    if not isinstance(pem_or_der, str) or not pem_or_der.strip():
        raise CardAuthRefused("request_invalid")
    try:
        if "-----BEGIN" in pem_or_der:
            return x509.load_pem_x509_certificate(pem_or_der.encode())
        return x509.load_der_x509_certificate(decode_b64(pem_or_der))
    except (ValueError, CardAuthRefused) as exc:
        raise CardAuthRefused("certificate_malformed") from exc


def check_challenge(expires_at: datetime, used_at: datetime | None, now: datetime) -> None:
    """A challenge is good once, and only until it expires (``now`` timezone-aware)."""
    require_aware(now, "now")
    if used_at is not None:
        raise CardAuthRefused("challenge_replayed")
    if now >= expires_at:
        raise CardAuthRefused("challenge_expired")


def issuer_of(cert: x509.Certificate, trust: TrustStore, now: datetime) -> x509.Certificate:
    """The trusted CA that really signed ``cert`` (name and signature), valid ``now`` (timezone-aware)."""
    require_aware(now, "now")
    for ca in trust.cas:
        if ca.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        if ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
            return ca
    raise CardAuthRefused("untrusted_issuer", issuer=cert.issuer.rfc4514_string())


def check_validity(cert: x509.Certificate, now: datetime) -> None:
    """``cert`` is within its validity period at ``now`` (timezone-aware)."""
    require_aware(now, "now")
    if now < cert.not_valid_before_utc:
        raise CardAuthRefused("certificate_not_yet_valid", not_before=cert.not_valid_before_utc.isoformat())
    if now > cert.not_valid_after_utc:
        raise CardAuthRefused("certificate_expired", not_after=cert.not_valid_after_utc.isoformat())


def check_usage(cert: x509.Certificate) -> None:
    """An end-entity certificate whose key may make digital signatures."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound as exc:
        raise CardAuthRefused("certificate_unsuitable") from exc
    if not usage.digital_signature or basic.ca:
        raise CardAuthRefused("certificate_unsuitable")


def check_revocation(cert: x509.Certificate, ca: x509.Certificate, trust: TrustStore, now: datetime) -> None:
    """Not in the CA's current CRL at ``now`` (timezone-aware). Without a current CRL signed by the CA,
    fail closed."""
    require_aware(now, "now")
    for crl in trust.crls:
        if crl.issuer != ca.subject or not crl.is_signature_valid(ca.public_key()):
            continue
        if crl.next_update_utc is None or crl.next_update_utc < now:
            continue
        revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if revoked is not None:
            raise CardAuthRefused("certificate_revoked", revoked_at=revoked.revocation_date_utc.isoformat())
        return
    raise CardAuthRefused("revocation_unknown")


def check_signature(cert: x509.Certificate, challenge: bytes, signature: bytes) -> None:
    """``signature`` is the card key's signature over exactly ``challenge`` (RSA PKCS#1 v1.5 as on
    the My Number card, or ECDSA), SHA-256."""
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))
        else:
            raise CardAuthRefused("certificate_unsuitable")
    except InvalidSignature as exc:
        raise CardAuthRefused("bad_signature") from exc


def check_certificate(cert: x509.Certificate, trust: TrustStore, now: datetime) -> x509.Certificate:
    """Chain, validity, usage and revocation of the card's certificate; returns the issuing CA."""
    ca = issuer_of(cert, trust, now)
    check_validity(cert, now)
    check_usage(cert)
    check_revocation(cert, ca, trust, now)
    return ca


def serial_text(cert: x509.Certificate) -> str:
    """The serial number as BCL stores it: upper-case hex without leading zeros."""
    return format(cert.serial_number, "X")
