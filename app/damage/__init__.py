from flask import Blueprint

bp = Blueprint("damage", __name__, template_folder="templates")
