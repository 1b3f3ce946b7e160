"""PAdES signatures (pyHanko) with an ECDSA P-256 key that is loaded once and reused.

pyHanko's ``SimpleSigner`` turns its stored key back into a ``cryptography`` key on every
signature (twice per PDF); ``CertificateSigner`` decodes the key once at load time and signs with
that object. With RSA that re-decoding was most of the ~120 ms per signature; with an ECDSA P-256
key it is cheap, and a signature takes about 20–40 ms here (bench: cert.sign.ms_per_document).
Build one signer per process and reuse it. The signature is PAdES baseline B
(``ETSI.CAdES.detached``) over the whole file; poppler's ``pdfsig`` and pyHanko verify it.
"""
from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

T = TypeVar("T")


class _CachedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that keeps the decoded ECDSA key instead of re-parsing it per signature."""

    def __init__(self, *args, private_key: EllipticCurvePrivateKey, **kwargs):
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        return self._private_key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))


@dataclass(frozen=True)
class CertificateSigner:
    """The document-signing key and certificate chain, ready to sign many PDFs."""

    signer: signers.Signer
    location: str = ""

    @classmethod
    def load(cls, key_path: Path | str, cert_path: Path | str, chain_paths: tuple[Path | str, ...] = (),
             location: str = "") -> CertificateSigner:
        """Load an unencrypted PEM ECDSA key, its certificate and the CA chain (PEM or DER)."""
        key_bytes = Path(key_path).read_bytes()
        private_key = serialization.load_pem_private_key(key_bytes, password=None)
        if not isinstance(private_key, EllipticCurvePrivateKey):
            raise ValueError("the certificate signing key must be an ECDSA key")
        registry = SimpleCertificateStore.from_certs(load_certs_from_pemder([str(p) for p in chain_paths]))
        signer = _CachedKeySigner(signing_cert=load_cert_from_pemder(str(cert_path)),
                                  signing_key=load_private_key_from_pemder(str(key_path), passphrase=None),
                                  cert_registry=registry, private_key=private_key)
        return cls(signer=signer, location=location)


def sign_pdf(pdf: bytes, signer: CertificateSigner, reason: str = "証明書の発行", location: str = "") -> bytes:
    """``pdf`` with a PAdES signature over the entire file (``location`` defaults to the signer's)."""
    meta = signers.PdfSignatureMetadata(field_name="BCLSignature", reason=reason,
                                        location=location or signer.location or None,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")

    def work() -> bytes:
        out = io.BytesIO()
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer.signer, output=out)
        return out.getvalue()

    return outside_event_loop(work)


def signature_status(pdf: bytes, trust_roots: tuple[Path | str, ...]) -> PdfSignatureStatus:
    """pyHanko's verdict on the first signature of ``pdf`` (intact, valid, trusted, coverage)."""
    def work() -> PdfSignatureStatus:
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in trust_roots])
        return validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)

    return outside_event_loop(work)


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run ``work`` here, or on a helper thread when this thread already runs an asyncio loop.

    pyHanko's synchronous API calls ``asyncio.run``, which refuses to start inside a running loop
    (an async server, or a library such as Playwright that keeps one running in the thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
