"""What issuing needs besides the data: the signing key (loaded once per process), the secret of
the verification codes and the public /verify address. Built from the configuration by the adapter
(web request, CLI, job) and handed to the services."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from app.config import INSTANCE_DIR, certificate_verify_secret
from app.errors import DomainError
from certificate_engine.signing import CertificateSigner


class SigningNotConfigured(DomainError):
    status = 503
    code = "signing_not_configured"
    title = "証明書の署名鍵が設定されていません"


@dataclass(frozen=True)
class Issuer:
    """The signer, the verification-code secret and the URL the QR code points at."""

    signer: CertificateSigner
    secret: bytes
    verify_url: str


def issuer_from_config(config: Mapping, verify_url: str) -> Issuer:
    """The issuer for this process. ``verify_url`` is used when CERT_VERIFY_URL is not set."""
    key, cert, chain = signing_paths(config)
    return Issuer(signer=_signer(key, cert, chain), secret=certificate_verify_secret(),
                  verify_url=config.get("CERT_VERIFY_URL") or verify_url)


def signing_paths(config: Mapping) -> tuple[str, str, tuple[str, ...]]:
    """The configured key/cert/chain; outside production the generated test PKI when unset."""
    if config.get("CERT_SIGNING_KEY") and config.get("CERT_SIGNING_CERT"):
        return config["CERT_SIGNING_KEY"], config["CERT_SIGNING_CERT"], tuple(config.get("CERT_SIGNING_CHAIN", ()))
    if config.get("IS_PRODUCTION"):
        raise SigningNotConfigured("CERT_SIGNING_KEY と CERT_SIGNING_CERT を設定してください（本番環境）。")
    from fixtures.signing_pki import ensure_test_pki

    pki = ensure_test_pki(INSTANCE_DIR / "pki")
    return str(pki.key), str(pki.cert), (str(pki.ca_cert),)


@lru_cache(maxsize=4)
def _signer(key: str, cert: str, chain: tuple[str, ...]) -> CertificateSigner:
    """Loaded once per process and path set: signing never re-reads the key."""
    return CertificateSigner.load(key, cert, chain)
