"""Web-side helpers of certificates: the issuer of this request and the PDF response."""
from __future__ import annotations

import io

from flask import current_app, send_file, url_for

from app.certificates.issuer import Issuer, issuer_from_config
from app.certificates.models import IssuedCertificate


def current_issuer() -> Issuer:
    """The issuer for this server; the QR code points at this server's /verify unless configured."""
    return issuer_from_config(current_app.config, url_for("certificates.verify", _external=True))


def pdf_response(issued: IssuedCertificate):
    """The stored signed PDF, shown in the browser (no-store, as every response: app/headers.py)."""
    return send_file(io.BytesIO(issued.pdf), mimetype="application/pdf", download_name=f"{issued.serial}.pdf",
                     as_attachment=False, max_age=0)
