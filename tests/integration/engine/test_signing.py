"""PAdES signatures: pyHanko validates them (intact, valid, trusted against the test CA), poppler's
pdfsig too (with the CA in an NSS database), a changed byte is detected, the key is loaded once."""
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from certificate_engine import issue
from certificate_engine.render import render_pdf
from certificate_engine.signing import CertificateSigner, sign_pdf, signature_status
from fixtures.certificate_samples import sample_documents, sample_layout
from fixtures.signing_pki import DOCUMENT_SIGNING, ensure_test_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signer(pki):
    return CertificateSigner.load(pki.key, pki.cert, (pki.ca_cert,), location="宮城県桜ヶ丘町")


@pytest.fixture(scope="module")
def signed(signer):
    layout = sample_layout()
    return issue(sample_documents(layout)["disaster"], layout, signer)


def _status(pdf: bytes, ca_path):
    return signature_status(pdf, (ca_path,))


def test_certengine_signature_is_intact_valid_and_trusted(signed, pki):
    status = _status(signed, pki.ca_cert)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.md_algorithm == "sha256"


def test_certengine_a_changed_byte_breaks_the_signature(signed, pki):
    position = signed.index(b"/Title") + 8  # inside the signed range (the document information)
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1:]
    assert not _status(tampered, pki.ca_cert).intact


@pytest.fixture(scope="module")
def nss_db(pki, tmp_path_factory):
    if not shutil.which("certutil") or not shutil.which("pdfsig"):
        pytest.fail("certutil (libnss3-tools) and pdfsig (poppler-utils) are required")
    directory = tmp_path_factory.mktemp("nssdb")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "bcl-test-ca", "-t", "CT,C,C",
                    "-i", str(pki.ca_cert)], check=True)
    return directory


def _pdfsig(pdf: bytes, nss_db, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    # pdfsig exits 0 even for a digest mismatch: the verdict is in its output.
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)], capture_output=True, text=True).stdout


def test_certengine_pdfsig_verifies_the_signature_and_the_chain(signed, nss_db, tmp_path):
    output = _pdfsig(signed, nss_db, tmp_path)
    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." in output
    assert "Total document signed" in output and "ETSI.CAdES.detached" in output


def test_certengine_pdfsig_reports_a_tampered_file(signed, nss_db, tmp_path):
    position = signed.index(b"/Title") + 8
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1:]
    output = _pdfsig(tampered, nss_db, tmp_path)
    assert "Signature is Valid" not in output and "Digest Mismatch" in output


def test_certengine_signer_key_is_decoded_once(signer, monkeypatch):
    from pyhanko.sign.signers import pdf_cms

    calls = []
    original = pdf_cms.serialization.load_der_private_key
    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key",
                        lambda *a, **kw: calls.append(1) or original(*a, **kw))
    layout = sample_layout()
    pdf = render_pdf(sample_documents(layout)["seal"], layout)
    for _ in range(3):
        sign_pdf(pdf, signer)
    assert calls == []


def test_certengine_test_pki_is_idempotent_and_well_formed(pki):
    before = pki.cert.read_bytes()
    assert ensure_test_pki(pki.key.parent).cert.read_bytes() == before
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    cert = x509.load_pem_x509_certificate(before)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    ekus = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert DOCUMENT_SIGNING in ekus and ExtendedKeyUsageOID.EMAIL_PROTECTION in ekus
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.public_key().curve.name == "secp256r1"


def test_certengine_signing_works_inside_a_running_event_loop(signer, pki):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    layout = sample_layout()
    pdf = render_pdf(sample_documents(layout)["damage_report"], layout)

    async def inside_a_loop():
        return sign_pdf(pdf, signer)

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own: no other loop runs there
        signed = pool.submit(lambda: asyncio.run(inside_a_loop())).result()
    assert _status(signed, pki.ca_cert).intact
