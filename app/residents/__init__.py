from flask import Blueprint

bp = Blueprint("residents", __name__, template_folder="templates")
api_bp = Blueprint("link_api", __name__, url_prefix="/api/link/v1")
