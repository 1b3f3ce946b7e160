from flask import Blueprint

bp = Blueprint("shelters", __name__, template_folder="templates")
