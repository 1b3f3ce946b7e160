from flask import Blueprint

bp = Blueprint("operator", __name__, template_folder="templates")
