"""Framework-free document engine: frozen dataclasses in, signed PDF bytes out.

It never imports Flask or the app; callers pass plain values. ``wareki`` (Japanese era dates)
lives here because certificates are its strictest user; the web screens reuse it.

    pdf = issue(document, layout, signer)      # render_pdf + sign_pdf

See docs/certificates.md for the documents, the signing and the verification codes.
"""
from __future__ import annotations


def issue(document, layout, signer, reason: str | None = None) -> bytes:
    """Render ``document`` with ``layout`` and sign it with ``signer``: the PDF handed out."""
    from certificate_engine.render import render_pdf
    from certificate_engine.signing import sign_pdf

    return sign_pdf(render_pdf(document, layout), signer, reason or f"{document.kind}の発行",
                    location=document.header.municipality)
