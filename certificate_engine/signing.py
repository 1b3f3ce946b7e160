"""PAdES signatures (pyHanko) with an ECDSA P-256 key that is loaded once and reused.

pyHanko's ``SimpleSigner`` turns its stored key back into a ``cryptography`` key on every
signature (twice per PDF); ``CertificateSigner`` decodes the key once at load time and signs with
that object. With RSA that re-decoding was most of the ~120 ms per signature; with an ECDSA P-256
key it is cheap, and a signature takes about 20–40 ms here (bench: cert.sign.ms_per_document).
Build one signer per process and reuse it. The signature is PAdES baseline B
(``ETSI.CAdES.detached``) over the whole file; poppler's ``pdfsig`` and pyHanko verify it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore


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
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer.signer, output=out)
    return out.getvalue()
