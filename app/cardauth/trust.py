"""The JPKI trust anchors and CRLs, read from files named by configuration.

``JPKI_CA_CERT`` is a PEM file with one or more CA certificates; ``JPKI_CRL`` one or more CRL files
(PEM or DER, separated by the OS path separator). Outside production (``BCL_ENV`` not
``production``) they default to the test CA that ``flask --app wsgi card demo`` (and the demo load)
writes under ``instance/jpki/``. Files are re-read when they change, so a new CRL is picked up
without a restart.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509

from app.cardauth.rules import CardAuthRefused, TrustStore

_cache: dict[tuple, TrustStore] = {}


def configured_paths(ca_setting: str | None, crl_setting: str | None, fallback_dir: Path | None) \
        -> tuple[Path | None, list[Path]]:
    """The CA file and CRL files to use: the settings, else the test CA under ``fallback_dir``."""
    if ca_setting:
        return Path(ca_setting), [Path(p) for p in (crl_setting or "").split(os.pathsep) if p]
    if fallback_dir is not None:
        return fallback_dir / "ca.pem", [fallback_dir / "crl.pem"]
    return None, []


def load_trust_store(ca_path: Path | None, crl_paths: list[Path]) -> TrustStore:
    """The trust store from the files (cached while they are unchanged); no CA file refuses."""
    if ca_path is None or not ca_path.is_file():
        raise CardAuthRefused("not_configured")
    existing = [p for p in crl_paths if p.is_file()]
    key = tuple((str(p), p.stat().st_mtime_ns) for p in (ca_path, *existing))
    if key not in _cache:
        cas = tuple(x509.load_pem_x509_certificates(ca_path.read_bytes()))
        _cache.clear()
        _cache[key] = TrustStore(cas, tuple(_load_crl(p.read_bytes()) for p in existing))
    return _cache[key]


def _load_crl(data: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)
