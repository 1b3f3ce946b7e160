"""コンビニ交付: the kiosk API (an adapter over the certificates' issuance service), the store
operators that run kiosks, their contracts and maintenance days, refunds, and the kiosk simulator
(docs/kiosk-api.md).

May import: core, audit, cardauth, certificates, residents, tenants.
Must not import: disasters (its certificates reach kiosks through app.certificates' sources).
"""
from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates")
api_bp = Blueprint("kiosk_api", __name__, url_prefix="/api/kiosk/v1")
