from flask import Blueprint

bp = Blueprint("evac_support", __name__, template_folder="templates")
