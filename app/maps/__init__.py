from flask import Blueprint

bp = Blueprint("maps", __name__, template_folder="templates")
