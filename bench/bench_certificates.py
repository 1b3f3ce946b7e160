"""Certificate benchmarks: one A4 罹災証明書 rendered (before signing) and one PDF signed.

The render anchor is the same page's text drawn with the same embedded IPAex font on a bare canvas
(no background pattern, no 公印, no QR code); the signing anchor is pyHanko's stock SimpleSigner,
which decodes the key again for every signature. Every iteration uses a new serial and verification
code, so nothing per document is cached between iterations.
"""
from __future__ import annotations

import dataclasses
import io
import statistics
import tempfile
from pathlib import Path

from bench.harness import Anchor, Result, latencies_ms

RENDERS = 200
SIGNATURES = 60


def run(url: str) -> list[Result]:
    from pyhanko.sign import signers

    from certificate_engine.content import content_of
    from certificate_engine.render import render_pdf
    from certificate_engine.signing import CertificateSigner, sign_pdf
    from certificate_engine.verification import make_code
    from fixtures.certificate_samples import sample_documents, sample_layout
    from fixtures.signing_pki import ensure_test_pki

    layout = sample_layout()
    base = sample_documents(layout)["disaster"]
    counter = iter(range(10**9))

    def next_document():
        serial = f"罹2026-{next(counter):06d}"
        code = make_code(b"bench", "046990", serial)
        header = dataclasses.replace(base.header, serial=serial, verification_code=code)
        return dataclasses.replace(base, header=header)

    render = statistics.median(latencies_ms(lambda: render_pdf(next_document(), layout), RENDERS))
    plain = statistics.median(latencies_ms(lambda: _plain_page(content_of(next_document(), layout)), RENDERS))
    pdf = render_pdf(next_document(), layout)
    with tempfile.TemporaryDirectory() as directory:
        pki = ensure_test_pki(Path(directory))
        signer = CertificateSigner.load(pki.key, pki.cert, (pki.ca_cert,))
        stock = CertificateSigner(signers.SimpleSigner.load(str(pki.key), str(pki.cert),
                                                            ca_chain_files=(str(pki.ca_cert),)))
        sign = statistics.median(latencies_ms(lambda: sign_pdf(pdf, signer), SIGNATURES))
        stock_sign = statistics.median(latencies_ms(lambda: sign_pdf(pdf, stock), SIGNATURES))
    print(f"   certificates: render {render:.1f} ms (plain text page {plain:.1f} ms), "
          f"sign {sign:.1f} ms (stock SimpleSigner {stock_sign:.1f} ms), PDF {len(pdf) / 1024:.0f} KB")
    return [Result("cert.render.ms_per_page", render, "ms", 15.0,
                   Anchor("reportlab.plain_text_page_ipaex.ms", plain, "ms"),
                   notes="median of 200; A4 罹災証明書: IPAex subset embedded, pattern image, 公印 PNG, vector QR"),
            Result("cert.sign.ms_per_document", sign, "ms", 60.0,
                   Anchor("pyhanko.stock_simplesigner_sign.ms", stock_sign, "ms"),
                   notes="median of 60; PAdES B, ECDSA P-256, key decoded once")]


def _plain_page(content) -> bytes:
    """The anchor: the same words on a bare canvas with the same embedded font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from certificate_engine.fonts import MINCHO, register_fonts

    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=MINCHO)
    canvas.setFont(MINCHO, 10.5)
    y = 780
    canvas.drawString(60, y, content.title)
    for block in content.blocks:
        for label, value in block.rows:
            y -= 16
            canvas.drawString(60, y, f"{label}　{value}")
    canvas.drawString(60, y - 30, content.statement)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
