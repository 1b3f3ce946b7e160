"""コンビニ交付: the kiosk API (an adapter over the certificates' issuance service), the store
operators that run kiosks, and the kiosk simulator."""
from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates")
api_bp = Blueprint("kiosk_api", __name__, url_prefix="/api/kiosk/v1")
