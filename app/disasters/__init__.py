from flask import Blueprint

bp = Blueprint("disasters", __name__, template_folder="templates")
api_bp = Blueprint("applications_api", __name__, url_prefix="/api/applications/v1")
